/** Experiment writes: create, rename, delete, restore, tags and description. */
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { apiSend } from '../../../lib/api-client.ts'
import { NOTE_TAG } from './get-experiment.ts'

export const createExperiment = (name: string) =>
  apiSend<{ experiment_id: string }>('POST', 'experiments/create', { name })
export const renameExperiment = (id: string, newName: string) =>
  apiSend('POST', 'experiments/update', { experiment_id: id, new_name: newName })
export const deleteExperiment = (id: string) =>
  apiSend('POST', 'experiments/delete', { experiment_id: id })
export const restoreExperiment = (id: string) =>
  apiSend('POST', 'experiments/restore', { experiment_id: id })
export const setExperimentTag = (id: string, key: string, value: string) =>
  apiSend('POST', 'experiments/set-experiment-tag', { experiment_id: id, key, value })
export const deleteExperimentTag = (id: string, key: string) =>
  apiSend('POST', 'experiments/delete-experiment-tag', { experiment_id: id, key })
export const setExperimentDescription = (id: string, text: string) =>
  setExperimentTag(id, NOTE_TAG, text)

/** Wraps a write so the experiment list and the experiment itself refresh afterwards. */
export function useExperimentMutation<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (args: A) => fn(...args),
    onSettled: async () => {
      await client.invalidateQueries({ queryKey: ['experiments'] })
      await client.invalidateQueries({ queryKey: ['experiment'] })
    },
  })
}

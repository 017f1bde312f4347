/** Run writes: rename, delete / restore, tags, description; every one refreshes run queries. */
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { apiSend } from '../../../lib/api-client.ts'

export const renameRun = (runId: string, name: string) =>
  apiSend('POST', 'runs/update', { run_id: runId, run_name: name })
export const deleteRun = (runId: string) => apiSend('POST', 'runs/delete', { run_id: runId })
export const restoreRun = (runId: string) => apiSend('POST', 'runs/restore', { run_id: runId })
export const setRunTag = (runId: string, key: string, value: string) =>
  apiSend('POST', 'runs/set-tag', { run_id: runId, key, value })
export const deleteRunTag = (runId: string, key: string) =>
  apiSend('POST', 'runs/delete-tag', { run_id: runId, key })

/** Applies a write to many runs, a few at a time. */
export async function forEachRun(
  runIds: readonly string[],
  write: (runId: string) => Promise<unknown>,
): Promise<void> {
  const queue = [...runIds]
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await write(id)
  }
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker))
}

export function useRunMutation<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (args: A) => fn(...args),
    onSettled: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: ['runs'] }),
        client.invalidateQueries({ queryKey: ['run'] }),
        client.invalidateQueries({ queryKey: ['runs-by-id'] }),
      ])
    },
  })
}

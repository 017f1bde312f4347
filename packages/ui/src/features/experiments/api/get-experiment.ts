/** experiments/get: one experiment with its tags (description = tag `mlflow.note.content`). */
import type { Experiment } from '@carnet/protocol'
import { queryOptions, useQuery } from '@tanstack/react-query'
import { apiGet } from '../../../lib/api-client.ts'

export const NOTE_TAG = 'mlflow.note.content'

export const getExperimentQueryOptions = (experimentId: string) =>
  queryOptions({
    queryKey: ['experiment', experimentId],
    queryFn: ({ signal }) =>
      apiGet<{ experiment: Experiment }>(
        'experiments/get',
        { experiment_id: experimentId },
        signal,
      ).then((r) => r.experiment),
    staleTime: 30_000,
  })

export const useExperiment = (experimentId: string) =>
  useQuery(getExperimentQueryOptions(experimentId))

export function experimentTag(experiment: Experiment | undefined, key: string): string | undefined {
  return experiment?.tags?.find((t) => t.key === key)?.value
}

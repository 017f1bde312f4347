/** Child runs of a run (tag mlflow.parentRunId), for the run page. */
import { useQuery } from '@tanstack/react-query'
import { quoteKey } from '../utils/columns.ts'
import { PARENT_TAG } from '../utils/run-index.ts'
import { searchRuns } from './search-runs.ts'

export const useChildRuns = (experimentId: string, runId: string) =>
  useQuery({
    queryKey: ['runs', 'children', experimentId, runId],
    queryFn: ({ signal }) =>
      searchRuns(
        {
          experimentIds: [experimentId],
          filter: `tags.${quoteKey(PARENT_TAG)} = '${runId}'`,
          maxResults: 200,
        },
        signal,
      ).then((r) => r.runs ?? []),
  })

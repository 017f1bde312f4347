/** runs/get: one run with params, latest metrics, tags, inputs and outputs. */
import type { Run } from '@carnet/protocol'
import { queryOptions, useQuery } from '@tanstack/react-query'
import { apiGet } from '../../../lib/api-client.ts'

export const getRunQueryOptions = (runId: string) =>
  queryOptions({
    queryKey: ['run', runId],
    queryFn: ({ signal }) =>
      apiGet<{ run: Run }>('runs/get', { run_id: runId }, signal).then((r) => r.run),
  })

export const useRun = (runId: string) => useQuery(getRunQueryOptions(runId))

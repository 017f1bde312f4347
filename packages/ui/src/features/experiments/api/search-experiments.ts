/** experiments/search: one page of experiments for the list page. */
import type { Experiment, ViewType } from '@carnet/protocol'
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { apiSend } from '../../../lib/api-client.ts'

export interface ExperimentsQuery {
  search?: string
  orderBy?: string
  viewType?: ViewType
  pageToken?: string
  pageSize?: number
}

interface SearchExperimentsResponse {
  experiments?: Experiment[]
  next_page_token?: string
}

/** Quotes a user string for a filter literal (MLflow doubles single quotes). */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

export function searchExperiments(q: ExperimentsQuery, signal?: AbortSignal) {
  const text = q.search?.trim()
  return apiSend<SearchExperimentsResponse>(
    'POST',
    'experiments/search',
    {
      max_results: q.pageSize ?? 50,
      filter: text ? `name ILIKE ${quote(`%${text}%`)}` : undefined,
      order_by: q.orderBy ? [q.orderBy] : undefined,
      view_type: q.viewType ?? 'ACTIVE_ONLY',
      page_token: q.pageToken,
    },
    signal,
  )
}

export const searchExperimentsQueryOptions = (q: ExperimentsQuery) =>
  queryOptions({
    queryKey: ['experiments', q],
    queryFn: ({ signal }) => searchExperiments(q, signal),
    placeholderData: keepPreviousData,
  })

export const useSearchExperiments = (q: ExperimentsQuery) =>
  useQuery(searchExperimentsQueryOptions(q))

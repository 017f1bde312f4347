/** runs/search, paged: a small first page for a fast first paint, larger pages while scrolling. */
import type { Run, ViewType } from '@carnet/protocol'
import { infiniteQueryOptions, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { apiSend } from '../../../lib/api-client.ts'

export interface RunsQuery {
  experimentIds: string[]
  filter?: string
  orderBy?: string[]
  viewType?: ViewType
}

export interface SearchRunsResponse {
  runs?: Run[]
  next_page_token?: string
}

export const FIRST_PAGE = 50
export const NEXT_PAGE = 250

/** The runs/search body (index.html's boot script builds the same one for the first page). */
export function searchRunsBody(q: RunsQuery & { pageToken?: string; maxResults: number }) {
  return {
    experiment_ids: q.experimentIds,
    filter: q.filter?.trim() || undefined,
    order_by: q.orderBy,
    run_view_type: q.viewType ?? 'ACTIVE_ONLY',
    max_results: q.maxResults,
    page_token: q.pageToken,
  }
}

export function searchRuns(
  q: RunsQuery & { pageToken?: string; maxResults: number },
  signal?: AbortSignal,
): Promise<SearchRunsResponse> {
  return apiSend<SearchRunsResponse>('POST', 'runs/search', searchRunsBody(q), signal)
}

export const searchRunsInfiniteOptions = (q: RunsQuery) =>
  infiniteQueryOptions({
    queryKey: ['runs', q],
    queryFn: ({ pageParam, signal }) =>
      searchRuns(
        { ...q, pageToken: pageParam, maxResults: pageParam ? NEXT_PAGE : FIRST_PAGE },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_page_token || undefined,
    staleTime: 10_000,
    // pages of runs are large: deep-comparing them on every new page costs hundreds of ms
    structuralSharing: false,
  })

export const useSearchRunsInfinite = (q: RunsQuery) =>
  useInfiniteQuery(searchRunsInfiniteOptions(q))

/** A fixed set of runs by id (compare page), in one request per 100 ids. */
export function useRunsByIds(runIds: readonly string[], experimentIds: readonly string[]) {
  return useQuery({
    queryKey: ['runs-by-id', runIds, experimentIds],
    enabled: runIds.length > 0,
    queryFn: async ({ signal }) => {
      const out: Run[] = []
      for (let i = 0; i < runIds.length; i += 100) {
        const ids = runIds.slice(i, i + 100)
        const filter = `attributes.run_id IN (${ids.map((id) => `'${id}'`).join(', ')})`
        const res = await searchRuns(
          { experimentIds: [...experimentIds], filter, viewType: 'ALL', maxResults: 100 },
          signal,
        )
        out.push(...(res.runs ?? []))
      }
      const order = new Map(runIds.map((id, i) => [id, i]))
      return out.sort((a, b) => (order.get(a.info.run_id) ?? 0) - (order.get(b.info.run_id) ?? 0))
    },
  })
}

/**
 * Starts the first page's requests before React renders: on an experiment URL the runs/search and
 * experiments/get calls overlap with the app's start-up instead of following it. index.html may
 * already have sent the runs request (window.__carnetBoot); it is adopted when its body matches.
 */
import type { QueryClient } from '@tanstack/react-query'
import { getExperimentQueryOptions } from '../features/experiments/api/get-experiment.ts'
import {
  FIRST_PAGE,
  type SearchRunsResponse,
  searchRuns,
  searchRunsBody,
  searchRunsInfiniteOptions,
} from '../features/runs/api/search-runs.ts'
import { runsQueryFromUrl } from '../features/runs/hooks/use-runs-view.ts'
import { matchPath, parseHref } from '../lib/router.tsx'

declare global {
  interface Window {
    __carnetBoot?: { body: string; response: Promise<SearchRunsResponse | undefined> }
  }
}

export function prefetchForUrl(client: QueryClient, hash: string): void {
  const { path, query } = parseHref(hash.replace(/^#/, '') || '/')
  const params = matchPath('/experiments/:id', path) ?? matchPath('/experiments/:id/:tab', path)
  const id = params?.id
  if (!id || (params.tab && !['runs', 'charts'].includes(params.tab))) return
  void client.prefetchQuery(getExperimentQueryOptions(id))
  const q = runsQueryFromUrl([id], query)
  const options = searchRunsInfiniteOptions(q)
  const boot = window.__carnetBoot
  window.__carnetBoot = undefined
  const same =
    boot && boot.body === JSON.stringify(searchRunsBody({ ...q, maxResults: FIRST_PAGE }))
  void client.prefetchInfiniteQuery({
    ...options,
    queryFn: async ({ signal }) =>
      (same ? await boot.response : undefined) ??
      searchRuns({ ...q, maxResults: FIRST_PAGE }, signal),
  })
}

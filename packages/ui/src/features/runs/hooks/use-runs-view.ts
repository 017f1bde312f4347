/** The runs view's state: URL (filter, sort, columns, selection, grouping) + paged runs/search. */
import type { ViewType } from '@carnet/protocol'
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query'
import { useCallback, useMemo, useRef, useState } from 'react'
import { ApiError } from '../../../lib/api-client.ts'
import { useLocation } from '../../../lib/router.tsx'
import { decodeList, encodeList, patchQuery } from '../../../lib/url-state.ts'
import {
  type RunsQuery,
  type SearchRunsResponse,
  searchRunsInfiniteOptions,
} from '../api/search-runs.ts'
import {
  type Column,
  columnFromId,
  defaultColumnIds,
  type MetricAgg,
  orderByClause,
} from '../utils/columns.ts'
import { groupRows, treeRows } from '../utils/display-rows.ts'
import { collectKeys, indexRun, mergeKeys, type RunKeys, type RunRow } from '../utils/run-index.ts'

function parseAggs(value: string | null): Record<string, MetricAgg> {
  const out: Record<string, MetricAgg> = {}
  for (const item of decodeList(value ?? undefined)) {
    const at = item.lastIndexOf(':')
    const agg = item.slice(at + 1)
    if (at > 0 && (agg === 'min' || agg === 'max')) out[item.slice(0, at)] = agg
  }
  return out
}

/** The runs/search query a URL asks for (also used to prefetch before the first render). */
export function runsQueryFromUrl(experimentIds: string[], query: URLSearchParams): RunsQuery {
  const lifecycle = query.get('lifecycle') ?? 'active'
  const viewType: ViewType =
    lifecycle === 'deleted' ? 'DELETED_ONLY' : lifecycle === 'all' ? 'ALL' : 'ACTIVE_ONLY'
  const filter = query.get('filter') ?? ''
  return { experimentIds, filter, orderBy: orderByClause(query.get('sort') ?? undefined), viewType }
}

/** Keys per page are computed once per page object, so a new page costs only its own runs. */
const keysOfPage = new WeakMap<SearchRunsResponse, RunKeys>()
function pageKeys(page: SearchRunsResponse): RunKeys {
  let keys = keysOfPage.get(page)
  if (!keys) {
    keys = collectKeys((page.runs ?? []).map(indexRun))
    keysOfPage.set(page, keys)
  }
  return keys
}

export function useRunsView(experimentIds: string[]) {
  const { query } = useLocation()
  const filter = query.get('filter') ?? ''
  const sort = query.get('sort') ?? undefined
  const lifecycle = query.get('lifecycle') ?? 'active'
  const runsQuery = useInfiniteQuery({
    ...searchRunsInfiniteOptions(runsQueryFromUrl(experimentIds, query)),
    placeholderData: keepPreviousData,
  })
  const pages = runsQuery.data?.pages
  const runs: RunRow[] = useMemo(
    () => (pages ?? []).flatMap((p) => p.runs ?? []).map(indexRun),
    [pages],
  )
  const lastKeys = useRef<RunKeys>({ metrics: [], params: [], tags: [] })
  const keys = useMemo(() => {
    if (!pages || runs.length === 0) return lastKeys.current
    lastKeys.current = mergeKeys(pages.map(pageKeys))
    return lastKeys.current
  }, [pages, runs.length])

  const colsParam = query.get('cols')
  const columnIds = useMemo(
    () => (colsParam !== null ? decodeList(colsParam) : defaultColumnIds(keys)),
    [colsParam, keys],
  )
  const columns = useMemo(
    () => columnIds.map(columnFromId).filter((c): c is Column => c !== undefined),
    [columnIds],
  )
  const selParam = query.get('sel')
  const selected = useMemo(() => new Set(decodeList(selParam ?? undefined)), [selParam])
  const aggParam = query.get('agg')
  const aggs = useMemo(() => parseAggs(aggParam), [aggParam])
  const groupParam = query.get('group')
  const groupBy = groupParam ? columnFromId(groupParam) : undefined
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set())
  const rows = useMemo(
    () => (groupBy ? groupRows(runs, groupBy, expanded) : treeRows(runs, expanded)),
    [runs, groupBy, expanded],
  )

  const toggleExpand = useCallback((id: string) => {
    setExpanded((prev) => {
      const next = new Set(prev)
      if (next.has(id)) next.delete(id)
      else next.add(id)
      return next
    })
  }, [])
  const setSelection = useCallback((ids: Iterable<string>) => {
    patchQuery({ sel: encodeList([...ids]) })
  }, [])
  const setColumns = useCallback((ids: string[]) => patchQuery({ cols: encodeList(ids) ?? '' }), [])
  const setSort = useCallback(
    (colId: string) => {
      // none → descending → ascending → none
      const next = sort === `-${colId}` ? colId : sort === colId ? undefined : `-${colId}`
      patchQuery({ sort: next })
    },
    [sort],
  )
  const setAgg = useCallback(
    (colId: string, agg: MetricAgg) => {
      const next = { ...aggs }
      if (agg === 'last') delete next[colId]
      else next[colId] = agg
      patchQuery({ agg: encodeList(Object.entries(next).map(([k, v]) => `${k}:${v}`)) })
    },
    [aggs],
  )
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = runsQuery
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage()
  }, [hasNextPage, isFetchingNextPage, fetchNextPage])

  const error = runsQuery.error
  const filterError =
    error instanceof ApiError && error.status === 400 && filter ? error.message : undefined
  return {
    filter,
    sort,
    lifecycle,
    runsQuery,
    runs,
    keys,
    columns,
    columnIds,
    selected,
    aggs,
    groupBy,
    rows,
    filterError,
    toggleExpand,
    setSelection,
    setColumns,
    setSort,
    setAgg,
    loadMore,
  }
}

export type RunsView = ReturnType<typeof useRunsView>

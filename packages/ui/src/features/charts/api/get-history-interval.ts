/**
 * Sampled metric history for charts: metrics/get-history-bulk-interval, 100 runs per request.
 * The server keeps each bucket's extremes, so spikes survive; zooming asks again for the new
 * step range, which refines the sample.
 */
import type { Metric } from '@carnet/protocol'
import { useQueries } from '@tanstack/react-query'
import { useMemo } from 'react'
import { apiGet } from '../../../lib/api-client.ts'
import { pointsByRun, type RunPoints } from '../utils/series.ts'

export const SAMPLE_POINTS = 320

export function fetchHistoryInterval(
  runIds: readonly string[],
  key: string,
  range: [number, number] | undefined,
  signal?: AbortSignal,
) {
  return apiGet<{ metrics?: Metric[] }>(
    'metrics/get-history-bulk-interval',
    {
      run_ids: runIds,
      metric_key: key,
      max_results: SAMPLE_POINTS,
      start_step: range ? Math.floor(range[0]) : undefined,
      end_step: range ? Math.ceil(range[1]) : undefined,
    },
    signal,
  ).then((r) => r.metrics ?? [])
}

export function useMetricHistories(
  runIds: readonly string[],
  key: string,
  range: [number, number] | undefined,
  enabled = true,
) {
  const chunks = useMemo(() => {
    const out: string[][] = []
    for (let i = 0; i < runIds.length; i += 100) out.push(runIds.slice(i, i + 100))
    return out
  }, [runIds])
  const queries = useQueries({
    queries: chunks.map((ids) => ({
      queryKey: ['history', key, ids, range ?? null],
      enabled,
      staleTime: 30_000,
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        fetchHistoryInterval(ids, key, range, signal),
    })),
  })
  // one string that changes when any chunk's data changes (the chunk count varies by run count)
  const stamp = queries.map((q) => q.dataUpdatedAt).join(',')
  // biome-ignore lint/correctness/useExhaustiveDependencies: `stamp` tracks the query data
  const points = useMemo(() => {
    const all = new Map<string, RunPoints>()
    for (const q of queries) if (q.data) for (const [id, p] of pointsByRun(q.data)) all.set(id, p)
    return all
  }, [stamp])
  return {
    points,
    isPending: queries.some((q) => q.isPending && q.fetchStatus !== 'idle'),
    error: queries.find((q) => q.error)?.error,
  }
}

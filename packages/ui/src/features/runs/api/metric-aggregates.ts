/**
 * Per-run min / max of a metric for the runs table. Runs are fetched in fixed chunks of 100
 * (get-history-bulk-interval's limit) and only for chunks on screen. Carnet's sampler keeps each
 * bucket's lowest and highest point, so a small sample still has the exact extremes.
 */

import type { Metric } from '@carnet/protocol'
import { useQueries } from '@tanstack/react-query'
import { apiGet } from '../../../lib/api-client.ts'
import { toNumber } from '../../../lib/format.ts'
import type { MetricAgg } from '../utils/columns.ts'

const CHUNK = 100

export function useMetricAggregates(
  specs: readonly { key: string; agg: MetricAgg }[],
  runIds: readonly string[],
  visible: { from: number; to: number },
): Map<string, Map<string, number>> {
  const chunks: string[][] = []
  for (
    let c = Math.floor(visible.from / CHUNK);
    c * CHUNK <= visible.to && c * CHUNK < runIds.length;
    c++
  ) {
    chunks.push(runIds.slice(c * CHUNK, (c + 1) * CHUNK))
  }
  const wanted = specs.filter((s) => s.agg !== 'last')
  const queries = useQueries({
    queries: wanted.flatMap((spec) =>
      chunks.map((ids) => ({
        queryKey: ['metric-extremes', spec.key, ids],
        staleTime: 30_000,
        queryFn: ({ signal }: { signal: AbortSignal }) =>
          apiGet<{ metrics?: Metric[] }>(
            'metrics/get-history-bulk-interval',
            { run_ids: ids, metric_key: spec.key, max_results: 30 },
            signal,
          ).then((r) => extremes(r.metrics ?? [])),
      })),
    ),
  })
  const out = new Map<string, Map<string, number>>()
  let i = 0
  for (const spec of wanted) {
    const merged = new Map<string, number>()
    for (let c = 0; c < chunks.length; c++) {
      const data = queries[i++]?.data
      if (!data) continue
      for (const [runId, mm] of data) merged.set(runId, spec.agg === 'min' ? mm.min : mm.max)
    }
    out.set(`${spec.key}:${spec.agg}`, merged)
  }
  return out
}

function extremes(points: readonly Metric[]): Map<string, { min: number; max: number }> {
  const out = new Map<string, { min: number; max: number }>()
  for (const p of points) {
    const v = toNumber(p.value)
    if (v === undefined || Number.isNaN(v) || !p.run_id) continue
    const cur = out.get(p.run_id)
    if (!cur) out.set(p.run_id, { min: v, max: v })
    else {
      if (v < cur.min) cur.min = v
      if (v > cur.max) cur.max = v
    }
  }
  return out
}

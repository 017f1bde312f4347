/** One metric's line chart over the chosen runs; fetches its sampled history when it scrolls into view. */
import { memo, useEffect, useMemo, useState } from 'react'
import { ErrorBanner } from '../../../components/ui/error-banner.tsx'
import { useMetricHistories } from '../api/get-history-interval.ts'
import {
  type ChartRun,
  groupSeries,
  type Series,
  smooth,
  type XAxis,
  xValues,
} from '../utils/series.ts'
import { BarChart } from './bar-chart.tsx'
import { LineChart } from './line-chart.tsx'

export interface ChartSettings {
  xAxis: XAxis
  smoothing: number
  logY: boolean
  /** Draw groups as mean ± std (runs carry `group`). */
  grouped: boolean
}

interface MetricChartCardProps {
  metricKey: string
  runs: readonly ChartRun[]
  settings: ChartSettings
  height?: number
}

export const MetricChartCard = memo(function MetricChartCard({
  metricKey,
  runs,
  settings,
  height = 210,
}: MetricChartCardProps) {
  const [zoom, setZoom] = useState<[number, number]>()
  // wait a moment before fetching, so fast scrolling through 1,000 charts does not start 1,000 requests
  const [enabled, setEnabled] = useState(false)
  useEffect(() => {
    const t = setTimeout(() => setEnabled(true), 120)
    return () => clearTimeout(t)
  }, [])
  // biome-ignore lint/correctness/useExhaustiveDependencies: zoom resets when the x-axis changes
  useEffect(() => setZoom(undefined), [settings.xAxis])
  const runIds = useMemo(() => runs.map((r) => r.id), [runs])
  const stepRange = settings.xAxis === 'step' ? zoom : undefined
  const { points, isPending, error } = useMetricHistories(runIds, metricKey, stepRange, enabled)
  const series = useMemo(() => {
    const perRun: (Series & { group: string })[] = []
    for (const r of runs) {
      const p = points.get(r.id)
      if (!p || p.values.length === 0) continue
      perRun.push({
        id: r.id,
        name: r.name,
        color: r.color,
        group: r.group ?? '',
        xs: xValues(p, settings.xAxis),
        ys: smooth(p.values, settings.smoothing),
      })
    }
    if (!settings.grouped) return perRun
    const faded = perRun.map((s) => ({ ...s, faded: true }))
    return [...faded, ...groupSeries(perRun)]
  }, [runs, points, settings])
  return (
    <div className="chart-card">
      <div className="chart-head">
        <span className="chart-title" title={metricKey}>
          {metricKey}
        </span>
        {zoom && (
          <button type="button" className="link-button small" onClick={() => setZoom(undefined)}>
            Reset zoom
          </button>
        )}
      </div>
      {error ? (
        <ErrorBanner error={error} title="Could not load history" />
      ) : series.length === 0 ? (
        <div className="chart-empty muted small" style={{ height }}>
          {isPending || !enabled ? 'Loading…' : 'No data for the chosen runs'}
        </div>
      ) : !settings.grouped && series.every((x) => x.xs.length <= 1) ? (
        // one value per run (e.g. a final score): bars say more than single dots
        <BarChart
          runs={series.map((x) => ({
            id: x.id,
            name: x.name,
            color: x.color,
            value: () => x.ys[0],
          }))}
          valueKey={metricKey}
        />
      ) : (
        <LineChart
          series={series}
          xAxis={settings.xAxis}
          logY={settings.logY}
          height={height}
          xDomain={zoom}
          onZoom={setZoom}
          label={`${metricKey} by ${settings.xAxis}`}
        />
      )}
    </div>
  )
})

/** The experiment's Charts tab: metric line charts over the selected (or first N) runs, plus custom charts. */
import { useMemo } from 'react'
import { EmptyState } from '../../components/ui/empty-state.tsx'
import {
  ChartControls,
  readChartSettings,
} from '../../features/charts/components/chart-controls.tsx'
import { ChartGrid } from '../../features/charts/components/chart-grid.tsx'
import { CustomCharts } from '../../features/charts/components/custom-charts.tsx'
import { MetricChartCard } from '../../features/charts/components/metric-chart-card.tsx'
import type { PlotRun } from '../../features/charts/utils/plot-data.ts'
import type { ChartRun } from '../../features/charts/utils/series.ts'
import type { RunsView } from '../../features/runs/hooks/use-runs-view.ts'
import { cellValue, columnFromId } from '../../features/runs/utils/columns.ts'
import { colorFor } from '../../lib/colors.ts'
import { useLocation } from '../../lib/router.tsx'
import { patchQuery } from '../../lib/url-state.ts'

const GROUP_CAP = 300

export function ExperimentCharts({ view }: { view: RunsView }) {
  const { query } = useLocation()
  const { xAxis, smoothing, logY, search } = readChartSettings(query)
  const limit = Number(query.get('cn') ?? 10) || 10
  const { runs, selected, groupBy, keys } = view
  const chosen = useMemo(() => {
    if (selected.size > 0) return runs.filter((r) => selected.has(r.id))
    if (groupBy) return runs.slice(0, GROUP_CAP)
    const ids = new Set(runs.map((r) => r.id))
    return runs.filter((r) => !r.parentId || !ids.has(r.parentId)).slice(0, limit)
  }, [runs, selected, groupBy, limit])
  const chartRuns: ChartRun[] = useMemo(
    () =>
      chosen.map((r) => {
        const group = groupBy ? String(cellValue(r, groupBy) ?? '(none)') : undefined
        return { id: r.id, name: r.name, color: colorFor(group ?? r.id), group }
      }),
    [chosen, groupBy],
  )
  const plotRuns: PlotRun[] = useMemo(
    () =>
      chosen.map((r) => ({
        id: r.id,
        name: r.name,
        color: colorFor(r.id),
        value: (id: string) => {
          const col = columnFromId(id)
          return col ? cellValue(r, col) : undefined
        },
      })),
    [chosen],
  )
  const metricKeys = useMemo(() => {
    const q = search.trim().toLowerCase()
    return q ? keys.metrics.filter((k) => k.toLowerCase().includes(q)) : keys.metrics
  }, [keys.metrics, search])
  const settings = useMemo(
    () => ({ xAxis, smoothing, logY, grouped: Boolean(groupBy) && selected.size === 0 }),
    [xAxis, smoothing, logY, groupBy, selected.size],
  )
  const columns = useMemo(
    () => [...keys.metrics.map((k) => `metrics.${k}`), ...keys.params.map((k) => `params.${k}`)],
    [keys],
  )
  return (
    <div className="charts-view">
      <ChartControls xAxis={xAxis} smoothing={smoothing} logY={logY} search={search}>
        {selected.size === 0 && !groupBy && (
          <label className="inline-field">
            Runs
            <select
              className="input small"
              value={limit}
              onChange={(e) =>
                patchQuery({ cn: e.target.value === '10' ? undefined : e.target.value })
              }
            >
              {[5, 10, 25, 50, 100].map((n) => (
                <option key={n} value={n}>
                  first {n}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="muted small">
          {selected.size > 0
            ? `${chosen.length} selected runs`
            : groupBy
              ? `groups by ${groupBy.key}: mean ± std over ${chosen.length} runs`
              : `${chosen.length} runs (select runs in the table to choose)`}{' '}
          · {metricKeys.length} metrics
        </span>
      </ChartControls>
      <CustomCharts runs={plotRuns} columns={columns} specsParam={query.get('xc')} />
      {metricKeys.length === 0 ? (
        <EmptyState title="No metrics to chart">
          {search ? 'No metric matches the search.' : 'These runs logged no metrics.'}
        </EmptyState>
      ) : (
        <ChartGrid
          keys={metricKeys}
          renderCard={(k) => <MetricChartCard metricKey={k} runs={chartRuns} settings={settings} />}
        />
      )}
    </div>
  )
}

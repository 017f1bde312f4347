/** The run page's metric charts: one card per metric key of the run. */
import type { Run } from '@carnet/protocol'
import { useMemo } from 'react'
import { EmptyState } from '../../components/ui/empty-state.tsx'
import {
  ChartControls,
  readChartSettings,
} from '../../features/charts/components/chart-controls.tsx'
import { ChartGrid } from '../../features/charts/components/chart-grid.tsx'
import { MetricChartCard } from '../../features/charts/components/metric-chart-card.tsx'
import { colorFor } from '../../lib/colors.ts'
import { useLocation } from '../../lib/router.tsx'

export function RunCharts({ run }: { run: Run }) {
  const { query } = useLocation()
  const { xAxis, smoothing, logY, search } = readChartSettings(query)
  const id = run.info.run_id
  const runs = useMemo(
    () => [{ id, name: run.info.run_name || id, color: colorFor(id) }],
    [id, run.info.run_name],
  )
  const keys = useMemo(() => {
    const all = (run.data.metrics ?? []).map((m) => m.key).sort()
    const q = search.trim().toLowerCase()
    return q ? all.filter((k) => k.toLowerCase().includes(q)) : all
  }, [run.data.metrics, search])
  const settings = useMemo(
    () => ({ xAxis, smoothing, logY, grouped: false }),
    [xAxis, smoothing, logY],
  )
  return (
    <div className="charts-view run-charts">
      <ChartControls xAxis={xAxis} smoothing={smoothing} logY={logY} search={search} />
      {keys.length === 0 ? (
        <EmptyState title="No metrics">
          This run logged no metrics{search ? ' matching the search' : ''}.
        </EmptyState>
      ) : (
        <ChartGrid
          keys={keys}
          renderCard={(k) => <MetricChartCard metricKey={k} runs={runs} settings={settings} />}
        />
      )}
    </div>
  )
}

/** `/compare-runs?runs=[…]&experiments=[…]`: params / metrics / tags side by side, charts overlaid. */
import { type ReactNode, useMemo, useState } from 'react'
import { EmptyState, Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { PageHeader } from '../../components/ui/page-header.tsx'
import {
  ChartControls,
  readChartSettings,
} from '../../features/charts/components/chart-controls.tsx'
import { ChartGrid } from '../../features/charts/components/chart-grid.tsx'
import { MetricChartCard } from '../../features/charts/components/metric-chart-card.tsx'
import { ParallelCoordinates } from '../../features/charts/components/parallel-coordinates.tsx'
import { ScatterChart } from '../../features/charts/components/scatter-chart.tsx'
import type { PlotRun } from '../../features/charts/utils/plot-data.ts'
import {
  type CompareColumn,
  CompareTable,
  differs,
} from '../../features/compare/components/compare-table.tsx'
import { useRunsByIds } from '../../features/runs/api/search-runs.ts'
import { StatusDot } from '../../features/runs/components/runs-table-cells.tsx'
import { colorFor } from '../../lib/colors.ts'
import { formatDuration, formatNumber, formatTime } from '../../lib/format.ts'
import { Link, useLocation } from '../../lib/router.tsx'
import { decodeJsonList, patchQuery } from '../../lib/url-state.ts'

export function ComparePage() {
  const { query } = useLocation()
  const runIds = useMemo(() => decodeJsonList(query.get('runs')), [query])
  const experimentIds = useMemo(() => decodeJsonList(query.get('experiments')), [query])
  const diffOnly = query.get('diff') === '1'
  const runs = useRunsByIds(runIds, experimentIds)
  const data = runs.data ?? []
  const cols = useMemo(() => {
    const of = (pick: (r: (typeof data)[number]) => [string, string][]) =>
      data.map((r) => ({
        id: r.info.run_id,
        name: r.info.run_name || r.info.run_id,
        color: colorFor(r.info.run_id),
        values: new Map(pick(r)),
      }))
    return {
      params: of((r) => (r.data.params ?? []).map((p) => [p.key, p.value])),
      metrics: of((r) => (r.data.metrics ?? []).map((m) => [m.key, formatNumber(m.value)])),
      tags: of((r) => (r.data.tags ?? []).map((t) => [t.key, t.value])),
    }
  }, [data])
  const plotRuns: PlotRun[] = useMemo(
    () =>
      data.map((r) => ({
        id: r.info.run_id,
        name: r.info.run_name || r.info.run_id,
        color: colorFor(r.info.run_id),
        value: (id: string) => {
          const [kind, ...rest] = id.split('.')
          const key = rest.join('.')
          if (kind === 'params') return r.data.params?.find((p) => p.key === key)?.value
          const m = r.data.metrics?.find((x) => x.key === key)?.value
          return m === undefined ? undefined : Number(m)
        },
      })),
    [data],
  )
  if (runIds.length === 0)
    return (
      <EmptyState title="No runs to compare">
        Select runs in an experiment and press Compare.
      </EmptyState>
    )
  if (runs.error) return <ErrorBanner error={runs.error} title="Could not load the runs" />
  if (!runs.data) return <Loading label="Loading runs…" />
  const exp = experimentIds[0]
  return (
    <div className="page compare-page">
      <PageHeader
        title={`Comparing ${data.length} runs`}
        docTitle={`Comparing ${data.length} runs`}
        crumbs={[
          { label: 'Experiments', to: '/experiments' },
          ...(exp ? [{ label: `Experiment ${exp}`, to: `/experiments/${exp}` }] : []),
        ]}
        actions={
          <label className="check">
            <input
              type="checkbox"
              checked={diffOnly}
              onChange={(e) => patchQuery({ diff: e.target.checked ? '1' : undefined })}
            />
            Show differences only
          </label>
        }
      />
      <RunsSummary runs={data} />
      <CompareTable title="Parameters" columns={cols.params} diffOnly={diffOnly} />
      <CompareTable title="Metrics" columns={cols.metrics} diffOnly={diffOnly} />
      <CompareTable title="Tags" columns={cols.tags} diffOnly={diffOnly} hidePrefix="mlflow." />
      <CompareCharts runs={plotRuns} params={cols.params} metrics={cols.metrics} query={query} />
    </div>
  )
}

function RunsSummary({ runs }: { runs: NonNullable<ReturnType<typeof useRunsByIds>['data']> }) {
  return (
    <div className="compare-scroll">
      <table className="table compare-table">
        <tbody>
          {(
            [
              [
                'Run',
                (r) => (
                  <Link to={`/experiments/${r.info.experiment_id}/runs/${r.info.run_id}`}>
                    {r.info.run_name || r.info.run_id}
                  </Link>
                ),
              ],
              ['Run ID', (r) => <span className="mono small">{r.info.run_id}</span>],
              ['Status', (r) => <StatusDot status={r.info.status} />],
              ['Start time', (r) => formatTime(r.info.start_time)],
              ['Duration', (r) => formatDuration(r.info.start_time, r.info.end_time)],
            ] as [string, (r: (typeof runs)[number]) => ReactNode][]
          ).map(([label, cell]) => (
            <tr key={label}>
              <th scope="row" className="sticky-col">
                {label}
              </th>
              {runs.map((r) => (
                <td key={r.info.run_id}>{cell(r)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

interface CompareChartsProps {
  runs: PlotRun[]
  params: CompareColumn[]
  metrics: CompareColumn[]
  query: URLSearchParams
}

function CompareCharts({ runs, params, metrics, query }: CompareChartsProps) {
  const { xAxis, smoothing, logY, search } = readChartSettings(query)
  const metricKeys = useMemo(
    () => [...new Set(metrics.flatMap((c) => [...c.values.keys()]))].sort(),
    [metrics],
  )
  const paramKeys = useMemo(
    () => [...new Set(params.flatMap((c) => [...c.values.keys()]))].sort(),
    [params],
  )
  const pcKeys = useMemo(
    () => [
      ...paramKeys
        .filter((k) => differs(k, params))
        .slice(0, 6)
        .map((k) => `params.${k}`),
      ...metricKeys.slice(0, 3).map((k) => `metrics.${k}`),
    ],
    [paramKeys, metricKeys, params],
  )
  const all = [...paramKeys.map((k) => `params.${k}`), ...metricKeys.map((k) => `metrics.${k}`)]
  const [xKey, setX] = useState(all[0] ?? '')
  const [yKey, setY] = useState(all[all.length - 1] ?? '')
  const chartRuns = useMemo(
    () => runs.map((r) => ({ id: r.id, name: r.name, color: r.color })),
    [runs],
  )
  const settings = useMemo(
    () => ({ xAxis, smoothing, logY, grouped: false }),
    [xAxis, smoothing, logY],
  )
  const keys = search
    ? metricKeys.filter((k) => k.toLowerCase().includes(search.toLowerCase()))
    : metricKeys
  return (
    <section className="compare-charts" aria-label="Charts">
      <h3>Parallel coordinates</h3>
      <div className="chart-card wide">
        <ParallelCoordinates runs={runs} keys={pcKeys} />
      </div>
      <h3>Scatter</h3>
      <div className="row wrap">
        <select
          className="input small"
          aria-label="Scatter x"
          value={xKey}
          onChange={(e) => setX(e.target.value)}
        >
          {all.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
        <select
          className="input small"
          aria-label="Scatter y"
          value={yKey}
          onChange={(e) => setY(e.target.value)}
        >
          {all.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      <div className="chart-card scatter-card">
        {xKey && yKey && <ScatterChart runs={runs} xKey={xKey} yKey={yKey} />}
      </div>
      <h3>Metric history</h3>
      <ChartControls xAxis={xAxis} smoothing={smoothing} logY={logY} search={search} />
      {keys.length > 0 && (
        <ChartGrid
          className="fixed-height"
          keys={keys}
          renderCard={(k) => <MetricChartCard metricKey={k} runs={chartRuns} settings={settings} />}
        />
      )}
    </section>
  )
}

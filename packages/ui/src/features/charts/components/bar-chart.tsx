/** Horizontal bars of one value per run (latest metric, or a numeric param). */
import { formatNumber } from '../../../lib/format.ts'
import { asNumber, type PlotRun, shortKey } from '../utils/plot-data.ts'

const BAR = 18

export function BarChart({ runs, valueKey }: { runs: readonly PlotRun[]; valueKey: string }) {
  const rows = runs
    .map((r) => ({ run: r, v: asNumber(r.value(valueKey)) }))
    .filter((r): r is { run: PlotRun; v: number } => r.v !== undefined)
    .slice(0, 100)
  if (rows.length === 0)
    return <div className="chart-empty muted small">No values for {shortKey(valueKey)}</div>
  const max = Math.max(...rows.map((r) => Math.abs(r.v))) || 1
  return (
    <svg
      className="svg-chart"
      viewBox={`0 0 400 ${rows.length * (BAR + 4) + 4}`}
      role="img"
      aria-label={`Bar chart of ${valueKey}`}
      style={{ maxHeight: 220 }}
    >
      {rows.map((r, i) => {
        const y = 4 + i * (BAR + 4)
        const w = (Math.abs(r.v) / max) * 240
        return (
          <g key={r.run.id}>
            <title>{`${r.run.name}: ${formatNumber(r.v)}`}</title>
            <text
              x={108}
              y={y + BAR / 2}
              className="svg-label"
              textAnchor="end"
              dominantBaseline="middle"
            >
              {r.run.name.slice(0, 16)}
            </text>
            <rect x={112} y={y} width={Math.max(w, 1)} height={BAR} fill={r.run.color} rx={2} />
            <text x={116 + w} y={y + BAR / 2} className="svg-label" dominantBaseline="middle">
              {formatNumber(r.v)}
            </text>
          </g>
        )
      })}
    </svg>
  )
}

/** Parallel coordinates: one vertical axis per column, one polyline per run. */
import { axisTicks, makeAxis, type PlotRun, shortKey } from '../utils/plot-data.ts'

const H = 280
const P = { t: 24, b: 16 }

export function ParallelCoordinates({
  runs,
  keys,
}: {
  runs: readonly PlotRun[]
  keys: readonly string[]
}) {
  if (keys.length < 2)
    return <div className="chart-empty muted small">Choose at least two columns</div>
  const W = Math.max(400, keys.length * 110)
  const axes = keys.map((k) => makeAxis(k, runs))
  const ax = (i: number) => 40 + (i * (W - 80)) / (keys.length - 1)
  const ay = (p: number) => H - P.b - p * (H - P.t - P.b)
  return (
    <svg
      className="svg-chart"
      style={{ maxWidth: W }}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Parallel coordinates of ${keys.join(', ')}`}
    >
      {runs.map((r) => {
        const pts = axes.map((a, i) => {
          const p = a.pos(r.value(a.key))
          return p === undefined ? undefined : `${ax(i)},${ay(p)}`
        })
        if (pts.some((p) => p === undefined)) return null
        return (
          <polyline
            key={r.id}
            points={pts.join(' ')}
            fill="none"
            stroke={r.color}
            strokeOpacity={0.7}
            strokeWidth={1.5}
          >
            <title>{r.name}</title>
          </polyline>
        )
      })}
      {axes.map((a, i) => (
        <g key={a.key}>
          <line x1={ax(i)} x2={ax(i)} y1={P.t} y2={H - P.b} className="svg-axis" />
          <text x={ax(i)} y={12} className="svg-label strong" textAnchor="middle">
            {shortKey(a.key).slice(0, 18)}
          </text>
          {axisTicks(a).map((t) => (
            <text
              key={t.pos}
              x={ax(i) + 4}
              y={ay(t.pos)}
              className="svg-label"
              dominantBaseline="middle"
            >
              {t.label.slice(0, 10)}
            </text>
          ))}
        </g>
      ))}
    </svg>
  )
}

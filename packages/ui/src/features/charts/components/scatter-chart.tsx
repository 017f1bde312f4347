/** One dot per run: x and y are any two columns (numeric or categorical). */
import { axisTicks, makeAxis, type PlotRun, shortKey } from '../utils/plot-data.ts'

const W = 400
const H = 260
const P = { l: 48, r: 12, t: 10, b: 34 }

export function ScatterChart({
  runs,
  xKey,
  yKey,
}: {
  runs: readonly PlotRun[]
  xKey: string
  yKey: string
}) {
  const x = makeAxis(xKey, runs)
  const y = makeAxis(yKey, runs)
  const px = (p: number) => P.l + p * (W - P.l - P.r)
  const py = (p: number) => H - P.b - p * (H - P.t - P.b)
  const dots = runs.flatMap((r) => {
    const a = x.pos(r.value(xKey))
    const b = y.pos(r.value(yKey))
    return a === undefined || b === undefined ? [] : [{ r, a, b }]
  })
  if (dots.length === 0)
    return <div className="chart-empty muted small">No runs have both values</div>
  return (
    <svg
      className="svg-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Scatter of ${yKey} against ${xKey}`}
    >
      {axisTicks(x).map((t) => (
        <text
          key={`x${t.pos}`}
          x={px(t.pos)}
          y={H - P.b + 14}
          className="svg-label"
          textAnchor="middle"
        >
          {t.label.slice(0, 10)}
        </text>
      ))}
      {axisTicks(y).map((t, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: tick positions are fixed slots
        <g key={`y${i}`}>
          <line x1={P.l} x2={W - P.r} y1={py(t.pos)} y2={py(t.pos)} className="svg-grid" />
          <text
            x={P.l - 4}
            y={py(t.pos)}
            className="svg-label"
            textAnchor="end"
            dominantBaseline="middle"
          >
            {t.label.slice(0, 8)}
          </text>
        </g>
      ))}
      <text x={(P.l + W - P.r) / 2} y={H - 4} className="svg-label strong" textAnchor="middle">
        {shortKey(xKey)}
      </text>
      {dots.map(({ r, a, b }) => (
        <circle key={r.id} cx={px(a)} cy={py(b)} r={4} fill={r.color} fillOpacity={0.8}>
          <title>{`${r.name}\n${shortKey(xKey)}: ${r.value(xKey)}\n${shortKey(yKey)}: ${r.value(yKey)}`}</title>
        </circle>
      ))}
    </svg>
  )
}

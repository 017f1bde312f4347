/** Bar, scatter and parallel-coordinates charts the user adds; their specs live in the URL (`xc`). */
import { useState } from 'react'
import { decodeList, encodeList, patchQuery } from '../../../lib/url-state.ts'
import { type PlotRun, shortKey } from '../utils/plot-data.ts'
import { BarChart } from './bar-chart.tsx'
import { ParallelCoordinates } from './parallel-coordinates.tsx'
import { ScatterChart } from './scatter-chart.tsx'

type Kind = 'bar' | 'scatter' | 'parallel'
interface Spec {
  kind: Kind
  keys: string[]
}

export function parseSpecs(value: string | null | undefined): Spec[] {
  return decodeList(value ?? undefined).flatMap((item) => {
    const [kind, ...keys] = item.split('~')
    return kind === 'bar' || kind === 'scatter' || kind === 'parallel' ? [{ kind, keys }] : []
  })
}

const encode = (specs: Spec[]) => encodeList(specs.map((s) => [s.kind, ...s.keys].join('~')))

interface CustomChartsProps {
  runs: readonly PlotRun[]
  columns: readonly string[]
  specsParam: string | null
}

export function CustomCharts({ runs, columns, specsParam }: CustomChartsProps) {
  const specs = parseSpecs(specsParam)
  const [adding, setAdding] = useState(false)
  const save = (next: Spec[]) => patchQuery({ xc: encode(next) })
  return (
    <section className="custom-charts" aria-label="Comparison charts">
      <div className="row">
        <button type="button" className="button small" onClick={() => setAdding(!adding)}>
          {adding ? 'Close' : 'Add chart'}
        </button>
      </div>
      {adding && (
        <AddChartForm
          columns={columns}
          onAdd={(spec) => {
            save([...specs, spec])
            setAdding(false)
          }}
        />
      )}
      <div className="custom-chart-list">
        {specs.map((s, i) => (
          <div key={`${s.kind}-${s.keys.join('~')}`} className="chart-card">
            <div className="chart-head">
              <span className="chart-title">
                {s.kind === 'bar'
                  ? 'Bar'
                  : s.kind === 'scatter'
                    ? 'Scatter'
                    : 'Parallel coordinates'}
                : {s.keys.map(shortKey).join(s.kind === 'scatter' ? ' vs ' : ', ')}
              </span>
              <button
                type="button"
                className="link-button small"
                aria-label="Remove chart"
                onClick={() => save(specs.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </div>
            {s.kind === 'bar' && s.keys[0] && <BarChart runs={runs} valueKey={s.keys[0]} />}
            {s.kind === 'scatter' && s.keys[0] && s.keys[1] && (
              <ScatterChart runs={runs} xKey={s.keys[0]} yKey={s.keys[1]} />
            )}
            {s.kind === 'parallel' && <ParallelCoordinates runs={runs} keys={s.keys} />}
          </div>
        ))}
      </div>
    </section>
  )
}

function AddChartForm({
  columns,
  onAdd,
}: {
  columns: readonly string[]
  onAdd: (s: Spec) => void
}) {
  const [kind, setKind] = useState<Kind>('bar')
  const [keys, setKeys] = useState<string[]>([])
  const need = kind === 'bar' ? 1 : kind === 'scatter' ? 2 : 0
  const pick = (i: number, v: string) => {
    const next = [...keys]
    next[i] = v
    setKeys(next.filter(Boolean))
  }
  const ready = kind === 'parallel' ? keys.length >= 2 : keys.length === need
  return (
    <div className="add-chart row wrap">
      <select
        className="input small"
        aria-label="Chart type"
        value={kind}
        onChange={(e) => {
          setKind(e.target.value as Kind)
          setKeys([])
        }}
      >
        <option value="bar">Bar</option>
        <option value="scatter">Scatter</option>
        <option value="parallel">Parallel coordinates</option>
      </select>
      {kind !== 'parallel' ? (
        Array.from({ length: need }, (_, i) => (
          <select
            // biome-ignore lint/suspicious/noArrayIndexKey: fixed slots (x, y)
            key={i}
            className="input small"
            aria-label={need === 1 ? 'Value' : i === 0 ? 'X axis' : 'Y axis'}
            value={keys[i] ?? ''}
            onChange={(e) => pick(i, e.target.value)}
          >
            <option value="">{need === 1 ? 'value…' : i === 0 ? 'x…' : 'y…'}</option>
            {columns.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        ))
      ) : (
        <select
          multiple
          className="input multi"
          aria-label="Axes"
          value={keys}
          onChange={(e) => setKeys([...e.target.selectedOptions].map((o) => o.value))}
        >
          {columns.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      )}
      <button
        type="button"
        className="button small primary"
        disabled={!ready}
        onClick={() => onAdd({ kind, keys })}
      >
        Add
      </button>
    </div>
  )
}

/** Global chart settings: x-axis, smoothing, log scale, metric search; all kept in the URL. */
import type { ReactNode } from 'react'
import { patchQuery } from '../../../lib/url-state.ts'
import type { XAxis } from '../utils/series.ts'

interface ChartControlsProps {
  xAxis: XAxis
  smoothing: number
  logY: boolean
  search: string
  children?: ReactNode
}

export function ChartControls({ xAxis, smoothing, logY, search, children }: ChartControlsProps) {
  return (
    <div className="chart-controls row wrap">
      <input
        className="input small"
        type="search"
        placeholder="Search metrics"
        aria-label="Search metric charts"
        value={search}
        onChange={(e) => patchQuery({ ck: e.target.value })}
      />
      <label className="inline-field">
        X-axis
        <select
          className="input small"
          value={xAxis}
          onChange={(e) =>
            patchQuery({ x: e.target.value === 'step' ? undefined : e.target.value })
          }
        >
          <option value="step">Step</option>
          <option value="wall">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label className="inline-field">
        Smoothing
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={smoothing}
          aria-label="Smoothing"
          onChange={(e) =>
            patchQuery({ smooth: e.target.value === '0' ? undefined : e.target.value })
          }
        />
        <span className="num small">{smoothing.toFixed(2)}</span>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={logY}
          onChange={(e) => patchQuery({ log: e.target.checked ? '1' : undefined })}
        />
        Log scale
      </label>
      {children}
    </div>
  )
}

export function readChartSettings(query: URLSearchParams) {
  const x = query.get('x')
  const smoothing = Math.min(0.99, Math.max(0, Number(query.get('smooth') ?? 0) || 0))
  return {
    xAxis: (x === 'wall' || x === 'relative' ? x : 'step') as XAxis,
    smoothing,
    logY: query.get('log') === '1',
    search: query.get('ck') ?? '',
  }
}

/** Chart data shapes and the transforms between the wire (metric points) and drawable series. */
import type { Metric } from '@carnet/protocol'
import { toNumber } from '../../../lib/format.ts'

export type XAxis = 'step' | 'wall' | 'relative'

export interface ChartRun {
  id: string
  name: string
  color: string
  /** Group label when the table is grouped. */
  group?: string
}

export interface Series {
  id: string
  name: string
  color: string
  xs: number[]
  ys: number[]
  /** Lower / upper band (mean ± std for groups). */
  lo?: number[]
  hi?: number[]
  faded?: boolean
}

export interface RunPoints {
  steps: number[]
  times: number[]
  values: number[]
}

/** Splits a bulk-interval answer per run; points arrive sorted by run then step. */
export function pointsByRun(metrics: readonly Metric[]): Map<string, RunPoints> {
  const out = new Map<string, RunPoints>()
  for (const m of metrics) {
    const id = m.run_id ?? ''
    let p = out.get(id)
    if (!p) {
      p = { steps: [], times: [], values: [] }
      out.set(id, p)
    }
    p.steps.push(m.step)
    p.times.push(m.timestamp)
    p.values.push(toNumber(m.value) ?? Number.NaN)
  }
  for (const p of out.values()) sortByStep(p)
  return out
}

function sortByStep(p: RunPoints): void {
  for (let i = 1; i < p.steps.length; i++) {
    if (
      p.steps[i]! < p.steps[i - 1]! ||
      (p.steps[i] === p.steps[i - 1] && p.times[i]! < p.times[i - 1]!)
    ) {
      const order = p.steps
        .map((_, j) => j)
        .sort((a, b) => p.steps[a]! - p.steps[b]! || p.times[a]! - p.times[b]!)
      p.steps = order.map((j) => p.steps[j]!)
      p.times = order.map((j) => p.times[j]!)
      p.values = order.map((j) => p.values[j]!)
      return
    }
  }
}

export function xValues(p: RunPoints, axis: XAxis): number[] {
  if (axis === 'step') return p.steps
  if (axis === 'wall') return p.times
  const start = Math.min(...p.times)
  return p.times.map((t) => (t - start) / 1000)
}

/** TensorBoard's debiased exponential moving average; weight in [0, 1). */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values]
  const out: number[] = []
  let last = 0
  let n = 0
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(v)
      continue
    }
    last = last * weight + (1 - weight) * v
    n++
    out.push(last / (1 - weight ** n))
  }
  return out
}

/** Mean ± std per x-bucket across the runs of each group. */
export function groupSeries(
  runs: readonly { group: string; color: string; xs: number[]; ys: number[] }[],
  buckets = 120,
): Series[] {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (const r of runs)
    for (const x of r.xs) {
      if (x < lo) lo = x
      if (x > hi) hi = x
    }
  if (!Number.isFinite(lo)) return []
  const width = (hi - lo) / buckets || 1
  // per group and bucket: each run's mean value there, and the mean x of the points seen
  const groups = new Map<string, { color: string; sums: number[][]; xs: number[]; xn: number[] }>()
  for (const r of runs) {
    const g = groups.get(r.group) ?? {
      color: r.color,
      sums: Array.from({ length: buckets + 1 }, () => []),
      xs: new Array<number>(buckets + 1).fill(0),
      xn: new Array<number>(buckets + 1).fill(0),
    }
    groups.set(r.group, g)
    const acc = new Map<number, { s: number; n: number }>()
    for (let i = 0; i < r.xs.length; i++) {
      const x = r.xs[i]!
      const y = r.ys[i]!
      if (!Number.isFinite(y)) continue
      const b = Math.min(buckets, Math.floor((x - lo) / width))
      const a = acc.get(b) ?? { s: 0, n: 0 }
      a.s += y
      a.n++
      acc.set(b, a)
      g.xs[b]! += x
      g.xn[b]!++
    }
    for (const [b, a] of acc) g.sums[b]!.push(a.s / a.n)
  }
  const out: Series[] = []
  for (const [name, g] of groups) {
    const s: Series = { id: `group:${name}`, name, color: g.color, xs: [], ys: [], lo: [], hi: [] }
    g.sums.forEach((vals, b) => {
      if (vals.length === 0) return
      const mean = vals.reduce((x, y) => x + y, 0) / vals.length
      const std = Math.sqrt(vals.reduce((x, y) => x + (y - mean) ** 2, 0) / vals.length)
      s.xs.push(g.xs[b]! / g.xn[b]!)
      s.ys.push(mean)
      s.lo!.push(mean - std)
      s.hi!.push(mean + std)
    })
    out.push(s)
  }
  return out
}

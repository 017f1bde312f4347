/** Linear / log scales and "nice" tick values for the canvas charts. */

export interface Scale {
  (v: number): number
  domain: [number, number]
  ticks: number[]
  log: boolean
}

export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return []
  if (lo === hi) return [lo]
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => raw <= s) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)))
  }
  return out
}

export function makeScale(domain: [number, number], range: [number, number], log = false): Scale {
  let [d0, d1] = domain
  if (log) {
    d0 = Math.log10(Math.max(d0, 1e-300))
    d1 = Math.log10(Math.max(d1, 1e-300))
  }
  if (d0 === d1) {
    d0 -= 0.5
    d1 += 0.5
  }
  const [r0, r1] = range
  const k = (r1 - r0) / (d1 - d0)
  const f = ((v: number) => r0 + ((log ? Math.log10(v) : v) - d0) * k) as Scale
  f.domain = domain
  f.log = log
  f.ticks = log ? logTicks(d0, d1) : niceTicks(d0, d1)
  return f
}

function logTicks(e0: number, e1: number): number[] {
  const out: number[] = []
  const step = Math.max(1, Math.ceil((Math.ceil(e1) - Math.floor(e0)) / 6))
  for (let e = Math.ceil(e0); e <= Math.floor(e1); e += step) out.push(10 ** e)
  return out.length > 0 ? out : [10 ** e0, 10 ** e1]
}

/** Domain of finite values (positive only for log), padded a little. */
export function extent(values: Iterable<number>, log = false, pad = 0.04): [number, number] {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (!Number.isFinite(lo)) return log ? [1, 10] : [0, 1]
  if (log) return [lo / 1.1, hi * 1.1]
  const span = hi - lo || Math.abs(hi) || 1
  return [lo - span * pad, hi + span * pad]
}

/** Index of the last x ≤ target in a sorted array (binary search). */
export function bisect(xs: readonly number[], target: number): number {
  let lo = 0
  let hi = xs.length - 1
  if (hi < 0) return -1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (xs[mid]! <= target) lo = mid
    else hi = mid - 1
  }
  return lo
}

export function formatTick(v: number, axis?: 'wall'): string {
  if (axis === 'wall') {
    const d = new Date(v)
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
  }
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(1)
  return String(Number(v.toPrecision(4)))
}

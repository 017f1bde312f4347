/** Values of runs for bar / scatter / parallel-coordinates charts (numeric or categorical axes). */

export interface PlotRun {
  id: string
  name: string
  color: string
  /** Column id (`metrics.acc`, `params.lr`, `tags.team`) → value. */
  value: (columnId: string) => string | number | undefined
}

export interface Axis {
  key: string
  numeric: boolean
  /** Categorical axes: sorted distinct values. */
  categories: string[]
  min: number
  max: number
  /** Position in [0, 1] of a run's value, or undefined when the run has none. */
  pos: (v: string | number | undefined) => number | undefined
}

export function asNumber(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined
  const n = typeof v === 'number' ? v : Number(v)
  return Number.isFinite(n) ? n : undefined
}

export function makeAxis(key: string, runs: readonly PlotRun[]): Axis {
  const values = runs.map((r) => r.value(key)).filter((v) => v !== undefined && v !== '')
  const numeric = values.length > 0 && values.every((v) => asNumber(v) !== undefined)
  if (numeric) {
    const nums = values.map((v) => asNumber(v)!)
    const min = Math.min(...nums)
    const max = Math.max(...nums)
    const span = max - min || 1
    return {
      key,
      numeric,
      categories: [],
      min,
      max,
      pos: (v) => {
        const n = asNumber(v)
        return n === undefined ? undefined : max === min ? 0.5 : (n - min) / span
      },
    }
  }
  const categories = [...new Set(values.map(String))].sort()
  const idx = new Map(categories.map((c, i) => [c, i]))
  return {
    key,
    numeric: false,
    categories,
    min: 0,
    max: categories.length - 1,
    pos: (v) => {
      if (v === undefined) return undefined
      const i = idx.get(String(v))
      return i === undefined
        ? undefined
        : categories.length === 1
          ? 0.5
          : i / (categories.length - 1)
    },
  }
}

export function axisTicks(axis: Axis): { pos: number; label: string }[] {
  if (!axis.numeric) {
    const step = Math.ceil(axis.categories.length / 8)
    return axis.categories
      .map((c, i) => ({
        pos: axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1),
        label: c,
      }))
      .filter((_, i) => i % step === 0)
  }
  const out: { pos: number; label: string }[] = []
  for (let i = 0; i <= 4; i++) {
    const v = axis.min + ((axis.max - axis.min) * i) / 4
    out.push({ pos: i / 4, label: String(Number(v.toPrecision(4))) })
  }
  return out
}

/** Short label for a column id: the key without its `metrics.` / `params.` prefix. */
export function shortKey(id: string): string {
  return id.replace(/^(metrics|params|tags|attributes)\./, '')
}

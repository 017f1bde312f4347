/** Turns loaded runs into table rows: nested runs under their parents, or groups by a param / tag. */
import { type Column, cellValue } from './columns.ts'
import type { RunRow } from './run-index.ts'

export interface GroupStats {
  mean: number
  min: number
  max: number
  std: number
  count: number
}

export type DisplayRow =
  | { kind: 'run'; row: RunRow; depth: number; childCount: number; expanded: boolean }
  | {
      kind: 'group'
      id: string
      label: string
      value: string | undefined
      runs: RunRow[]
      expanded: boolean
    }

/** Nested runs: a child whose parent is loaded sits under it; children show when the parent is expanded. */
export function treeRows(rows: readonly RunRow[], expanded: ReadonlySet<string>): DisplayRow[] {
  const loaded = new Set(rows.map((r) => r.id))
  const children = new Map<string, RunRow[]>()
  const roots: RunRow[] = []
  for (const r of rows) {
    if (r.parentId && r.parentId !== r.id && loaded.has(r.parentId)) {
      const list = children.get(r.parentId) ?? []
      list.push(r)
      children.set(r.parentId, list)
    } else roots.push(r)
  }
  const out: DisplayRow[] = []
  const seen = new Set<string>()
  const visit = (r: RunRow, depth: number) => {
    if (seen.has(r.id)) return // guards against parent cycles
    seen.add(r.id)
    const kids = children.get(r.id) ?? []
    const open = expanded.has(r.id)
    out.push({ kind: 'run', row: r, depth, childCount: kids.length, expanded: open })
    if (open) for (const k of kids) visit(k, depth + 1)
  }
  for (const r of roots) visit(r, 0)
  return out
}

/** Groups by a `params.x` / `tags.x` column; groups keep first-seen order. */
export function groupRows(
  rows: readonly RunRow[],
  groupBy: Column,
  expanded: ReadonlySet<string>,
): DisplayRow[] {
  const groups = new Map<string, RunRow[]>()
  for (const r of rows) {
    const v = cellValue(r, groupBy)
    const key = v === undefined ? '\u0000none' : String(v)
    const list = groups.get(key) ?? []
    list.push(r)
    groups.set(key, list)
  }
  const out: DisplayRow[] = []
  for (const [key, runs] of groups) {
    const value = key === '\u0000none' ? undefined : key
    const id = `group:${key}`
    const open = expanded.has(id)
    out.push({
      kind: 'group',
      id,
      label: `${groupBy.key} = ${value ?? '(none)'}`,
      value,
      runs,
      expanded: open,
    })
    if (open)
      for (const r of runs)
        out.push({ kind: 'run', row: r, depth: 1, childCount: 0, expanded: false })
  }
  return out
}

export function stats(values: readonly number[]): GroupStats | undefined {
  const finite = values.filter(Number.isFinite)
  if (finite.length === 0) return undefined
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const v of finite) {
    sum += v
    if (v < min) min = v
    if (v > max) max = v
  }
  const mean = sum / finite.length
  let sq = 0
  for (const v of finite) sq += (v - mean) ** 2
  return { mean, min, max, std: Math.sqrt(sq / finite.length), count: finite.length }
}

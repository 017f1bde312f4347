// The correctness gate: the same requests go to both servers and their answers must agree after
// normalising what legitimately differs (ids made by each server, wall-clock times, the order of
// repeated fields that carry no order, empty lists that protobuf JSON omits).

export type Answers = Record<string, unknown>

/** A custom comparison for one check: returns the differences (empty = equal). */
export type Comparator = (carnet: unknown, mlflow: unknown) => string[]

export interface NormalizeOptions {
  /** Keys whose values are replaced by a placeholder (server-made ids, wall-clock times). */
  mask?: readonly string[]
}

/** Repeated fields whose order carries no meaning (MLflow builds them from unordered rows). */
const UNORDERED = new Set(['params', 'tags', 'aliases', 'latest_versions'])

function sortKey(value: unknown): string {
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    if (typeof o['key'] === 'string') return `${o['key']}\u0000${JSON.stringify(o['value'] ?? '')}`
    if (typeof o['alias'] === 'string') return o['alias']
  }
  return JSON.stringify(value)
}

export function normalize(value: unknown, options: NormalizeOptions = {}, parent = ''): unknown {
  const mask = new Set(options.mask ?? [])
  const walk = (v: unknown, key: string, parentKey: string): unknown => {
    if (Array.isArray(v)) {
      const items = v.map((x) => walk(x, '', key))
      const unordered = UNORDERED.has(key) || (key === 'metrics' && parentKey === 'data')
      return unordered ? items.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)) : items
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(v as object).sort()) {
        const x = (v as Record<string, unknown>)[k]
        if (x === null || x === undefined) continue
        if (Array.isArray(x) && x.length === 0) continue
        if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0) continue
        out[k] = mask.has(k) ? '<masked>' : walk(x, k, key)
      }
      return out
    }
    return v
  }
  return walk(value, parent, '')
}

function close(a: number, b: number): boolean {
  if (a === b) return true
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))
}

/** Structural differences between two normalised values, as readable paths. */
export function diff(a: unknown, b: unknown, path = '$', out: string[] = [], limit = 10): string[] {
  if (out.length >= limit) return out
  if (typeof a === 'number' && typeof b === 'number') {
    if (!close(a, b)) out.push(`${path}: ${a} != ${b}`)
    return out
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} != ${b.length}`)
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      diff(a[i], b[i], `${path}[${i}]`, out, limit)
    return out
  }
  if (
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const ao = a as Record<string, unknown>
    const bo = b as Record<string, unknown>
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      if (!(k in ao)) out.push(`${path}.${k}: missing on carnet (mlflow: ${preview(bo[k])})`)
      else if (!(k in bo)) out.push(`${path}.${k}: missing on mlflow (carnet: ${preview(ao[k])})`)
      else diff(ao[k], bo[k], `${path}.${k}`, out, limit)
      if (out.length >= limit) break
    }
    return out
  }
  if (a !== b) out.push(`${path}: ${preview(a)} != ${preview(b)}`)
  return out
}

const preview = (v: unknown) => {
  const s = JSON.stringify(v)
  return s && s.length > 80 ? `${s.slice(0, 77)}...` : s
}

export interface Verdict {
  ok: boolean
  differences: string[]
  /** Known wire differences that do not change the data a client reads; reported, not failing. */
  tolerated: string[]
  checks: number
}

/**
 * Known differences, each reported to the server's owners: they are listed with the results but
 * do not void the timing. Keep this list short and specific.
 */
export const KNOWN_DIFFERENCES: RegExp[] = [
  // MLflow 3.17.2 adds the workspace name to every experiment; Carnet omits it (no workspaces).
  /\.workspace: missing on carnet \(mlflow: "default"\)$/,
]

/** Compares the answers of two servers check by check. */
export function compareAnswers(
  carnet: Answers,
  mlflow: Answers,
  comparators: Record<string, Comparator> = {},
  tolerate: readonly RegExp[] = KNOWN_DIFFERENCES,
): Verdict {
  const differences: string[] = []
  const tolerated: string[] = []
  const names = new Set([...Object.keys(carnet), ...Object.keys(mlflow)])
  for (const name of names) {
    if (!(name in carnet)) {
      differences.push(`${name}: no carnet answer`)
      continue
    }
    if (!(name in mlflow)) {
      differences.push(`${name}: no mlflow answer`)
      continue
    }
    const custom = comparators[name]
    const found = custom
      ? custom(carnet[name], mlflow[name])
      : diff(carnet[name], mlflow[name], '$', [], 1000)
    for (const d of found) {
      if (tolerate.some((re) => re.test(d))) tolerated.push(`${name}: ${d}`)
      else differences.push(`${name}: ${d}`)
    }
  }
  return {
    ok: differences.length === 0,
    differences: differences.slice(0, 20),
    tolerated,
    checks: names.size,
  }
}

import type { MetricPoint, Page } from './tracking-store.ts'

/**
 * A page of one metric's history held as JSON text rather than objects: a million-point history
 * is 40 pages of 25,000 points, and building and stringifying an object per point cost more than
 * reading them. Each chunk is a comma-separated list of `{"key":…,"value":…,"timestamp":…,"step":…}`
 * objects in history order; the HTTP handler sends the chunks as they are, other callers read
 * `items`, parsed on first use.
 */
export class MetricHistoryPage implements Page<MetricPoint> {
  /** Never empty strings: a page without points has no chunks. */
  readonly chunks: readonly string[]
  readonly nextPageToken: string | undefined
  #items: MetricPoint[] | undefined

  constructor(chunks: readonly string[], nextPageToken: string | undefined) {
    this.chunks = chunks.filter((chunk) => chunk.length > 0)
    this.nextPageToken = nextPageToken
  }

  get items(): MetricPoint[] {
    this.#items ??= this.chunks.flatMap((chunk) => JSON.parse(`[${chunk}]`) as MetricPoint[])
    return this.#items
  }
}

/** A metrics row as the drivers return it (is_nan is 0/1 on SQLite and MySQL). */
export interface MetricHistoryRow {
  key: string
  value: number
  timestamp: number
  step: number
  is_nan: boolean | number
}

/** What `JSON.stringify` writes for a number: non-finite values become null. */
const jsonNumber = (n: number): string => (Number.isFinite(n) ? String(n) : 'null')

/**
 * The JSON of `rows` as metric points, comma-separated: byte for byte what `JSON.stringify` writes
 * for `{key, value, timestamp, step}` objects (NaN as the string "NaN", as MLflow sends it).
 */
export function metricItemsJson(rows: readonly MetricHistoryRow[]): string {
  let out = ''
  let key: string | undefined
  let prefix = ''
  for (const row of rows) {
    // One key per history, but MySQL's case-insensitive match can bring back others.
    if (row.key !== key) {
      key = row.key
      prefix = `{"key":${JSON.stringify(key)},"value":`
    }
    if (out.length > 0) out += ','
    out += `${prefix}${row.is_nan ? '"NaN"' : jsonNumber(row.value)},"timestamp":${jsonNumber(row.timestamp)},"step":${jsonNumber(row.step)}}`
  }
  return out
}

import { type RawBuilder, sql } from 'kysely'
import { decodePageToken } from '../../search/page-token.ts'
import {
  MetricHistoryPage,
  type MetricHistoryRow,
  metricItemsJson,
} from '../metric-history-page.ts'
import type { MetricPoint } from '../tracking-store.ts'
import type { Executor } from './context.ts'
import type { DialectName } from './dialects/sql-dialect.ts'

/**
 * One metric's history in MLflow's order (timestamp, step, value; is_nan last, as the primary key
 * makes that tuple unique within a run and key), `maxResults` points a page.
 *
 * Pages are keyset pages: the token holds the last point's (timestamp, step, value, is_nan), and
 * the next page is read from there along the primary key (key, timestamp, step, run_uuid, value,
 * is_nan), which with the key and run fixed is exactly that order: each page costs its own points,
 * where MLflow's OFFSET pages cost every point before them. MLflow's `{"offset": N}` tokens are
 * still accepted. Without `maxResults` the whole history comes back (read in chunks).
 *
 * mlflow-compat: an unknown run has an empty history (200 {}), not an error.
 */
export async function getMetricHistory(
  db: Executor,
  dialect: DialectName,
  runId: string,
  key: string,
  maxResults: number | undefined,
  pageToken: string | undefined,
  unpagedChunk = UNPAGED_CHUNK,
): Promise<MetricHistoryPage> {
  const start = decodeHistoryToken(pageToken)
  const prefix = `{"key":${JSON.stringify(key)},"value":`
  const query: ChunkQuery = { db, dialect, runId, key, prefix }
  if (maxResults !== undefined && maxResults > 0) {
    const chunk = await readChunk(query, start, maxResults)
    const token = chunk.more ? encodeHistoryToken(await chunk.last()) : undefined
    return new MetricHistoryPage([chunk.text], token)
  }
  const chunks: string[] = []
  let from = start
  for (;;) {
    const chunk = await readChunk(query, from, unpagedChunk)
    chunks.push(chunk.text)
    if (!chunk.more) return new MetricHistoryPage(chunks, undefined)
    from = { after: await chunk.last() }
  }
}

/** Points per query when the whole history is asked for. */
const UNPAGED_CHUNK = 50_000

/** A point's place in the history: the sort key, unique within a run and metric key. */
export interface HistoryPosition {
  timestamp: number
  step: number
  value: number
  isNan: boolean
}

/** Where a page starts: the beginning, after a point (keyset tokens), or at an offset. */
type PageStart = { after: HistoryPosition } | { offset: number } | undefined

export function encodeHistoryToken(position: HistoryPosition): string {
  const { timestamp, step, value, isNan } = position
  return btoa(JSON.stringify({ after: [timestamp, step, value, isNan ? 1 : 0] }))
}

/**
 * Keyset tokens (`{"after": [timestamp, step, value, is_nan]}`, base64) or MLflow's offset tokens;
 * anything else fails as MLflow fails a bad token (INVALID_PARAMETER_VALUE).
 */
export function decodeHistoryToken(token: string | undefined): PageStart {
  if (!token) return undefined
  const after = keysetPosition(token)
  if (after) return { after }
  const offset = decodePageToken(token)
  return offset > 0 ? { offset } : undefined
}

function keysetPosition(token: string): HistoryPosition | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(atob(token))
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || !('after' in parsed)) return undefined
  const after: unknown = parsed.after
  if (!Array.isArray(after) || after.length !== 4) return undefined
  const [timestamp, step, value, isNan] = after as unknown[]
  if (
    !Number.isSafeInteger(timestamp) ||
    !Number.isSafeInteger(step) ||
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (isNan !== 0 && isNan !== 1)
  ) {
    return undefined
  }
  return { timestamp: timestamp as number, step: step as number, value, isNan: isNan === 1 }
}

interface ChunkQuery {
  db: Executor
  dialect: DialectName
  runId: string
  key: string
  /** `{"key":<key>,"value":` — how every point of this history starts in JSON. */
  prefix: string
}

interface Chunk {
  /** Up to `size` points as comma-separated JSON. */
  text: string
  /** True when points follow. */
  more: boolean
  /** Where the last point of `text` sits, for the next token (only asked when `more`). */
  last(): Promise<HistoryPosition>
}

/** Up to `size` points from `start`, and whether any follow. */
async function readChunk(query: ChunkQuery, start: PageStart, size: number): Promise<Chunk> {
  const { db, dialect } = query
  if (dialect === 'postgres' || (dialect === 'sqlite' && (await sqliteTextIsExact(db)))) {
    return readText(query, start, size)
  }
  return readRows(query, start, size)
}

const exactText = new WeakMap<Executor, Promise<boolean>>()

/**
 * The SQLite bundled with better-sqlite3 writes a REAL as text with as many digits as it takes to
 * read back the same double; older SQLite wrote 15 digits. Only then may SQLite write the JSON.
 */
function sqliteTextIsExact(db: Executor): Promise<boolean> {
  let exact = exactText.get(db)
  if (!exact) {
    exact = (async () => {
      for (const value of [0.1 + 0.2, 1 / 3, 2 / 3, 5e-324, 1.7976931348623157e308, 1e21]) {
        const { rows } = await sql<{ t: string }>`SELECT CAST(${value} AS TEXT) AS t`.execute(db)
        if (Number(rows[0]?.t) !== value) return false
      }
      return true
    })()
    exactText.set(db, exact)
  }
  return exact
}

/**
 * SQLite and PostgreSQL write each page's JSON themselves: one string per query instead of a row
 * per point for the driver to decode. Their REAL/float8 text is the shortest text that reads back
 * as the same double, so the chunk's last point is read back from its JSON; unless the point is a
 * NaN, or a PostgreSQL session rounds floats (extra_float_digits < 1: the values sent are rounded
 * then, as they always were, but the token must not be).
 *
 * The aggregate is fed the subquery's rows in its order (a LIMITed, ordered scan that nothing is
 * joined to): both databases concatenate them so, where an ORDER BY inside the aggregate would
 * sort every page once more (a third more work). The tests log points out of order.
 */
async function readText(query: ChunkQuery, start: PageStart, size: number): Promise<Chunk> {
  const { db, dialect, prefix } = query
  const postgres = dialect === 'postgres'
  const { rows } = await sql<{ items: string | null; n: number | string; probe?: string }>`
    SELECT ${sql.raw(postgres ? 'string_agg' : 'group_concat')}(j, ',') AS items, count(*) AS n
      ${sql.raw(postgres ? ', CAST(1 / CAST(3 AS double precision) AS text) AS probe' : '')}
    FROM (
      SELECT ${postgres ? sql`CAST(${prefix} AS text)` : sql`${prefix}`} || CASE
          WHEN is_nan THEN '"NaN"'
          WHEN abs(value) <= 1.7976931348623157e308 THEN CAST(value AS TEXT)
          ELSE 'null' END
        || ',"timestamp":' || timestamp || ',"step":' || step || '}' AS j
      ${pageRows(query, start, size + 1)}) page`.execute(db)
  const row = rows[0]
  const exact = !postgres || Number(row?.probe) === 1 / 3
  let text = row?.items ?? ''
  const more = Number(row?.n ?? 0) > size
  // The extra point only tells that more follow. `,{"` starts an object and nothing else: inside
  // the key's JSON string every quote is escaped.
  if (more) text = text.slice(0, text.lastIndexOf(`,${prefix}`))
  return {
    text,
    more,
    last: async () => {
      const point = JSON.parse(text.slice(text.lastIndexOf(`,${prefix}`) + 1)) as MetricPoint
      if (exact && typeof point.value === 'number') {
        return { timestamp: point.timestamp, step: point.step, value: point.value, isNan: false }
      }
      // A NaN (or a foreign infinity) shows no stored value: read the row.
      return positionAt(query, start, size - 1)
    },
  }
}

/**
 * MySQL (and SQLite before exact REAL text, PostgreSQL with rounded floats): rows, written as JSON
 * here.
 */
async function readRows(query: ChunkQuery, start: PageStart, size: number): Promise<Chunk> {
  const { rows } = await sql<MetricHistoryRow>`
    SELECT ${sql.ref('key')}, value, timestamp, step, is_nan ${pageRows(query, start, size + 1)}`.execute(
    query.db,
  )
  const more = rows.length > size
  const page = more ? rows.slice(0, size) : rows
  return {
    text: metricItemsJson(page),
    more,
    last: async () => positionOf(page[page.length - 1]!),
  }
}

/** The position of the point `index` points after `start`, read from its row. */
async function positionAt(
  query: ChunkQuery,
  start: PageStart,
  index: number,
): Promise<HistoryPosition> {
  // PostgreSQL sends the value's bits, which no extra_float_digits setting rounds. (Not aliased
  // `value`: ORDER BY would sort by the alias.)
  const bits = sql.raw(
    query.dialect === 'postgres' ? ", encode(float8send(value), 'hex') AS value_bits" : '',
  )
  const { rows } = await sql<MetricHistoryRow & { value_bits?: string }>`
    SELECT ${sql.ref('key')}, value, timestamp, step, is_nan${bits} ${pageRows(query, start, 1, index)}`.execute(
    query.db,
  )
  const row = rows[0]
  if (!row) throw new Error('A metric history point vanished while paging')
  const position = positionOf(row)
  if (row.value_bits) position.value = Buffer.from(row.value_bits, 'hex').readDoubleBE(0)
  return position
}

const positionOf = (row: MetricHistoryRow): HistoryPosition => ({
  timestamp: row.timestamp,
  step: row.step,
  value: row.value,
  isNan: Boolean(row.is_nan),
})

/**
 * `FROM … WHERE … ORDER BY … LIMIT …`: `limit` points from `start` (skipping `skip` more), in
 * primary-key order. The primary key (key, timestamp, step, run_uuid, value, is_nan), with the key
 * and run fixed, is the history's order, so a page is a range of it and costs only its own points.
 * - SQLite: `+run_uuid` keeps the planner (which has no statistics) on the primary key, whose index
 *   covers every column, rather than on the (run_uuid, key, step) index plus a sort of the history.
 * - MySQL: InnoDB appends the primary key to every secondary index, so index_metrics_run_uuid is
 *   (run_uuid, key, timestamp, step, value, is_nan): this run's points alone, in order. It is
 *   named, lest the optimizer sort the whole history from another index for every page, and gets
 *   the keyset comparison spelled out, which its range optimizer understands (a row comparison
 *   it does not).
 * - PostgreSQL picks the primary key by itself and takes the row comparison as its range.
 */
function pageRows(
  query: ChunkQuery,
  start: PageStart,
  limit: number,
  skip = 0,
): RawBuilder<unknown> {
  const { dialect, runId, key } = query
  const table = sql.raw(
    dialect === 'mysql' ? 'metrics FORCE INDEX (index_metrics_run_uuid)' : 'metrics',
  )
  const run = sql.raw(dialect === 'sqlite' ? '+run_uuid' : 'run_uuid')
  const offset = (start && 'offset' in start ? start.offset : 0) + skip
  return sql`FROM ${table}
    WHERE ${sql.ref('key')} = ${key} AND ${run} = ${runId}${startCondition(dialect, runId, start)}
    ORDER BY timestamp, step, run_uuid, value, is_nan
    LIMIT ${limit}${offset > 0 ? sql` OFFSET ${offset}` : sql``}`
}

/** ` AND <after the start position>`, or nothing. */
function startCondition(
  dialect: DialectName,
  runId: string,
  start: PageStart,
): RawBuilder<unknown> {
  if (!start || !('after' in start)) return sql``
  const { timestamp, step, value, isNan } = start.after
  if (dialect === 'mysql') {
    const nan = isNan ? 1 : 0
    return sql` AND (timestamp > ${timestamp} OR (timestamp = ${timestamp} AND (step > ${step} OR (step = ${step} AND (value > ${value} OR (value = ${value} AND is_nan > ${nan}))))))`
  }
  // With run_uuid fixed, (timestamp, step, run_uuid, value, is_nan) > (t, s, run, v, n) is the
  // same as (timestamp, step, value, is_nan) > (t, s, v, n), and is a range of the primary key.
  const nan = dialect === 'postgres' ? isNan : isNan ? 1 : 0
  return sql` AND (timestamp, step, run_uuid, value, is_nan) > (${timestamp}, ${step}, ${runId}, ${value}, ${nan})`
}

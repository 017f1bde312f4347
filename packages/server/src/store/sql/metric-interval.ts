import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, sql } from 'kysely'
import type { HistoryIntervalQuery, MetricPoint } from '../tracking-store.ts'
import type { SqlContext } from './context.ts'
import {
  type LatestRow,
  SAMPLE_SLOTS,
  SAMPLED_FROM,
  SERIES_BLOCK,
  type Series,
  type SeriesCache,
} from './series-cache.ts'

/**
 * Sampled history for charts, per run in request order. A run with more distinct steps than
 * `maxResults` keeps its first and last points and, in evenly cut step buckets, each bucket's
 * lowest and highest value: at most `maxResults` points, and spikes survive down-sampling.
 *
 * Each run's whole series is read through the (run_uuid, key, step) index into typed arrays, kept
 * in the series cache (see series-cache.ts for when a cached series is trusted), sampled there.
 */
export async function getMetricHistoryBulkInterval(
  ctx: SqlContext,
  query: HistoryIntervalQuery,
  cache: SeriesCache,
): Promise<MetricPoint[]> {
  const runIds = [...new Set(query.runIds)]
  if (runIds.length === 0) return []
  const key = query.metricKey
  const found = await readSeries(ctx, cache, runIds, key, query)
  const out: MetricPoint[] = []
  for (const runId of runIds) {
    const series = found.get(runId)
    if (!series || series.length === 0) continue
    const [from, to] = stepRange(series, query.startStep, query.endStep)
    const indices = sample(series, from, to, query.maxResults)
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j]!
      out.push({
        key,
        value: series.nan[i] ? 'NaN' : series.values[i]!,
        timestamp: series.timestamps[i]!,
        step: series.steps[i]!,
        run_id: runId,
      })
    }
  }
  return out
}

/** The runs' series: cached ones that are still current, the others read (and cached). */
async function readSeries(
  ctx: SqlContext,
  cache: SeriesCache,
  runIds: string[],
  key: string,
  query: HistoryIntervalQuery,
): Promise<Map<string, Series>> {
  const out = new Map<string, Series>()
  if (!cache.enabled) {
    // Nothing is kept: read only the requested steps.
    const loaded = await Promise.all(
      runIds.map((runId) => loadSeries(ctx, runId, key, query.startStep, query.endStep)),
    )
    for (const [i, runId] of runIds.entries()) out.set(runId, loaded[i]!)
    return out
  }
  // Read before any query, so a commit by another process after this point is seen next time.
  const version = await cache.version()
  const exact = cache.tracksExternalVersion
  const cached = new Map(
    runIds.flatMap((runId) => {
      const entry = cache.get(runId, key)
      return entry ? [[runId, entry] as const] : []
    }),
  )
  // Cached series another process may have changed since they were last checked: their
  // latest_metrics row must be the same, and with a data version (exact) their point count too.
  const toCheck = [...cached].filter(([, entry]) => !exact || entry.verifiedAt !== version)
  if (toCheck.length > 0) {
    const latest = await latestRows(
      ctx,
      toCheck.map(([runId]) => runId),
      key,
    )
    const sameLatest = toCheck.filter(([runId, entry]) =>
      sameRow(entry.token.latest, latest.get(runId) ?? null),
    )
    const counts = exact
      ? await countPoints(
          ctx,
          sameLatest.map(([runId]) => runId),
          key,
        )
      : undefined
    const current = new Set(
      sameLatest
        .filter(([runId, entry]) => !counts || counts.get(runId) === entry.token.count)
        .map(([runId]) => runId),
    )
    for (const [runId, entry] of toCheck) {
      if (current.has(runId)) {
        entry.verifiedAt = version
      } else {
        cache.drop(runId, key, entry)
        cached.delete(runId)
      }
    }
  }
  for (const [runId, entry] of cached) out.set(runId, entry.series)

  const missing = runIds.filter((runId) => !cached.has(runId))
  if (missing.length === 0) return out
  const tickets = missing.map((runId) => cache.beginLoad(runId, key, version))
  try {
    // The token is read before the points: a write landing in between makes it look older than
    // the points, which costs a reload later, never a stale answer.
    const latest = await latestRows(ctx, missing, key)
    const loaded = await Promise.all(missing.map((runId) => loadSeries(ctx, runId, key)))
    missing.forEach((runId, i) => {
      const series = loaded[i]!
      out.set(runId, series)
      const token = { latest: latest.get(runId) ?? null, count: series.length }
      // An empty series is cheap to read again; not caching it also keeps unknown runs out.
      cache.endLoad(tickets[i]!, series.length > 0 ? { series, token } : undefined)
    })
  } finally {
    for (const ticket of tickets) cache.endLoad(ticket)
  }
  return out
}

const sameRow = (a: LatestRow, b: LatestRow): boolean =>
  a === null || b === null
    ? a === b
    : a.step === b.step &&
      a.timestamp === b.timestamp &&
      Object.is(a.value, b.value) &&
      a.isNan === b.isNan

const inList = (values: readonly string[]): RawBuilder<unknown> =>
  sql.join(values.map((value) => sql`${value}`))

/** The runs' latest_metrics rows for this key (the dialect's own comparison, so MySQL's too). */
async function latestRows(
  ctx: SqlContext,
  runIds: string[],
  key: string,
): Promise<Map<string, LatestRow>> {
  const out = new Map<string, LatestRow>()
  for (let i = 0; i < runIds.length; i += 500) {
    const { rows } = await sql<{
      run_uuid: string
      step: number | string
      timestamp: number | string | null
      value: number | string
      is_nan: boolean | number
    }>`SELECT run_uuid, step, ${sql.ref('timestamp')}, value, is_nan FROM latest_metrics
      WHERE ${sql.ref('key')} = ${key} AND run_uuid IN (${inList(runIds.slice(i, i + 500))})`.execute(
      ctx.db,
    )
    for (const row of rows) {
      out.set(row.run_uuid, {
        step: Number(row.step),
        timestamp: Number(row.timestamp ?? 0),
        value: Number(row.value),
        isNan: Boolean(Number(row.is_nan)),
      })
    }
  }
  return out
}

/** SQLite's planner has no statistics and would walk the key's points of every run. */
const seriesIndex = (ctx: SqlContext) =>
  ctx.dialect.name === 'sqlite' ? sql` INDEXED BY index_metrics_run_uuid_key_step` : sql``

async function countPoints(
  ctx: SqlContext,
  runIds: string[],
  key: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const runId of runIds) {
    const { rows } = await sql<{
      n: number | string
    }>`SELECT count(*) AS n FROM metrics${seriesIndex(
      ctx,
    )} WHERE run_uuid = ${runId} AND ${ctx.dialect.equals(sql.ref('key'), key)}`.execute(ctx.db)
    out.set(runId, Number(rows[0]?.n ?? 0))
  }
  return out
}

/** One run's points of one key (optionally a step window), as typed arrays sorted by step. */
export async function loadSeries(
  ctx: SqlContext,
  runId: string,
  key: string,
  startStep?: number,
  endStep?: number,
): Promise<Series> {
  const window =
    startStep === undefined && endStep === undefined
      ? sql``
      : sql` AND step >= ${startStep ?? Number.MIN_SAFE_INTEGER} AND step <= ${endStep ?? Number.MAX_SAFE_INTEGER}`
  const { rows } = await sql<{
    step: number | string
    timestamp: number | string
    value: number | string
    is_nan: boolean | number
  }>`SELECT step, ${sql.ref('timestamp')}, value, is_nan FROM metrics${seriesIndex(ctx)}
    WHERE run_uuid = ${runId} AND ${ctx.dialect.equals(sql.ref('key'), key)}${window}
    ORDER BY step`.execute(ctx.db)
  const length = rows.length
  const steps = new Float64Array(length)
  const timestamps = new Float64Array(length)
  const values = new Float64Array(length)
  const nan = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    const row = rows[i]!
    steps[i] = Number(row.step)
    timestamps[i] = Number(row.timestamp)
    values[i] = Number(row.value)
    nan[i] = Number(row.is_nan) ? 1 : 0
  }
  return makeSeries(steps, timestamps, values, nan)
}

/** A series from points sorted by step: sorts points sharing a step, and indexes the blocks. */
export function makeSeries(
  steps: Float64Array,
  timestamps: Float64Array,
  values: Float64Array,
  nan: Uint8Array,
): Series {
  const length = steps.length
  let uniqueSteps = true
  for (let i = 1; i < length; i++) {
    if (steps[i] === steps[i - 1]) {
      uniqueSteps = false
      break
    }
  }
  if (!uniqueSteps) sortTies(steps, timestamps, values, nan)
  const blocks = Math.ceil(length / SERIES_BLOCK)
  const blockLow = new Int32Array(blocks)
  const blockHigh = new Int32Array(blocks)
  for (let b = 0; b < blocks; b++) {
    let lo = -1
    let hi = -1
    const end = Math.min(length, (b + 1) * SERIES_BLOCK)
    for (let i = b * SERIES_BLOCK; i < end; i++) {
      if (nan[i]) continue
      const value = values[i]!
      if (lo < 0 || value < values[lo]!) lo = i
      if (hi < 0 || value > values[hi]!) hi = i
    }
    blockLow[b] = lo
    blockHigh[b] = hi
  }
  return {
    length,
    steps,
    timestamps,
    values,
    nan,
    uniqueSteps,
    blockLow,
    blockHigh,
    samples: new Map(),
  }
}

/** Orders points that share a step by timestamp, then value (the index orders by step only). */
function sortTies(
  steps: Float64Array,
  timestamps: Float64Array,
  values: Float64Array,
  nan: Uint8Array,
): void {
  let start = 0
  while (start < steps.length) {
    let end = start + 1
    while (end < steps.length && steps[end] === steps[start]) end++
    if (end - start > 1) {
      const order = Array.from({ length: end - start }, (_, j) => start + j).sort(
        (a, b) => timestamps[a]! - timestamps[b]! || values[a]! - values[b]!,
      )
      const sorted = order.map((i) => [timestamps[i]!, values[i]!, nan[i]!] as const)
      sorted.forEach(([timestamp, value, isNan], j) => {
        timestamps[start + j] = timestamp
        values[start + j] = value
        nan[start + j] = isNan
      })
    }
    start = end
  }
}

/** Index of the first point in [lo, hi) whose step is ≥ `step` (or `hi`). */
function lowerBound(steps: Float64Array, lo: number, hi: number, step: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (steps[mid]! < step) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The half-open index range of points with startStep ≤ step ≤ endStep. */
function stepRange(
  s: Series,
  startStep: number | undefined,
  endStep: number | undefined,
): [number, number] {
  const from = startStep === undefined ? 0 : lowerBound(s.steps, 0, s.length, startStep)
  const to = endStep === undefined ? s.length : lowerBound(s.steps, 0, s.length, endStep + 1)
  return [from, Math.max(from, to)]
}

const roundHalfEven = (x: number) => {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff !== 0.5) return Math.round(x)
  return floor % 2 === 0 ? floor : floor + 1
}

/** `sampleIndices`, remembered on long series: a chart asks for the same sample again and again. */
function sample(s: Series, from: number, to: number, maxResults: number): ArrayLike<number> {
  if (s.length < SAMPLED_FROM) return sampleIndices(s, from, to, maxResults)
  const id = `${from}:${to}:${maxResults}`
  const known = s.samples.get(id)
  if (known) return known
  const indices = Int32Array.from(sampleIndices(s, from, to, maxResults))
  // The caller bounds answers by 2500 points per run; a larger one is not remembered.
  if (indices.length > 2500) return indices
  if (s.samples.size >= SAMPLE_SLOTS) s.samples.delete(s.samples.keys().next().value!)
  s.samples.set(id, indices)
  return indices
}

/**
 * The indexes in [from, to) to answer, ascending: all of them when they have at most `maxResults`
 * distinct steps; otherwise the first and last point, the first point of the middle step when the
 * budget left is odd, and each step bucket's first lowest and first highest non-NaN value.
 */
export function sampleIndices(s: Series, from: number, to: number, maxResults: number): number[] {
  const { steps } = s
  if (to <= from) return []
  let distinct = to - from
  if (!s.uniqueSteps) {
    distinct = 1
    for (let i = from + 1; i < to; i++) if (steps[i] !== steps[i - 1]) distinct++
  }
  if (distinct <= maxResults) return Array.from({ length: to - from }, (_, j) => from + j)
  const keep = [from, to - 1]
  const budget = maxResults - 2
  if (budget % 2 === 1) {
    // An odd budget also keeps the middle step, as MLflow's evenly spaced sample would.
    keep.push(nthStep(s, from, to, roundHalfEven((distinct - 1) / 2)))
  }
  const buckets = Math.floor(budget / 2)
  const first = steps[from]!
  const width = (steps[to - 1]! - first + 1) / Math.max(buckets, 1)
  let i = from
  for (let b = 0; b < buckets; b++) {
    const limit = first + (b + 1) * width
    const end = lowerBound(steps, i, to, limit)
    const [lo, hi] = extremes(s, i, end)
    if (lo >= 0) keep.push(lo)
    if (hi >= 0) keep.push(hi)
    i = end
  }
  keep.sort((a, b) => a - b)
  return keep.filter((index, j) => j === 0 || index !== keep[j - 1])
}

/** The first point of the n-th distinct step (0-based) in [from, to). */
function nthStep(s: Series, from: number, to: number, n: number): number {
  if (s.uniqueSteps) return from + n
  let ordinal = 0
  for (let i = from + 1; i < to; i++) {
    if (s.steps[i] !== s.steps[i - 1] && ++ordinal === n) return i
  }
  return from
}

/** The first lowest and first highest non-NaN value's index in [from, to), -1 when none. */
function extremes(s: Series, from: number, to: number): [number, number] {
  const { values, nan, blockLow, blockHigh } = s
  let lo = -1
  let hi = -1
  let low = 0
  let high = 0
  // Whole blocks inside the range are read from their summaries, the ragged ends point by point.
  const firstFull = Math.ceil(from / SERIES_BLOCK)
  const lastFull = Math.floor(to / SERIES_BLOCK)
  const headEnd = firstFull < lastFull ? firstFull * SERIES_BLOCK : to
  const visit = (start: number, end: number) => {
    for (let i = start; i < end; i++) {
      if (nan[i]) continue
      const value = values[i]!
      if (lo < 0 || value < low) {
        lo = i
        low = value
      }
      if (hi < 0 || value > high) {
        hi = i
        high = value
      }
    }
  }
  visit(from, headEnd)
  if (headEnd === to) return [lo, hi]
  for (let b = firstFull; b < lastFull; b++) {
    const blockLo = blockLow[b]!
    if (blockLo < 0) continue
    const blockHi = blockHigh[b]!
    if (lo < 0 || values[blockLo]! < low) {
      lo = blockLo
      low = values[blockLo]!
    }
    if (hi < 0 || values[blockHi]! > high) {
      hi = blockHi
      high = values[blockHi]!
    }
  }
  visit(lastFull * SERIES_BLOCK, to)
  return [lo, hi]
}

export function checkIntervalQuery(query: HistoryIntervalQuery): void {
  if (query.runIds.length > 100) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${query.runIds.length} run_ids.`,
    )
  }
}

import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HistoryIntervalQuery, MetricInput, MetricPoint } from '../tracking-store.ts'
import type { SqlContext } from './context.ts'
import { openDatabase } from './dialects/open-database.ts'
import type { OpenDatabase } from './dialects/sql-dialect.ts'
import { purgeRun } from './gc.ts'
import { getMetricHistoryBulkInterval, makeSeries, sampleIndices } from './metric-interval.ts'
import { type Series, SeriesCache } from './series-cache.ts'
import { SqlTrackingStore } from './sql-tracking-store.ts'
import { createTestDatabase, type TestDatabase, testDialects } from './test-databases.ts'
import { inTransaction } from './transaction.ts'

interface Row {
  step: number
  timestamp: number
  value: number
  is_nan: number
}

// The row-based sampler the typed-array one replaced: its answers are the reference.
function referenceSample(rows: Row[], maxResults: number): Row[] {
  const roundHalfEven = (x: number) => {
    const floor = Math.floor(x)
    if (x - floor !== 0.5) return Math.round(x)
    return floor % 2 === 0 ? floor : floor + 1
  }
  let distinct = 0
  for (let i = 0; i < rows.length; i++)
    if (i === 0 || rows[i]!.step !== rows[i - 1]!.step) distinct++
  if (distinct <= maxResults) return rows
  const keep = new Set<Row>([rows[0]!, rows[rows.length - 1]!])
  const budget = maxResults - 2
  if (budget % 2 === 1) {
    const steps = [...new Set(rows.map((r) => r.step))]
    const middle = steps[roundHalfEven((steps.length - 1) / 2)]
    const row = rows.find((r) => r.step === middle)
    if (row) keep.add(row)
  }
  const buckets = Math.floor(budget / 2)
  const first = rows[0]!.step
  const width = (rows[rows.length - 1]!.step - first + 1) / Math.max(buckets, 1)
  let i = 0
  for (let b = 0; b < buckets; b++) {
    const limit = first + (b + 1) * width
    let lo: Row | undefined
    let hi: Row | undefined
    while (i < rows.length && rows[i]!.step < limit) {
      const row = rows[i]!
      if (!row.is_nan) {
        if (!lo || row.value < lo.value) lo = row
        if (!hi || row.value > hi.value) hi = row
      }
      i++
    }
    if (lo) keep.add(lo)
    if (hi) keep.add(hi)
  }
  return rows.filter((r) => keep.has(r))
}

function seriesOf(rows: Row[]): Series {
  return makeSeries(
    Float64Array.from(rows, (r) => r.step),
    Float64Array.from(rows, (r) => r.timestamp),
    Float64Array.from(rows, (r) => r.value),
    Uint8Array.from(rows, (r) => r.is_nan),
  )
}

describe('sampleIndices', () => {
  it('answers what the row-based sampler answered', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    for (let trial = 0; trial < 300; trial++) {
      const n = Math.floor(random() * (trial % 2 ? 400 : 5000))
      const rows: Row[] = []
      let step = Math.floor(random() * 50) - 10
      for (let i = 0; i < n; i++) {
        step += random() < 0.15 ? 0 : 1 + Math.floor(random() * 4)
        rows.push({
          step,
          timestamp: i,
          value: Math.floor(random() * 20) - 5,
          is_nan: random() < 0.05 ? 1 : 0,
        })
      }
      const maxResults = 1 + Math.floor(random() * 60)
      const series = seriesOf(rows)
      const expected = referenceSample(rows, maxResults)
      const got = sampleIndices(series, 0, rows.length, maxResults).map((i) => rows[i]!)
      expect(got).toEqual(expected)
      // A window is the same as sampling only the rows inside it.
      if (n > 0) {
        const a = rows[Math.floor(random() * n)]!.step
        const b = rows[Math.floor(random() * n)]!.step
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)]
        const inside = rows.filter((r) => r.step >= lo && r.step <= hi)
        const from = rows.findIndex((r) => r.step >= lo)
        const got2 = sampleIndices(series, from, from + inside.length, maxResults)
        expect(got2.map((i) => rows[i]!)).toEqual(referenceSample(inside, maxResults))
      }
    }
  })

  it('keeps a spike and at most max_results points', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      step: i,
      timestamp: i,
      value: i === 54_321 ? 1e9 : 1,
      is_nan: 0,
    }))
    const got = sampleIndices(seriesOf(rows), 0, rows.length, 320)
    expect(got.length).toBeLessThanOrEqual(320)
    expect(got).toContain(54_321)
    expect(got[0]).toBe(0)
    expect(got.at(-1)).toBe(99_999)
  })
})

describe('SeriesCache', () => {
  const series = (n: number): Series =>
    seriesOf(Array.from({ length: n }, (_, i) => ({ step: i, timestamp: i, value: i, is_nan: 0 })))
  const token = { latest: null, count: 0 }

  it('does not keep a load its series was invalidated during', () => {
    const cache = new SeriesCache({ maxBytes: 1 << 20 })
    const ticket = cache.beginLoad('r', 'loss', undefined)
    cache.invalidate('r', ['loss'])
    cache.endLoad(ticket, { series: series(10), token })
    expect(cache.get('r', 'loss')).toBeUndefined()
    const other = cache.beginLoad('r', 'acc', undefined)
    cache.invalidate('r', ['loss'])
    cache.endLoad(other, { series: series(10), token })
    expect(cache.get('r', 'acc')).toBeDefined()
    const all = cache.beginLoad('r', 'x', undefined)
    cache.invalidate('r')
    cache.endLoad(all, { series: series(10), token })
    expect(cache.get('r', 'x')).toBeUndefined()
    expect(cache.get('r', 'acc')).toBeUndefined()
  })

  it('stays within its byte budget, least recently used out first', () => {
    const one = new SeriesCache({ maxBytes: 1 << 20 })
    one.endLoad(one.beginLoad('a', 'k', undefined), { series: series(1000), token })
    const entryBytes = one.bytes
    expect(entryBytes).toBeGreaterThan(1000 * 25)
    const cache = new SeriesCache({ maxBytes: 3 * entryBytes })
    const put = (run: string) =>
      cache.endLoad(cache.beginLoad(run, 'k', undefined), {
        series: series(1000),
        token,
      })
    put('a')
    put('b')
    put('c')
    expect(cache.size).toBe(3)
    cache.get('a', 'k')
    put('d')
    expect(cache.get('b', 'k')).toBeUndefined()
    expect(cache.get('a', 'k')).toBeDefined()
    expect(cache.bytes).toBe(3 * entryBytes)
    // Too big for the whole budget: served, not kept.
    cache.endLoad(cache.beginLoad('e', 'k', undefined), { series: series(10_000), token })
    expect(cache.get('e', 'k')).toBeUndefined()
    expect(cache.size).toBe(3)
  })

  it('is off at 0 bytes', async () => {
    const cache = new SeriesCache({ maxBytes: 0, externalVersion: () => 1 })
    expect(cache.enabled).toBe(false)
    expect(await cache.version()).toBeUndefined()
    cache.endLoad(cache.beginLoad('a', 'k', undefined), { series: series(10), token })
    expect(cache.size).toBe(0)
  })
})

const point = (step: number, value: number, timestamp = 1000 + step): MetricInput => ({
  key: 'loss',
  value,
  step,
  timestamp,
})

describe.each(testDialects())('bulk interval with the series cache on %s', (dialect) => {
  let database: TestDatabase
  /** Writes, and reads uncached: the truth. */
  let writer: SqlTrackingStore
  /** Another server on the same database, with its own cache. */
  let other: OpenDatabase
  let otherCtx: SqlContext
  let cache: SeriesCache
  let experimentId: string

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    writer = await SqlTrackingStore.open({
      uri: database.uri,
      defaultArtifactRoot: 'mlflow-artifacts:/',
      seriesCacheBytes: 0,
    })
    other = openDatabase(database.uri)
    otherCtx = { db: other.readDb, dialect: other.dialect, defaultArtifactRoot: '' }
    cache = new SeriesCache({ maxBytes: 64 << 20, externalVersion: other.dataVersion })
    experimentId = await writer.createExperiment(`interval-${Date.now()}`, undefined, [])
  })
  afterAll(async () => {
    await writer?.close()
    await other?.close()
    await database?.drop()
  })

  const newRun = async (points: MetricInput[]) => {
    const run = await writer.createRun({ experimentId, tags: [], startTime: 1 })
    const runId = run.info.run_id
    for (let i = 0; i < points.length; i += 1000) {
      await writer.logBatch(runId, { metrics: points.slice(i, i + 1000), params: [], tags: [] })
    }
    return runId
  }
  const series = (n: number) =>
    Array.from({ length: n }, (_, i) => point(i, i === 1234 ? 99 : (i % 17) / 10))

  const queries = (runIds: string[]): HistoryIntervalQuery[] => [
    { runIds, metricKey: 'loss', maxResults: 320 },
    { runIds, metricKey: 'loss', maxResults: 7 },
    { runIds, metricKey: 'loss', maxResults: 2500 },
    { runIds, metricKey: 'loss', maxResults: 50, startStep: 100, endStep: 1500 },
    { runIds, metricKey: 'loss', maxResults: 50, startStep: -5, endStep: 3 },
  ]
  const cached = (query: HistoryIntervalQuery): Promise<MetricPoint[]> =>
    getMetricHistoryBulkInterval(otherCtx, query, cache)
  const expectSame = async (runIds: string[]) => {
    for (const query of queries(runIds)) {
      expect(await cached(query)).toEqual(await writer.getMetricHistoryBulkInterval(query))
    }
  }

  it('answers from the cache what the database holds', async () => {
    const a = await newRun(series(3000))
    const b = await newRun([...series(500), point(10, Number.NaN), point(10, 5, 999)])
    await expectSame([a, b, 'no-such-run'])
    expect(cache.size).toBe(2)
    const sample = await cached({ runIds: [b], metricKey: 'loss', maxResults: 2500 })
    expect(sample.filter((p) => p.step === 10)).toEqual([
      { key: 'loss', value: 5, timestamp: 999, step: 10, run_id: b },
      // Same step and timestamp: by stored value, and NaN is stored as 0.
      { key: 'loss', value: 'NaN', timestamp: 1010, step: 10, run_id: b },
      { key: 'loss', value: 1, timestamp: 1010, step: 10, run_id: b },
    ])
  })

  it('sees points another process appends', async () => {
    const a = await newRun(series(2000))
    await expectSame([a])
    await writer.logBatch(a, { metrics: [point(2000, 1e6)], params: [], tags: [] })
    await expectSame([a])
    const last = await cached({ runIds: [a], metricKey: 'loss', maxResults: 320 })
    expect(last.at(-1)).toMatchObject({ step: 2000, value: 1e6 })
  })

  it.runIf(dialect === 'sqlite')(
    'sees points another process writes before the last step (SQLite data_version)',
    async () => {
      const a = await newRun(series(2000))
      const b = await newRun(series(100))
      await expectSame([a, b])
      await writer.logBatch(a, { metrics: [point(700, -1e6, 5)], params: [], tags: [] })
      const answer = await cached({ runIds: [a], metricKey: 'loss', maxResults: 320 })
      expect(answer).toContainEqual({
        key: 'loss',
        value: -1e6,
        timestamp: 5,
        step: 700,
        run_id: a,
      })
      await expectSame([a, b])
      // A commit elsewhere leaves a checked series in place.
      const before = cache.get(b, 'loss')
      await writer.logBatch(a, { metrics: [point(5000, 1)], params: [], tags: [] })
      await expectSame([b])
      expect(cache.get(b, 'loss')).toBe(before)
    },
  )

  it.runIf(dialect === 'sqlite')(
    "reads the data version outside the writer connection's transaction",
    async () => {
      const version = other.dataVersion!
      const before = await version()
      let release = () => {}
      const held = new Promise<void>((done) => {
        release = done
      })
      // The writer connection holds a read snapshot from before the next commit.
      const transaction = other.db.transaction().execute(async (trx) => {
        await sql`SELECT count(*) FROM experiments`.execute(trx)
        await held
      })
      await new Promise((done) => setTimeout(done, 20))
      await writer.setExperimentTag(experimentId, { key: 'touched', value: String(before) })
      const during = version()
      release()
      await transaction
      expect(await during).not.toBe(before)
    },
  )

  it('forgets runs another process purged', async () => {
    const a = await newRun(series(1500))
    await expectSame([a])
    await inTransaction(writer.context, (ctx) => purgeRun(ctx.db, a))
    expect(await cached({ runIds: [a], metricKey: 'loss', maxResults: 320 })).toEqual([])
  })

  it('sees its own writes at once, appended or not', async () => {
    const store = await SqlTrackingStore.open({
      uri: database.uri,
      defaultArtifactRoot: 'mlflow-artifacts:/',
      seriesCacheBytes: 8 << 20,
    })
    try {
      const run = await store.createRun({ experimentId, tags: [], startTime: 1 })
      const a = run.info.run_id
      await store.logBatch(a, { metrics: series(1000), params: [], tags: [] })
      const query = { runIds: [a], metricKey: 'loss', maxResults: 2500 }
      expect(await store.getMetricHistoryBulkInterval(query)).toHaveLength(1000)
      await store.logBatch(
        a,
        { metrics: [point(3, 42, 1)], params: [], tags: [] },
        { single: true },
      )
      const got = await store.getMetricHistoryBulkInterval(query)
      expect(got).toHaveLength(1001)
      expect(got).toContainEqual({ key: 'loss', value: 42, timestamp: 1, step: 3, run_id: a })
      await store.logBatch(a, { metrics: [point(1000, 7)], params: [], tags: [] })
      expect(await store.getMetricHistoryBulkInterval(query)).toEqual(
        await writer.getMetricHistoryBulkInterval(query),
      )
      // A write racing a cold read: the read is never kept over the write.
      const other = { runIds: [a], metricKey: 'loss', maxResults: 40 }
      await store.logBatch(a, { metrics: [point(2000, 3)], params: [], tags: [] })
      await Promise.all([
        store.getMetricHistoryBulkInterval(other),
        store.logBatch(a, { metrics: [point(2001, -3)], params: [], tags: [] }),
      ])
      expect(await store.getMetricHistoryBulkInterval(other)).toEqual(
        await writer.getMetricHistoryBulkInterval(other),
      )
    } finally {
      await store.close()
    }
  })
})

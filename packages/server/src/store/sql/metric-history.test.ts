import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../http/app.ts'
import { MetricHistoryPage } from '../metric-history-page.ts'
import { expectCode } from '../tracking-store.contract.ts'
import type { MetricInput, MetricPoint } from '../tracking-store.ts'
import { decodeHistoryToken, encodeHistoryToken, getMetricHistory } from './metric-history.ts'
import { SqlTrackingStore } from './sql-tracking-store.ts'
import { createTestDatabase, type TestDatabase, testDialects } from './test-databases.ts'

const MAX = 1.7976931348623157e308
const VALUES = [
  Number.NEGATIVE_INFINITY,
  -1.5,
  0,
  Number.NaN,
  0.1 + 0.2,
  2 / 3,
  1e21,
  5e-324,
  Number.POSITIVE_INFINITY,
  1,
  7,
]

/** Every (timestamp, step) pair holds every value: duplicates on everything but the value. */
function points(key: string, timestamps: number[]): MetricInput[] {
  const out: MetricInput[] = []
  for (const timestamp of timestamps) {
    for (const step of [0, 1, -2]) {
      for (const value of VALUES) out.push({ key, value, timestamp, step })
    }
  }
  return out
}

/** MLflow's order: timestamp, step, value (as stored: NaN is 0, infinities clamped), NaN last. */
function expected(key: string, logged: MetricInput[]): MetricPoint[] {
  const stored = (v: number) =>
    Number.isNaN(v) ? 0 : v === Number.POSITIVE_INFINITY ? MAX : v === -Infinity ? -MAX : v
  return [...logged]
    .sort(
      (a, b) =>
        a.timestamp - b.timestamp ||
        a.step - b.step ||
        stored(a.value) - stored(b.value) ||
        Number(Number.isNaN(a.value)) - Number(Number.isNaN(b.value)),
    )
    .map((m) => ({
      key,
      value: Number.isNaN(m.value) ? 'NaN' : stored(m.value),
      timestamp: m.timestamp,
      step: m.step,
    }))
}

/** A deterministic shuffle, so rows do not go in in history order. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items]
  let seed = 7
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    const j = seed % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

describe.each(testDialects())('metric history on %s', (dialect) => {
  let database: TestDatabase
  let store: SqlTrackingStore
  let runId: string
  let history: MetricPoint[]
  let server: Server
  let base: string

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    store = await SqlTrackingStore.open({ uri: database.uri, defaultArtifactRoot: 'file:///tmp' })
    const experimentId = await store.createExperiment('history', undefined, [])
    const run = async () =>
      (await store.createRun({ experimentId, tags: [], startTime: 1 })).info.run_id
    runId = await run()
    const other = await run()
    const logged = points('m', [20, 10, 30])
    for (const [id, metrics] of [
      [runId, logged],
      // The same key in another run, interleaved in time, and another key in this run.
      [other, points('m', [10, 15, 20, 25, 30])],
      [runId, points('n', [10, 20])],
    ] as const) {
      const batch = shuffled(metrics)
      for (let i = 0; i < batch.length; i += 100) {
        await store.logBatch(id, { metrics: batch.slice(i, i + 100), params: [], tags: [] })
      }
    }
    history = expected('m', logged)
    server = createServer(createApp({ store, config: { maxRequestBytes: 1 << 20 } }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/2.0/mlflow`
  })

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await store?.close()
    await database?.drop()
  })

  async function pageThrough(size: number, token?: string) {
    const pages: MetricPoint[][] = []
    do {
      const page = await store.getMetricHistory(runId, 'm', size, token)
      pages.push(page.items)
      token = page.nextPageToken
      // A token that does not move on would page forever.
      if (pages.length > 200) throw new Error('paging does not end')
    } while (token)
    return pages
  }

  it('returns the whole history in order without max_results', async () => {
    expect(history).toHaveLength(99)
    const page = await store.getMetricHistory(runId, 'm', undefined, undefined)
    expect(page.items).toEqual(history)
    expect(page.nextPageToken).toBeUndefined()
  })

  it('reads an unpaged history in chunks', async () => {
    const page = await getMetricHistory(
      store.context.db,
      store.context.dialect.name,
      runId,
      'm',
      undefined,
      undefined,
      7,
    )
    expect(page.items).toEqual(history)
  })

  it.each([1, 2, 10, 33, 98, 99, 100, 25000])(
    'pages by %i with keyset tokens, every point once',
    async (size) => {
      const pages = await pageThrough(size)
      expect(pages.flat()).toEqual(history)
      // MLflow's pages: full ones, then the rest; no token after the last point.
      expect(pages.map((p) => p.length)).toEqual(
        Array.from({ length: Math.ceil(99 / size) }, (_, i) => Math.min(size, 99 - i * size)),
      )
    },
  )

  it('continues from MLflow offset tokens', async () => {
    const offset = btoa('{"offset": 5}')
    const pages = await pageThrough(10, offset)
    expect(pages.flat()).toEqual(history.slice(5))
    const first = await store.getMetricHistory(runId, 'm', 10, offset)
    expect(first.items).toEqual(history.slice(5, 15))
    expect(decodeHistoryToken(first.nextPageToken)).toHaveProperty('after')
  })

  it('answers an unknown run or key with nothing', async () => {
    for (const [run, key] of [
      ['0123456789abcdef0123456789abcdef', 'm'],
      [runId, 'nope'],
    ] as const) {
      const page = await store.getMetricHistory(run, key, 10, undefined)
      expect(page.items).toEqual([])
      expect(page.nextPageToken).toBeUndefined()
    }
  })

  it('refuses malformed tokens', async () => {
    for (const token of [
      'not-a-token!',
      btoa('{"after": [1, 2, 3]}'),
      btoa('{"after": [1, 2, "x", 0]}'),
      btoa('{"offset": -3}'),
    ]) {
      await expectCode(store.getMetricHistory(runId, 'm', 10, token), 'INVALID_PARAMETER_VALUE')
    }
  })

  it.runIf(dialect === 'postgres')('pages exactly when the session rounds floats', async () => {
    // extra_float_digits=0 rounds every float sent (as it always did); tokens must stay exact.
    const uri = new URL(database.uri)
    uri.searchParams.set('options', '-c extra_float_digits=0')
    const rounding = await SqlTrackingStore.open({
      uri: uri.href,
      defaultArtifactRoot: 'file:///tmp',
    })
    try {
      for (const size of [1, 7]) {
        const seen: MetricPoint[] = []
        let token: string | undefined
        do {
          const page = await rounding.getMetricHistory(runId, 'm', size, token)
          seen.push(...page.items)
          token = page.nextPageToken
        } while (token && seen.length <= 200)
        const shape = (points: MetricPoint[]) => points.map((p) => [p.timestamp, p.step])
        expect(shape(seen)).toEqual(shape(history))
        expect(seen.filter((p) => p.value === 'NaN')).toHaveLength(9)
      }
    } finally {
      await rounding.close()
    }
  })

  it('round-trips positions through tokens', () => {
    const position = { timestamp: 1700000000123, step: -4, value: 0.1 + 0.2, isNan: true }
    expect(decodeHistoryToken(encodeHistoryToken(position))).toEqual({ after: position })
  })

  it('serves get-history pages as JSON text', async () => {
    const url = (query: string) => `${base}/metrics/get-history?${query}`
    const seen: MetricPoint[] = []
    let token: string | undefined
    let pages = 0
    do {
      const query = new URLSearchParams({ run_id: runId, metric_key: 'm', max_results: '40' })
      if (token) query.set('page_token', token)
      const response = await fetch(url(query.toString()))
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/json')
      const body = (await response.json()) as { metrics: MetricPoint[]; next_page_token?: string }
      expect(Object.keys(body)).toEqual(
        body.next_page_token ? ['metrics', 'next_page_token'] : ['metrics'],
      )
      seen.push(...body.metrics)
      token = body.next_page_token
      pages++
    } while (token && pages < 10)
    expect(pages).toBe(3)
    expect(seen).toEqual(history)
    const all = await fetch(url(`run_id=${runId}&metric_key=m`))
    expect(await all.json()).toEqual({ metrics: history })
    const none = await fetch(url(`run_id=${runId}&metric_key=nope&max_results=5`))
    expect(await none.text()).toBe('{}')
    const bulk = await fetch(
      `${base.replace('/api/', '/ajax-api/')}/metrics/get-history-bulk?run_id=${runId}&metric_key=m`,
    )
    expect(await bulk.json()).toEqual({ metrics: history.map((m) => ({ ...m, run_id: runId })) })
  })
})

describe('MetricHistoryPage', () => {
  it('parses its items from the JSON chunks', () => {
    const page = new MetricHistoryPage(
      [
        '{"key":"a\\"b","value":"NaN","timestamp":1,"step":2}',
        '',
        '{"key":"a\\"b","value":1.0,"timestamp":3,"step":4}',
      ],
      'tok',
    )
    expect(page.chunks).toHaveLength(2)
    expect(page.items).toEqual([
      { key: 'a"b', value: 'NaN', timestamp: 1, step: 2 },
      { key: 'a"b', value: 1, timestamp: 3, step: 4 },
    ])
    expect(page.nextPageToken).toBe('tok')
  })
})

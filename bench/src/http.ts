// HTTP client for the drivers: undici pools with keep-alive, JSON helpers and a closed-loop load
// runner that records per-request latency.
import { Pool } from 'undici'
import { nowMs, percentile } from './util.ts'

export class HttpError extends Error {
  readonly status: number
  readonly body: string
  constructor(status: number, body: string, what: string) {
    super(`${what} -> HTTP ${status}: ${body.slice(0, 300)}`)
    this.status = status
    this.body = body
  }
}

export interface Reply {
  status: number
  text: string
}

/** One keep-alive connection pool per server. */
export class Api {
  readonly pool: Pool
  readonly base: string
  constructor(base: string, connections = 64) {
    this.base = base
    this.pool = new Pool(base, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    })
  }

  /** When set (performance.now() ms), requests still running then are aborted. */
  deadline: number | undefined

  async raw(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: string,
  ): Promise<Reply> {
    const left = this.deadline === undefined ? undefined : this.deadline - performance.now()
    if (left !== undefined && left <= 0) throw new Error('deadline passed: time cap reached')
    const res = await this.pool.request({
      method,
      path,
      body,
      signal: left === undefined ? undefined : AbortSignal.timeout(Math.ceil(left)),
      headers: body !== undefined ? { 'content-type': 'application/json' } : undefined,
    })
    const text = await res.body.text()
    return { status: res.statusCode, text }
  }

  /** GET or POST a JSON RPC; throws HttpError on a non-200 answer. */
  async call<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    path: string,
    payload?: Record<string, unknown>,
  ): Promise<T> {
    let reply: Reply
    if (method === 'GET') {
      reply = await this.raw('GET', payload ? `${path}?${query(payload)}` : path)
    } else {
      reply = await this.raw('POST', path, JSON.stringify(payload ?? {}))
    }
    if (reply.status !== 200) throw new HttpError(reply.status, reply.text, `${method} ${path}`)
    return (reply.text ? JSON.parse(reply.text) : {}) as T
  }

  get<T = Record<string, unknown>>(path: string, payload?: Record<string, unknown>) {
    return this.call<T>('GET', path, payload)
  }

  post<T = Record<string, unknown>>(path: string, payload?: Record<string, unknown>) {
    return this.call<T>('POST', path, payload)
  }

  close(): Promise<void> {
    return this.pool.close()
  }
}

/** Query string; arrays become repeated keys (as MLflow's GET endpoints expect). */
export function query(payload: Record<string, unknown>): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined) continue
    const list = Array.isArray(value) ? value : [value]
    for (const v of list) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`)
  }
  return parts.join('&')
}

export interface LoadOptions {
  concurrency: number
  /** Stop after this many requests in total (timed ones, warm-up excluded). */
  maxRequests: number
  /** ... or after this many seconds, whichever comes first. */
  maxSeconds: number
  /** Untimed requests before timing starts, spread over the workers. */
  warmup?: number
  /** One request; `worker` is 0..concurrency-1, `i` the global index. Returns units done (default 1). */
  request: (i: number, worker: number) => Promise<number | undefined>
}

export interface LoadResult {
  latenciesMs: number[]
  requests: number
  units: number
  errors: number
  firstError?: string
  elapsedS: number
  truncated: boolean
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const warm = options.warmup ?? 0
  let next = 0
  // Warm-up gets at most a third of the time cap: a slow server would otherwise spend many
  // minutes (20 requests of 30 s) before timing starts.
  const warmUntil = nowMs() + (options.maxSeconds * 1000) / 3
  const warmWorkers = Array.from({ length: Math.min(options.concurrency, warm) }, async (_, w) => {
    while (next < warm && nowMs() < warmUntil) {
      const i = next++
      await options.request(-1 - i, w).catch(() => undefined)
    }
  })
  await Promise.all(warmWorkers)
  const latencies: number[] = []
  let units = 0
  let errors = 0
  let firstError: string | undefined
  let issued = 0
  const t0 = nowMs()
  const deadline = t0 + options.maxSeconds * 1000
  const workers = Array.from({ length: options.concurrency }, async (_, w) => {
    while (issued < options.maxRequests && nowMs() < deadline) {
      const i = issued++
      const start = nowMs()
      try {
        const done = await options.request(i, w)
        latencies.push(nowMs() - start)
        units += done ?? 1
      } catch (error) {
        errors++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  })
  await Promise.all(workers)
  const elapsedS = (nowMs() - t0) / 1000
  return {
    latenciesMs: latencies,
    requests: latencies.length,
    units,
    errors,
    firstError,
    elapsedS,
    truncated: issued < options.maxRequests,
  }
}

export function latencySummary(latencies: readonly number[]) {
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  }
}

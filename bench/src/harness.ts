// Types shared by the workloads and the runner, and the helper that turns a load run plus the
// server's /proc usage into one measurement.
import type { Answers, Comparator } from './compare.ts'
import type { Backend, DbCopy } from './db.ts'
import { type Api, HttpError, type LoadOptions, latencySummary, runLoad } from './http.ts'
import { UsageMeter } from './proc.ts'
import type { DatasetName, Scale } from './seed.ts'
import type { Paths, RunningServer, ServerKind } from './servers.ts'

export const E = '/api/2.0/mlflow'
export const AJAX = '/ajax-api/2.0/mlflow'

export type Who = ServerKind | 'floor'

export interface Measurement {
  workload: string
  variant: string
  server: Who
  unit: string
  throughput: number
  p50: number
  p95: number
  p99: number
  /** Server CPU seconds (process tree) during the timed window; PostgreSQL backends in dbCpu. */
  cpu: number
  dbCpu: number
  peakRssMb: number
  /** Peak RSS minus RSS at the start of the window. */
  rssGrowthMb: number
  requests: number
  errors: number
  elapsedS: number
  /** The number the ratios use, and its direction. */
  score: number
  higherIsBetter: boolean
  status: string
  note?: string
}

export interface Ctx {
  kind: ServerKind
  backend: Backend
  db: DbCopy
  server: RunningServer
  api: Api
  scale: Scale
  quick: boolean
  paths: Paths
  /** Pinning for servers and floor servers (taskset list) */
  serverCpus?: string
  log: (message: string) => void
}

export interface FloorCtx {
  backend: Backend
  /** A fresh copy of the workload's data set, for probes that read the same tables. */
  db: DbCopy
  scale: Scale
  quick: boolean
  paths: Paths
  serverCpus?: string
  log: (message: string) => void
}

export interface Workload {
  id: string
  title: string
  dataset: DatasetName | 'empty'
  /** Requests whose answers must agree between servers; run before timing. */
  check?: (ctx: Ctx) => Promise<Answers>
  comparators?: Record<string, Comparator>
  run: (ctx: Ctx) => Promise<Measurement[]>
  floor?: (ctx: FloorCtx) => Promise<Measurement[]>
  /** W6 starts its own servers. */
  ownServers?: (kind: ServerKind, shared: OwnServersCtx) => Promise<Measurement[]>
}

export interface OwnServersCtx {
  backend: Backend
  paths: Paths
  scale: Scale
  quick: boolean
  serverCpus?: string
  golden: (dataset: DatasetName) => string
  log: (message: string) => void
}

export function isEndpointMissing(error: unknown): boolean {
  return (
    error instanceof HttpError &&
    (error.status === 404 || error.status === 405) &&
    (error.body.includes('ENDPOINT_NOT_FOUND') || !error.body.trimStart().startsWith('{'))
  )
}

export interface MeasureSpec extends LoadOptions {
  workload: string
  variant: string
  unit: string
  /** Score = throughput (default), or p50 latency (lower is better). */
  score?: 'throughput' | 'p50'
  note?: string
}

export interface Target {
  kind: Who
  pid: number
  pgDatabase?: string
}

export const targetOf = (ctx: Ctx): Target => ({
  kind: ctx.kind,
  pid: ctx.server.pid,
  pgDatabase: ctx.db.pgDatabase,
})

/** Runs a load against a server while metering its processes. */
export async function measure(ctx: Ctx | Target, spec: MeasureSpec): Promise<Measurement> {
  const target = 'server' in ctx ? targetOf(ctx) : ctx
  const meter = new UsageMeter(target.pid, target.pgDatabase).start()
  const result = await runLoad(spec)
  const usage = meter.stop()
  const lat = latencySummary(result.latenciesMs)
  const throughput = result.elapsedS > 0 ? result.units / result.elapsedS : 0
  const scoreKind = spec.score ?? 'throughput'
  let status = 'ok'
  if (result.errors > 0)
    status = `errors: ${result.errors} (${result.firstError ?? ''})`.slice(0, 300)
  if (result.requests === 0) status = `failed: ${result.firstError ?? 'no request completed'}`
  const notes = [spec.note, result.truncated ? `time-capped at ${spec.maxSeconds}s` : undefined]
  return {
    workload: spec.workload,
    variant: spec.variant,
    server: target.kind,
    unit: spec.unit,
    throughput,
    ...lat,
    cpu: usage.serverCpu,
    dbCpu: usage.dbCpu,
    peakRssMb: usage.peakRssMb,
    rssGrowthMb: usage.peakRssMb - usage.startRssMb,
    requests: result.requests,
    errors: result.errors,
    elapsedS: result.elapsedS,
    score: scoreKind === 'p50' ? lat.p50 : throughput,
    higherIsBetter: scoreKind !== 'p50',
    status,
    note: notes.filter(Boolean).join('; ') || undefined,
  }
}

/** A measurement made outside a server (floors) or computed (cold start). */
export function synthetic(
  m: Partial<Measurement> &
    Pick<Measurement, 'workload' | 'variant' | 'server' | 'unit' | 'score' | 'higherIsBetter'>,
): Measurement {
  return {
    throughput: Number.NaN,
    p50: Number.NaN,
    p95: Number.NaN,
    p99: Number.NaN,
    cpu: Number.NaN,
    dbCpu: Number.NaN,
    peakRssMb: Number.NaN,
    rssGrowthMb: Number.NaN,
    requests: 0,
    errors: 0,
    elapsedS: Number.NaN,
    status: 'ok',
    ...m,
  }
}

/** Timing of a synchronous or async function, repeated; returns per-iteration ms. */
export async function timeIt(iterations: number, fn: () => unknown, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now()
    await fn()
    out.push(performance.now() - t0)
  }
  return out
}

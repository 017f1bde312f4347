import { MlflowError } from '@carnet/protocol'
import { decodePageToken, encodePageToken } from '../../search/page-token.ts'
import type { HistoryIntervalQuery, MetricInput, MetricPoint, Page } from '../tracking-store.ts'
import type { Executor, SqlContext } from './context.ts'
import type { LatestMetricsTable, MetricsTable } from './database.ts'
import { insertIgnoringDuplicates, upsertRows } from './upsert.ts'

// mlflow-compat: SQL stores keep infinities as the largest finite doubles and NaN as 0 + is_nan.
const MAX_DOUBLE = 1.7976931348623157e308

export function sanitizeValue(value: number): { value: number; isNan: boolean } {
  if (Number.isNaN(value)) return { value: 0, isNan: true }
  if (value === Number.POSITIVE_INFINITY) return { value: MAX_DOUBLE, isNan: false }
  if (value === Number.NEGATIVE_INFINITY) return { value: -MAX_DOUBLE, isNan: false }
  return { value, isNan: false }
}

const isAfterOrEqual = (a: LatestMetricsTable, b: LatestMetricsTable) =>
  a.step !== b.step
    ? a.step > b.step
    : (a.timestamp ?? 0) !== (b.timestamp ?? 0)
      ? (a.timestamp ?? 0) > (b.timestamp ?? 0)
      : a.value >= b.value

/**
 * Inserts metric points (exact duplicates are ignored by the primary key) and advances
 * latest_metrics with one upsert per key: the greatest (step, timestamp, value) wins.
 */
export async function insertMetrics(
  ctx: SqlContext,
  runId: string,
  experimentId: number,
  metrics: MetricInput[],
): Promise<void> {
  if (metrics.length === 0) return
  const rows: MetricsTable[] = []
  const seen = new Set<string>()
  for (const m of metrics) {
    const { value, isNan } = sanitizeValue(m.value)
    const id = `${m.key}\u0000${m.timestamp}\u0000${m.step}\u0000${value}\u0000${isNan}`
    if (seen.has(id)) continue
    seen.add(id)
    rows.push({
      key: m.key,
      value,
      timestamp: m.timestamp,
      step: m.step,
      run_uuid: runId,
      is_nan: ctx.dialect.bool(isNan),
    })
  }
  for (let i = 0; i < rows.length; i += 500) {
    await insertIgnoringDuplicates(ctx, 'metrics', rows.slice(i, i + 500))
  }
  await advanceLatest(ctx, runId, rows)
  await insertModelMetrics(ctx, runId, experimentId, metrics)
}

async function advanceLatest(ctx: SqlContext, runId: string, rows: MetricsTable[]): Promise<void> {
  const keys = [...new Set(rows.map((r) => r.key))]
  let query = ctx.db
    .selectFrom('latest_metrics')
    .selectAll()
    .where('run_uuid', '=', runId)
    .where('key', 'in', keys)
  if (ctx.dialect.name !== 'sqlite') query = query.forUpdate()
  const current = new Map((await query.execute()).map((r) => [r.key, r]))
  const changed = new Map<string, LatestMetricsTable>()
  for (const row of rows) {
    const candidate: LatestMetricsTable = {
      key: row.key,
      value: row.value,
      timestamp: row.timestamp,
      step: row.step,
      is_nan: row.is_nan,
      run_uuid: runId,
    }
    const best = changed.get(row.key) ?? current.get(row.key)
    if (!best || isAfterOrEqual(candidate, best)) changed.set(row.key, candidate)
  }
  await upsertRows(ctx, 'latest_metrics', [...changed.values()], {
    keys: ['key', 'run_uuid'],
    update: ['value', 'timestamp', 'step', 'is_nan'],
  })
}

/** Metrics logged with a model id also go to that logged model's metrics (MLflow 3). */
async function insertModelMetrics(
  ctx: SqlContext,
  runId: string,
  experimentId: number,
  metrics: MetricInput[],
): Promise<void> {
  const linked = metrics.filter((m) => m.model_id)
  if (linked.length === 0) return
  const rows = linked.map((m) => ({
    model_id: m.model_id!,
    metric_name: m.key,
    metric_timestamp_ms: m.timestamp,
    metric_step: m.step,
    metric_value: sanitizeValue(m.value).value,
    experiment_id: experimentId,
    run_id: runId,
    dataset_uuid: null,
    dataset_name: m.dataset_name || null,
    dataset_digest: m.dataset_digest || null,
  }))
  await upsertRows(ctx, 'logged_model_metrics', rows, {
    keys: ['model_id', 'metric_name', 'metric_timestamp_ms', 'metric_step', 'run_id'],
    update: ['metric_value'],
  })
}

const toPoint = (row: {
  key: string
  value: number
  timestamp: number
  step: number
  is_nan: boolean | number
}): MetricPoint => ({
  key: row.key,
  value: row.is_nan ? 'NaN' : row.value,
  timestamp: row.timestamp,
  step: row.step,
})

export async function getMetricHistory(
  db: Executor,
  runId: string,
  key: string,
  maxResults: number | undefined,
  pageToken: string | undefined,
): Promise<Page<MetricPoint>> {
  // mlflow-compat: an unknown run has an empty history (200 {}), not an error.
  const offset = decodePageToken(pageToken)
  let query = db
    .selectFrom('metrics')
    .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
    .where('run_uuid', '=', runId)
    .where('key', '=', key)
    .orderBy('timestamp')
    .orderBy('step')
    .orderBy('value')
  if (maxResults !== undefined && maxResults > 0) query = query.limit(maxResults + 1).offset(offset)
  else if (offset > 0) query = query.limit(Number.MAX_SAFE_INTEGER).offset(offset)
  const rows = await query.execute()
  const hasMore = maxResults !== undefined && maxResults > 0 && rows.length > maxResults
  const items = (hasMore ? rows.slice(0, maxResults) : rows).map(toPoint)
  return { items, nextPageToken: hasMore ? encodePageToken(offset + maxResults!) : undefined }
}

/**
 * Sampled history for charts, per run in request order. A run with more distinct steps than
 * `maxResults` keeps its first and last points and, in evenly cut step buckets, each bucket's lowest
 * and highest value: at most `maxResults` points, and spikes survive down-sampling.
 */
export async function getMetricHistoryBulkInterval(
  db: Executor,
  query: HistoryIntervalQuery,
): Promise<MetricPoint[]> {
  const runIds = [...new Set(query.runIds)]
  if (runIds.length === 0) return []
  let select = db
    .selectFrom('metrics')
    .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
    .where('run_uuid', 'in', runIds)
    .where('key', '=', query.metricKey)
  if (query.startStep !== undefined) select = select.where('step', '>=', query.startStep)
  if (query.endStep !== undefined) select = select.where('step', '<=', query.endStep)
  const rows = await select.orderBy('run_uuid').orderBy('step').orderBy('timestamp').execute()
  const byRun = new Map<string, Row[]>()
  for (const row of rows) {
    const list = byRun.get(row.run_uuid)
    if (list) list.push(row)
    else byRun.set(row.run_uuid, [row])
  }
  const out: MetricPoint[] = []
  for (const runId of runIds) {
    for (const row of sampleRun(byRun.get(runId) ?? [], query.maxResults)) {
      out.push({ ...toPoint(row), run_id: row.run_uuid })
    }
  }
  return out
}

type Row = MetricsTable

const roundHalfEven = (x: number) => {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff !== 0.5) return Math.round(x)
  return floor % 2 === 0 ? floor : floor + 1
}

function sampleRun(rows: Row[], maxResults: number): Row[] {
  let distinct = 0
  for (let i = 0; i < rows.length; i++)
    if (i === 0 || rows[i]!.step !== rows[i - 1]!.step) distinct++
  if (distinct <= maxResults) return rows
  const keep = new Set<Row>([rows[0]!, rows[rows.length - 1]!])
  const budget = maxResults - 2
  if (budget % 2 === 1) {
    // An odd budget also keeps the middle step, as MLflow's evenly spaced sample would.
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

export function checkIntervalQuery(query: HistoryIntervalQuery): void {
  if (query.runIds.length > 100) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${query.runIds.length} run_ids.`,
    )
  }
}

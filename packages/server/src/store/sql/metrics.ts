import { type RawBuilder, sql } from 'kysely'
import type { MetricInput } from '../tracking-store.ts'
import type { SqlContext } from './context.ts'
import { PREPARED } from './dialects/postgres.ts'
import { assertActiveRun } from './runs.ts'
import { insertIgnoringDuplicates, upsertRows } from './upsert.ts'

// mlflow-compat: SQL stores keep infinities as the largest finite doubles and NaN as 0 + is_nan.
const MAX_DOUBLE = 1.7976931348623157e308

export function sanitizeValue(value: number): { value: number; isNan: boolean } {
  if (Number.isNaN(value)) return { value: 0, isNan: true }
  if (value === Number.POSITIVE_INFINITY) return { value: MAX_DOUBLE, isNan: false }
  if (value === Number.NEGATIVE_INFINITY) return { value: -MAX_DOUBLE, isNan: false }
  return { value, isNan: false }
}

/** A metric point as stored: value sanitized, NaN as 0 + isNan. */
interface Point {
  key: string
  value: number
  timestamp: number
  step: number
  isNan: boolean
}

// mlflow-compat: a point replaces the latest one only when strictly greater by (step, timestamp,
// value), so among equal points the first logged stays (NaN, stored as 0, ties with a real 0).
const isNewer = (a: Point, b: Point) =>
  a.step !== b.step
    ? a.step > b.step
    : a.timestamp !== b.timestamp
      ? a.timestamp > b.timestamp
      : a.value > b.value

/**
 * The batch's points and, per key, the candidate for latest_metrics, sorted by key so concurrent
 * upserts lock rows in the same order. Repeated points need no filtering here: every insert below
 * ignores rows whose primary key exists, including earlier rows of the same statement.
 */
function preparePoints(metrics: MetricInput[]): { points: Point[]; latest: Point[] } {
  const points: Point[] = []
  const best = new Map<string, Point>()
  for (const m of metrics) {
    const { value, isNan } = sanitizeValue(m.value)
    const point: Point = { key: m.key, value, timestamp: m.timestamp, step: m.step, isNan }
    points.push(point)
    const current = best.get(m.key)
    if (!current || isNewer(point, current)) best.set(m.key, point)
  }
  const latest = [...best.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return { points, latest }
}

/**
 * Logs metrics to a run in ONE statement, outside any transaction (PostgreSQL): the run check, the
 * points (repeats ignored) and the conditional latest_metrics upsert are data-modifying CTEs, so the
 * request costs one round trip and one commit, and lands whole or not at all. A missing or deleted
 * run writes nothing and answers as MLflow does. Its text is the same for any batch size (arrays
 * are single parameters), so each connection prepares it once.
 */
export async function logMetricsInOneStatement(
  ctx: SqlContext,
  runId: string,
  metrics: MetricInput[],
): Promise<void> {
  const { points, latest } = preparePoints(metrics)
  const active = sql`EXISTS (SELECT 1 FROM run WHERE lifecycle_stage = 'active')`
  const result = await sql<{ lifecycle_stage: string | null }>`${sql.raw(PREPARED)}
    WITH run AS (SELECT lifecycle_stage FROM runs WHERE run_uuid = ${runId}),
    points AS (${postgresInsertPoints(runId, points, active)}),
    latest AS (${postgresUpsertLatest(runId, latest, active)})
    SELECT lifecycle_stage FROM run`.execute(ctx.db)
  assertActiveRun(runId, result.rows[0])
}

/**
 * Inserts metric points (exact duplicates are ignored by the primary key) and advances
 * latest_metrics with one conditional upsert, no read first: a stored row changes only for a newer
 * point, decided by the database under its row lock, so concurrent writers cannot regress it.
 * Runs inside the caller's transaction, after the run was checked.
 */
export async function insertMetrics(
  ctx: SqlContext,
  runId: string,
  experimentId: number,
  metrics: MetricInput[],
): Promise<void> {
  if (metrics.length === 0) return
  const { points, latest } = preparePoints(metrics)
  switch (ctx.dialect.name) {
    case 'sqlite':
      await sqliteInsertPoints(runId, points).execute(ctx.db)
      await sqliteUpsertLatest(runId, latest).execute(ctx.db)
      break
    case 'postgres':
      await postgresInsertPoints(runId, points).execute(ctx.db)
      await postgresUpsertLatest(runId, latest).execute(ctx.db)
      break
    case 'mysql':
      await mysqlInsertPoints(ctx, runId, points)
      await mysqlUpsertLatest(ctx, runId, latest)
      break
  }
  await insertModelMetrics(ctx, runId, experimentId, metrics)
}

// SQLite: the rows travel as one JSON array, so the statement text is the same for any batch size
// (prepared once, then cached) and each row costs no more than a prepared single-row insert.
// SQLite's JSON reader parses doubles exactly (metrics.test.ts checks the round trip).
const sqliteRows = (points: Point[]) =>
  JSON.stringify(points.map((p) => [p.key, p.value, p.timestamp, p.step, p.isNan ? 1 : 0]))

const sqliteInsertPoints = (runId: string, points: Point[]) => sql`
  INSERT OR IGNORE INTO metrics ("key", value, timestamp, step, is_nan, run_uuid)
  SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, ${runId}
  FROM json_each(${sqliteRows(points)}) AS j`

// `WHERE true` lets SQLite parse the ON CONFLICT clause after INSERT … SELECT.
const sqliteUpsertLatest = (runId: string, latest: Point[]) => sql`
  INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid)
  SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, ${runId}
  FROM json_each(${sqliteRows(latest)}) AS j WHERE true
  ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value,
    timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
  WHERE (excluded.step, excluded.timestamp, excluded.value)
    > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`

// PostgreSQL: one array parameter per column, unnested, whatever the batch size.
const postgresRows = (points: Point[]) => sql`unnest(
    ${points.map((p) => p.key)}::text[], ${points.map((p) => p.value)}::float8[],
    ${points.map((p) => p.timestamp)}::bigint[], ${points.map((p) => p.step)}::bigint[],
    ${points.map((p) => p.isNan)}::boolean[]
  ) AS p("key", value, timestamp, step, is_nan)`

// INSERT INTO <table> … SELECT the points of one run, when the guard holds.
const postgresInsertSelect = (
  table: 'metrics' | 'latest_metrics',
  runId: string,
  points: Point[],
  guard: RawBuilder<unknown>,
) => sql`
  INSERT INTO ${sql.table(table)} ("key", value, timestamp, step, is_nan, run_uuid)
  SELECT p."key", p.value, p.timestamp, p.step, p.is_nan, ${runId} FROM ${postgresRows(points)}
  WHERE ${guard}`

const postgresInsertPoints = (
  runId: string,
  points: Point[],
  guard: RawBuilder<unknown> = sql`true`,
) => sql`${postgresInsertSelect('metrics', runId, points, guard)}
  ON CONFLICT DO NOTHING`

const postgresUpsertLatest = (
  runId: string,
  latest: Point[],
  guard: RawBuilder<unknown> = sql`true`,
) => sql`${postgresInsertSelect('latest_metrics', runId, latest, guard)}
  ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value,
    timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
  WHERE (excluded.step, excluded.timestamp, excluded.value)
    > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`

const mysqlRows = (runId: string, points: Point[]) =>
  points.map((p) => ({
    key: p.key,
    value: p.value,
    timestamp: p.timestamp,
    step: p.step,
    is_nan: p.isNan ? 1 : 0,
    run_uuid: runId,
  }))

// MySQL: multi-row VALUES (a 1,000-metric batch is one statement).
async function mysqlInsertPoints(ctx: SqlContext, runId: string, points: Point[]): Promise<void> {
  const rows = mysqlRows(runId, points)
  for (let i = 0; i < rows.length; i += 1000) {
    await insertIgnoringDuplicates(ctx, 'metrics', rows.slice(i, i + 1000))
  }
}

/**
 * ON DUPLICATE KEY UPDATE may assign left to right, each assignment seeing the ones before it, so
 * the order and conditions are chosen to be right either way: is_nan and value first, on the full
 * comparison of the stored row; then timestamp, which must change exactly when (step, timestamp)
 * grows (equal ones make it a no-op); then step, when it grows.
 */
async function mysqlUpsertLatest(ctx: SqlContext, runId: string, latest: Point[]): Promise<void> {
  const newer = sql`(VALUES(step), VALUES(\`timestamp\`), VALUES(\`value\`)) > (step, \`timestamp\`, \`value\`)`
  await ctx.db
    .insertInto('latest_metrics')
    .values(mysqlRows(runId, latest))
    .onDuplicateKeyUpdate({
      is_nan: sql`IF(${newer}, VALUES(is_nan), is_nan)`,
      value: sql`IF(${newer}, VALUES(\`value\`), \`value\`)`,
      timestamp: sql`IF((VALUES(step), VALUES(\`timestamp\`)) > (step, \`timestamp\`), VALUES(\`timestamp\`), \`timestamp\`)`,
      step: sql`IF(VALUES(step) > step, VALUES(step), step)`,
    })
    .execute()
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
  // One row per primary key (the last one wins): an upsert may not touch a row twice.
  const byKey = new Map<string, MetricInput>()
  for (const m of linked)
    byKey.set(`${m.model_id}\u0000${m.key}\u0000${m.timestamp}\u0000${m.step}`, m)
  const rows = [...byKey.values()].map((m) => ({
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

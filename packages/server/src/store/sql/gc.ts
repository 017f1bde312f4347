import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, sql } from 'kysely'
import type { Executor } from './context.ts'

/**
 * Permanent deletion (`carnet gc`) of runs, logged models and experiments in the deleted
 * lifecycle. Every dependent table of MLflow's schema is cleared explicitly, children before
 * parents, so no foreign key (with or without ON DELETE CASCADE, enforced or not) can fail or
 * leave orphans; callers run each purge in one transaction. Ids are collected first and deleted in
 * chunks, because MySQL refuses a DELETE whose subquery reads the same table.
 */

const CHUNK = 500

type Value = string | number

async function run(db: Executor, query: RawBuilder<unknown>): Promise<void> {
  await query.execute(db)
}

function inList(values: readonly Value[]): RawBuilder<unknown> {
  return sql.join(values.map((value) => sql`${value}`))
}

/** `DELETE FROM table WHERE column IN (…)`, in chunks. */
async function deleteIn(db: Executor, table: string, column: string, values: readonly Value[]) {
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK)
    await run(
      db,
      sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(column)} IN (${inList(chunk)})`,
    )
  }
}

async function selectColumn(
  db: Executor,
  query: RawBuilder<Record<string, Value>>,
): Promise<Value[]> {
  const { rows } = await query.execute(db)
  return rows.map((row) => Object.values(row)[0]!)
}

async function selectIn(
  db: Executor,
  column: string,
  table: string,
  where: string,
  values: readonly Value[],
): Promise<Value[]> {
  const out: Value[] = []
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK)
    out.push(
      ...(await selectColumn(
        db,
        sql<
          Record<string, Value>
        >`SELECT ${sql.ref(column)} FROM ${sql.table(table)} WHERE ${sql.ref(where)} IN (${inList(chunk)})`,
      )),
    )
  }
  return out
}

/** The dataset, model-input and model-output edges of some runs, with their tags. */
async function deleteRunInputs(db: Executor, runIds: readonly string[]): Promise<void> {
  for (let i = 0; i < runIds.length; i += CHUNK) {
    const chunk = inList(runIds.slice(i, i + CHUNK))
    const inputs = await selectColumn(
      db,
      sql<Record<string, Value>>`SELECT input_uuid FROM inputs
        WHERE (destination_type = 'RUN' AND destination_id IN (${chunk}))
           OR (source_type IN ('RUN_INPUT', 'RUN_OUTPUT') AND source_id IN (${chunk}))`,
    )
    await deleteIn(db, 'input_tags', 'input_uuid', inputs)
    await deleteIn(db, 'inputs', 'input_uuid', inputs)
  }
}

async function deleteAssociations(
  db: Executor,
  type: string,
  ids: readonly Value[],
): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = inList(ids.slice(i, i + CHUNK))
    await run(
      db,
      sql`DELETE FROM entity_associations
        WHERE (source_type = ${type} AND source_id IN (${chunk}))
           OR (destination_type = ${type} AND destination_id IN (${chunk}))`,
    )
  }
}

/** Everything that belongs to some runs, then the runs. */
async function purgeRuns(db: Executor, runIds: readonly string[]): Promise<void> {
  if (runIds.length === 0) return
  await deleteRunInputs(db, runIds)
  for (const table of ['metrics', 'latest_metrics', 'params', 'tags']) {
    await deleteIn(db, table, 'run_uuid', runIds)
  }
  await deleteIn(db, 'logged_model_metrics', 'run_id', runIds)
  for (let i = 0; i < runIds.length; i += CHUNK) {
    const chunk = inList(runIds.slice(i, i + CHUNK))
    // issues.source_run_id is ON DELETE SET NULL.
    await run(db, sql`UPDATE issues SET source_run_id = NULL WHERE source_run_id IN (${chunk})`)
  }
  await deleteAssociations(db, 'run', runIds)
  await deleteIn(db, 'runs', 'run_uuid', runIds)
}

/** Permanently deletes one run and its rows (metrics, params, tags, inputs, model metrics). */
export async function purgeRun(db: Executor, runId: string): Promise<void> {
  await purgeRuns(db, [runId])
}

async function purgeLoggedModels(db: Executor, modelIds: readonly string[]): Promise<void> {
  if (modelIds.length === 0) return
  for (const table of ['logged_model_metrics', 'logged_model_params', 'logged_model_tags']) {
    await deleteIn(db, table, 'model_id', modelIds)
  }
  for (let i = 0; i < modelIds.length; i += CHUNK) {
    const chunk = inList(modelIds.slice(i, i + CHUNK))
    const inputs = await selectColumn(
      db,
      sql<Record<string, Value>>`SELECT input_uuid FROM inputs
        WHERE destination_type IN ('MODEL_INPUT', 'MODEL_OUTPUT') AND destination_id IN (${chunk})`,
    )
    await deleteIn(db, 'input_tags', 'input_uuid', inputs)
    await deleteIn(db, 'inputs', 'input_uuid', inputs)
  }
  await deleteAssociations(db, 'model', modelIds)
  await deleteIn(db, 'logged_models', 'model_id', modelIds)
}

/** Permanently deletes one logged model and its params, tags, metrics and input edges. */
export async function purgeLoggedModel(db: Executor, modelId: string): Promise<void> {
  await purgeLoggedModels(db, [modelId])
}

/**
 * Permanently deletes an experiment with everything in it: its runs (whatever their stage),
 * traces with spans, assessments and metrics, logged models, datasets, scorers, issues, label
 * schemas, review queues, rollups, associations and tags. Gateway endpoints that pointed at it
 * keep existing without it (ON DELETE SET NULL). Refused when a gateway guardrail still uses one of
 * its scorers, as deleting somebody's guardrail is not garbage collection.
 */
export async function purgeExperiment(db: Executor, experimentId: number): Promise<void> {
  const id = experimentId
  const scorers = await selectColumn(
    db,
    sql<Record<string, Value>>`SELECT scorer_id FROM scorers WHERE experiment_id = ${id}`,
  )
  const guarded = await selectIn(db, 'guardrail_id', 'guardrails', 'scorer_id', scorers)
  if (guarded.length > 0) {
    throw new MlflowError(
      'INVALID_STATE',
      `Experiment ${id} cannot be purged: gateway guardrails (${guarded.join(', ')}) use its scorers`,
    )
  }

  const runIds = (await selectColumn(
    db,
    sql<Record<string, Value>>`SELECT run_uuid FROM runs WHERE experiment_id = ${id}`,
  )) as string[]
  await purgeRuns(db, runIds)

  const traces = await selectColumn(
    db,
    sql<Record<string, Value>>`SELECT request_id FROM trace_info WHERE experiment_id = ${id}`,
  )
  await deleteIn(db, 'span_metrics', 'trace_id', traces)
  await deleteIn(db, 'spans', 'trace_id', traces)
  await run(db, sql`DELETE FROM spans WHERE experiment_id = ${id}`)
  await deleteIn(db, 'assessments', 'trace_id', traces)
  for (const table of ['trace_metrics', 'trace_tags', 'trace_request_metadata']) {
    await deleteIn(db, table, 'request_id', traces)
  }
  await deleteAssociations(db, 'trace', traces)
  await run(db, sql`DELETE FROM trace_info WHERE experiment_id = ${id}`)

  const models = (await selectColumn(
    db,
    sql<Record<string, Value>>`SELECT model_id FROM logged_models WHERE experiment_id = ${id}`,
  )) as string[]
  await purgeLoggedModels(db, models)
  for (const table of ['logged_model_metrics', 'logged_model_params', 'logged_model_tags']) {
    await run(db, sql`DELETE FROM ${sql.table(table)} WHERE experiment_id = ${id}`)
  }

  const datasets = await selectColumn(
    db,
    sql<Record<string, Value>>`SELECT dataset_uuid FROM datasets WHERE experiment_id = ${id}`,
  )
  for (let i = 0; i < datasets.length; i += CHUNK) {
    const chunk = inList(datasets.slice(i, i + CHUNK))
    const inputs = await selectColumn(
      db,
      sql<Record<string, Value>>`SELECT input_uuid FROM inputs
        WHERE source_type = 'DATASET' AND source_id IN (${chunk})`,
    )
    await deleteIn(db, 'input_tags', 'input_uuid', inputs)
    await deleteIn(db, 'inputs', 'input_uuid', inputs)
  }
  await run(db, sql`DELETE FROM datasets WHERE experiment_id = ${id}`)

  await deleteIn(db, 'online_scoring_configs', 'scorer_id', scorers)
  await run(db, sql`DELETE FROM online_scoring_configs WHERE experiment_id = ${id}`)
  await deleteIn(db, 'scorer_versions', 'scorer_id', scorers)
  await run(db, sql`DELETE FROM scorers WHERE experiment_id = ${id}`)

  await run(db, sql`DELETE FROM issues WHERE experiment_id = ${id}`)
  const queues = await selectColumn(
    db,
    sql<Record<string, Value>>`SELECT queue_id FROM review_queues WHERE experiment_id = ${id}`,
  )
  for (const table of ['review_queue_users', 'review_queue_items', 'review_queue_label_schemas']) {
    await deleteIn(db, table, 'queue_id', queues)
  }
  await run(db, sql`DELETE FROM review_queues WHERE experiment_id = ${id}`)
  await run(db, sql`DELETE FROM label_schemas WHERE experiment_id = ${id}`)
  await run(db, sql`UPDATE endpoints SET experiment_id = NULL WHERE experiment_id = ${id}`)
  // Rollups have no foreign key; SQLite may hand the id to a new experiment (MLflow clears them too).
  for (const table of [
    'sql_trace_metric_daily_rollups',
    'sql_span_cost_daily_rollups',
    'sql_assessment_daily_rollups',
    'sql_trace_rollup_rebuild_queue',
  ]) {
    await run(db, sql`DELETE FROM ${sql.table(table)} WHERE experiment_id = ${id}`)
  }
  await deleteAssociations(db, 'experiment', [String(id)])
  await run(db, sql`DELETE FROM experiment_tags WHERE experiment_id = ${id}`)
  await run(db, sql`DELETE FROM experiments WHERE experiment_id = ${id}`)
}

export interface GcRunRow {
  run_uuid: string
  experiment_id: number | null
  lifecycle_stage: string | null
  deleted_time: number | null
  artifact_uri: string | null
}

export async function findRuns(db: Executor, runIds: readonly string[]): Promise<GcRunRow[]> {
  const out: GcRunRow[] = []
  for (let i = 0; i < runIds.length; i += CHUNK) {
    const { rows } = await sql<GcRunRow>`
      SELECT run_uuid, experiment_id, lifecycle_stage, deleted_time, artifact_uri FROM runs
      WHERE run_uuid IN (${inList(runIds.slice(i, i + CHUNK))})`.execute(db)
    out.push(...rows)
  }
  return out
}

/** Runs deleted at least `olderThanMs` ago (MLflow's `_get_deleted_runs`). */
export async function deletedRunIds(
  db: Executor,
  olderThanMs: number,
  now: number,
): Promise<string[]> {
  const { rows } = await sql<{ run_uuid: string }>`
    SELECT run_uuid FROM runs
    WHERE lifecycle_stage = 'deleted' AND deleted_time <= ${now - olderThanMs}`.execute(db)
  return rows.map((row) => row.run_uuid)
}

export async function runsOfExperiments(
  db: Executor,
  experimentIds: readonly number[],
): Promise<string[]> {
  return (await selectIn(db, 'run_uuid', 'runs', 'experiment_id', experimentIds)) as string[]
}

export interface GcExperimentRow {
  experiment_id: number
  lifecycle_stage: string | null
  last_update_time: number | null
  artifact_location: string | null
}

export async function findExperiments(
  db: Executor,
  experimentIds: readonly number[],
): Promise<GcExperimentRow[]> {
  const out: GcExperimentRow[] = []
  for (let i = 0; i < experimentIds.length; i += CHUNK) {
    const { rows } = await sql<GcExperimentRow>`
      SELECT experiment_id, lifecycle_stage, last_update_time, artifact_location FROM experiments
      WHERE experiment_id IN (${inList(experimentIds.slice(i, i + CHUNK))})`.execute(db)
    out.push(...rows.map((row) => ({ ...row, experiment_id: Number(row.experiment_id) })))
  }
  return out
}

/** Deleted experiments, optionally only those last updated before `before` (ms). */
export async function deletedExperiments(
  db: Executor,
  before: number | undefined,
): Promise<GcExperimentRow[]> {
  const { rows } = await sql<GcExperimentRow>`
    SELECT experiment_id, lifecycle_stage, last_update_time, artifact_location FROM experiments
    WHERE lifecycle_stage = 'deleted'
    ${before === undefined ? sql`` : sql`AND last_update_time < ${before}`}
    ORDER BY experiment_id`.execute(db)
  return rows.map((row) => ({ ...row, experiment_id: Number(row.experiment_id) }))
}

export interface GcModelRow {
  model_id: string
  experiment_id: number
  lifecycle_stage: string | null
  last_updated_timestamp_ms: number
  artifact_location: string
}

export async function loggedModelsOf(
  db: Executor,
  where: {
    experimentIds?: readonly number[]
    modelIds?: readonly string[]
    deletedBefore?: number
  },
): Promise<GcModelRow[]> {
  const select = sql`SELECT model_id, experiment_id, lifecycle_stage, last_updated_timestamp_ms, artifact_location FROM logged_models`
  const out: GcModelRow[] = []
  if (where.deletedBefore !== undefined) {
    const { rows } = await sql<GcModelRow>`${select}
      WHERE lifecycle_stage = 'deleted' AND last_updated_timestamp_ms <= ${where.deletedBefore}`.execute(
      db,
    )
    out.push(...rows)
  }
  for (const [column, values] of [
    ['experiment_id', where.experimentIds ?? []],
    ['model_id', where.modelIds ?? []],
  ] as const) {
    for (let i = 0; i < values.length; i += CHUNK) {
      const { rows } = await sql<GcModelRow>`${select}
        WHERE ${sql.ref(column)} IN (${inList(values.slice(i, i + CHUNK))})`.execute(db)
      out.push(...rows)
    }
  }
  return out.map((row) => ({ ...row, experiment_id: Number(row.experiment_id) }))
}

/** Trace artifact locations (`mlflow.artifactLocation` tags) of an experiment's traces. */
export async function traceArtifactLocations(
  db: Executor,
  experimentId: number,
): Promise<string[]> {
  const { rows } = await sql<{ value: string | null }>`
    SELECT t.value FROM trace_tags t JOIN trace_info i ON t.request_id = i.request_id
    WHERE i.experiment_id = ${experimentId} AND ${sql.ref('t.key')} = 'mlflow.artifactLocation'`.execute(
    db,
  )
  return rows.map((row) => row.value ?? '').filter((value) => value !== '')
}

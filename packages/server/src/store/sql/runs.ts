import { randomUUID } from 'node:crypto'
import type { KeyValue, Run, RunInfo, RunStatus } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { generateRunName } from '../run-names.ts'
import type { CreateRunInput, UpdateRunInput } from '../tracking-store.ts'
import { assertFound, type Executor, nowMs, type SqlContext } from './context.ts'
import type { RunsTable } from './database.ts'
import { appendToUri, getActiveExperimentRow } from './experiments.ts'
import { hydrateRuns } from './hydrate-runs.ts'
import { upsertTags } from './params-tags.ts'

export type RunRow = RunsTable
export const RUN_NAME_TAG = 'mlflow.runName'

export async function createRun(ctx: SqlContext, input: CreateRunInput): Promise<Run> {
  const experiment = await getActiveExperimentRow(ctx.db, input.experimentId)
  const nameTag = input.tags.findLast((t) => t.key === RUN_NAME_TAG)?.value
  if (input.runName && nameTag !== undefined && nameTag !== input.runName) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${nameTag}').`,
    )
  }
  const runName = input.runName || nameTag || generateRunName()
  const runId = randomUUID().replaceAll('-', '')
  const row: RunRow = {
    run_uuid: runId,
    name: runName,
    source_type: 'UNKNOWN',
    source_name: '',
    entry_point_name: '',
    // mlflow-compat: MLflow stores '' (its reader rejects NULL user ids)
    user_id: input.userId ?? '',
    status: 'RUNNING',
    start_time: input.startTime ?? nowMs(),
    end_time: null,
    source_version: '',
    lifecycle_stage: 'active',
    artifact_uri: appendToUri(experiment.artifact_location ?? '', runId, 'artifacts'),
    experiment_id: experiment.experiment_id,
    deleted_time: null,
  }
  await ctx.db.insertInto('runs').values(row).execute()
  const tags = input.tags.filter((t) => t.key !== RUN_NAME_TAG)
  tags.push({ key: RUN_NAME_TAG, value: runName })
  await upsertTags(ctx, runId, tags)
  const [run] = await hydrateRuns(ctx.db, [row], { modelInputs: true })
  return run!
}

export async function findRunRow(db: Executor, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst()
}

// mlflow-compat
const runNotFound = (runId: string) => `Run with id=${runId} not found`

export async function getRunRow(db: Executor, runId: string): Promise<RunRow> {
  return assertFound(await findRunRow(db, runId), runNotFound(runId))
}

/** The run, which must be active: MLflow refuses every write to a deleted run. */
export async function getActiveRunRow(db: Executor, runId: string): Promise<RunRow> {
  const row = await findRunRow(db, runId)
  assertActiveRun(runId, row)
  return row
}

/** MLflow's answers for a write to a run that is missing (404) or not active (400). */
export function assertActiveRun<T extends { lifecycle_stage: string | null }>(
  runId: string,
  row: T | undefined,
): asserts row is T {
  if (!row) throw MlflowError.notFound(runNotFound(runId))
  if (row.lifecycle_stage !== 'active') {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    )
  }
}

export async function getRun(db: Executor, runId: string): Promise<Run> {
  const row = await getRunRow(db, runId)
  const [run] = await hydrateRuns(db, [row], { modelInputs: true })
  return run!
}

export async function updateRun(ctx: SqlContext, input: UpdateRunInput): Promise<RunInfo> {
  const row = await getActiveRunRow(ctx.db, input.runId)
  const changes: Partial<RunRow> = {}
  if (input.status !== undefined) changes.status = input.status
  if (input.endTime !== undefined) changes.end_time = input.endTime
  if (input.runName) changes.name = input.runName
  if (Object.keys(changes).length > 0) {
    await ctx.db.updateTable('runs').set(changes).where('run_uuid', '=', input.runId).execute()
  }
  if (input.runName)
    await upsertTags(ctx, input.runId, [{ key: RUN_NAME_TAG, value: input.runName }])
  return toRunInfo({ ...row, ...changes })
}

export async function setRunLifecycle(
  ctx: SqlContext,
  runId: string,
  stage: 'active' | 'deleted',
): Promise<void> {
  await getRunRow(ctx.db, runId)
  await ctx.db
    .updateTable('runs')
    .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? nowMs() : null })
    .where('run_uuid', '=', runId)
    .execute()
}

export function toRunInfo(row: RunRow): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name ?? '',
    experiment_id: String(row.experiment_id ?? ''),
    user_id: row.user_id ?? '',
    status: (row.status ?? 'RUNNING') as RunStatus,
    start_time: row.start_time ?? 0,
    lifecycle_stage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  }
  if (row.end_time !== null && row.end_time !== undefined) info.end_time = row.end_time
  if (row.artifact_uri) info.artifact_uri = row.artifact_uri
  return info
}

export type { KeyValue }

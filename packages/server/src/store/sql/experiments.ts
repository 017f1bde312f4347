import type { Experiment, KeyValue, ViewType } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { type Selectable, sql } from 'kysely'
import { parseExperimentId } from '../validation.ts'
import { assertFound, type Executor, nowMs, type SqlContext } from './context.ts'
import type { ExperimentsTable } from './database.ts'

export type ExperimentRow = Selectable<ExperimentsTable>

export const DEFAULT_EXPERIMENT_ID = '0'

export function lifecycleStages(viewType: ViewType): string[] {
  if (viewType === 'ACTIVE_ONLY') return ['active']
  if (viewType === 'DELETED_ONLY') return ['deleted']
  return ['active', 'deleted']
}

/** Joins an artifact root and a child the way MLflow does for URIs and plain paths. */
export function appendToUri(root: string, ...parts: string[]): string {
  const [base, query = ''] = root.split(/(?=[?#])/, 2)
  const trimmed = base!.endsWith('/') ? base!.slice(0, -1) : base!
  return `${trimmed}/${parts.join('/')}${query}`
}

export async function insertExperiment(
  ctx: SqlContext,
  input: { name: string; artifactLocation: string | undefined; tags: KeyValue[]; id?: number },
): Promise<string> {
  const now = nowMs()
  const row = {
    name: input.name,
    artifact_location: input.artifactLocation || null,
    lifecycle_stage: 'active',
    creation_time: now,
    last_update_time: now,
    ...(input.id === undefined ? {} : { experiment_id: input.id }),
  }
  let id: number
  if (ctx.dialect.name === 'postgres') {
    const inserted = await ctx.db
      .insertInto('experiments')
      .values(row)
      .returning('experiment_id')
      .executeTakeFirstOrThrow()
    id = inserted.experiment_id
  } else {
    const result = await ctx.db.insertInto('experiments').values(row).executeTakeFirstOrThrow()
    id = input.id ?? Number(result.insertId)
  }
  if (!input.artifactLocation) {
    await ctx.db
      .updateTable('experiments')
      .set({ artifact_location: appendToUri(ctx.defaultArtifactRoot, String(id)) })
      .where('experiment_id', '=', id)
      .execute()
  }
  if (input.tags.length > 0) {
    await ctx.db
      .insertInto('experiment_tags')
      .values(input.tags.map((t) => ({ key: t.key, value: t.value, experiment_id: id })))
      .execute()
  }
  return String(id)
}

export async function findExperimentRow(
  db: Executor,
  experimentId: string,
): Promise<ExperimentRow | undefined> {
  const id = parseExperimentId(experimentId)
  return db.selectFrom('experiments').selectAll().where('experiment_id', '=', id).executeTakeFirst()
}

export async function getExperimentRow(db: Executor, experimentId: string): Promise<ExperimentRow> {
  // mlflow-compat
  return assertFound(
    await findExperimentRow(db, experimentId),
    `No Experiment with id=${experimentId} exists`,
  )
}

/** Fails unless the experiment exists and is active (for writes that need a live experiment). */
export async function getActiveExperimentRow(
  db: Executor,
  experimentId: string,
): Promise<ExperimentRow> {
  const row = await getExperimentRow(db, experimentId)
  if (row.lifecycle_stage !== 'active') {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    )
  }
  return row
}

export async function hydrateExperiments(
  db: Executor,
  rows: ExperimentRow[],
): Promise<Experiment[]> {
  if (rows.length === 0) return []
  const tags = await db
    .selectFrom('experiment_tags')
    .select(['experiment_id', 'key', 'value'])
    .where(
      'experiment_id',
      'in',
      rows.map((r) => r.experiment_id),
    )
    .execute()
  const byId = new Map<number, KeyValue[]>()
  for (const tag of tags) {
    const list = byId.get(tag.experiment_id) ?? []
    list.push({ key: tag.key, value: tag.value ?? '' })
    byId.set(tag.experiment_id, list)
  }
  return rows.map((row) => toExperiment(row, byId.get(row.experiment_id) ?? []))
}

function toExperiment(row: ExperimentRow, tags: KeyValue[]): Experiment {
  const experiment: Experiment = {
    experiment_id: String(row.experiment_id),
    name: row.name,
    lifecycle_stage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  }
  if (row.artifact_location) experiment.artifact_location = row.artifact_location
  if (row.last_update_time !== null) experiment.last_update_time = row.last_update_time
  if (row.creation_time !== null) experiment.creation_time = row.creation_time
  if (tags.length > 0) experiment.tags = tags
  if (row.workspace) experiment.workspace = row.workspace
  return experiment
}

export async function setExperimentLifecycle(
  ctx: SqlContext,
  experimentId: string,
  stage: 'active' | 'deleted',
): Promise<void> {
  const row = await findExperimentRow(ctx.db, experimentId)
  const expected = stage === 'deleted' ? 'active' : 'deleted'
  if (!row || row.lifecycle_stage !== expected) {
    // mlflow-compat
    throw MlflowError.notFound(
      stage === 'deleted'
        ? `No Experiment with id=${experimentId} exists`
        : `Cannot restore an experiment that is not deleted (id=${experimentId})`,
    )
  }
  const now = nowMs()
  await ctx.db
    .updateTable('experiments')
    .set({ lifecycle_stage: stage, last_update_time: now })
    .where('experiment_id', '=', row.experiment_id)
    .execute()
  if (stage === 'deleted') {
    await ctx.db
      .updateTable('runs')
      .set({ lifecycle_stage: 'deleted', deleted_time: now })
      .where('experiment_id', '=', row.experiment_id)
      .where('lifecycle_stage', '=', 'active')
      .execute()
  } else {
    // Runs deleted with the experiment come back with it; runs deleted on their own stay deleted.
    await ctx.db
      .updateTable('runs')
      .set({ lifecycle_stage: 'active', deleted_time: null })
      .where('experiment_id', '=', row.experiment_id)
      .where('lifecycle_stage', '=', 'deleted')
      .where((eb) =>
        eb.or([
          eb('deleted_time', '>=', row.last_update_time ?? 0),
          eb('deleted_time', 'is', null),
        ]),
      )
      .execute()
  }
}

export async function touchExperiment(db: Executor, experimentId: number): Promise<void> {
  await db
    .updateTable('experiments')
    .set({ last_update_time: nowMs() })
    .where('experiment_id', '=', experimentId)
    .execute()
}

export const countExperiments = (db: Executor) =>
  db.selectFrom('experiments').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()

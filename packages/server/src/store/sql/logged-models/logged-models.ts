/** MLflow 3 logged models: create, read, finalize, soft delete, tags and params. */
import { randomUUID } from 'node:crypto'
import type { KeyValue, LoggedModel, LoggedModelStatus } from '@carnet/protocol'
import { LOGGED_MODEL_STATUSES, MlflowError } from '@carnet/protocol'
import type { CreateLoggedModelInput } from '../../logged-model-store.ts'
import { generateRunName } from '../../run-names.ts'
import { nowMs, type SqlContext } from '../context.ts'
import { appendToUri, getActiveExperimentRow } from '../experiments.ts'
import { upsertRows } from '../upsert.ts'
import { hydrateLoggedModels } from './hydrate.ts'
import { getLoggedModelRow, type LoggedModelRow } from './rows.ts'

const BAD_NAME_CHARACTERS = ['/', ':', '.', '%', '"', "'"]

/** mlflow-compat: names are optional, but a given one is non-empty and free of these characters. */
export function validateLoggedModelName(name: string | undefined): void {
  if (name === undefined) return
  if (name === '' || BAD_NAME_CHARACTERS.some((c) => name.includes(c))) {
    const quoted = name.includes("'") && !name.includes('"') ? `"${name}"` : `'${name}'`
    throw MlflowError.invalidParameter(
      `Invalid model name (${quoted}) provided. Model name must be a non-empty string and cannot contain the following characters: ('/', ':', '.', '%', '"', "'")`,
    )
  }
}

export async function loggedModel(ctx: SqlContext, row: LoggedModelRow): Promise<LoggedModel> {
  const [model] = await hydrateLoggedModels(ctx.db, [row])
  return model!
}

/** `m-<32 hex>`, artifacts under `<experiment artifact location>/models/<model_id>/artifacts`. */
export async function createLoggedModel(
  ctx: SqlContext,
  input: CreateLoggedModelInput,
): Promise<LoggedModel> {
  validateLoggedModelName(input.name || undefined)
  const experiment = await getActiveExperimentRow(ctx.db, input.experimentId)
  const modelId = `m-${randomUUID().replaceAll('-', '')}`
  const now = nowMs()
  const row: LoggedModelRow = {
    model_id: modelId,
    experiment_id: experiment.experiment_id,
    name: input.name || generateRunName(),
    artifact_location: appendToUri(
      experiment.artifact_location ?? '',
      'models',
      modelId,
      'artifacts',
    ),
    creation_timestamp_ms: now,
    last_updated_timestamp_ms: now,
    status: LOGGED_MODEL_STATUSES.indexOf('LOGGED_MODEL_PENDING'),
    lifecycle_stage: 'active',
    model_type: input.modelType,
    source_run_id: input.sourceRunId,
    status_message: null,
  }
  await ctx.db.insertInto('logged_models').values(row).execute()
  const experimentId = experiment.experiment_id
  if (input.params.length > 0) {
    await ctx.db
      .insertInto('logged_model_params')
      .values(
        input.params.map((p) => ({
          model_id: modelId,
          experiment_id: experimentId,
          param_key: p.key,
          param_value: p.value,
        })),
      )
      .execute()
  }
  if (input.tags.length > 0) {
    await ctx.db
      .insertInto('logged_model_tags')
      .values(
        input.tags.map((t) => ({
          model_id: modelId,
          experiment_id: experimentId,
          tag_key: t.key,
          tag_value: t.value,
        })),
      )
      .execute()
  }
  return loggedModel(ctx, row)
}

export async function finalizeLoggedModel(
  ctx: SqlContext,
  modelId: string,
  status: LoggedModelStatus,
): Promise<LoggedModel> {
  const row = await getLoggedModelRow(ctx, modelId, { allowDeleted: true })
  const changes = {
    status: LOGGED_MODEL_STATUSES.indexOf(status),
    last_updated_timestamp_ms: nowMs(),
  }
  await ctx.db.updateTable('logged_models').set(changes).where('model_id', '=', modelId).execute()
  return loggedModel(ctx, { ...row, ...changes })
}

/** Soft delete: the model disappears from reads and searches; its rows stay. */
export async function deleteLoggedModel(ctx: SqlContext, modelId: string): Promise<void> {
  await getLoggedModelRow(ctx, modelId, { allowDeleted: true })
  await ctx.db
    .updateTable('logged_models')
    .set({ lifecycle_stage: 'deleted', last_updated_timestamp_ms: nowMs() })
    .where('model_id', '=', modelId)
    .execute()
}

/** Upserts tags; a key given twice keeps its last value. */
export async function setLoggedModelTags(
  ctx: SqlContext,
  modelId: string,
  tags: KeyValue[],
): Promise<void> {
  const row = await getLoggedModelRow(ctx, modelId, { allowDeleted: true })
  const last = new Map<string, string>()
  for (const tag of tags) last.set(tag.key, tag.value)
  await upsertRows(
    ctx,
    'logged_model_tags',
    [...last].map(([key, value]) => ({
      model_id: modelId,
      experiment_id: row.experiment_id,
      tag_key: key,
      tag_value: value,
    })),
    { keys: ['model_id', 'tag_key'], update: ['tag_value'] },
  )
}

export async function deleteLoggedModelTag(
  ctx: SqlContext,
  modelId: string,
  key: string,
): Promise<void> {
  await getLoggedModelRow(ctx, modelId, { allowDeleted: true })
  const result = await ctx.db
    .deleteFrom('logged_model_tags')
    .where('model_id', '=', modelId)
    .where('tag_key', '=', key)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) {
    // mlflow-compat (Python repr quoting)
    const repr = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s}'`)
    throw MlflowError.notFound(
      `No tag with key ${repr(key)} found for model with ID ${repr(modelId)}.`,
    )
  }
}

/** Params are insert-only: logging a key again fails on the primary key (BAD_REQUEST), as in MLflow. */
export async function logLoggedModelParams(
  ctx: SqlContext,
  modelId: string,
  params: KeyValue[],
): Promise<void> {
  const row = await getLoggedModelRow(ctx, modelId, { allowDeleted: true })
  if (params.length === 0) return
  await ctx.db
    .insertInto('logged_model_params')
    .values(
      params.map((p) => ({
        model_id: modelId,
        experiment_id: row.experiment_id,
        param_key: p.key,
        param_value: p.value,
      })),
    )
    .execute()
}

/** Registered models: create, read, rename, describe, delete, latest versions per stage. */
import type { ModelVersion, RegisteredModel } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import type { CreateRegisteredModelInput } from '../../registry-store.ts'
import { nowMs, type SqlContext } from '../context.ts'
import { hydrateRegisteredModels, loadLatestVersionRows, versionsWithAliases } from './hydrate.ts'
import { getRegisteredModelRow, type RegisteredModelRow, WORKSPACE } from './rows.ts'
import { canonicalStage } from './stages.ts'
import { lastValuePerKey, PROMPT_TAG, validateModelName } from './validation.ts'

export async function insertRegisteredModel(
  ctx: SqlContext,
  input: CreateRegisteredModelInput,
): Promise<RegisteredModelRow> {
  const now = nowMs()
  const row = {
    name: input.name,
    creation_time: now,
    last_updated_time: now,
    description: input.description,
    workspace: WORKSPACE,
  }
  await ctx.db.insertInto('registered_models').values(row).execute()
  const tags = lastValuePerKey(input.tags)
  if (tags.length > 0) {
    await ctx.db
      .insertInto('registered_model_tags')
      .values(tags.map((t) => ({ ...t, name: input.name, workspace: WORKSPACE })))
      .execute()
  }
  return row
}

/**
 * mlflow-compat: the conflict message says whether the name is taken by a model or a prompt
 * (prompts are registered models tagged `mlflow.prompt.is_prompt`).
 */
export async function alreadyExistsError(
  ctx: SqlContext,
  name: string,
  newTags: { key: string; value: string }[],
): Promise<MlflowError> {
  // The clash may differ in case only on MySQL, whose key comparison ignores case.
  const existing = await ctx.db
    .selectFrom('registered_model_tags')
    .select('key')
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', name)
    .where('key', '=', PROMPT_TAG)
    .executeTakeFirst()
  const oldEntity = existing ? 'Prompt' : 'Registered Model'
  const newEntity = newTags.some((t) => t.key === PROMPT_TAG) ? 'Prompt' : 'Registered Model'
  if (oldEntity !== newEntity) {
    return new MlflowError(
      'RESOURCE_ALREADY_EXISTS',
      `Tried to create a ${newEntity.toLowerCase()} with name '${name}', but the name is already taken by a ${oldEntity.toLowerCase()}. MLflow does not allow creating a model and a prompt with the same name.`,
    )
  }
  return new MlflowError('RESOURCE_ALREADY_EXISTS', `${newEntity} (name=${name}) already exists.`)
}

export async function getRegisteredModel(ctx: SqlContext, name: string): Promise<RegisteredModel> {
  const row = await getRegisteredModelRow(ctx, name)
  const [model] = await hydrateRegisteredModels(ctx, [row])
  return model!
}

export async function updateRegisteredModel(
  ctx: SqlContext,
  name: string,
  description: string,
): Promise<RegisteredModel> {
  const row = await getRegisteredModelRow(ctx, name, { forUpdate: true })
  const changes = { description, last_updated_time: nowMs() }
  await ctx.db
    .updateTable('registered_models')
    .set(changes)
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', row.name)
    .execute()
  const [model] = await hydrateRegisteredModels(ctx, [{ ...row, ...changes }])
  return model!
}

/**
 * Renames the model; its versions, tags and aliases follow through the foreign keys' ON UPDATE
 * CASCADE (MLflow's schema), and every version gets the new update time, as in MLflow.
 */
export async function renameRegisteredModel(
  ctx: SqlContext,
  name: string,
  newName: string,
): Promise<RegisteredModel> {
  validateModelName(newName, 'new_name')
  const row = await getRegisteredModelRow(ctx, name, { forUpdate: true })
  const now = nowMs()
  await ctx.db
    .updateTable('registered_models')
    .set({ name: newName, last_updated_time: now })
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', row.name)
    .execute()
  await ctx.db
    .updateTable('model_versions')
    .set({ last_updated_time: now })
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', newName)
    .execute()
  const [model] = await hydrateRegisteredModels(ctx, [
    { ...row, name: newName, last_updated_time: now },
  ])
  return model!
}

/** Deletes the model with all its versions (soft-deleted ones too), tags and aliases. */
export async function deleteRegisteredModel(ctx: SqlContext, name: string): Promise<void> {
  const row = await getRegisteredModelRow(ctx, name, { forUpdate: true })
  for (const table of [
    'model_version_tags',
    'registered_model_aliases',
    'model_versions',
    'registered_model_tags',
    'registered_models',
  ] as const) {
    await ctx.db
      .deleteFrom(table)
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', row.name)
      .execute()
  }
}

/** The latest live version of each requested stage (all four when none is given), with aliases. */
export async function getLatestVersions(
  ctx: SqlContext,
  name: string,
  stages: string[],
): Promise<ModelVersion[]> {
  const row = await getRegisteredModelRow(ctx, name)
  const wanted = new Set<string>(
    stages.length === 0
      ? ['None', 'Staging', 'Production', 'Archived']
      : stages.map(canonicalStage),
  )
  const latest = (await loadLatestVersionRows(ctx, [row.name])).get(row.name) ?? []
  return versionsWithAliases(
    ctx,
    latest.filter((v) => v.current_stage !== null && wanted.has(v.current_stage)),
  )
}

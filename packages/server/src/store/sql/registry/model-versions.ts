/** Model versions: create (numbering, source lineage), read, describe, stage, delete, download URI. */
import type { ModelVersion } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import type { CreateModelVersionInput } from '../../registry-store.ts'
import { nowMs, type SqlContext } from '../context.ts'
import { setModelVersionsTag } from '../logged-models/model-versions-tag.ts'
import { versionsWithAliases } from './hydrate.ts'
import { parseModelUri, urlsplit } from './model-uri.ts'
import {
  getModelVersionRow,
  getRegisteredModelRow,
  liveVersion,
  type ModelVersionRow,
  touchRegisteredModel,
  WORKSPACE,
} from './rows.ts'
import { ACTIVE_STAGES, ARCHIVED_STAGE, canonicalStage, DELETED_STAGE } from './stages.ts'
import { isPromptTagged, lastValuePerKey, PROMPT_TAG } from './validation.ts'

/** The sources MLflow's own clients send for prompt versions, which have no artifacts. */
export const PROMPT_SOURCES: readonly string[] = ['dummy-source', 'prompt-template']

export async function versionWithAliases(
  ctx: SqlContext,
  row: ModelVersionRow,
): Promise<ModelVersion> {
  const [version] = await versionsWithAliases(ctx, [row])
  return version!
}

export interface Lineage {
  source: string
  /** null when inherited from a version registered without one (MLflow stores NULL then). */
  runId: string | null
  modelId: string
}

/**
 * A `models:/<name>/<version|stage|latest>` or `models:/<name>@<alias>` source is rewritten to the
 * version it designates (`models:/<name>/<n>`), whose run it inherits; a given run_id or model_id
 * must agree with that version. Other sources pass through.
 */
export async function resolveLineage(
  ctx: SqlContext,
  input: CreateModelVersionInput,
  latestVersion: (name: string, stage: string | undefined) => Promise<number>,
  versionByAlias: (name: string, alias: string) => Promise<number>,
): Promise<Lineage> {
  const runId = input.runId ?? ''
  const modelId = input.modelId ?? ''
  const source = input.source
  if (urlsplit(source).scheme !== 'models') return { source, runId, modelId }
  if (urlsplit(source).netloc) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Invalid model version source: '${source}'. Registered model sources must use the active model registry.`,
    )
  }
  let reference: ReturnType<typeof parseModelUri>
  try {
    reference = parseModelUri(source)
  } catch {
    throw MlflowError.invalidParameter(
      `Invalid model version source: '${source}'. The model_id request parameter must identify the resource that contains the source.`,
    )
  }
  if (reference.kind === 'model-id') return { source, runId, modelId }
  const model = await getRegisteredModelRow(ctx, reference.name)
  const promptTag = await ctx.db
    .selectFrom('registered_model_tags')
    .select('value')
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', model.name)
    .where('key', '=', PROMPT_TAG)
    .executeTakeFirst()
  if ((promptTag?.value ?? 'false').toLowerCase() === 'true') {
    throw MlflowError.invalidParameter(
      `Invalid model version source: '${source}'. Prompt versions cannot be used as model version sources.`,
    )
  }
  const number =
    reference.kind === 'version'
      ? Number(reference.version)
      : reference.kind === 'alias'
        ? await versionByAlias(reference.name, reference.alias)
        : await latestVersion(
            reference.name,
            reference.kind === 'stage' ? reference.stage : undefined,
          )
  const referenced = await getModelVersionRow(ctx, reference.name, number)
  if (
    (input.runId !== undefined && runId !== (referenced.run_id ?? '')) ||
    (input.modelId !== undefined && modelId !== '')
  ) {
    throw MlflowError.invalidParameter(
      `Invalid model version source: '${source}'. The run_id and model_id request parameters must match the referenced model version.`,
    )
  }
  return {
    source: `models:/${reference.name}/${referenced.version}`,
    runId: input.runId !== undefined ? runId : referenced.run_id,
    modelId,
  }
}

/** What the new version's download URI resolves to (`storage_location`), and its run. */
async function storageFor(
  ctx: SqlContext,
  lineage: Lineage,
): Promise<{ storageLocation: string; runId: string | null }> {
  let { runId } = lineage
  let storageLocation = lineage.source
  const parsed = urlsplit(lineage.source)
  if (parsed.scheme === 'models') {
    const reference = parseModelUri(lineage.source)
    if (reference.kind === 'model-id') {
      const model = await loggedModelRow(ctx, reference.modelId)
      storageLocation = model.artifact_location
      runId = runId || model.source_run_id
    } else if (reference.kind === 'version') {
      const row = await getModelVersionRow(ctx, reference.name, reference.version)
      storageLocation = row.storage_location || row.source || ''
    }
  }
  if (!runId && lineage.modelId) {
    runId = (await loggedModelRow(ctx, lineage.modelId)).source_run_id
  }
  return { storageLocation, runId }
}

async function loggedModelRow(ctx: SqlContext, modelId: string) {
  const row = await ctx.db
    .selectFrom('logged_models')
    .select(['artifact_location', 'source_run_id'])
    .where('model_id', '=', modelId)
    .where((eb) =>
      eb.or([eb('lifecycle_stage', '!=', 'deleted'), eb('lifecycle_stage', 'is', null)]),
    )
    .executeTakeFirst()
  if (!row) {
    // mlflow-compat
    throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`)
  }
  return row
}

/**
 * Inserts the next version of the model (highest number ever used, deleted versions included, plus
 * one), with the registered model row locked so concurrent registrations get distinct numbers.
 */
export async function insertModelVersion(
  ctx: SqlContext,
  input: CreateModelVersionInput,
  lineage: Lineage,
): Promise<ModelVersion> {
  const model = await getRegisteredModelRow(ctx, input.name, { forUpdate: true })
  const { storageLocation, runId } = await storageFor(ctx, lineage)
  const now = nowMs()
  const max = await ctx.db
    .selectFrom('model_versions')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', model.name)
    .executeTakeFirst()
  const version = Number(max?.max ?? 0) + 1
  const row: ModelVersionRow = {
    name: model.name,
    version,
    creation_time: now,
    last_updated_time: now,
    description: input.description,
    user_id: null,
    current_stage: 'None',
    source: lineage.source,
    run_id: runId,
    status: 'READY',
    status_message: null,
    run_link: input.runLink,
    storage_location: storageLocation,
    workspace: WORKSPACE,
  }
  await touchRegisteredModel(ctx, model.name, now)
  await ctx.db.insertInto('model_versions').values(row).execute()
  const tags = lastValuePerKey(input.tags)
  if (tags.length > 0) {
    await ctx.db
      .insertInto('model_version_tags')
      .values(tags.map((t) => ({ ...t, name: model.name, version, workspace: WORKSPACE })))
      .execute()
  }
  if (lineage.modelId && !isPromptTagged(input.tags)) {
    await setModelVersionsTag(ctx, lineage.modelId, model.name, version)
  }
  return versionWithAliases(ctx, row)
}

export async function getModelVersion(
  ctx: SqlContext,
  name: string,
  version: string,
): Promise<ModelVersion> {
  return versionWithAliases(ctx, await getModelVersionRow(ctx, name, version))
}

/** Sets the description; an absent one clears it (MLflow stores NULL). */
export async function updateModelVersion(
  ctx: SqlContext,
  name: string,
  version: string,
  description: string | undefined,
): Promise<ModelVersion> {
  const row = await getModelVersionRow(ctx, name, version)
  const changes = { description: description ?? null, last_updated_time: nowMs() }
  await ctx.db
    .updateTable('model_versions')
    .set(changes)
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', row.name)
    .where('version', '=', row.version)
    .execute()
  return versionWithAliases(ctx, { ...row, ...changes })
}

/** Moves a version to a stage; with `archiveExisting`, the other versions in that stage are archived. */
export async function transitionStage(
  ctx: SqlContext,
  name: string,
  version: string,
  stage: string,
  archiveExisting: boolean,
): Promise<ModelVersion> {
  const target = canonicalStage(stage)
  if (archiveExisting && !ACTIVE_STAGES.includes(target)) {
    // mlflow-compat: MLflow answers 500 INTERNAL_ERROR here; a client mistake is a 400 in Carnet.
    throw MlflowError.invalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
    )
  }
  const row = await getModelVersionRow(ctx, name, version)
  await getRegisteredModelRow(ctx, row.name, { forUpdate: true })
  const now = nowMs()
  if (archiveExisting) {
    await ctx.db
      .updateTable('model_versions')
      .set({ current_stage: ARCHIVED_STAGE, last_updated_time: now })
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', row.name)
      .where('version', '!=', row.version)
      .where('current_stage', '=', target)
      .execute()
  }
  const changes = { current_stage: target, last_updated_time: now }
  await ctx.db
    .updateTable('model_versions')
    .set(changes)
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', row.name)
    .where('version', '=', row.version)
    .execute()
  await touchRegisteredModel(ctx, row.name, now)
  return versionWithAliases(ctx, { ...row, ...changes })
}

/**
 * Soft delete, as MLflow does: the number stays taken, the row is redacted and hidden, aliases
 * pointing at it go, tags stay.
 */
export async function deleteModelVersion(
  ctx: SqlContext,
  name: string,
  version: string,
): Promise<void> {
  const row = await getModelVersionRow(ctx, name, version)
  const now = nowMs()
  await touchRegisteredModel(ctx, row.name, now)
  await ctx.db
    .deleteFrom('registered_model_aliases')
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', row.name)
    .where('version', '=', row.version)
    .execute()
  await ctx.db
    .updateTable('model_versions')
    .set({
      current_stage: DELETED_STAGE,
      last_updated_time: now,
      description: null,
      user_id: null,
      // mlflow-compat: MLflow's redaction markers.
      source: 'REDACTED-SOURCE-PATH',
      run_id: 'REDACTED-RUN-ID',
      run_link: 'REDACTED-RUN-LINK',
      status_message: null,
    })
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', row.name)
    .where('version', '=', row.version)
    .execute()
}

/** `storage_location` when set (resolved at registration), else the source. */
export async function downloadUri(ctx: SqlContext, name: string, version: string): Promise<string> {
  const row = await getModelVersionRow(ctx, name, version)
  return row.storage_location || row.source || ''
}

/** Highest live version in a stage (any stage when undefined), for `models:/name/<stage|latest>`. */
export async function latestVersionNumber(
  ctx: SqlContext,
  name: string,
  stage: string | undefined,
): Promise<number> {
  const model = await getRegisteredModelRow(ctx, name)
  let query = ctx.db
    .selectFrom('model_versions')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', model.name)
    .where(liveVersion)
  if (stage !== undefined) query = query.where('current_stage', '=', canonicalStage(stage))
  const found = await query.executeTakeFirst()
  if (found?.max === null || found?.max === undefined) {
    // mlflow-compat: MLflow raises this as a 500; a source naming nothing is the caller's mistake.
    throw MlflowError.invalidParameter(
      `No versions of model with name '${name}'${stage === undefined ? '' : ` and stage '${stage}'`} found`,
    )
  }
  return Number(found.max)
}

import { randomUUID } from 'node:crypto'
import type { DatasetInput } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import type { BatchInput } from '../tracking-store.ts'
import { exceeds, LIMITS } from '../validation.ts'
import type { SqlContext } from './context.ts'
import { insertMetrics } from './metrics.ts'
import { insertParams, upsertTags } from './params-tags.ts'
import { getActiveRunRow } from './runs.ts'
import { insertIgnoringDuplicates } from './upsert.ts'

/** Writes a validated batch; the caller runs it in one transaction so it lands whole or not at all. */
export async function logBatch(
  ctx: SqlContext,
  runId: string,
  batch: BatchInput,
  single = false,
): Promise<void> {
  const run = await getActiveRunRow(ctx.db, runId)
  await insertParams(ctx, runId, batch.params, single)
  await insertMetrics(ctx, runId, run.experiment_id ?? 0, batch.metrics)
  await upsertTags(ctx, runId, batch.tags)
}

/**
 * A batch of metrics alone, none linked to a logged model: log-metric and most log-batch calls.
 * PostgreSQL writes it as one statement (metrics.logMetricsInOneStatement), with no transaction.
 */
export function isMetricsOnly(batch: BatchInput): boolean {
  return (
    batch.metrics.length > 0 &&
    batch.params.length === 0 &&
    batch.tags.length === 0 &&
    batch.metrics.every((m) => !m.model_id)
  )
}

export async function deleteTag(ctx: SqlContext, runId: string, key: string): Promise<void> {
  await getActiveRunRow(ctx.db, runId)
  const result = await ctx.db
    .deleteFrom('tags')
    .where('run_uuid', '=', runId)
    .where('key', '=', key)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) {
    // mlflow-compat
    throw MlflowError.notFound(`No tag with name: ${key} in run with id ${runId}`)
  }
}

function checkDataset(input: DatasetInput): void {
  const d = input.dataset
  const limits: [string, string | undefined, number][] = [
    ['name', d.name, LIMITS.datasetName],
    ['digest', d.digest, LIMITS.datasetDigest],
    ['source', d.source, LIMITS.datasetSource],
    ['schema', d.schema, LIMITS.datasetSchema],
    ['profile', d.profile, LIMITS.datasetProfile],
  ]
  for (const [what, value, limit] of limits) {
    if (value !== undefined && exceeds(value, limit)) {
      throw MlflowError.invalidParameter(
        `'${what}' exceeds the maximum length of ${limit} characters`,
      )
    }
  }
  for (const tag of input.tags ?? []) {
    if (exceeds(tag.key, LIMITS.inputTagKey) || exceeds(tag.value, LIMITS.inputTagValue)) {
      throw MlflowError.invalidParameter(
        `Input tag '${tag.key}' exceeds the maximum length (key ${LIMITS.inputTagKey}, value ${LIMITS.inputTagValue} characters)`,
      )
    }
  }
}

/** Records dataset inputs (datasets deduplicated per experiment, name and digest) and model inputs. */
export async function logInputs(
  ctx: SqlContext,
  runId: string,
  datasets: DatasetInput[],
  modelIds: string[],
): Promise<void> {
  datasets.forEach(checkDataset)
  const run = await getActiveRunRow(ctx.db, runId)
  const experimentId = run.experiment_id ?? 0
  for (const input of datasets) {
    const d = input.dataset
    await insertIgnoringDuplicates(ctx, 'datasets', [
      {
        dataset_uuid: randomUUID().replaceAll('-', ''),
        experiment_id: experimentId,
        name: d.name,
        digest: d.digest,
        dataset_source_type: d.source_type,
        dataset_source: d.source,
        dataset_schema: d.schema ?? null,
        dataset_profile: d.profile ?? null,
      },
    ])
    const stored = await ctx.db
      .selectFrom('datasets')
      .select('dataset_uuid')
      .where('experiment_id', '=', experimentId)
      .where('name', '=', d.name)
      .where('digest', '=', d.digest)
      .executeTakeFirstOrThrow()
    const existing = await ctx.db
      .selectFrom('inputs')
      .select('input_uuid')
      .where('source_type', '=', 'DATASET')
      .where('source_id', '=', stored.dataset_uuid)
      .where('destination_type', '=', 'RUN')
      .where('destination_id', '=', runId)
      .executeTakeFirst()
    if (existing) continue
    const inputUuid = randomUUID().replaceAll('-', '')
    await ctx.db
      .insertInto('inputs')
      .values({
        input_uuid: inputUuid,
        source_type: 'DATASET',
        source_id: stored.dataset_uuid,
        destination_type: 'RUN',
        destination_id: runId,
      })
      .execute()
    const tags = input.tags ?? []
    if (tags.length > 0) {
      await insertIgnoringDuplicates(
        ctx,
        'input_tags',
        tags.map((t) => ({ input_uuid: inputUuid, name: t.key, value: t.value })),
      )
    }
  }
  await insertIgnoringDuplicates(
    ctx,
    'inputs',
    modelIds.map((modelId) => ({
      input_uuid: randomUUID().replaceAll('-', ''),
      source_type: 'RUN_INPUT',
      source_id: runId,
      destination_type: 'MODEL_INPUT',
      destination_id: modelId,
    })),
  )
}

export async function logOutputs(
  ctx: SqlContext,
  runId: string,
  models: { model_id: string; step: number }[],
): Promise<void> {
  await getActiveRunRow(ctx.db, runId)
  await insertIgnoringDuplicates(
    ctx,
    'inputs',
    models.map((m) => ({
      input_uuid: randomUUID().replaceAll('-', ''),
      source_type: 'RUN_OUTPUT',
      source_id: runId,
      destination_type: 'MODEL_OUTPUT',
      destination_id: m.model_id,
      step: m.step,
    })),
  )
}

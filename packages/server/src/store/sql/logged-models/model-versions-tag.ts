/**
 * The `mlflow.modelVersions` tag of a logged model: the registered versions made from it, as MLflow
 * writes it (`[{"name": "reg", "version": 1}]`, Python JSON, integer versions).
 */
import type { SqlContext } from '../context.ts'
import { upsertRows } from '../upsert.ts'
import { pyJsonDumps } from './py-json.ts'
import { getLoggedModelRow } from './rows.ts'

export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions'

function parseRegistrations(value: string | undefined): unknown[] {
  if (!value) return []
  try {
    const parsed: unknown = JSON.parse(value)
    return Array.isArray(parsed) ? parsed : []
  } catch {
    // A hand-edited tag that is not JSON is replaced rather than failing the registration.
    return []
  }
}

export async function setModelVersionsTag(
  ctx: SqlContext,
  modelId: string,
  name: string,
  version: number,
): Promise<void> {
  const model = await getLoggedModelRow(ctx, modelId)
  const existing = await ctx.db
    .selectFrom('logged_model_tags')
    .select('tag_value')
    .where('model_id', '=', modelId)
    .where('tag_key', '=', MODEL_VERSIONS_TAG)
    .executeTakeFirst()
  const registrations = parseRegistrations(existing?.tag_value)
  // Entries are kept as written; the new one is added unless an identical one is there.
  const isSame = (r: unknown) =>
    typeof r === 'object' &&
    r !== null &&
    Object.keys(r).length === 2 &&
    (r as Record<string, unknown>).name === name &&
    (r as Record<string, unknown>).version === version
  if (!registrations.some(isSame)) registrations.push({ name, version })
  await upsertRows(
    ctx,
    'logged_model_tags',
    [
      {
        model_id: modelId,
        experiment_id: model.experiment_id,
        tag_key: MODEL_VERSIONS_TAG,
        tag_value: pyJsonDumps(registrations),
      },
    ],
    { keys: ['model_id', 'tag_key'], update: ['tag_value'] },
  )
}

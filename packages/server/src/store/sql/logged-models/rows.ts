import { MlflowError } from '@carnet/protocol'
import type { Selectable } from 'kysely'
import type { SqlContext } from '../context.ts'
import type { LoggedModelsTable } from '../database.ts'

export type LoggedModelRow = Selectable<LoggedModelsTable>

// mlflow-compat
export const modelNotFound = (modelId: string) =>
  MlflowError.notFound(`Logged model with ID '${modelId}' not found.`)

/**
 * The model row. Reads for the API skip soft-deleted models unless `allowDeleted`; writes (tags,
 * params, finalize, delete) reach deleted ones too, as MLflow's store does.
 */
export async function getLoggedModelRow(
  ctx: SqlContext,
  modelId: string,
  options: { allowDeleted?: boolean } = {},
): Promise<LoggedModelRow> {
  let query = ctx.db.selectFrom('logged_models').selectAll().where('model_id', '=', modelId)
  if (!options.allowDeleted) {
    query = query.where((eb) =>
      eb.or([eb('lifecycle_stage', '!=', 'deleted'), eb('lifecycle_stage', 'is', null)]),
    )
  }
  const row = await query.executeTakeFirst()
  if (!row) throw modelNotFound(modelId)
  return row
}

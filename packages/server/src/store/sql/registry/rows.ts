/** Finding registry rows: registered models and live (not soft-deleted) model versions. */
import { MlflowError } from '@carnet/protocol'
import { type Selectable, sql } from 'kysely'
import type { SqlContext } from '../context.ts'
import type { ModelVersionsTable, RegisteredModelsTable } from '../database.ts'
import { DELETED_STAGE } from './stages.ts'
import { parseVersion, validateModelName } from './validation.ts'

export type RegisteredModelRow = Selectable<RegisteredModelsTable>
export type ModelVersionRow = Selectable<ModelVersionsTable>

/** Carnet serves MLflow's single-tenant mode: every registry row lives in this workspace. */
export const WORKSPACE = 'default'

/** Registry names are case-sensitive (MySQL's default collation is not). */
export const sameName = (ctx: SqlContext, column: string, name: string) =>
  ctx.dialect.equals(sql.ref(column), name)

/** The row, locked for the rest of the transaction when `forUpdate` (SQLite has one writer anyway). */
export async function findRegisteredModel(
  ctx: SqlContext,
  name: string,
  options: { forUpdate?: boolean } = {},
): Promise<RegisteredModelRow | undefined> {
  let query = ctx.db
    .selectFrom('registered_models')
    .selectAll()
    .where('workspace', '=', WORKSPACE)
    .where(sameName(ctx, 'name', name))
  if (options.forUpdate && ctx.dialect.name !== 'sqlite') query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function getRegisteredModelRow(
  ctx: SqlContext,
  name: string,
  options: { forUpdate?: boolean } = {},
): Promise<RegisteredModelRow> {
  validateModelName(name)
  const row = await findRegisteredModel(ctx, name, options)
  // mlflow-compat
  if (!row) throw MlflowError.notFound(`Registered Model with name=${name} not found`)
  return row
}

/** A version that is not soft-deleted; `version` as sent on the wire. */
export async function getModelVersionRow(
  ctx: SqlContext,
  name: string,
  version: string | number,
): Promise<ModelVersionRow> {
  validateModelName(name)
  const number = parseVersion(version)
  const row = await ctx.db
    .selectFrom('model_versions')
    .selectAll()
    .where('workspace', '=', WORKSPACE)
    .where(sameName(ctx, 'name', name))
    .where('version', '=', number)
    .where(liveVersion)
    .executeTakeFirst()
  // mlflow-compat
  if (!row) throw MlflowError.notFound(`Model Version (name=${name}, version=${number}) not found`)
  return row
}

/** Versions whose stage is not Deleted_Internal (a NULL stage counts as live, as in MLflow). */
export const liveVersion = sql<boolean>`(current_stage IS NULL OR current_stage <> ${DELETED_STAGE})`

export async function touchRegisteredModel(
  ctx: SqlContext,
  name: string,
  time: number,
): Promise<void> {
  await ctx.db
    .updateTable('registered_models')
    .set({ last_updated_time: time })
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', name)
    .execute()
}

/** Registered model aliases: `champion` → version 3, and `latest` as a computed alias. */
import type { ModelVersion } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { sql } from 'kysely'
import type { SqlContext } from '../context.ts'
import { upsertRows } from '../upsert.ts'
import { versionWithAliases } from './model-versions.ts'
import { getLatestVersions } from './registered-models.ts'
import { getModelVersionRow, getRegisteredModelRow, WORKSPACE } from './rows.ts'
import {
  parseVersion,
  validateAlias,
  validateAliasNotReserved,
  validateModelName,
} from './validation.ts'

/** Points the alias at a live version (moving it if it pointed elsewhere). */
export async function setAlias(
  ctx: SqlContext,
  name: string,
  alias: string,
  version: string,
): Promise<void> {
  validateModelName(name)
  validateAlias(alias)
  validateAliasNotReserved(alias)
  parseVersion(version)
  const row = await getModelVersionRow(ctx, name, version)
  await upsertRows(
    ctx,
    'registered_model_aliases',
    [{ alias, version: row.version, name: row.name, workspace: WORKSPACE }],
    { keys: ['workspace', 'name', 'alias'], update: ['version'] },
  )
}

/** Removing an alias the model does not have is not an error (the model must exist). */
export async function deleteAlias(ctx: SqlContext, name: string, alias: string): Promise<void> {
  validateModelName(name)
  validateAlias(alias)
  const model = await getRegisteredModelRow(ctx, name)
  await ctx.db
    .deleteFrom('registered_model_aliases')
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', model.name)
    .where(ctx.dialect.equals(sql.ref('alias'), alias))
    .execute()
}

/** The version an alias designates; `latest` (any case) is the highest live version. */
export async function getVersionByAlias(
  ctx: SqlContext,
  name: string,
  alias: string,
): Promise<ModelVersion> {
  validateModelName(name)
  validateAlias(alias)
  if (alias.toLowerCase() === 'latest') {
    const versions = await getLatestVersions(ctx, name, [])
    const latest = versions.reduce<ModelVersion | undefined>(
      (best, v) => (best === undefined || Number(v.version) > Number(best.version) ? v : best),
      undefined,
    )
    // mlflow-compat
    if (!latest) throw MlflowError.notFound(`Latest version not found for model ${name}.`)
    return latest
  }
  const model = await getRegisteredModelRow(ctx, name)
  const found = await ctx.db
    .selectFrom('registered_model_aliases')
    .select(['version'])
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', model.name)
    .where(ctx.dialect.equals(sql.ref('alias'), alias))
    .executeTakeFirst()
  // mlflow-compat: an unknown alias is INVALID_PARAMETER_VALUE (400), not a 404.
  if (!found) throw MlflowError.invalidParameter(`Registered model alias ${alias} not found.`)
  return versionWithAliases(ctx, await getModelVersionRow(ctx, model.name, found.version))
}

/** The version number an alias designates (for `models:/name@alias` sources). */
export async function versionNumberByAlias(
  ctx: SqlContext,
  name: string,
  alias: string,
): Promise<number> {
  return Number((await getVersionByAlias(ctx, name, alias)).version)
}

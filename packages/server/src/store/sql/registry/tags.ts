/** Tags of registered models and model versions: upsert, and idempotent delete. */
import type { KeyValue } from '@carnet/protocol'
import { sql } from 'kysely'
import type { SqlContext } from '../context.ts'
import { upsertRows } from '../upsert.ts'
import { getModelVersionRow, getRegisteredModelRow, WORKSPACE } from './rows.ts'
import {
  parseVersion,
  validateModelName,
  validateModelVersionTag,
  validateRegisteredModelTag,
  validateRegistryTagKey,
} from './validation.ts'

export async function setRegisteredModelTag(
  ctx: SqlContext,
  name: string,
  tag: KeyValue,
): Promise<void> {
  validateModelName(name)
  validateRegisteredModelTag(tag)
  const model = await getRegisteredModelRow(ctx, name)
  await upsertRows(
    ctx,
    'registered_model_tags',
    [{ key: tag.key, value: tag.value, name: model.name, workspace: WORKSPACE }],
    { keys: ['workspace', 'key', 'name'], update: ['value'] },
  )
}

/** Deleting a tag the model does not have is not an error (the model must exist). */
export async function deleteRegisteredModelTag(
  ctx: SqlContext,
  name: string,
  key: string,
): Promise<void> {
  validateModelName(name)
  validateRegistryTagKey(key)
  const model = await getRegisteredModelRow(ctx, name)
  await ctx.db
    .deleteFrom('registered_model_tags')
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', model.name)
    .where(ctx.dialect.equals(sql.ref('key'), key))
    .execute()
}

export async function setModelVersionTag(
  ctx: SqlContext,
  name: string,
  version: string,
  tag: KeyValue,
): Promise<void> {
  validateModelName(name)
  parseVersion(version)
  validateModelVersionTag(tag)
  const row = await getModelVersionRow(ctx, name, version)
  await upsertRows(
    ctx,
    'model_version_tags',
    [
      {
        key: tag.key,
        value: tag.value,
        name: row.name,
        version: row.version,
        workspace: WORKSPACE,
      },
    ],
    { keys: ['workspace', 'key', 'name', 'version'], update: ['value'] },
  )
}

export async function deleteModelVersionTag(
  ctx: SqlContext,
  name: string,
  version: string,
  key: string,
): Promise<void> {
  validateModelName(name)
  parseVersion(version)
  validateRegistryTagKey(key)
  const row = await getModelVersionRow(ctx, name, version)
  await ctx.db
    .deleteFrom('model_version_tags')
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', row.name)
    .where('version', '=', row.version)
    .where(ctx.dialect.equals(sql.ref('key'), key))
    .execute()
}

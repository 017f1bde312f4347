/**
 * Registry rows to wire entities, with a fixed number of queries per page: tags, aliases and the
 * latest version per stage are loaded for all names (or versions) at once.
 */
import type {
  KeyValue,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  RegisteredModelAlias,
} from '@carnet/protocol'
import { sql } from 'kysely'
import type { SqlContext } from '../context.ts'
import { liveVersion, type ModelVersionRow, type RegisteredModelRow, WORKSPACE } from './rows.ts'

const CHUNK = 400

async function inChunks<T, R>(items: T[], load: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await load(items.slice(i, i + CHUNK))))
  return out
}

const byKey = (a: KeyValue, b: KeyValue) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

const STATUSES: readonly ModelVersionStatus[] = [
  'PENDING_REGISTRATION',
  'FAILED_REGISTRATION',
  'READY',
]

/** Like MLflow's ModelVersion.to_proto: unset (NULL) fields are omitted, empty strings are not. */
export function toModelVersion(
  row: ModelVersionRow,
  tags: KeyValue[] = [],
  aliases: string[] = [],
): ModelVersion {
  const mv: ModelVersion = {
    name: row.name,
    version: String(row.version),
    creation_timestamp: row.creation_time ?? 0,
  }
  if (row.last_updated_time !== null) mv.last_updated_timestamp = row.last_updated_time
  if (row.description !== null) mv.description = row.description
  if (row.user_id !== null) mv.user_id = row.user_id
  if (row.current_stage !== null) mv.current_stage = row.current_stage
  if (row.source !== null) mv.source = row.source
  if (row.run_id !== null) mv.run_id = row.run_id
  const status = STATUSES.find((s) => s === row.status)
  if (status) mv.status = status
  if (row.status_message) mv.status_message = row.status_message
  if (tags.length > 0) mv.tags = [...tags].sort(byKey)
  if (row.run_link !== null) mv.run_link = row.run_link
  if (aliases.length > 0) mv.aliases = [...aliases].sort()
  return mv
}

const versionKey = (name: string, version: number) => `${name}\u0000${version}`

type VersionId = { name: string; version: number }

/**
 * `(name, version) IN (…)` for a chunk of versions (exact pairs, not a cross product), in the form
 * each planner answers with index probes or one hash join: SQLite takes row values from a VALUES
 * subquery, PostgreSQL two arrays (a list there plans as one bitmap scan per pair), MariaDB a list.
 * (An OR of `name = ? AND version = ?` made SQLite scan the table.) MySQL compares names without
 * case, so callers match the rows to exact names themselves.
 */
function versionPairs(ctx: SqlContext, ids: VersionId[]) {
  if (ctx.dialect.name === 'postgres') {
    const names = ids.map((id) => id.name)
    const versions = ids.map((id) => id.version)
    return sql<boolean>`(name, version) IN (SELECT * FROM unnest(${names}::text[], ${versions}::int[]))`
  }
  const rows = sql.join(ids.map((id) => sql`(${id.name}, ${id.version})`))
  return ctx.dialect.name === 'sqlite'
    ? sql<boolean>`(name, version) IN (VALUES ${rows})`
    : sql<boolean>`(name, version) IN (${rows})`
}

/** Tags of the given versions, keyed by name and version. */
export async function loadVersionTags(
  ctx: SqlContext,
  rows: VersionId[],
): Promise<Map<string, KeyValue[]>> {
  const byVersion = new Map<string, KeyValue[]>()
  const tags = await inChunks(rows, (chunk) =>
    ctx.db
      .selectFrom('model_version_tags')
      .select(['name', 'version', 'key', 'value'])
      .where('workspace', '=', WORKSPACE)
      .where(versionPairs(ctx, chunk))
      .execute(),
  )
  for (const tag of tags) {
    const id = versionKey(tag.name, tag.version)
    const list = byVersion.get(id) ?? []
    list.push({ key: tag.key, value: tag.value ?? '' })
    byVersion.set(id, list)
  }
  return byVersion
}

/** Aliases of the given models: name → [{alias, version}]. */
async function loadAliases(
  ctx: SqlContext,
  names: string[],
): Promise<Map<string, { alias: string; version: number }[]>> {
  const rows = await inChunks(names, (chunk) =>
    ctx.db
      .selectFrom('registered_model_aliases')
      .select(['name', 'alias', 'version'])
      .where('workspace', '=', WORKSPACE)
      .where('name', 'in', chunk)
      .orderBy('alias')
      .execute(),
  )
  const map = new Map<string, { alias: string; version: number }[]>()
  for (const row of rows) {
    const list = map.get(row.name) ?? []
    list.push({ alias: row.alias, version: row.version })
    map.set(row.name, list)
  }
  return map
}

/** Aliases pointing at each version, for the responses that carry them. */
export async function versionsWithAliases(
  ctx: SqlContext,
  rows: ModelVersionRow[],
): Promise<ModelVersion[]> {
  if (rows.length === 0) return []
  const [tags, aliases] = await Promise.all([
    loadVersionTags(ctx, rows),
    loadAliases(ctx, [...new Set(rows.map((r) => r.name))]),
  ])
  return rows.map((row) =>
    toModelVersion(
      row,
      tags.get(versionKey(row.name, row.version)),
      (aliases.get(row.name) ?? []).filter((a) => a.version === row.version).map((a) => a.alias),
    ),
  )
}

/** Versions without aliases (search results and `latest_versions` carry none in MLflow). */
export async function versionsWithTags(
  ctx: SqlContext,
  rows: ModelVersionRow[],
): Promise<ModelVersion[]> {
  if (rows.length === 0) return []
  const tags = await loadVersionTags(ctx, rows)
  return rows.map((row) => toModelVersion(row, tags.get(versionKey(row.name, row.version))))
}

/**
 * The latest live version of each stage, per model. The order is MLflow's: stages in the order
 * their lowest live version appears (MLflow walks versions in ascending order into a dict).
 */
export async function loadLatestVersionRows(
  ctx: SqlContext,
  names: string[],
): Promise<Map<string, ModelVersionRow[]>> {
  const result = new Map<string, ModelVersionRow[]>()
  if (names.length === 0) return result
  const groups = await inChunks(names, (chunk) =>
    ctx.db
      .selectFrom('model_versions')
      .select((eb) => [
        'name',
        'current_stage',
        eb.fn.max('version').as('latest'),
        eb.fn.min('version').as('first'),
      ])
      .where('workspace', '=', WORKSPACE)
      .where('name', 'in', chunk)
      .where(liveVersion)
      .groupBy(['name', 'current_stage'])
      .execute(),
  )
  const wanted = groups
    .map((g) => ({ name: g.name, version: Number(g.latest), first: Number(g.first) }))
    .sort((a, b) => a.first - b.first)
  for (const row of await loadVersionRows(ctx, wanted)) {
    const list = result.get(row.name) ?? []
    list.push(row)
    result.set(row.name, list)
  }
  return result
}

/** The rows of these versions, in this order (versions not found are left out). */
export async function loadVersionRows(
  ctx: SqlContext,
  ids: VersionId[],
): Promise<ModelVersionRow[]> {
  const rows = await inChunks(ids, (chunk) =>
    ctx.db
      .selectFrom('model_versions')
      .selectAll()
      .where('workspace', '=', WORKSPACE)
      .where(versionPairs(ctx, chunk))
      .execute(),
  )
  const byId = new Map(rows.map((row) => [versionKey(row.name, Number(row.version)), row]))
  return ids.flatMap(({ name, version }) => byId.get(versionKey(name, version)) ?? [])
}

function toRegisteredModel(
  row: RegisteredModelRow,
  latest: ModelVersion[],
  tags: KeyValue[],
  aliases: RegisteredModelAlias[],
): RegisteredModel {
  const model: RegisteredModel = { name: row.name }
  if (row.creation_time !== null) model.creation_timestamp = row.creation_time
  if (row.last_updated_time) model.last_updated_timestamp = row.last_updated_time
  if (row.description) model.description = row.description
  if (latest.length > 0) model.latest_versions = latest
  if (tags.length > 0) model.tags = [...tags].sort(byKey)
  if (aliases.length > 0) model.aliases = aliases
  return model
}

/** Registered models with their latest versions per stage, tags and aliases. */
export async function hydrateRegisteredModels(
  ctx: SqlContext,
  rows: RegisteredModelRow[],
): Promise<RegisteredModel[]> {
  if (rows.length === 0) return []
  const names = rows.map((r) => r.name)
  const [latestRows, tagRows, aliases] = await Promise.all([
    loadLatestVersionRows(ctx, names),
    inChunks(names, (chunk) =>
      ctx.db
        .selectFrom('registered_model_tags')
        .select(['name', 'key', 'value'])
        .where('workspace', '=', WORKSPACE)
        .where('name', 'in', chunk)
        .execute(),
    ),
    loadAliases(ctx, names),
  ])
  const allLatest = [...latestRows.values()].flat()
  const latestTags = await loadVersionTags(ctx, allLatest)
  const tagsByName = new Map<string, KeyValue[]>()
  for (const tag of tagRows) {
    const list = tagsByName.get(tag.name) ?? []
    list.push({ key: tag.key, value: tag.value ?? '' })
    tagsByName.set(tag.name, list)
  }
  return rows.map((row) =>
    toRegisteredModel(
      row,
      (latestRows.get(row.name) ?? []).map((v) =>
        toModelVersion(v, latestTags.get(versionKey(v.name, v.version))),
      ),
      tagsByName.get(row.name) ?? [],
      (aliases.get(row.name) ?? []).map((a) => ({ alias: a.alias, version: String(a.version) })),
    ),
  )
}

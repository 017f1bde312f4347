/**
 * registered-models/search and model-versions/search: one statement per page, then batched
 * hydration. Prompts (models tagged `mlflow.prompt.is_prompt = 'true'`) are left out unless the
 * filter asks for them, as MLflow does.
 */
import type { ModelVersion, RegisteredModel } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import type { Comparison, FilterExpr, OrderBy } from '../../../search/ast.ts'
import { decodePageToken, encodePageToken } from '../../../search/page-token.ts'
import {
  DEFAULT_MODEL_VERSIONS_ORDER_BY,
  parseModelVersionsFilter,
  parseModelVersionsOrderBy,
  parseRegisteredModelsFilter,
  parseRegisteredModelsOrderBy,
} from '../../../search/registry-filter.ts'
import type { RegistrySearchQuery } from '../../registry-store.ts'
import type { Page } from '../../tracking-store.ts'
import type { SqlContext } from '../context.ts'
import type { SqlDialect } from '../dialects/sql-dialect.ts'
import { compareString } from '../filter-sql.ts'
import { hydrateRegisteredModels, loadVersionRows, versionsWithTags } from './hydrate.ts'
import type { RegisteredModelRow } from './rows.ts'
import { DELETED_STAGE } from './stages.ts'
import { PROMPT_TAG } from './validation.ts'

type Bool = RawBuilder<SqlBool>

export const MAX_REGISTERED_MODELS = 1000
export const MAX_MODEL_VERSIONS = 200_000

/** What the filter is compiled against: registered models or model versions. */
interface Target {
  table: 'rm' | 'mv'
  tagTable: string
  /** Join condition from the tag table `t` to the searched row. */
  tagJoin: RawBuilder<unknown>
  columns: Record<string, string>
}

const RM_TARGET: Target = {
  table: 'rm',
  tagTable: 'registered_model_tags',
  tagJoin: sql`t.workspace = rm.workspace AND t.name = rm.name`,
  columns: { name: 'rm.name' },
}

const MV_TARGET: Target = {
  table: 'mv',
  tagTable: 'model_version_tags',
  tagJoin: sql`t.workspace = mv.workspace AND t.name = mv.name AND t.version = mv.version`,
  columns: {
    name: 'mv.name',
    run_id: 'mv.run_id',
    source_path: 'mv.source',
    version_number: 'mv.version',
  },
}

function comparisons(expr: FilterExpr | undefined): Comparison[] {
  if (!expr) return []
  if (expr.kind === 'cmp') return [expr]
  if (expr.kind === 'not') return comparisons(expr.item)
  return expr.items.flatMap(comparisons)
}

/**
 * MLflow's `_is_querying_prompt`: the first comparison on the prompt tag decides; `= 'true'` or
 * `!= 'false'` (any case) asks for prompts.
 */
export function isQueryingPrompts(expr: FilterExpr | undefined): boolean {
  const first = comparisons(expr).find((c) => c.entity === 'tag' && c.key === PROMPT_TAG)
  if (!first || typeof first.value !== 'string') return false
  const value = first.value.toLowerCase()
  return (first.op === '=' && value === 'true') || (first.op === '!=' && value === 'false')
}

/** IN / NOT IN as ORs of exact comparisons, so they are case-sensitive on MySQL too. */
function compareList(dialect: SqlDialect, column: RawBuilder<unknown>, c: Comparison): Bool {
  const list = Array.isArray(c.value) ? c.value : [String(c.value)]
  const any =
    list.length === 0
      ? sql<SqlBool>`1 = 0`
      : sql<SqlBool>`(${sql.join(
          list.map((v) => dialect.equals(column, v)),
          sql` OR `,
        )})`
  return c.op === 'IN' ? any : sql<SqlBool>`NOT ${any}`
}

function comparisonSql(
  dialect: SqlDialect,
  target: Target,
  c: Comparison,
  queryingPrompts: boolean,
): Bool {
  if (c.entity === 'tag') {
    // mlflow-compat: unless prompts are asked for, the prompt tag's comparisons are dropped (the
    // prompts themselves are excluded separately).
    if (c.key === PROMPT_TAG && !queryingPrompts) return sql<SqlBool>`1 = 1`
    return sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.raw(target.tagTable)} t WHERE ${target.tagJoin} AND ${dialect.equals(sql.ref('t.key'), c.key)} AND ${compareString(dialect, sql.ref('t.value'), c)})`
  }
  const column = target.columns[c.key]
  if (!column) throw MlflowError.invalidParameter(`Invalid attribute name: ${c.key}`)
  const ref = sql.ref(column)
  if (typeof c.value === 'number') return sql<SqlBool>`${ref} ${sql.raw(c.op)} ${c.value}`
  if (c.op === 'IN' || c.op === 'NOT IN') return compareList(dialect, ref, c)
  return compareString(dialect, ref, c)
}

function filterSql(
  dialect: SqlDialect,
  target: Target,
  expr: FilterExpr,
  queryingPrompts: boolean,
): Bool {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return sql<SqlBool>`(${sql.join(
        expr.items.map((e) => filterSql(dialect, target, e, queryingPrompts)),
        sql` ${sql.raw(expr.kind.toUpperCase())} `,
      )})`
    case 'not':
      return sql<SqlBool>`NOT (COALESCE((${filterSql(dialect, target, expr.item, queryingPrompts)}), 1 = 0))`
    case 'cmp':
      return comparisonSql(dialect, target, expr, queryingPrompts)
  }
}

/** Excludes prompts: models (or all versions of models) carrying the prompt tag set to 'true'. */
function notPrompt(target: Target, dialect: SqlDialect): Bool {
  const owner = target.table === 'rm' ? sql`rm` : sql`mv`
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM ${sql.raw(target.tagTable)} t WHERE t.workspace = ${owner}.workspace AND t.name = ${owner}.name AND ${dialect.equals(sql.ref('t.key'), PROMPT_TAG)} AND ${dialect.equals(sql.ref('t.value'), 'true')})`
}

function checkMaxResults(maxResults: number, limit: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Invalid value for max_results. It must be a positive integer, but got ${maxResults}`,
    )
  }
  if (maxResults > limit) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${limit}, but got value ${maxResults}`,
    )
  }
}

const MODEL_ORDER_COLUMNS: Record<string, string> = {
  name: 'rm.name',
  last_updated_timestamp: 'rm.last_updated_time',
  creation_timestamp: 'rm.creation_time',
}

const VERSION_ORDER_COLUMNS: Record<string, string> = {
  name: 'mv.name',
  version_number: 'mv.version',
  creation_timestamp: 'mv.creation_time',
  last_updated_timestamp: 'mv.last_updated_time',
}

function orderSql(orderBy: OrderBy[], columns: Record<string, string>): RawBuilder<unknown>[] {
  return orderBy.map(
    (o) => sql`${sql.ref(columns[o.key]!)} ${sql.raw(o.ascending ? 'ASC' : 'DESC')}`,
  )
}

async function page<T>(
  ctx: SqlContext,
  statement: (limit: number, offset: number) => RawBuilder<T>,
  maxResults: number,
  pageToken: string | undefined,
): Promise<{ rows: T[]; nextPageToken: string | undefined }> {
  const offset = decodePageToken(pageToken)
  const { rows } = await statement(maxResults + 1, offset).execute(ctx.db)
  const hasMore = rows.length > maxResults
  return {
    rows: hasMore ? rows.slice(0, maxResults) : rows,
    nextPageToken: hasMore ? encodePageToken(offset + maxResults) : undefined,
  }
}

export async function searchRegisteredModels(
  ctx: SqlContext,
  query: RegistrySearchQuery,
): Promise<Page<RegisteredModel>> {
  checkMaxResults(query.maxResults, MAX_REGISTERED_MODELS)
  const filter = parseRegisteredModelsFilter(query.filter)
  const orderBy = parseRegisteredModelsOrderBy(query.orderBy)
  if (!orderBy.some((o) => o.key === 'name')) {
    orderBy.push({ entity: 'attribute', key: 'name', ascending: true })
  }
  const querying = isQueryingPrompts(filter)
  const where: Bool[] = [sql<SqlBool>`rm.workspace = 'default'`]
  if (filter) where.push(filterSql(ctx.dialect, RM_TARGET, filter, querying))
  if (!querying) where.push(notPrompt(RM_TARGET, ctx.dialect))
  const result = await page(
    ctx,
    (limit, offset) =>
      sql<RegisteredModelRow>`SELECT rm.* FROM registered_models rm WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(orderSql(orderBy, MODEL_ORDER_COLUMNS))} LIMIT ${sql.lit(limit)} OFFSET ${sql.lit(offset)}`,
    query.maxResults,
    query.pageToken,
  )
  return {
    items: await hydrateRegisteredModels(ctx, result.rows),
    nextPageToken: result.nextPageToken,
  }
}

export async function searchModelVersions(
  ctx: SqlContext,
  query: RegistrySearchQuery,
): Promise<Page<ModelVersion>> {
  checkMaxResults(query.maxResults, MAX_MODEL_VERSIONS)
  const filter = parseModelVersionsFilter(query.filter)
  const orderBy =
    query.orderBy.length > 0
      ? parseModelVersionsOrderBy(query.orderBy)
      : [...DEFAULT_MODEL_VERSIONS_ORDER_BY]
  if (!orderBy.some((o) => o.key === 'name')) {
    orderBy.push({ entity: 'attribute', key: 'name', ascending: true })
  }
  if (!orderBy.some((o) => o.key === 'version_number')) {
    orderBy.push({ entity: 'attribute', key: 'version_number', ascending: false })
  }
  const querying = isQueryingPrompts(filter)
  const where: Bool[] = [
    sql<SqlBool>`mv.workspace = 'default'`,
    sql<SqlBool>`(mv.current_stage IS NULL OR mv.current_stage <> ${DELETED_STAGE})`,
  ]
  if (filter) where.push(filterSql(ctx.dialect, MV_TARGET, filter, querying))
  if (!querying) where.push(notPrompt(MV_TARGET, ctx.dialect))
  // The page's keys only (sorting whole rows costs more), then their rows.
  const result = await page(
    ctx,
    (limit, offset) =>
      sql<{
        name: string
        version: number
      }>`SELECT mv.name, mv.version FROM model_versions mv WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(orderSql(orderBy, VERSION_ORDER_COLUMNS))} LIMIT ${sql.lit(limit)} OFFSET ${sql.lit(offset)}`,
    query.maxResults,
    query.pageToken,
  )
  const keys = result.rows.map((r) => ({ name: r.name, version: Number(r.version) }))
  return {
    items: await versionsWithTags(ctx, await loadVersionRows(ctx, keys)),
    nextPageToken: result.nextPageToken,
  }
}

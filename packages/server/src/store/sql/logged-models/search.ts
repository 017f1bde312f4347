/**
 * logged-models/search: one statement for the page (filter, datasets, order, limit) and batched
 * hydration. Deleted models never match; the default order is newest first, then model id.
 */
import type { LoggedModel } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import {
  hasMetricComparison,
  type LoggedModelComparison,
  type LoggedModelFilter,
  parseLoggedModelsFilter,
  resolveLoggedModelField,
} from '../../../search/logged-models-filter.ts'
import type {
  LoggedModelDatasetFilter,
  LoggedModelOrderBy,
  SearchLoggedModelsQuery,
} from '../../logged-model-store.ts'
import type { Page } from '../../tracking-store.ts'
import { parseExperimentId } from '../../validation.ts'
import type { SqlContext } from '../context.ts'
import type { SqlDialect } from '../dialects/sql-dialect.ts'
import { compareString } from '../filter-sql.ts'
import { hydrateLoggedModels } from './hydrate.ts'
import {
  decodeSearchToken,
  encodeSearchToken,
  type SearchState,
  tokenOrderBy,
} from './page-token.ts'
import type { LoggedModelRow } from './rows.ts'

type Bool = RawBuilder<SqlBool>

/** MLflow's server default when max_results is absent or 0. */
export const DEFAULT_MAX_RESULTS = 100

const NUMERIC_OPS = new Set(['=', '!=', '<', '<=', '>', '>='])

function datasetClause(datasets: LoggedModelDatasetFilter[], alias: string): Bool | undefined {
  if (datasets.length === 0) return undefined
  const name = sql.ref(`${alias}.dataset_name`)
  const digest = sql.ref(`${alias}.dataset_digest`)
  return sql<SqlBool>`(${sql.join(
    datasets.map((d) =>
      d.datasetDigest
        ? sql`(${name} = ${d.datasetName} AND ${digest} = ${d.datasetDigest})`
        : sql`${name} = ${d.datasetName}`,
    ),
    sql` OR `,
  )})`
}

function compareNumber(column: RawBuilder<unknown>, op: string, value: number): Bool {
  if (!NUMERIC_OPS.has(op)) throw MlflowError.invalidParameter(`Invalid comparator '${op}'`)
  return sql<SqlBool>`${column} ${sql.raw(op)} ${value}`
}

/** IN / NOT IN as ORs of exact comparisons, case-sensitive on every backend. */
function compareText(
  dialect: SqlDialect,
  column: RawBuilder<unknown>,
  c: LoggedModelComparison,
): Bool {
  if (c.op === 'IN' || c.op === 'NOT IN') {
    const items = (c.value as string[]).map((v) => dialect.equals(column, v))
    const any =
      items.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(items, sql` OR `)})`
    return c.op === 'IN' ? any : sql<SqlBool>`NOT ${any}`
  }
  return compareString(dialect, column, {
    kind: 'cmp',
    entity: 'attribute',
    key: c.key,
    op: c.op,
    value: c.value as string,
  })
}

function comparisonSql(
  dialect: SqlDialect,
  c: LoggedModelComparison,
  datasets: LoggedModelDatasetFilter[],
): Bool {
  switch (c.entity) {
    case 'metric': {
      const scope = datasetClause(datasets, 'm')
      return sql<SqlBool>`EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = lm.model_id AND m.metric_name = ${c.key} AND ${compareNumber(sql.ref('m.metric_value'), c.op, c.value as number)}${scope ? sql` AND ${scope}` : sql``})`
    }
    case 'param':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM logged_model_params p WHERE p.model_id = lm.model_id AND p.param_key = ${c.key} AND ${compareText(dialect, sql.ref('p.param_value'), c)})`
    case 'tag':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM logged_model_tags t WHERE t.model_id = lm.model_id AND t.tag_key = ${c.key} AND ${compareText(dialect, sql.ref('t.tag_value'), c)})`
    case 'attribute': {
      const column = sql.ref(`lm.${c.key}`)
      if (c.key === 'status') {
        const values = (Array.isArray(c.value) ? c.value : [c.value]) as number[]
        const inList = sql<SqlBool>`${column} IN (${sql.join(values)})`
        return c.op === '=' || c.op === 'IN' ? inList : sql<SqlBool>`NOT (${inList})`
      }
      if (typeof c.value === 'number') return compareNumber(column, c.op, c.value)
      return compareText(dialect, column, c)
    }
  }
}

function filterSql(
  dialect: SqlDialect,
  expr: LoggedModelFilter,
  datasets: LoggedModelDatasetFilter[],
): Bool {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return sql<SqlBool>`(${sql.join(
        expr.items.map((e) => filterSql(dialect, e, datasets)),
        sql` ${sql.raw(expr.kind.toUpperCase())} `,
      )})`
    case 'not':
      return sql<SqlBool>`NOT (COALESCE((${filterSql(dialect, expr.item, datasets)}), 1 = 0))`
    case 'cmp':
      return comparisonSql(dialect, expr, datasets)
  }
}

interface OrderPlan {
  columns: RawBuilder<unknown>[]
  orders: RawBuilder<unknown>[]
}

/**
 * Attributes sort with NULLs last; `metrics.<name>` sorts on the model's latest value of that metric
 * (latest timestamp, then step, then run id; optionally within one dataset), models without it last.
 * Tie-breakers: creation time (newest first) and model id, unless already ordered on.
 */
function orderPlan(orderBy: LoggedModelOrderBy[]): OrderPlan {
  const plan: OrderPlan = { columns: [], orders: [] }
  let hasCreation = false
  let hasModelId = false
  orderBy.forEach((o, i) => {
    const direction = sql.raw(o.ascending ? 'ASC' : 'DESC')
    if (!o.fieldName.includes('.')) {
      const { key } = resolveLoggedModelField([o.fieldName], { forOrderBy: true })
      if (key === 'creation_timestamp_ms') hasCreation = true
      if (key === 'model_id') hasModelId = true
      const ref = sql.ref(`page.${key}`)
      plan.orders.push(sql`CASE WHEN ${ref} IS NULL THEN 1 ELSE 0 END`, sql`${ref} ${direction}`)
      return
    }
    const [entity, name] = [
      o.fieldName.slice(0, o.fieldName.indexOf('.')),
      o.fieldName.slice(o.fieldName.indexOf('.') + 1),
    ]
    if (entity !== 'metrics') {
      // mlflow-compat
      throw MlflowError.invalidParameter(
        `Invalid order by field name: ${o.fieldName}. Only metrics are supported.`,
      )
    }
    const alias = sql.raw(`o${i}`)
    const scope = [
      o.datasetName ? sql`AND m.dataset_name = ${o.datasetName}` : sql``,
      o.datasetDigest ? sql`AND m.dataset_digest = ${o.datasetDigest}` : sql``,
    ]
    plan.columns.push(
      sql`(SELECT m.metric_value FROM logged_model_metrics m WHERE m.model_id = lm.model_id AND m.metric_name = ${name} ${scope[0]} ${scope[1]} ORDER BY m.metric_timestamp_ms DESC, m.metric_step DESC, m.run_id ASC LIMIT 1) AS ${alias}`,
    )
    const ref = sql.ref(`page.o${i}`)
    plan.orders.push(sql`CASE WHEN ${ref} IS NULL THEN 1 ELSE 0 END`, sql`${ref} ${direction}`)
  })
  if (!hasCreation) plan.orders.push(sql`page.creation_timestamp_ms DESC`)
  if (!hasModelId) plan.orders.push(sql`page.model_id ASC`)
  return plan
}

export async function searchLoggedModels(
  ctx: SqlContext,
  query: SearchLoggedModelsQuery,
): Promise<Page<LoggedModel>> {
  if (query.experimentIds.length === 0) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      "Missing value for required parameter 'experiment_ids'. See the API docs for more information about request parameters.",
    )
  }
  if (query.datasets.some((d) => !d.datasetName)) {
    // mlflow-compat
    throw MlflowError.invalidParameter('`dataset_name` in the `datasets` clause must be specified.')
  }
  const maxResults = query.maxResults || DEFAULT_MAX_RESULTS
  if (maxResults < 0) {
    throw MlflowError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
    )
  }
  const state: SearchState = {
    experimentIds: query.experimentIds,
    filter: query.filter || null,
    orderBy: tokenOrderBy(query.orderBy),
  }
  const offset = query.pageToken ? decodeSearchToken(query.pageToken, state) : 0
  const filter = parseLoggedModelsFilter(query.filter)
  const experimentIds = query.experimentIds.map(parseExperimentId)
  const plan = orderPlan(query.orderBy)

  const where: Bool[] = [
    sql<SqlBool>`lm.experiment_id IN (${sql.join(experimentIds)})`,
    sql<SqlBool>`(lm.lifecycle_stage IS NULL OR lm.lifecycle_stage <> 'deleted')`,
  ]
  if (filter) where.push(filterSql(ctx.dialect, filter, query.datasets))
  const datasets = datasetClause(query.datasets, 'm')
  if (datasets && !hasMetricComparison(filter)) {
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = lm.model_id AND ${datasets})`,
    )
  }
  const columns = [sql`lm.*`, ...plan.columns]
  const result =
    await sql<LoggedModelRow>`SELECT page.* FROM (SELECT ${sql.join(columns)} FROM logged_models lm WHERE ${sql.join(where, sql` AND `)}) page ORDER BY ${sql.join(plan.orders)} LIMIT ${sql.lit(maxResults + 1)} OFFSET ${sql.lit(offset)}`.execute(
      ctx.db,
    )
  const rows = result.rows
  const hasMore = rows.length > maxResults
  const page = (hasMore ? rows.slice(0, maxResults) : rows).map(stripOrderColumns)
  return {
    items: await hydrateLoggedModels(ctx.db, page),
    nextPageToken: hasMore ? encodeSearchToken(state, offset + maxResults) : undefined,
  }
}

function stripOrderColumns(row: LoggedModelRow): LoggedModelRow {
  return {
    model_id: row.model_id,
    experiment_id: row.experiment_id,
    name: row.name,
    artifact_location: row.artifact_location,
    creation_timestamp_ms: Number(row.creation_timestamp_ms),
    last_updated_timestamp_ms: Number(row.last_updated_timestamp_ms),
    status: Number(row.status),
    lifecycle_stage: row.lifecycle_stage,
    model_type: row.model_type,
    source_run_id: row.source_run_id,
    status_message: row.status_message,
  }
}

import type { Experiment, Run } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, sql } from 'kysely'
import type { OrderBy } from '../../search/ast.ts'
import {
  parseExperimentsFilter,
  parseExperimentsOrderBy,
  parseRunsFilter,
  parseRunsOrderBy,
} from '../../search/index.ts'
import { decodePageToken, encodePageToken } from '../../search/page-token.ts'
import type { Page, SearchExperimentsQuery, SearchRunsQuery } from '../tracking-store.ts'
import { LIMITS, parseExperimentId } from '../validation.ts'
import type { SqlContext } from './context.ts'
import { type ExperimentRow, hydrateExperiments, lifecycleStages } from './experiments.ts'
import { experimentFilterSql, runFilterSql } from './filter-sql.ts'
import { hydrateRuns } from './hydrate-runs.ts'
import type { RunRow } from './runs.ts'

const RUN_ORDER_COLUMNS: Record<string, string> = {
  run_id: 'run_uuid',
  run_name: 'name',
  status: 'status',
  user_id: 'user_id',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
  lifecycle_stage: 'lifecycle_stage',
}

function checkMaxResults(maxResults: number, generic = false): void {
  if (maxResults < 1) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
    )
  }
  if (maxResults > LIMITS.searchMaxResults && generic) {
    // mlflow-compat: runs/search rejects it in the request schema, with the generic wording.
    throw MlflowError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied:  Hint: Value was of type 'int'. See the API docs for more information about request parameters.`,
    )
  }
  if (maxResults > LIMITS.searchMaxResults) {
    throw MlflowError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${LIMITS.searchMaxResults}`,
    )
  }
}

const direction = (o: OrderBy) => sql.raw(o.ascending ? 'ASC' : 'DESC')

/** One SQL statement for the page (filter, order, limit), then batched hydration of that page. */
export async function searchRuns(ctx: SqlContext, query: SearchRunsQuery): Promise<Page<Run>> {
  checkMaxResults(query.maxResults, true)
  const filter = parseRunsFilter(query.filter)
  const orderBy = parseRunsOrderBy(query.orderBy)
  const offset = decodePageToken(query.pageToken)
  const experimentIds = query.experimentIds.map(parseExperimentId)
  if (experimentIds.length === 0) return { items: [] }

  const joins: RawBuilder<unknown>[] = []
  const orders: RawBuilder<unknown>[] = []
  orderBy.forEach((o, i) => {
    const alias = sql.raw(`o${i}`)
    if (o.entity === 'metric') {
      joins.push(
        sql`LEFT JOIN latest_metrics ${alias} ON ${alias}.run_uuid = runs.run_uuid AND ${alias}.key = ${o.key}`,
      )
      orders.push(
        sql`CASE WHEN ${alias}.run_uuid IS NULL THEN 2 WHEN ${alias}.is_nan THEN 1 ELSE 0 END`,
      )
      orders.push(sql`${alias}.value ${direction(o)}`)
    } else if (o.entity === 'param' || o.entity === 'tag') {
      const table = sql.raw(o.entity === 'param' ? 'params' : 'tags')
      joins.push(
        sql`LEFT JOIN ${table} ${alias} ON ${alias}.run_uuid = runs.run_uuid AND ${alias}.key = ${o.key}`,
      )
      orders.push(sql`CASE WHEN ${alias}.value IS NULL THEN 1 ELSE 0 END`)
      orders.push(sql`${alias}.value ${direction(o)}`)
    } else {
      const column = RUN_ORDER_COLUMNS[o.key]
      if (!column) throw MlflowError.invalidParameter(`Invalid order_by key '${o.key}'`)
      const ref = sql.ref(`runs.${column}`)
      orders.push(sql`CASE WHEN ${ref} IS NULL THEN 1 ELSE 0 END`)
      orders.push(sql`${ref} ${direction(o)}`)
    }
  })
  if (!orderBy.some((o) => o.entity === 'attribute' && o.key === 'start_time')) {
    orders.push(sql`runs.start_time DESC`)
  }
  orders.push(sql`runs.run_uuid ASC`)

  const where = [
    sql`runs.experiment_id IN (${sql.join(experimentIds)})`,
    sql`runs.lifecycle_stage IN (${sql.join(lifecycleStages(query.viewType))})`,
  ]
  if (filter) where.push(runFilterSql(ctx.dialect, filter))
  const limit = query.maxResults + 1
  const result =
    await sql<RunRow>`SELECT runs.* FROM runs ${sql.join(joins, sql` `)} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(orders)} LIMIT ${sql.lit(limit)} OFFSET ${sql.lit(offset)}`.execute(
      ctx.db,
    )
  const rows = result.rows
  const hasMore = rows.length > query.maxResults
  const page = hasMore ? rows.slice(0, query.maxResults) : rows
  return {
    items: await hydrateRuns(ctx.db, page, { modelInputs: false }),
    nextPageToken: hasMore ? encodePageToken(offset + query.maxResults) : undefined,
  }
}

export async function searchExperiments(
  ctx: SqlContext,
  query: SearchExperimentsQuery,
): Promise<Page<Experiment>> {
  checkMaxResults(query.maxResults)
  const filter = parseExperimentsFilter(query.filter)
  const orderBy = parseExperimentsOrderBy(query.orderBy)
  const offset = decodePageToken(query.pageToken)
  const orders: RawBuilder<unknown>[] = []
  const effective: OrderBy[] =
    orderBy.length > 0
      ? orderBy
      : [
          { entity: 'attribute', key: 'creation_time', ascending: false },
          { entity: 'attribute', key: 'experiment_id', ascending: true },
        ]
  for (const o of effective) {
    const ref = sql.ref(`experiments.${o.key}`)
    orders.push(sql`CASE WHEN ${ref} IS NULL THEN 1 ELSE 0 END`)
    orders.push(sql`${ref} ${direction(o)}`)
  }
  if (!effective.some((o) => o.key === 'experiment_id'))
    orders.push(sql`experiments.experiment_id ASC`)
  const where = [sql`experiments.lifecycle_stage IN (${sql.join(lifecycleStages(query.viewType))})`]
  if (filter) where.push(experimentFilterSql(ctx.dialect, filter))
  const limit = query.maxResults + 1
  const result =
    await sql<ExperimentRow>`SELECT experiments.* FROM experiments WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(orders)} LIMIT ${sql.lit(limit)} OFFSET ${sql.lit(offset)}`.execute(
      ctx.db,
    )
  const rows = result.rows
  const hasMore = rows.length > query.maxResults
  const page = hasMore ? rows.slice(0, query.maxResults) : rows
  return {
    items: await hydrateExperiments(ctx.db, page),
    nextPageToken: hasMore ? encodePageToken(offset + query.maxResults) : undefined,
  }
}

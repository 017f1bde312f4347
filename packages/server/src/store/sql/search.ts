import type { Experiment, Run } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, sql } from 'kysely'
import type { OrderBy } from '../../search/ast.ts'
import { parseExperimentsFilter, parseExperimentsOrderBy } from '../../search/index.ts'
import { decodePageToken, encodePageToken } from '../../search/page-token.ts'
import type { Page, SearchExperimentsQuery, SearchRunsQuery } from '../tracking-store.ts'
import { LIMITS } from '../validation.ts'
import type { SqlContext } from './context.ts'
import { type ExperimentRow, hydrateExperiments, lifecycleStages } from './experiments.ts'
import { experimentFilterSql } from './filter-sql.ts'
import { searchRunsPage } from './search-runs.ts'

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

/** runs/search: validation here, the page query and hydration in search-runs.ts. */
export async function searchRuns(ctx: SqlContext, query: SearchRunsQuery): Promise<Page<Run>> {
  checkMaxResults(query.maxResults, true)
  return searchRunsPage(ctx, query)
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

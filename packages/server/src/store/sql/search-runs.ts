/**
 * runs/search: one statement picks the page's run ids (sorted, filtered, after the page token),
 * then hydration loads those runs with a fixed number of queries.
 *
 * Page tokens stay MLflow's base64 JSON `{"offset": N}`, and Carnet's own tokens add the sort key
 * of the page's last run (`after`) and a fingerprint of the query (`q`): the next page then starts
 * right after that key (keyset pagination, as fast at page 20 as at page 1) instead of skipping N
 * rows. A token without a usable key (MLflow's, another query's, a last run whose key holds NaN or
 * NULL) falls back to the offset, which Carnet's tokens always carry too.
 */
import { createHash } from 'node:crypto'
import type { Run } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import type { Comparison, FilterExpr, OrderBy } from '../../search/ast.ts'
import { parseRunsFilter, parseRunsOrderBy } from '../../search/index.ts'
import { decodePageToken, encodePageToken } from '../../search/page-token.ts'
import type { Page, SearchRunsQuery } from '../tracking-store.ts'
import { parseExperimentId } from '../validation.ts'
import type { SqlContext } from './context.ts'
import type { SqlDialect } from './dialects/sql-dialect.ts'
import { lifecycleStages } from './experiments.ts'
import { impliesOrdinaryValue, keyRowTest, runFilterSql } from './filter-sql.ts'
import { hydrateRunIds } from './hydrate-runs.ts'

type Sql = RawBuilder<unknown>
type Bool = RawBuilder<SqlBool>
type KeyValue = number | string

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

/** Longer string keys are not put in page tokens (MySQL sorts on a prefix of long values). */
const MAX_KEY_STRING = 255

/** One term of the total order: an optional NULL/NaN group (ascending), then the value. */
interface Term {
  /** 0 for an ordinary value, more for NaN, NULL or missing ones, which sort after it. */
  group?: Sql
  value: Sql
  ascending: boolean
  /** The value can be NULL with no group term to sort it (the start_time tie-breaker). */
  nullable: boolean
}

interface Plan {
  cte?: Sql
  from: Sql
  where: Bool[]
  terms: Term[]
}

interface Cursor {
  offset: number
  after?: KeyValue[]
}

const dir = (ascending: boolean) => sql.raw(ascending ? 'ASC' : 'DESC')

/** The top-level AND items of a filter. */
function conjuncts(filter: FilterExpr | undefined): FilterExpr[] {
  if (!filter) return []
  return filter.kind === 'and' ? [...filter.items] : [filter]
}

const sameKey = (e: FilterExpr, o: OrderBy): e is Comparison =>
  e.kind === 'cmp' && e.entity === o.entity && e.key === o.key

/**
 * The comparisons on an order key that can be tested on its joined row, when one of them proves
 * every matching run has an ordinary value for it (then the join is inner and needs no NULL group).
 */
function joinedTests(rest: FilterExpr[], o: OrderBy): Comparison[] | undefined {
  const tests = rest.filter(
    (e): e is Comparison => sameKey(e, o) && e.op !== 'IS NULL' && e.op !== 'IS NOT NULL',
  )
  return tests.some(impliesOrdinaryValue) ? tests : undefined
}

function plan(
  dialect: SqlDialect,
  scope: Bool[],
  filter: FilterExpr | undefined,
  orderBy: OrderBy[],
  after: KeyValue[] | undefined,
): Plan {
  let rest = conjuncts(filter)
  const joins: Sql[] = []
  const where: Bool[] = []
  const terms: Term[] = []
  let cte: Sql | undefined
  orderBy.forEach((o, i) => {
    const alias = `o${i}`
    const ref = sql.ref(alias)
    if (o.entity === 'metric' || o.entity === 'param' || o.entity === 'tag') {
      const table = sql.raw(
        o.entity === 'metric' ? 'latest_metrics' : o.entity === 'param' ? 'params' : 'tags',
      )
      const value = sql.ref(`${alias}.value`)
      const tests = joinedTests(rest, o)
      if (tests) {
        rest = rest.filter((e) => !tests.includes(e as Comparison))
        terms.push({ value, ascending: o.ascending, nullable: false })
        if (i === 0 && dialect.name === 'sqlite') {
          // SQLite: the runs in scope with their value of the first order key, already sorted, so
          // the outer query reads them in order and stops at the page end; the rest of the filter
          // and order keys are then evaluated on the few runs read, not on every run in scope.
          const checks = tests.map((c) => keyRowTest(dialect, 'd', c))
          const first = after?.[0]
          if (first !== undefined) {
            checks.push(sql<SqlBool>`d.value ${sql.raw(o.ascending ? '>=' : '<=')} ${first}`)
          }
          cte = sql`WITH ${ref} AS MATERIALIZED (SELECT r.run_uuid, d.value FROM runs r CROSS JOIN ${table} d ON d.key = ${o.key} AND d.run_uuid = r.run_uuid WHERE ${sql.join(
            [...scope, ...checks],
            sql` AND `,
          )} ORDER BY d.value ${dir(o.ascending)})`
          return
        }
        joins.push(
          sql`JOIN ${table} ${ref} ON ${ref}.run_uuid = runs.run_uuid AND ${ref}.key = ${o.key}`,
        )
        for (const c of tests) where.push(keyRowTest(dialect, alias, c))
        return
      }
      joins.push(
        sql`LEFT JOIN ${table} ${ref} ON ${ref}.run_uuid = runs.run_uuid AND ${ref}.key = ${o.key}`,
      )
      const group =
        o.entity === 'metric'
          ? sql`CASE WHEN ${ref}.run_uuid IS NULL THEN 2 WHEN ${ref}.is_nan THEN 1 ELSE 0 END`
          : sql`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`
      terms.push({ group, value, ascending: o.ascending, nullable: false })
      return
    }
    const column = RUN_ORDER_COLUMNS[o.key]
    if (!column) throw MlflowError.invalidParameter(`Invalid order_by key '${o.key}'`)
    const value = sql.ref(`runs.${column}`)
    const group = sql`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`
    terms.push({ group, value, ascending: o.ascending, nullable: false })
  })
  if (!orderBy.some((o) => o.entity === 'attribute' && o.key === 'start_time')) {
    terms.push({ value: sql.ref('runs.start_time'), ascending: false, nullable: true })
  }
  terms.push({ value: sql.ref('runs.run_uuid'), ascending: true, nullable: false })
  if (rest.length > 0) where.push(runFilterSql(dialect, { kind: 'and', items: rest }))
  const from = cte
    ? sql`o0 CROSS JOIN runs ON runs.run_uuid = o0.run_uuid ${sql.join(joins, sql` `)}`
    : sql`runs ${sql.join(joins, sql` `)}`
  return { cte, from, where, terms }
}

/** Whether SQL sorts NULL before every value in ascending order (SQLite, MySQL) or after (PostgreSQL). */
const nullsFirstAscending = (dialect: SqlDialect) => dialect.name !== 'postgres'

/** Rows strictly after `after` in the order of `terms` (all of the key's groups are 0). */
function afterSql(dialect: SqlDialect, terms: Term[], after: KeyValue[]): Bool {
  let tail: Bool | undefined
  for (let i = terms.length - 1; i >= 0; i--) {
    const t = terms[i]!
    const v = after[i]!
    let beyond = sql<SqlBool>`${t.value} ${sql.raw(t.ascending ? '>' : '<')} ${v}`
    if (t.nullable && t.ascending !== nullsFirstAscending(dialect)) {
      beyond = sql<SqlBool>`(${beyond} OR ${t.value} IS NULL)`
    }
    let here = tail ? sql<SqlBool>`(${beyond} OR (${t.value} = ${v} AND ${tail}))` : beyond
    if (t.group) here = sql<SqlBool>`(${t.group} > 0 OR (${t.group} = 0 AND ${here}))`
    tail = here
  }
  return tail!
}

function orderSql(terms: Term[]): Sql[] {
  return terms.flatMap((t) => {
    const value = sql`${t.value} ${dir(t.ascending)}`
    return t.group ? [t.group, value] : [value]
  })
}

/** The run id and the sort key (the last term, run_uuid, is the id: SQLite sorts less when no column repeats). */
function selectSql(terms: Term[]): Sql[] {
  const columns: Sql[] = [sql`runs.run_uuid AS id`]
  terms.slice(0, -1).forEach((t, i) => {
    if (t.group) columns.push(sql`${t.group} AS ${sql.ref(`g${i}`)}`)
    columns.push(sql`${t.value} AS ${sql.ref(`v${i}`)}`)
  })
  return columns
}

/** The key of a page's last row, when it can start the next page (no NaN, NULL or long values). */
function keyOf(row: Record<string, unknown>, terms: Term[]): KeyValue[] | undefined {
  const key: KeyValue[] = []
  for (let i = 0; i < terms.length; i++) {
    if (terms[i]!.group && Number(row[`g${i}`]) !== 0) return undefined
    const value = i === terms.length - 1 ? row.id : row[`v${i}`]
    if (typeof value === 'number' && Number.isFinite(value)) key.push(value)
    else if (typeof value === 'string' && value.length <= MAX_KEY_STRING) key.push(value)
    else return undefined
  }
  return key
}

function fingerprint(query: SearchRunsQuery): string {
  const text = JSON.stringify([
    query.experimentIds,
    query.filter ?? '',
    query.orderBy,
    query.viewType,
  ])
  return createHash('sha1').update(text).digest('base64url').slice(0, 12)
}

function encodeCursor(offset: number, after: KeyValue[] | undefined, q: string): string {
  if (!after) return encodePageToken(offset)
  return Buffer.from(JSON.stringify({ offset, after, q })).toString('base64')
}

/** The offset (validated as MLflow does), and the key to start after when the token holds one. */
function decodeCursor(token: string | undefined, q: string, size: number): Cursor {
  const offset = decodePageToken(token)
  if (!token || offset === 0) return { offset }
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
    if (typeof parsed !== 'object' || parsed === null) return { offset }
    const { after, q: tokenQ } = parsed as { after?: unknown; q?: unknown }
    const valid =
      tokenQ === q &&
      Array.isArray(after) &&
      after.length === size &&
      after.every((v) => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string')
    return valid ? { offset, after: after as KeyValue[] } : { offset }
  } catch {
    return { offset }
  }
}

export async function searchRunsPage(ctx: SqlContext, query: SearchRunsQuery): Promise<Page<Run>> {
  const filter = parseRunsFilter(query.filter)
  const orderBy = parseRunsOrderBy(query.orderBy)
  const q = fingerprint(query)
  // The number of terms of the order; a token's key must have as many values.
  const size =
    orderBy.length +
    (orderBy.some((o) => o.entity === 'attribute' && o.key === 'start_time') ? 1 : 2)
  const cursor = decodeCursor(query.pageToken, q, size)
  const experimentIds = query.experimentIds.map(parseExperimentId)
  if (experimentIds.length === 0) return { items: [] }

  const scope = [
    sql<SqlBool>`r.experiment_id IN (${sql.join(experimentIds)})`,
    sql<SqlBool>`r.lifecycle_stage IN (${sql.join(lifecycleStages(query.viewType))})`,
  ]
  const p = plan(ctx.dialect, scope, filter, orderBy, cursor.after)
  const where = [
    sql<SqlBool>`runs.experiment_id IN (${sql.join(experimentIds)})`,
    sql<SqlBool>`runs.lifecycle_stage IN (${sql.join(lifecycleStages(query.viewType))})`,
    ...p.where,
  ]
  if (cursor.after) where.push(afterSql(ctx.dialect, p.terms, cursor.after))
  const limit = sql.lit(query.maxResults + 1)
  const offset = sql.lit(cursor.after ? 0 : cursor.offset)
  const { rows } = await sql<
    Record<string, unknown>
  >`${p.cte ?? sql``} SELECT ${sql.join(selectSql(p.terms))} FROM ${p.from} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(orderSql(p.terms))} LIMIT ${limit} OFFSET ${offset}`.execute(
    ctx.db,
  )
  const hasMore = rows.length > query.maxResults
  const page = hasMore ? rows.slice(0, query.maxResults) : rows
  const items = await hydrateRunIds(
    ctx,
    page.map((r) => String(r.id)),
    { modelInputs: false },
  )
  if (!hasMore) return { items }
  const last = page[page.length - 1]!
  const next = cursor.offset + query.maxResults
  return { items, nextPageToken: encodeCursor(next, keyOf(last, p.terms), q) }
}

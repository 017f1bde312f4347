import { MlflowError } from '@carnet/protocol'
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import type { Comparison, FilterExpr } from '../../search/ast.ts'
import type { SqlDialect } from './dialects/sql-dialect.ts'

type Bool = RawBuilder<SqlBool>

const RUN_ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: 'run_uuid',
  run_name: 'name',
  status: 'status',
  user_id: 'user_id',
  artifact_uri: 'artifact_uri',
  lifecycle_stage: 'lifecycle_stage',
  start_time: 'start_time',
  end_time: 'end_time',
}

const NUMERIC_OPS = new Set(['=', '!=', '>', '>=', '<', '<='])

/** A string comparison with MLflow's case rules (exact =, case-sensitive LIKE, ILIKE). */
export function compareString(
  dialect: SqlDialect,
  column: RawBuilder<unknown>,
  c: Comparison,
): Bool {
  const value = c.value
  switch (c.op) {
    case '=':
      return dialect.equals(column, String(value))
    case '!=':
      return sql<SqlBool>`NOT (${dialect.equals(column, String(value))})`
    case 'LIKE':
      return dialect.like(column, String(value))
    case 'ILIKE':
      return dialect.ilike(column, String(value))
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(value) ? value : [String(value)]
      if (list.length === 0) return c.op === 'IN' ? sql<SqlBool>`1 = 0` : sql<SqlBool>`1 = 1`
      const inList = sql<SqlBool>`${column} IN (${sql.join(list)})`
      return c.op === 'IN' ? inList : sql<SqlBool>`NOT (${inList})`
    }
    default:
      if (NUMERIC_OPS.has(c.op)) return sql<SqlBool>`${column} ${sql.raw(c.op)} ${String(value)}`
      throw MlflowError.invalidParameter(`Invalid comparator '${c.op}' for a string value`)
  }
}

function compareNumber(column: RawBuilder<unknown>, c: Comparison): Bool {
  if (!NUMERIC_OPS.has(c.op) || typeof c.value !== 'number') {
    throw MlflowError.invalidParameter(`Invalid comparator '${c.op}' for a numeric value`)
  }
  return sql<SqlBool>`${column} ${sql.raw(c.op)} ${c.value}`
}

/** Compiles a runs filter to SQL over the `runs` table; each clause is an indexed EXISTS. */
export function runFilterSql(dialect: SqlDialect, expr: FilterExpr): Bool {
  switch (expr.kind) {
    case 'and':
      return sql<SqlBool>`(${sql.join(
        expr.items.map((e) => runFilterSql(dialect, e)),
        sql` AND `,
      )})`
    case 'or':
      return sql<SqlBool>`(${sql.join(
        expr.items.map((e) => runFilterSql(dialect, e)),
        sql` OR `,
      )})`
    case 'not':
      // NULL (unknown) counts as false before negation, so NOT never resurrects NULL rows.
      return sql<SqlBool>`NOT (COALESCE((${runFilterSql(dialect, expr.item)}), 1 = 0))`
    case 'cmp':
      return runComparison(dialect, expr)
  }
}

/**
 * The test a metric, param or tag comparison makes on one row of latest_metrics, params or tags
 * (`alias`), the row of the compared key. Not for IS NULL / IS NOT NULL, which test the row's presence.
 */
export function keyRowTest(dialect: SqlDialect, alias: string, c: Comparison): Bool {
  const value = sql.ref(`${alias}.value`)
  if (c.entity !== 'metric') return compareString(dialect, value, c)
  // mlflow-compat: a NaN latest value matches only `!=`.
  const notNan = sql<SqlBool>`${sql.ref(`${alias}.is_nan`)} = ${dialect.bool(false)}`
  return c.op === '!='
    ? sql<SqlBool>`(NOT (${notNan}) OR ${compareNumber(value, c)})`
    : sql<SqlBool>`${notNan} AND ${compareNumber(value, c)}`
}

/**
 * True when every run the comparison matches has a row for its key holding an ordinary value: a
 * non-NaN metric, a non-NULL param or tag value. Such a comparison can be joined to, not probed.
 */
export function impliesOrdinaryValue(c: Comparison): boolean {
  if (c.entity === 'metric') return c.op !== '!='
  if (c.entity === 'param' || c.entity === 'tag')
    return c.op !== 'IS NULL' && c.op !== 'IS NOT NULL'
  return false
}

function runComparison(dialect: SqlDialect, c: Comparison): Bool {
  switch (c.entity) {
    case 'metric':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = runs.run_uuid AND m.key = ${c.key} AND ${keyRowTest(dialect, 'm', c)})`
    case 'param':
    case 'tag': {
      const table = c.entity === 'param' ? sql.raw('params') : sql.raw('tags')
      const has = sql<SqlBool>`EXISTS (SELECT 1 FROM ${table} p WHERE p.run_uuid = runs.run_uuid AND p.key = ${c.key}`
      if (c.op === 'IS NULL') return sql<SqlBool>`NOT ${has})`
      if (c.op === 'IS NOT NULL') return sql<SqlBool>`${has})`
      return sql<SqlBool>`${has} AND ${keyRowTest(dialect, 'p', c)})`
    }
    case 'attribute': {
      const column = RUN_ATTRIBUTE_COLUMNS[c.key]
      if (!column) throw MlflowError.invalidParameter(`Invalid attribute key '${c.key}' specified.`)
      const ref = sql.ref(`runs.${column}`)
      if (c.key === 'start_time' || c.key === 'end_time') return compareNumber(ref, c)
      if (c.key === 'run_id' && Array.isArray(c.value)) {
        // mlflow-compat: run ids are lowercase; values with capitals can never match.
        return compareString(dialect, ref, {
          ...c,
          value: c.value.filter((v) => v === v.toLowerCase()),
        })
      }
      return compareString(dialect, ref, c)
    }
    case 'dataset': {
      const base = sql`EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id`
      const scope = sql`i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id = runs.run_uuid`
      if (c.key === 'context') {
        return sql<SqlBool>`${base} JOIN input_tags t ON t.input_uuid = i.input_uuid WHERE ${scope} AND t.name = 'mlflow.data.context' AND ${compareString(dialect, sql.ref('t.value'), c)})`
      }
      const column = c.key === 'digest' ? 'd.digest' : 'd.name'
      return sql<SqlBool>`${base} WHERE ${scope} AND ${compareString(dialect, sql.ref(column), c)})`
    }
  }
}

/** Compiles an experiments filter over the `experiments` table. */
export function experimentFilterSql(dialect: SqlDialect, expr: FilterExpr): Bool {
  switch (expr.kind) {
    case 'and':
      return sql<SqlBool>`(${sql.join(
        expr.items.map((e) => experimentFilterSql(dialect, e)),
        sql` AND `,
      )})`
    case 'or':
      return sql<SqlBool>`(${sql.join(
        expr.items.map((e) => experimentFilterSql(dialect, e)),
        sql` OR `,
      )})`
    case 'not':
      return sql<SqlBool>`NOT (COALESCE((${experimentFilterSql(dialect, expr.item)}), 1 = 0))`
    case 'cmp': {
      if (expr.entity === 'tag') {
        const has = sql<SqlBool>`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = ${expr.key}`
        if (expr.op === 'IS NULL') return sql<SqlBool>`NOT ${has})`
        if (expr.op === 'IS NOT NULL') return sql<SqlBool>`${has})`
        return sql<SqlBool>`${has} AND ${compareString(dialect, sql.ref('t.value'), expr)})`
      }
      if (expr.key === 'name') return compareString(dialect, sql.ref('experiments.name'), expr)
      if (expr.key === 'creation_time' || expr.key === 'last_update_time') {
        return compareNumber(sql.ref(`experiments.${expr.key}`), expr)
      }
      throw MlflowError.invalidParameter(`Invalid attribute key '${expr.key}' specified.`)
    }
  }
}

/**
 * The logged-models/search filter (contract §6.6, mlflow/utils/search_logged_model_utils.py):
 * `attributes.`, `metrics.`, `params.`, `tags.` (plural only) or no prefix (an attribute).
 * Numeric: metrics and the two timestamps (`<`, `<=`, `>`, `>=`, `=`, `!=`); strings: `=`, `!=`,
 * `LIKE`, `ILIKE`, `IN`, `NOT IN`. Like the runs grammar, Carnet also accepts OR, NOT and
 * parentheses, double-quoted strings, `status` by name, and refuses unknown attributes with a 400.
 */
import { LOGGED_MODEL_STATUSES } from '@carnet/protocol'
import type { Comparator } from './ast.ts'
import { guarded, invalid } from './identifier.ts'
import { pyRepr } from './py-format.ts'
import type { RawComparison, RawExpr, RawValue } from './syntax.ts'
import { parseFilterSyntax } from './syntax.ts'
import { canonicalComparator, notQuoted, stringList } from './values.ts'

export type LoggedModelEntity = 'attribute' | 'metric' | 'param' | 'tag'

/** One comparison; attribute keys are column names (`creation_timestamp_ms`, …). */
export interface LoggedModelComparison {
  kind: 'cmp'
  entity: LoggedModelEntity
  key: string
  op: Comparator
  /** A number for numeric keys (and `status`), a string, or a list for IN / NOT IN. */
  value: number | string | string[] | number[]
}

export type LoggedModelFilter =
  | LoggedModelComparison
  | { kind: 'and' | 'or'; items: LoggedModelFilter[] }
  | { kind: 'not'; item: LoggedModelFilter }

const ENTITIES: Readonly<Record<string, LoggedModelEntity>> = {
  attributes: 'attribute',
  metrics: 'metric',
  params: 'param',
  tags: 'tag',
}

/** Attribute aliases of MLflow's SqlLoggedModel.ALIASES. */
export const LOGGED_MODEL_ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  creation_time: 'creation_timestamp_ms',
  creation_timestamp: 'creation_timestamp_ms',
  last_updated_timestamp: 'last_updated_timestamp_ms',
}

/** Columns of `logged_models` that can be filtered and ordered on. */
export const LOGGED_MODEL_COLUMNS: readonly string[] = [
  'model_id',
  'name',
  'artifact_location',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
  'status',
  'model_type',
  'source_run_id',
  'status_message',
]

const NUMERIC_COLUMNS = new Set(['creation_timestamp_ms', 'last_updated_timestamp_ms'])
const NUMERIC_OPS: readonly Comparator[] = ['<', '<=', '>', '>=', '=', '!=']
const STRING_OPS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']
const STATUS_OPS: readonly Comparator[] = ['=', '!=', 'IN', 'NOT IN']

const tuple = (ops: readonly string[]) => `(${ops.map(pyRepr).join(', ')})`

/** `attributes.name`, `metrics.loss`, `` tags.`a.b` ``, `name` …; aliases resolved. */
export function resolveLoggedModelField(
  parts: readonly string[],
  options: { forOrderBy?: boolean } = {},
): { entity: LoggedModelEntity; key: string; shown: string } {
  const shown = parts.join('.')
  let entity: LoggedModelEntity = 'attribute'
  let key = shown
  if (parts.length > 1 && /^[a-z]+$/.test(parts[0]!)) {
    const found = ENTITIES[parts[0]!]
    if (!found) {
      throw invalid(
        `Invalid entity type: ${pyRepr(parts[0]!)}. Expected one of ['attributes', 'metrics', 'params', 'tags'].`,
      )
    }
    entity = found
    key = parts.slice(1).join('.')
  }
  if (entity === 'attribute') {
    const column = LOGGED_MODEL_ATTRIBUTE_ALIASES[key] ?? key
    if (!LOGGED_MODEL_COLUMNS.includes(column)) {
      if (options.forOrderBy) throw invalid(`Invalid order by field name: ${shown}`)
      throw invalid(
        `Invalid attribute key '${key}' specified. Valid keys are ${tuple(LOGGED_MODEL_COLUMNS)}`,
      )
    }
    key = column
  }
  return { entity, key, shown }
}

function statusNumber(text: string): number {
  const upper = text.toUpperCase()
  const byName = LOGGED_MODEL_STATUSES.findIndex(
    (name) => name === upper || name === `LOGGED_MODEL_${upper}`,
  )
  if (byName >= 0) return byName
  if (/^[0-3]$/.test(text.trim())) return Number(text.trim())
  throw invalid(`Invalid status ${pyRepr(text)}. Expected one of ${tuple(LOGGED_MODEL_STATUSES)}.`)
}

function toComparison(raw: RawComparison): LoggedModelComparison {
  const { entity, key, shown } = resolveLoggedModelField(raw.name.parts.map((p) => p.text))
  const numeric = entity === 'metric' || (entity === 'attribute' && NUMERIC_COLUMNS.has(key))
  const isStatus = entity === 'attribute' && key === 'status'
  const ops = numeric ? NUMERIC_OPS : isStatus ? STATUS_OPS : STRING_OPS
  const op = ops.find((c) => c === canonicalComparator(raw.op))
  if (op === undefined || raw.value === undefined) {
    throw invalid(
      `Invalid comparison operator for ${entity === 'attribute' ? `attributes.${key}` : shown}: ${pyRepr(raw.op)}. Expected one of ${tuple(ops)}.`,
    )
  }
  const value = raw.value
  if (numeric) {
    if (value.kind !== 'number') {
      throw invalid(`Expected a numeric value for ${shown}. Got value ${value.raw}`)
    }
    return { kind: 'cmp', entity, key, op, value: value.value }
  }
  if (op === 'IN' || op === 'NOT IN') {
    if (value.kind !== 'list')
      throw invalid(`Expected a list of quoted strings. Got value ${value.raw}`)
    const items = stringList(value)
    return { kind: 'cmp', entity, key, op, value: isStatus ? items.map(statusNumber) : items }
  }
  if (isStatus && value.kind === 'number') {
    return { kind: 'cmp', entity, key, op, value: statusNumber(String(value.value)) }
  }
  const text = stringOf(value)
  return { kind: 'cmp', entity, key, op, value: isStatus ? statusNumber(text) : text }
}

function stringOf(value: RawValue): string {
  if (value.kind === 'string') return value.value
  if (value.kind === 'name') throw invalid(notQuoted(value.raw))
  throw invalid(`Expected a quoted string value. Got value ${value.raw}`)
}

function validate(expr: RawExpr): LoggedModelFilter {
  switch (expr.kind) {
    case 'cmp':
      return toComparison(expr)
    case 'not':
      return { kind: 'not', item: validate(expr.item) }
    case 'and':
    case 'or':
      return { kind: expr.kind, items: expr.items.map(validate) }
  }
}

export function parseLoggedModelsFilter(filter: string | undefined): LoggedModelFilter | undefined {
  if (filter === undefined || filter === null || filter === '') return undefined
  return guarded(
    () => {
      const raw = parseFilterSyntax(String(filter))
      return raw === undefined ? undefined : validate(raw)
    },
    () => `Invalid filter string: ${pyRepr(String(filter))}.`,
  )
}

/** True when the filter compares any metric (dataset filters then narrow those comparisons). */
export function hasMetricComparison(expr: LoggedModelFilter | undefined): boolean {
  if (!expr) return false
  if (expr.kind === 'cmp') return expr.entity === 'metric'
  if (expr.kind === 'not') return hasMetricComparison(expr.item)
  return expr.items.some(hasMetricComparison)
}

/**
 * Filters and order_by for registered-models/search and model-versions/search (contract §6.4, §6.5).
 * Every filter MLflow accepts keeps its meaning; like the runs grammar, Carnet also accepts OR, NOT
 * and parentheses. Errors are INVALID_PARAMETER_VALUE with MLflow's wording.
 *
 * Registered models: `name` (=, !=, LIKE, ILIKE, IN, NOT IN) and `tags.<key>` (=, !=, LIKE, ILIKE).
 * Model versions: `name` and `run_id` (string comparators and lists), `source_path` (no lists),
 * `version_number` (numeric comparators; an integer or a quoted integer) and `tags.<key>`.
 */
import type { Comparator, Comparison, FilterExpr, OrderBy } from './ast.ts'
import { guarded, invalid, type SplitName, splitName } from './identifier.ts'
import type { NameToken } from './lexer.ts'
import { tokenize } from './lexer.ts'
import { pyList, pyRepr, pySet } from './py-format.ts'
import type { RawComparison, RawExpr, RawValue } from './syntax.ts'
import { parseFilterSyntax } from './syntax.ts'
import { canonicalComparator, notQuoted, stringList } from './values.ts'

type Kind = 'registered-models' | 'model-versions'

interface Grammar {
  attributes: readonly string[]
  listKeys: readonly string[]
  numeric: readonly string[]
}

const GRAMMARS: Record<Kind, Grammar> = {
  'registered-models': { attributes: ['name'], listKeys: ['name'], numeric: [] },
  'model-versions': {
    attributes: ['name', 'version_number', 'run_id', 'source_path'],
    listKeys: ['name', 'run_id'],
    numeric: ['version_number'],
  },
}

const ENTITY_TYPES = ['attribute', 'tag', 'tags'] as const
const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']
const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<=']
const TAG_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE']

function identifier(
  name: SplitName,
  grammar: Grammar,
): { entity: 'attribute' | 'tag'; key: string } {
  if (name.entity !== undefined && !(ENTITY_TYPES as readonly string[]).includes(name.entity)) {
    throw invalid(
      `Invalid entity type '${name.entity}'. Valid entity types are ('attribute', 'tag', 'tags')`,
    )
  }
  if (name.entity === 'tag' || name.entity === 'tags') return { entity: 'tag', key: name.key }
  if (!grammar.attributes.includes(name.key)) {
    throw invalid(
      `Invalid attribute key '${name.key}' specified. Valid keys are '${pySet(grammar.attributes)}'`,
    )
  }
  return { entity: 'attribute', key: name.key }
}

function comparatorOf(op: string): Comparator | undefined {
  const all: readonly Comparator[] = [...STRING_COMPARATORS, '>', '>=', '<', '<=']
  return all.find((c) => c === canonicalComparator(op))
}

function stringOrList(
  value: RawValue,
  key: string,
  grammar: Grammar,
  what: string,
): string | string[] {
  if (value.kind === 'string') return value.value
  if (value.kind === 'name') throw invalid(notQuoted(value.raw))
  if (value.kind === 'list') {
    if (!grammar.listKeys.includes(key)) {
      throw invalid(
        `Only ${pyList([...grammar.listKeys].sort())} attributes support comparison with a list of quoted string values.`,
      )
    }
    return stringList(value)
  }
  throw invalid(`Expected a quoted string value ${what}. Got value ${value.raw}`)
}

/** MLflow's order of checks: identifier, value, then comparator (in the store). */
function toComparison(kind: Kind, raw: RawComparison): Comparison {
  const grammar = GRAMMARS[kind]
  const { entity, key } = identifier(splitName(raw.name), grammar)
  const op = comparatorOf(raw.op)
  if (raw.value === undefined) {
    // MLflow fails these with a 500; they are not part of its grammar.
    throw invalid(`Invalid comparator for ${entity}: ${raw.op}`)
  }
  if (entity === 'tag') {
    if (raw.value.kind !== 'string') {
      if (raw.value.kind === 'name') throw invalid(notQuoted(raw.value.raw))
      throw invalid(
        `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${raw.value.raw}`,
      )
    }
    if (op === undefined || !TAG_COMPARATORS.includes(op)) {
      throw invalid(`Invalid comparator for tag: ${raw.op}`)
    }
    return { kind: 'cmp', entity, key, op, value: raw.value.value }
  }
  if (grammar.numeric.includes(key)) return numericComparison(key, raw.op, op, raw.value)
  if (raw.value.kind === 'number') {
    if (kind === 'registered-models') {
      throw invalid(
        `Expected a quoted string value or a list of quoted string values for attributes. Got value ${raw.value.raw}`,
      )
    }
    throw invalid(
      `Only the '${pySet(['version_number', 'creation_timestamp', 'last_updated_timestamp'])}' attributes support comparison with numeric values.`,
    )
  }
  const value = stringOrList(
    raw.value,
    key,
    grammar,
    'or a list of quoted string values for attributes',
  )
  const isList = Array.isArray(value)
  if (
    op === undefined ||
    !STRING_COMPARATORS.includes(op) ||
    ((op === 'IN' || op === 'NOT IN') && !grammar.listKeys.includes(key)) ||
    isList !== (op === 'IN' || op === 'NOT IN')
  ) {
    throw invalid(`Invalid comparator for attribute: ${raw.op}`)
  }
  return { kind: 'cmp', entity, key, op, value }
}

function numericComparison(
  key: string,
  rawOp: string,
  op: Comparator | undefined,
  value: RawValue,
): Comparison {
  let number: number | undefined
  if (value.kind === 'number') {
    if (!Number.isInteger(value.value) || /[.eE]/.test(value.raw)) {
      throw invalid(`Invalid value for numeric attribute '${key}': ${value.raw}`)
    }
    number = value.value
  } else if (value.kind === 'string') {
    // mlflow-compat: Python's int() of the quoted text.
    if (/^\s*[+-]?\d+\s*$/.test(value.value)) number = Number(value.value)
    else throw invalid(`Invalid value for numeric attribute '${key}': ${pyRepr(value.value)}`)
  } else if (value.kind === 'name') {
    throw invalid(notQuoted(value.raw))
  } else {
    throw invalid(
      `Only ${pyList(['name', 'run_id'])} attributes support comparison with a list of quoted string values.`,
    )
  }
  if (op === undefined || !NUMERIC_COMPARATORS.includes(op)) {
    throw invalid(`Invalid comparator for attribute ${key}: ${rawOp}`)
  }
  return { kind: 'cmp', entity: 'attribute', key, op, value: number }
}

function validate(kind: Kind, expr: RawExpr): FilterExpr {
  switch (expr.kind) {
    case 'cmp':
      return toComparison(kind, expr)
    case 'not':
      return { kind: 'not', item: validate(kind, expr.item) }
    case 'and':
    case 'or':
      return { kind: expr.kind, items: expr.items.map((item) => validate(kind, item)) }
  }
}

function parse(kind: Kind, filter: string | undefined): FilterExpr | undefined {
  if (filter === undefined || filter === null || filter === '') return undefined
  return guarded(
    () => {
      const raw = parseFilterSyntax(String(filter))
      return raw === undefined ? undefined : validate(kind, raw)
    },
    () => `Error on parsing filter '${String(filter)}'`,
  )
}

export function parseRegisteredModelsFilter(filter: string | undefined): FilterExpr | undefined {
  return parse('registered-models', filter)
}

export function parseModelVersionsFilter(filter: string | undefined): FilterExpr | undefined {
  return parse('model-versions', filter)
}

// ---------------------------------------------------------------------------------------------
// order_by

interface Clause {
  name: SplitName
  ascending: boolean
}

function parseClause(clause: string): Clause {
  const unparsable = () => invalid(`Invalid order_by clause '${clause}'. Could not be parsed.`)
  if (typeof clause !== 'string') throw unparsable()
  const lexed = tokenize(clause)
  if (!lexed.ok) throw unparsable()
  const [identifierToken, direction, rest] = lexed.tokens
  if (identifierToken?.kind !== 'name') throw unparsable()
  const name = splitName(identifierToken as NameToken)
  if (direction?.kind === 'end') return { name, ascending: true }
  if (direction?.kind !== 'name' || rest?.kind !== 'end') throw unparsable()
  const word = direction.parts
    .map((part) => part.text)
    .join('.')
    .toLowerCase()
  if (word !== 'asc' && word !== 'desc') {
    throw invalid(`Invalid ordering key in order_by clause '${clause}'.`)
  }
  return { name, ascending: word === 'asc' }
}

/** Registered-model order keys and the column they sort on. */
const MODEL_ORDER_KEYS: Readonly<Record<string, string>> = {
  name: 'name',
  timestamp: 'last_updated_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
  creation_timestamp: 'creation_timestamp',
}

const VERSION_ORDER_KEYS: readonly string[] = [
  'name',
  'version_number',
  'creation_timestamp',
  'last_updated_timestamp',
]

function orderBy(
  list: readonly string[] | undefined,
  resolve: (name: SplitName) => string,
): OrderBy[] {
  const result: OrderBy[] = []
  for (const clause of list ?? []) {
    const { name, ascending } = parseClause(clause)
    const key = resolve(name)
    if (result.some((o) => o.key === key)) {
      // mlflow-compat: MLflow raises this with a 500; here it is the caller's 400.
      throw invalid(`\`order_by\` contains duplicate fields: ${pyList(list ?? [])}`)
    }
    result.push({ entity: 'attribute', key, ascending })
  }
  return result
}

/**
 * Registered models: `name`, `timestamp` / `last_updated_timestamp` (one column) and, beyond
 * MLflow's SQL store, `creation_timestamp`. Keys are canonical column names of the wire entity.
 */
export function parseRegisteredModelsOrderBy(list: readonly string[] | undefined): OrderBy[] {
  return guarded(
    () =>
      orderBy(list, ({ entity, key }) => {
        const column =
          entity === undefined || entity === 'attribute' ? MODEL_ORDER_KEYS[key] : undefined
        if (!column) {
          const shown = entity === undefined ? key : `${entity}.${key}`
          throw invalid(
            `Invalid order by key '${shown}' specified.Valid keys are '${pySet(['name', 'timestamp'])}'`,
          )
        }
        return column
      }),
    () => `Invalid order_by clause ${pyList(Array.from(list ?? [], String))}. Could not be parsed.`,
  )
}

/** Model versions: `name`, `version_number`, `creation_timestamp`, `last_updated_timestamp`. */
export function parseModelVersionsOrderBy(list: readonly string[] | undefined): OrderBy[] {
  return guarded(
    () =>
      orderBy(list, ({ entity, key }) => {
        if (entity !== undefined && !(ENTITY_TYPES as readonly string[]).includes(entity)) {
          throw invalid(
            `Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`,
          )
        }
        if (entity === 'tag' || entity === 'tags' || VERSION_ORDER_KEYS.includes(key)) {
          if (VERSION_ORDER_KEYS.includes(key) && entity !== 'tag' && entity !== 'tags') return key
          throw invalid(
            `Invalid order by key '${key}' specified. Valid keys are ${pySet(VERSION_ORDER_KEYS)}`,
          )
        }
        throw invalid(
          `Invalid attribute key '${key}' specified. Valid keys are '${pySet(VERSION_ORDER_KEYS)}'`,
        )
      }),
    () => `Invalid order_by clause ${pyList(Array.from(list ?? [], String))}. Could not be parsed.`,
  )
}

/** MLflow's default for model versions when no order_by is given. */
export const DEFAULT_MODEL_VERSIONS_ORDER_BY: readonly OrderBy[] = Object.freeze([
  { entity: 'attribute', key: 'last_updated_timestamp', ascending: false },
  { entity: 'attribute', key: 'name', ascending: true },
  { entity: 'attribute', key: 'version_number', ascending: false },
] as const)

/**
 * order_by parsing for runs/search and experiments/search (contract §6.2 / §6.3). Each clause is
 * `<identifier> [ASC|DESC]` (direction case-insensitive, default ASC). The default orderings and
 * tie-breakers are not added here: the SQL store appends them (constants below).
 */
import type { OrderBy } from './ast.ts'
import { resolveExperimentIdentifier } from './experiments-filter.ts'
import { guarded, invalid, type SplitName, splitName } from './identifier.ts'
import { tokenize } from './lexer.ts'
import { pyList } from './py-format.ts'
import { resolveRunIdentifier } from './run-schema.ts'

/**
 * Runs without order_by: newest first, then run id. With an order_by, the store appends
 * `start_time DESC` (unless start_time is already ordered on) and then `run_id ASC`.
 */
export const DEFAULT_RUNS_ORDER_BY: readonly OrderBy[] = Object.freeze([
  Object.freeze({ entity: 'attribute', key: 'start_time', ascending: false }),
  Object.freeze({ entity: 'attribute', key: 'run_id', ascending: true }),
] as const)

/** Experiments without order_by. */
export const DEFAULT_EXPERIMENTS_ORDER_BY: readonly OrderBy[] = Object.freeze([
  Object.freeze({ entity: 'attribute', key: 'creation_time', ascending: false }),
  Object.freeze({ entity: 'attribute', key: 'experiment_id', ascending: true }),
] as const)

/** Appended to every experiments ordering that does not already order on experiment_id. */
export const EXPERIMENTS_TIE_BREAKER: OrderBy = Object.freeze({
  entity: 'attribute',
  key: 'experiment_id',
  ascending: false,
})

const EXPERIMENT_ORDER_KEYS: readonly string[] = [
  'name',
  'experiment_id',
  'creation_time',
  'last_update_time',
]

interface Clause {
  name: SplitName
  ascending: boolean
}

function parseClause(clause: string): Clause {
  const unparsable = () => invalid(`Invalid order_by clause '${clause}'. Could not be parsed.`)
  if (typeof clause !== 'string') throw unparsable()
  const lexed = tokenize(clause)
  if (!lexed.ok) throw unparsable()
  const [identifier, direction, rest] = lexed.tokens
  if (identifier?.kind !== 'name') throw unparsable()
  if (direction?.kind === 'end') return { name: splitName(identifier), ascending: true }
  if (direction?.kind !== 'name' || rest?.kind !== 'end') throw unparsable()
  const word = direction.parts
    .map((part) => part.text)
    .join('.')
    .toLowerCase()
  if (word !== 'asc' && word !== 'desc') {
    throw invalid(`Invalid ordering key in order_by clause '${clause}'.`)
  }
  return { name: splitName(identifier), ascending: word === 'asc' }
}

/** Runs order_by: metrics, params, tags and attributes (aliases resolved); duplicates rejected. */
export function parseRunsOrderBy(list: readonly string[] | undefined): OrderBy[] {
  return guarded(
    () => runsOrderBy(list ?? []),
    () => unparsableList(list ?? []),
  )
}

function unparsableList(list: readonly unknown[]): string {
  return `Invalid order_by clause ${pyList(Array.from(list, String))}. Could not be parsed.`
}

function runsOrderBy(list: readonly string[]): OrderBy[] {
  const result: OrderBy[] = []
  const seen = new Set<string>()
  for (const clause of list) {
    const { name, ascending } = parseClause(clause)
    const { entity, key } = resolveRunIdentifier(name)
    if (entity === 'dataset') throw invalid(`Invalid identifier type '${entity}'`)
    const field = `${entity}\u0000${key}`
    if (seen.has(field)) {
      throw invalid(`\`order_by\` contains duplicate fields: ${pyList(list)}`)
    }
    seen.add(field)
    result.push({ entity, key, ascending })
  }
  return result
}

/**
 * Experiments order_by: attributes only. A repeated key is dropped (ordering twice on one column
 * changes nothing, and MLflow accepts it).
 */
export function parseExperimentsOrderBy(list: readonly string[] | undefined): OrderBy[] {
  return guarded(
    () => experimentsOrderBy(list ?? []),
    () => unparsableList(list ?? []),
  )
}

function experimentsOrderBy(list: readonly string[]): OrderBy[] {
  const result: OrderBy[] = []
  for (const clause of list) {
    const { name, ascending } = parseClause(clause)
    const { entity, key } = resolveExperimentIdentifier(name, EXPERIMENT_ORDER_KEYS)
    if (entity !== 'attribute') throw invalid(`Invalid order_by entity: ${entity}`)
    if (!result.some((order) => order.key === key)) result.push({ entity, key, ascending })
  }
  return result
}

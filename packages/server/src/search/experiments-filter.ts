/** Validates one raw comparison of an experiments/search filter (contract §6.3). */
import type { Comparator, Comparison } from './ast.ts'
import { invalid, type SplitName, splitName } from './identifier.ts'
import { pySet, pyTuple } from './py-format.ts'
import type { RawComparison, RawValue } from './syntax.ts'
import { canonicalComparator, checkComparator, numberValue, stringValue } from './values.ts'

const ENTITY_NAMES: readonly string[] = ['attribute', 'tag', 'tags']
export const EXPERIMENT_NUMERIC_ATTRIBUTES: readonly string[] = [
  'creation_time',
  'last_update_time',
]
const FILTER_KEYS: readonly string[] = ['name', ...EXPERIMENT_NUMERIC_ATTRIBUTES]

const NAME_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE']
const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<=']
const TAG_COMPARATORS: readonly Comparator[] = [
  '=',
  '!=',
  'LIKE',
  'ILIKE',
  'IS NULL',
  'IS NOT NULL',
]

export interface ExperimentIdentifier {
  entity: 'attribute' | 'tag'
  key: string
}

/** `[attribute.|tag.|tags.]key`; no entity means attribute. `attributes` is not accepted here. */
export function resolveExperimentIdentifier(
  { entity, key }: SplitName,
  validKeys: readonly string[],
): ExperimentIdentifier {
  if (entity !== undefined && !ENTITY_NAMES.includes(entity)) {
    throw invalid(
      `Invalid entity type '${entity}'. Valid entity types are ${pyTuple(ENTITY_NAMES)}`,
    )
  }
  if (entity === 'tag' || entity === 'tags') return { entity: 'tag', key }
  if (!validKeys.includes(key)) {
    throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(validKeys)}'`)
  }
  return { entity: 'attribute', key }
}

function experimentValue(
  entity: 'attribute' | 'tag',
  key: string,
  value: RawValue,
): number | string {
  if (entity === 'tag') {
    return stringValue(
      value,
      (raw) => `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${raw}`,
    )
  }
  if (EXPERIMENT_NUMERIC_ATTRIBUTES.includes(key)) {
    return numberValue(
      value,
      (raw) => `Expected numeric value type for numeric attribute: ${key}. Found ${raw}`,
    )
  }
  if (value.kind === 'list') {
    throw invalid(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    )
  }
  return stringValue(
    value,
    (raw) => `Expected a quoted string value for attributes. Got value ${raw}`,
  )
}

/**
 * Checks in MLflow's order: identifier, value, comparator. Carnet accepts `like` / `ilike` in any
 * case here, where MLflow's experiments search only accepts upper case (a deliberate superset).
 */
export function toExperimentComparison(raw: RawComparison): Comparison {
  const { entity, key } = resolveExperimentIdentifier(splitName(raw.name), FILTER_KEYS)
  if (raw.value === undefined) {
    if (entity !== 'tag') {
      throw invalid(
        `IS NULL / IS NOT NULL is only supported for tags, not for '${entity}' '${key}'`,
      )
    }
    const op = checkComparator(raw.op, TAG_COMPARATORS)
    return { kind: 'cmp', entity, key, op, value: null }
  }
  const value = experimentValue(entity, key, raw.value)
  const op = canonicalComparator(raw.op)
  if (entity === 'tag') {
    const found = TAG_COMPARATORS.find((candidate) => candidate === op)
    if (found === undefined || found === 'IS NULL' || found === 'IS NOT NULL') {
      throw invalid(`Invalid comparator for tag: ${op}`)
    }
    return { kind: 'cmp', entity, key, op: found, value }
  }
  const allowed = typeof value === 'number' ? NUMERIC_COMPARATORS : NAME_COMPARATORS
  return { kind: 'cmp', entity, key, op: checkComparator(op, allowed), value }
}

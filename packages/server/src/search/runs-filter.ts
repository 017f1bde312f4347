/** Validates one raw comparison of a runs/search filter (contract §6.2) into a Comparison. */
import type { Comparator, Comparison, Entity } from './ast.ts'
import { invalid, splitName } from './identifier.ts'
import {
  isNumericRunAttribute,
  METRIC_COMPARATORS,
  mlflowTypeName,
  PARAM_TAG_COMPARATORS,
  resolveRunIdentifier,
  STRING_ATTRIBUTE_COMPARATORS,
} from './run-schema.ts'
import type { RawComparison, RawValue } from './syntax.ts'
import {
  canonicalComparator,
  checkComparator,
  checkListComparator,
  isLowerCase,
  numberValue,
  stringList,
  stringValue,
} from './values.ts'

type Value = number | string | string[]

function runValue(entity: Entity, rawKey: string, key: string, value: RawValue): Value {
  switch (entity) {
    case 'metric':
      return numberValue(value, (raw) => `Expected numeric value type for metric. Found ${raw}`)
    case 'param':
    case 'tag':
      return stringValue(
        value,
        (raw) =>
          `Expected a quoted string value for ${mlflowTypeName(entity)} (e.g. 'my-value'). Got value ${raw}`,
      )
    case 'dataset':
      if (value.kind === 'list') return stringList(value)
      return stringValue(
        value,
        (raw) => `Expected a quoted string value for dataset attributes. Got value ${raw}`,
      )
    case 'attribute':
      if (isNumericRunAttribute(key)) {
        return numberValue(
          value,
          (raw) => `Expected numeric value type for numeric attribute: ${rawKey}. Found ${raw}`,
        )
      }
      if (value.kind === 'list') {
        if (key !== 'run_id') {
          throw invalid(
            "Only ['run_id'] attributes support comparison with a list of quoted string values.",
          )
        }
        // Run ids are lower-case; like MLflow, ids with upper-case letters can never match.
        return stringList(value).filter(isLowerCase)
      }
      return stringValue(
        value,
        (raw) => `Expected a quoted string value for attributes. Got value ${raw}`,
      )
  }
}

function allowedComparators(entity: Entity, key: string): readonly Comparator[] {
  switch (entity) {
    case 'metric':
      return METRIC_COMPARATORS
    case 'param':
    case 'tag':
      return PARAM_TAG_COMPARATORS
    case 'dataset':
      return STRING_ATTRIBUTE_COMPARATORS
    case 'attribute':
      return isNumericRunAttribute(key) ? METRIC_COMPARATORS : STRING_ATTRIBUTE_COMPARATORS
  }
}

/** Checks in MLflow's order: identifier, then value, then comparator. */
export function toRunComparison(raw: RawComparison): Comparison {
  const { entity, rawKey, key } = resolveRunIdentifier(splitName(raw.name))
  if (raw.value === undefined) {
    if (entity !== 'param' && entity !== 'tag') {
      throw invalid(
        `IS NULL / IS NOT NULL is only supported for tags and params, not for '${mlflowTypeName(entity)}' '${rawKey}'`,
      )
    }
    const op = checkComparator(raw.op, PARAM_TAG_COMPARATORS)
    return { kind: 'cmp', entity, key, op, value: null }
  }
  const value = runValue(entity, rawKey, key, raw.value)
  const op = checkComparator(canonicalComparator(raw.op), allowedComparators(entity, key))
  if (Array.isArray(value)) checkListComparator(op)
  return { kind: 'cmp', entity, key, op, value }
}

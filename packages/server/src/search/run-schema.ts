/** What runs can be filtered and ordered on (contract §6.2), and how names resolve. */
import type { Comparator, Entity } from './ast.ts'
import { invalid, type SplitName } from './identifier.ts'
import { pyList, pySet } from './py-format.ts'

const ENTITY_ALIASES: ReadonlyMap<string, Entity> = new Map<string, Entity>([
  ['metric', 'metric'],
  ['metrics', 'metric'],
  ['parameter', 'param'],
  ['parameters', 'param'],
  ['param', 'param'],
  ['params', 'param'],
  ['tag', 'tag'],
  ['tags', 'tag'],
  ['attribute', 'attribute'],
  ['attributes', 'attribute'],
  ['attr', 'attribute'],
  ['run', 'attribute'],
  ['dataset', 'dataset'],
  ['datasets', 'dataset'],
])

/** The names MLflow uses for entity types in its messages. */
const MLFLOW_TYPE_NAMES: Readonly<Record<Entity, string>> = {
  metric: 'metric',
  param: 'parameter',
  tag: 'tag',
  attribute: 'attribute',
  dataset: 'dataset',
}

export function mlflowTypeName(entity: Entity): string {
  return MLFLOW_TYPE_NAMES[entity]
}

export const RUN_STRING_ATTRIBUTES: readonly string[] = [
  'run_id',
  'run_name',
  'status',
  'user_id',
  'artifact_uri',
]
export const RUN_NUMERIC_ATTRIBUTES: readonly string[] = ['start_time', 'end_time']

const ATTRIBUTE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['created', 'start_time'],
  ['Created', 'start_time'],
  ['run name', 'run_name'],
  ['Run name', 'run_name'],
  ['Run Name', 'run_name'],
])

/** Attribute keys accepted in filters and order_by, aliases included (the order of messages). */
const RUN_ATTRIBUTE_KEYS: readonly string[] = [
  ...RUN_STRING_ATTRIBUTES,
  ...RUN_NUMERIC_ATTRIBUTES,
  ...ATTRIBUTE_ALIASES.keys(),
]

const DATASET_KEYS: readonly string[] = ['name', 'digest', 'context']

export const METRIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<=']
export const PARAM_TAG_COMPARATORS: readonly Comparator[] = [
  '=',
  '!=',
  'LIKE',
  'ILIKE',
  'IS NULL',
  'IS NOT NULL',
]
export const STRING_ATTRIBUTE_COMPARATORS: readonly Comparator[] = [
  '=',
  '!=',
  'LIKE',
  'ILIKE',
  'IN',
  'NOT IN',
]

export interface RunIdentifier {
  entity: Entity
  /** The key as written (quotes removed), which MLflow's messages quote. */
  rawKey: string
  /** The canonical key: attribute aliases resolved. */
  key: string
}

export function isNumericRunAttribute(key: string): boolean {
  return RUN_NUMERIC_ATTRIBUTES.includes(key)
}

/** Resolves `[entity.]key` for runs; no entity means attribute. */
export function resolveRunIdentifier({
  entity: entityName,
  key: rawKey,
}: SplitName): RunIdentifier {
  const entity = entityName === undefined ? 'attribute' : ENTITY_ALIASES.get(entityName)
  if (entity === undefined) {
    throw invalid(
      `Invalid entity type '${entityName}'. Valid values are ${pyList(Object.values(MLFLOW_TYPE_NAMES))}`,
    )
  }
  if (entity === 'attribute') {
    if (!RUN_ATTRIBUTE_KEYS.includes(rawKey)) {
      throw invalid(
        `Invalid attribute key '${rawKey}' specified. Valid keys are '${pySet(RUN_ATTRIBUTE_KEYS)}'`,
      )
    }
    return { entity, rawKey, key: ATTRIBUTE_ALIASES.get(rawKey) ?? rawKey }
  }
  if (entity === 'dataset' && !DATASET_KEYS.includes(rawKey)) {
    throw invalid(
      `Invalid dataset key '${rawKey}' specified. Valid keys are '${pySet(DATASET_KEYS)}'`,
    )
  }
  return { entity, rawKey, key: rawKey }
}

import { MlflowError } from '@carnet/protocol'
import { describe, expect, it } from 'vitest'
import type { Comparator, Comparison, Entity, FilterExpr } from './ast.ts'
import { parseExperimentsFilter } from './parser.ts'

function cmp(entity: Entity, key: string, op: Comparator, value: Comparison['value']): Comparison {
  return { kind: 'cmp', entity, key, op, value }
}

function messageOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(MlflowError)
    expect((error as MlflowError).code).toBe('INVALID_PARAMETER_VALUE')
    return (error as MlflowError).message
  }
  throw new Error('expected an MlflowError')
}

describe('parseExperimentsFilter', () => {
  it.each([[undefined], ['']])('%j filters nothing', (filter) => {
    expect(parseExperimentsFilter(filter)).toBeUndefined()
  })

  it.each<[string, FilterExpr]>([
    ["name = 'Default'", cmp('attribute', 'name', '=', 'Default')],
    ['attribute.name != "x"', cmp('attribute', 'name', '!=', 'x')],
    ["name LIKE 'a%'", cmp('attribute', 'name', 'LIKE', 'a%')],
    ["name ILIKE '%x%'", cmp('attribute', 'name', 'ILIKE', '%x%')],
    // MLflow only accepts upper-case LIKE / ILIKE here; Carnet accepts any case.
    ["name like 'a%'", cmp('attribute', 'name', 'LIKE', 'a%')],
    ["name ilike 'a%'", cmp('attribute', 'name', 'ILIKE', 'a%')],
    ['creation_time > 100', cmp('attribute', 'creation_time', '>', 100)],
    ['attribute.last_update_time <= 5', cmp('attribute', 'last_update_time', '<=', 5)],
    ["tags.key = 'v'", cmp('tag', 'key', '=', 'v')],
    ["tag.key != 'v'", cmp('tag', 'key', '!=', 'v')],
    ["tags.`mlflow.note.content` LIKE '%x%'", cmp('tag', 'mlflow.note.content', 'LIKE', '%x%')],
    ['tags."a b" ILIKE \'x\'', cmp('tag', 'a b', 'ILIKE', 'x')],
    ['tags."a b" IS NULL', cmp('tag', 'a b', 'IS NULL', null)],
    ['tags.x is not null', cmp('tag', 'x', 'IS NOT NULL', null)],
    [
      "name = 'a' AND tags.x = 'b'",
      { kind: 'and', items: [cmp('attribute', 'name', '=', 'a'), cmp('tag', 'x', '=', 'b')] },
    ],
    [
      "name = 'a' OR NOT tags.x = 'b'",
      {
        kind: 'or',
        items: [
          cmp('attribute', 'name', '=', 'a'),
          { kind: 'not', item: cmp('tag', 'x', '=', 'b') },
        ],
      },
    ],
  ])('%s', (filter, expected) => {
    expect(parseExperimentsFilter(filter)).toEqual(expected)
  })

  const ENTITIES = "Valid entity types are ('attribute', 'tag', 'tags')"
  const KEYS = "Valid keys are '{'name', 'creation_time', 'last_update_time'}'"
  it.each([
    ["attributes.name = 'a'", `Invalid entity type 'attributes'. ${ENTITIES}`],
    ['metrics.x > 1', `Invalid entity type 'metrics'. ${ENTITIES}`],
    ["experiment_id = '1'", `Invalid attribute key 'experiment_id' specified. ${KEYS}`],
    ["lifecycle_stage = 'active'", `Invalid attribute key 'lifecycle_stage' specified. ${KEYS}`],
    ["name > 'a'", "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE'}'"],
    [
      "name IN ('a')",
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    ],
    [
      "creation_time = 'a'",
      "Expected numeric value type for numeric attribute: creation_time. Found 'a'",
    ],
    [
      'creation_time LIKE 1',
      "Invalid comparator 'LIKE' not one of '{'=', '!=', '>', '>=', '<', '<='}'",
    ],
    ["tags.x > 'a'", 'Invalid comparator for tag: >'],
    [
      "tags.x IN ('a')",
      "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')",
    ],
    ['tags.x = 1', "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"],
    ['name = 1', 'Expected a quoted string value for attributes. Got value 1'],
    [
      'name = x',
      'Parameter value is either not quoted or unidentified quote types used for string value x. Use either single or double quotes.',
    ],
    [
      'name IS NULL',
      "IS NULL / IS NOT NULL is only supported for tags, not for 'attribute' 'name'",
    ],
    [
      "name = 'a' OR",
      "Error on parsing filter 'name = 'a' OR': expected a comparison but found end of filter at position 13",
    ],
  ])('rejects %s', (filter, message) => {
    expect(messageOf(() => parseExperimentsFilter(filter))).toBe(message)
  })
})

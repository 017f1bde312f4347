import { MlflowError } from '@carnet/protocol'
import { describe, expect, it } from 'vitest'
import { parseLoggedModelsFilter, resolveLoggedModelField } from './logged-models-filter.ts'
import {
  parseModelVersionsFilter,
  parseModelVersionsOrderBy,
  parseRegisteredModelsFilter,
  parseRegisteredModelsOrderBy,
} from './registry-filter.ts'

function message(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(MlflowError)
    expect((error as MlflowError).code).toBe('INVALID_PARAMETER_VALUE')
    return (error as MlflowError).message
  }
  throw new Error('expected an error')
}

describe('registered-models filter', () => {
  it('parses names, lists and tags', () => {
    expect(parseRegisteredModelsFilter('name LIKE \'a%\' AND tags.`team.x` = "red"')).toEqual({
      kind: 'and',
      items: [
        { kind: 'cmp', entity: 'attribute', key: 'name', op: 'LIKE', value: 'a%' },
        { kind: 'cmp', entity: 'tag', key: 'team.x', op: '=', value: 'red' },
      ],
    })
    expect(parseRegisteredModelsFilter("name in ('a', 'b')")).toMatchObject({
      op: 'IN',
      value: ['a', 'b'],
    })
    expect(parseRegisteredModelsFilter('')).toBeUndefined()
  })

  it("refuses what MLflow refuses, with MLflow's messages", () => {
    expect(message(() => parseRegisteredModelsFilter("description = 'x'"))).toBe(
      "Invalid attribute key 'description' specified. Valid keys are '{'name'}'",
    )
    expect(message(() => parseRegisteredModelsFilter("foo.bar = 'x'"))).toBe(
      "Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')",
    )
    expect(message(() => parseRegisteredModelsFilter("name > 'x'"))).toBe(
      'Invalid comparator for attribute: >',
    )
    expect(message(() => parseRegisteredModelsFilter('name = x'))).toMatch(/not quoted/)
    expect(message(() => parseRegisteredModelsFilter("tags.t IN ('x')"))).toMatch(/tag/)
    expect(message(() => parseRegisteredModelsFilter('tags.t IS NULL'))).toBe(
      'Invalid comparator for tag: IS NULL',
    )
  })

  it('orders by name or update time, once each', () => {
    expect(parseRegisteredModelsOrderBy(['timestamp DESC', 'name'])).toEqual([
      { entity: 'attribute', key: 'last_updated_timestamp', ascending: false },
      { entity: 'attribute', key: 'name', ascending: true },
    ])
    expect(
      message(() => parseRegisteredModelsOrderBy(['timestamp', 'last_updated_timestamp'])),
    ).toMatch(/duplicate fields/)
    expect(message(() => parseRegisteredModelsOrderBy(['name sideways']))).toBe(
      "Invalid ordering key in order_by clause 'name sideways'.",
    )
  })
})

describe('model-versions filter', () => {
  it('takes integer version numbers, quoted or not', () => {
    expect(parseModelVersionsFilter("version_number >= '2'")).toMatchObject({ op: '>=', value: 2 })
    expect(parseModelVersionsFilter('version_number != 3')).toMatchObject({ op: '!=', value: 3 })
    expect(message(() => parseModelVersionsFilter('version_number = 1.5'))).toBe(
      "Invalid value for numeric attribute 'version_number': 1.5",
    )
    expect(message(() => parseModelVersionsFilter("version_number = 'x'"))).toBe(
      "Invalid value for numeric attribute 'version_number': 'x'",
    )
    expect(message(() => parseModelVersionsFilter("version_number LIKE '1'"))).toBe(
      'Invalid comparator for attribute version_number: LIKE',
    )
  })

  it('allows lists for name and run_id only', () => {
    expect(parseModelVersionsFilter("run_id IN ('a')")).toMatchObject({ op: 'IN', value: ['a'] })
    expect(message(() => parseModelVersionsFilter("source_path IN ('a')"))).toBe(
      "Only ['name', 'run_id'] attributes support comparison with a list of quoted string values.",
    )
  })

  it('orders by the four version keys', () => {
    expect(parseModelVersionsOrderBy(['version_number', 'creation_timestamp DESC'])).toEqual([
      { entity: 'attribute', key: 'version_number', ascending: true },
      { entity: 'attribute', key: 'creation_timestamp', ascending: false },
    ])
    expect(message(() => parseModelVersionsOrderBy(['source_path']))).toMatch(
      /^Invalid attribute key 'source_path' specified/,
    )
    expect(message(() => parseModelVersionsOrderBy(['tags.k']))).toMatch(
      /^Invalid order by key 'k'/,
    )
  })
})

describe('logged-models filter', () => {
  it('resolves plural entities and attribute aliases', () => {
    expect(resolveLoggedModelField(['creation_time'])).toMatchObject({
      entity: 'attribute',
      key: 'creation_timestamp_ms',
    })
    expect(resolveLoggedModelField(['metrics', 'a.b'])).toMatchObject({
      entity: 'metric',
      key: 'a.b',
    })
    expect(message(() => resolveLoggedModelField(['tag', 'x']))).toBe(
      "Invalid entity type: 'tag'. Expected one of ['attributes', 'metrics', 'params', 'tags'].",
    )
  })

  it('types values by entity', () => {
    expect(parseLoggedModelsFilter("metrics.loss < 0.5 AND tags.t IN ('a', 'b')")).toMatchObject({
      kind: 'and',
      items: [
        { entity: 'metric', key: 'loss', op: '<', value: 0.5 },
        { entity: 'tag', key: 't', op: 'IN', value: ['a', 'b'] },
      ],
    })
    expect(parseLoggedModelsFilter("status != 'READY'")).toMatchObject({ op: '!=', value: 2 })
    expect(message(() => parseLoggedModelsFilter("metrics.loss LIKE 'x'"))).toMatch(
      /^Invalid comparison operator for metrics.loss: 'LIKE'/,
    )
    expect(message(() => parseLoggedModelsFilter("metrics.loss = 'x'"))).toMatch(/numeric/)
    expect(message(() => parseLoggedModelsFilter("bogus = 'x'"))).toMatch(
      /^Invalid attribute key 'bogus'/,
    )
  })
})

import { MlflowError } from '@carnet/protocol'
import { describe, expect, it } from 'vitest'
import type { OrderBy } from './ast.ts'
import {
  DEFAULT_EXPERIMENTS_ORDER_BY,
  DEFAULT_RUNS_ORDER_BY,
  parseExperimentsOrderBy,
  parseRunsOrderBy,
} from './order-by.ts'

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

const attr = (key: string, ascending = true): OrderBy => ({ entity: 'attribute', key, ascending })

describe('parseRunsOrderBy', () => {
  it.each<[string[] | undefined, OrderBy[]]>([
    [undefined, []],
    [[], []],
    [['start_time'], [attr('start_time')]],
    [['start_time DESC'], [attr('start_time', false)]],
    [['attributes.start_time desc'], [attr('start_time', false)]],
    [['created Asc'], [attr('start_time')]],
    [['Created'], [attr('start_time')]],
    [
      ['run_name', 'status DESC'],
      [attr('run_name'), attr('status', false)],
    ],
    [['`Run name` DESC'], [attr('run_name', false)]],
    [
      ['run.user_id', 'attr.end_time', 'artifact_uri'],
      [attr('user_id'), attr('end_time'), attr('artifact_uri')],
    ],
    [['run_id'], [attr('run_id')]],
    [['metrics.rmse'], [{ entity: 'metric', key: 'rmse', ascending: true }]],
    [['metrics.`my metric` DESC'], [{ entity: 'metric', key: 'my metric', ascending: false }]],
    [['metric."a.b" ASC'], [{ entity: 'metric', key: 'a.b', ascending: true }]],
    [['params.lr DESC'], [{ entity: 'param', key: 'lr', ascending: false }]],
    [['tags.mlflow.runName'], [{ entity: 'tag', key: 'mlflow.runName', ascending: true }]],
    [['`tags`.`x y`'], [{ entity: 'tag', key: 'x y', ascending: true }]],
    [
      ['params.a', 'metrics.a', 'tags.a'],
      [
        { entity: 'param', key: 'a', ascending: true },
        { entity: 'metric', key: 'a', ascending: true },
        { entity: 'tag', key: 'a', ascending: true },
      ],
    ],
  ])('%j', (list, expected) => {
    expect(parseRunsOrderBy(list)).toEqual(expected)
  })

  const KEYS =
    "'{'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', 'created', 'Created', 'run name', 'Run name', 'Run Name'}'"
  it.each<[string[], string]>([
    [['foo'], `Invalid attribute key 'foo' specified. Valid keys are ${KEYS}`],
    [
      ['x.y'],
      "Invalid entity type 'x'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    ],
    [['datasets.name'], "Invalid identifier type 'dataset'"],
    [
      ['datasets.foo'],
      "Invalid dataset key 'foo' specified. Valid keys are '{'name', 'digest', 'context'}'",
    ],
    [[''], "Invalid order_by clause ''. Could not be parsed."],
    [['x y z'], "Invalid order_by clause 'x y z'. Could not be parsed."],
    [
      ['metrics.my metric DESC'],
      "Invalid order_by clause 'metrics.my metric DESC'. Could not be parsed.",
    ],
    [["'start_time'"], "Invalid order_by clause ''start_time''. Could not be parsed."],
    [['start_time;'], "Invalid order_by clause 'start_time;'. Could not be parsed."],
    [['start_time up'], "Invalid ordering key in order_by clause 'start_time up'."],
    [
      ['start_time', 'start_time DESC'],
      "`order_by` contains duplicate fields: ['start_time', 'start_time DESC']",
    ],
    [
      ['created', 'attributes.start_time'],
      "`order_by` contains duplicate fields: ['created', 'attributes.start_time']",
    ],
    [['param.p', 'params.p'], "`order_by` contains duplicate fields: ['param.p', 'params.p']"],
  ])('rejects %j', (list, message) => {
    expect(messageOf(() => parseRunsOrderBy(list))).toBe(message)
  })
})

describe('parseExperimentsOrderBy', () => {
  it.each<[string[] | undefined, OrderBy[]]>([
    [undefined, []],
    [['name'], [attr('name')]],
    [
      ['creation_time DESC', 'experiment_id ASC'],
      [attr('creation_time', false), attr('experiment_id')],
    ],
    [['attribute.last_update_time desc'], [attr('last_update_time', false)]],
    // MLflow accepts repeated keys; the repetition changes nothing, so it is dropped.
    [['name', 'name DESC'], [attr('name')]],
  ])('%j', (list, expected) => {
    expect(parseExperimentsOrderBy(list)).toEqual(expected)
  })

  it.each<[string[], string]>([
    [['tags.x'], 'Invalid order_by entity: tag'],
    [
      ['attributes.name'],
      "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')",
    ],
    [
      ['run_id'],
      "Invalid attribute key 'run_id' specified. Valid keys are '{'name', 'experiment_id', 'creation_time', 'last_update_time'}'",
    ],
    [['name sideways'], "Invalid ordering key in order_by clause 'name sideways'."],
  ])('rejects %j', (list, message) => {
    expect(messageOf(() => parseExperimentsOrderBy(list))).toBe(message)
  })
})

describe('default orderings', () => {
  it('match the contract', () => {
    expect(DEFAULT_RUNS_ORDER_BY).toEqual([attr('start_time', false), attr('run_id')])
    expect(DEFAULT_EXPERIMENTS_ORDER_BY).toEqual([
      attr('creation_time', false),
      attr('experiment_id'),
    ])
    expect(Object.isFrozen(DEFAULT_RUNS_ORDER_BY[0])).toBe(true)
  })
})

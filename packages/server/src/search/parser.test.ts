import { MlflowError } from '@carnet/protocol'
import { describe, expect, it } from 'vitest'
import type { Comparator, Comparison, Entity, FilterExpr } from './ast.ts'
import { parseRunsFilter } from './parser.ts'

function cmp(entity: Entity, key: string, op: Comparator, value: Comparison['value']): Comparison {
  return { kind: 'cmp', entity, key, op, value }
}
const and = (...items: FilterExpr[]): FilterExpr => ({ kind: 'and', items })
const or = (...items: FilterExpr[]): FilterExpr => ({ kind: 'or', items })
const not = (item: FilterExpr): FilterExpr => ({ kind: 'not', item })

const a = cmp('metric', 'a', '>', 1)
const b = cmp('param', 'b', '=', 'x')
const c = cmp('tag', 'c', '!=', 'y')

function errorOf(run: () => unknown): MlflowError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(MlflowError)
    return error as MlflowError
  }
  throw new Error('expected an MlflowError')
}

describe('parseRunsFilter: nothing to filter', () => {
  it.each([[undefined], [''], ['AND'], ['and AND']])('%j', (filter) => {
    expect(parseRunsFilter(filter)).toBeUndefined()
  })

  it.each([['   '], ['\n\t']])('refuses the blank filter %j as MLflow does', (filter) => {
    expect(errorOf(() => parseRunsFilter(filter)).message).toBe(
      `Invalid filter '${filter}'. Could not be parsed.`,
    )
  })

  it('refuses several statements with MLflow message', () => {
    const filter = "params.x = 'a'; DROP TABLE runs"
    expect(errorOf(() => parseRunsFilter(filter)).message).toBe(
      `Search filter contained multiple expression "${filter}". Provide AND-ed expression list.`,
    )
    expect(parseRunsFilter("params.x = 'a;b'")).toBeDefined()
  })
})

describe('parseRunsFilter: MLflow filters', () => {
  it.each<[string, FilterExpr]>([
    // Examples from MLflow's search documentation.
    ['metrics.accuracy > 0.92', cmp('metric', 'accuracy', '>', 0.92)],
    [
      'params.model = "LogisticRegression" and params.lambda = "0.001" and metrics.error <= 0.05',
      and(
        cmp('param', 'model', '=', 'LogisticRegression'),
        cmp('param', 'lambda', '=', '0.001'),
        cmp('metric', 'error', '<=', 0.05),
      ),
    ],
    ['attributes.status = "FAILED"', cmp('attribute', 'status', '=', 'FAILED')],
    [
      "metrics.rmse < 1 and params.model = 'tree'",
      and(cmp('metric', 'rmse', '<', 1), cmp('param', 'model', '=', 'tree')),
    ],
    ['metrics."model class" = 1', cmp('metric', 'model class', '=', 1)],
    ['metrics.`f1 score` >= 0.5', cmp('metric', 'f1 score', '>=', 0.5)],
    ['`metrics`.`m-1` > 0', cmp('metric', 'm-1', '>', 0)],
    ['tags."mlflow.runName" LIKE \'x%\'', cmp('tag', 'mlflow.runName', 'LIKE', 'x%')],
    ["tags.`mlflow.runName` = 'x'", cmp('tag', 'mlflow.runName', '=', 'x')],
    ["tags.mlflow.runName = 'x'", cmp('tag', 'mlflow.runName', '=', 'x')],
    ["tags.mlflow.source.type = 'LOCAL'", cmp('tag', 'mlflow.source.type', '=', 'LOCAL')],
    ["tag.env ILIKE '%PROD%'", cmp('tag', 'env', 'ILIKE', '%PROD%')],
    // Entity aliases.
    ['metric.m = -1', cmp('metric', 'm', '=', -1)],
    ["param.lr = '0.01'", cmp('param', 'lr', '=', '0.01')],
    ["parameter.lr != 'x'", cmp('param', 'lr', '!=', 'x')],
    ["parameters.lr LIKE 'x'", cmp('param', 'lr', 'LIKE', 'x')],
    ["attr.user_id = 'alice'", cmp('attribute', 'user_id', '=', 'alice')],
    ["run.status != 'RUNNING'", cmp('attribute', 'status', '!=', 'RUNNING')],
    ["attribute.artifact_uri LIKE 's3://%'", cmp('attribute', 'artifact_uri', 'LIKE', 's3://%')],
    // Attributes and their aliases.
    ["run_name = 'a'", cmp('attribute', 'run_name', '=', 'a')],
    ["`run name` = 'a'", cmp('attribute', 'run_name', '=', 'a')],
    ['"Run Name" ILIKE \'%a%\'', cmp('attribute', 'run_name', 'ILIKE', '%a%')],
    ["attributes.`Run name` != 'a'", cmp('attribute', 'run_name', '!=', 'a')],
    ['attributes.start_time >= 1', cmp('attribute', 'start_time', '>=', 1)],
    ['created > 1650000000000', cmp('attribute', 'start_time', '>', 1650000000000)],
    ['Created < 5', cmp('attribute', 'start_time', '<', 5)],
    ['end_time != 0', cmp('attribute', 'end_time', '!=', 0)],
    ["attributes.run_id = 'abc'", cmp('attribute', 'run_id', '=', 'abc')],
    ["attributes.run_id IN ('a','b')", cmp('attribute', 'run_id', 'IN', ['a', 'b'])],
    ['run_id not in (\'a1\', "b2",)', cmp('attribute', 'run_id', 'NOT IN', ['a1', 'b2'])],
    // Like MLflow, ids that are not lower-case (Python's str.islower) can never match.
    ["run_id IN ('abc', 'ABC', '123')", cmp('attribute', 'run_id', 'IN', ['abc'])],
    ["run_id IN ('ABC')", cmp('attribute', 'run_id', 'IN', [])],
    // Datasets.
    ["datasets.name = 'x'", cmp('dataset', 'name', '=', 'x')],
    ["dataset.digest IN ('a', 'B')", cmp('dataset', 'digest', 'IN', ['a', 'B'])],
    ["datasets.context NOT IN ('train')", cmp('dataset', 'context', 'NOT IN', ['train'])],
    ["datasets.name LIKE 'ds%'", cmp('dataset', 'name', 'LIKE', 'ds%')],
    // IS NULL / IS NOT NULL.
    ['params.x IS NULL', cmp('param', 'x', 'IS NULL', null)],
    ['tags.x IS NOT NULL', cmp('tag', 'x', 'IS NOT NULL', null)],
    ['params.x is not null', cmp('param', 'x', 'IS NOT NULL', null)],
    // Numbers.
    ['metrics.m > +1.5', cmp('metric', 'm', '>', 1.5)],
    ['metrics.m < 1e-3', cmp('metric', 'm', '<', 0.001)],
    ['metrics.m <= .5', cmp('metric', 'm', '<=', 0.5)],
    ['metrics.m >= 2E+2', cmp('metric', 'm', '>=', 200)],
    // Strings.
    ["tags.note = 'it''s'", cmp('tag', 'note', '=', "it's")],
    ['tags.note = "say ""hi"""', cmp('tag', 'note', '=', 'say "hi"')],
    ["tags.path = 'C:\\dir'", cmp('tag', 'path', '=', 'C:\\dir')],
    ["params.x = ''", cmp('param', 'x', '=', '')],
    ["params.x = 'a AND b OR (c)'", cmp('param', 'x', '=', 'a AND b OR (c)')],
    ["tags.名前 = '値'", cmp('tag', '名前', '=', '値')],
    ['metrics.précision > 0.5', cmp('metric', 'précision', '>', 0.5)],
    ['metrics.0acc > 1', cmp('metric', '0acc', '>', 1)],
    // Layout and keyword case.
    ['metrics.x>1', cmp('metric', 'x', '>', 1)],
    ['  metrics.x\t>\n1  ', cmp('metric', 'x', '>', 1)],
    [
      "params.x like 'a' AnD params.y ILike 'b'",
      and(cmp('param', 'x', 'LIKE', 'a'), cmp('param', 'y', 'ILIKE', 'b')),
    ],
    // MLflow ignores stray ANDs.
    ['metrics.a > 1 AND', a],
    ['AND metrics.a > 1', a],
    ["metrics.a > 1 AND AND params.b = 'x'", and(a, b)],
  ])('%s', (filter, expected) => {
    expect(parseRunsFilter(filter)).toEqual(expected)
  })
})

describe('parseRunsFilter: OR, NOT and parentheses', () => {
  const A = 'metrics.a > 1'
  const B = "params.b = 'x'"
  const C = "tags.c != 'y'"
  it.each<[string, FilterExpr]>([
    [`${A} OR ${B}`, or(a, b)],
    [`${A} or ${B}`, or(a, b)],
    [`${A} AND ${B} OR ${C}`, or(and(a, b), c)],
    [`${A} OR ${B} AND ${C}`, or(a, and(b, c))],
    [`(${A} OR ${B}) AND ${C}`, and(or(a, b), c)],
    [`${A} OR (${B} OR ${C})`, or(a, b, c)],
    [`(${A} AND ${B}) AND ${C}`, and(a, b, c)],
    [`NOT ${A}`, not(a)],
    [`not ${A} AND ${B}`, and(not(a), b)],
    [`NOT (${A} OR ${B})`, not(or(a, b))],
    [`NOT NOT ${A}`, not(not(a))],
    [`((${A}))`, a],
    [`(${A}) OR NOT (${B} AND NOT ${C})`, or(a, not(and(b, not(c))))],
    [`${A} AND (${B} AND)`, and(a, b)],
  ])('%s', (filter, expected) => {
    expect(parseRunsFilter(filter)).toEqual(expected)
  })

  it('parses long flat lists without recursion', () => {
    const filter = Array.from({ length: 5000 }, (_, i) => `metrics.m${i} > ${i}`).join(' OR ')
    const parsed = parseRunsFilter(filter)
    expect(parsed?.kind === 'or' && parsed.items.length).toBe(5000)
  })
})

const VALID_KEYS =
  "'{'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', 'created', 'Created', 'run name', 'Run name', 'Run Name'}'"
const STRING_ATTR = "'{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'"
const NUMERIC = "'{'=', '!=', '>', '>=', '<', '<='}'"
const PARAM_TAG = "'{'=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}'"
const LIST = 'While parsing a list in the query,'

describe('parseRunsFilter: rejected filters', () => {
  it.each([
    // Identifiers.
    [
      "foo.x = 'a'",
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    ],
    [
      'Metrics.x > 1',
      "Invalid entity type 'Metrics'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    ],
    ["bar = 'a'", `Invalid attribute key 'bar' specified. Valid keys are ${VALID_KEYS}`],
    [
      "lifecycle_stage = 'active'",
      `Invalid attribute key 'lifecycle_stage' specified. Valid keys are ${VALID_KEYS}`,
    ],
    [
      "attributes.run_uuid = 'a'",
      `Invalid attribute key 'run_uuid' specified. Valid keys are ${VALID_KEYS}`,
    ],
    [
      "datasets.foo = 'a'",
      "Invalid dataset key 'foo' specified. Valid keys are '{'name', 'digest', 'context'}'",
    ],
    // Values.
    ["metrics.x > 'a'", "Expected numeric value type for metric. Found 'a'"],
    ['metrics.x IN (1)', 'Expected numeric value type for metric. Found (1)'],
    [
      "start_time > '1'",
      "Expected numeric value type for numeric attribute: start_time. Found '1'",
    ],
    ['created > x', 'Expected numeric value type for numeric attribute: created. Found x'],
    ['params.x = 1', "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1"],
    [
      'params.x = NULL',
      "Expected a quoted string value for parameter (e.g. 'my-value'). Got value NULL",
    ],
    ["tags.x = ('a')", "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')"],
    ['status = 1', 'Expected a quoted string value for attributes. Got value 1'],
    ['datasets.name = 40', 'Expected a quoted string value for dataset attributes. Got value 40'],
    [
      'params.x = a',
      'Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes.',
    ],
    [
      'status = `FAILED`',
      'Parameter value is either not quoted or unidentified quote types used for string value `FAILED`. Use either single or double quotes.',
    ],
    [
      "status IN ('a')",
      "Only ['run_id'] attributes support comparison with a list of quoted string values.",
    ],
    ['run_id IN ()', `${LIST} expected a non-empty list of string values, but got empty list`],
    [
      "run_id IN ('a' 'b')",
      `${LIST} expected a non-empty list of string values, but got ill-formed list.`,
    ],
    [
      "run_id IN ('a',,)",
      `${LIST} expected a non-empty list of string values, but got ill-formed list.`,
    ],
    [
      "run_id IN (('a'))",
      `${LIST} expected a non-empty list of string values, but got ill-formed list.`,
    ],
    [
      "run_id IN ('a', 1)",
      `${LIST} expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)`,
    ],
    // Comparators.
    ['metrics.x == 1', `Invalid comparator '==' not one of ${NUMERIC}`],
    ["metrics.x LIKE 'a'", "Expected numeric value type for metric. Found 'a'"],
    ['metrics.x LIKE 1', `Invalid comparator 'LIKE' not one of ${NUMERIC}`],
    ['start_time LIKE 1', `Invalid comparator 'LIKE' not one of ${NUMERIC}`],
    ["status > 'a'", `Invalid comparator '>' not one of ${STRING_ATTR}`],
    ["params.x > 'a'", `Invalid comparator '>' not one of ${PARAM_TAG}`],
    ["datasets.name >= 'a'", `Invalid comparator '>=' not one of ${STRING_ATTR}`],
    ["run_id = ('a')", "Invalid comparator '=' for a list of values. Expected 'IN' or 'NOT IN'"],
    [
      'metrics.x IS NULL',
      "IS NULL / IS NOT NULL is only supported for tags and params, not for 'metric' 'x'",
    ],
    [
      'created IS NOT NULL',
      "IS NULL / IS NOT NULL is only supported for tags and params, not for 'attribute' 'created'",
    ],
    [
      'datasets.name IS NULL',
      "IS NULL / IS NOT NULL is only supported for tags and params, not for 'dataset' 'name'",
    ],
  ])('%s', (filter, message) => {
    const error = errorOf(() => parseRunsFilter(filter))
    expect(error.code).toBe('INVALID_PARAMETER_VALUE')
    expect(error.message).toBe(message)
  })
})

describe('parseRunsFilter: syntax errors point at the problem', () => {
  it.each([
    ['metrics.x > 1)', "unexpected ')' at position 13"],
    ['(metrics.x > 1', "unbalanced '(' at position 0"],
    ['metrics.x > 1 AND (params.a = 1', "unbalanced '(' at position 18"],
    ['()', "expected a comparison but found ')' at position 1"],
    ['metrics.x', "expected a comparator after 'metrics.x' but found end of filter at position 9"],
    ['metrics.x 1', "expected a comparator after 'metrics.x' but found '1' at position 10"],
    ['metrics.x >', 'expected a value but found end of filter at position 11'],
    ['metrics.x > AND', "expected a value but found 'AND' at position 12"],
    ["params.x = 'a' 'b'", "unexpected ''b'' at position 15"],
    ["'a' = 'a'", "expected an identifier but found ''a'' at position 0"],
    ['1 = 1', "expected an identifier but found '1' at position 0"],
    ["params.x = 'a' OR", 'expected a comparison but found end of filter at position 17'],
    ["OR params.x = 'a'", "expected a comparison but found 'OR' at position 0"],
    ["params.x NOT LIKE 'a'", "expected IN but found 'LIKE' at position 13"],
    ["run_id IN 'a'", "expected '(' but found ''a'' at position 10"],
    ['params.x IS 1', "expected NULL but found '1' at position 12"],
    ["run_id IN ('a'", "unbalanced '(' at position 10"],
    ["params.x = 'a", 'unterminated string at position 11'],
    ['metrics.x > 1e400', "number out of range '1e400' at position 12"],
    ['NOT', 'expected an identifier but found end of filter at position 3'],
  ])('%s', (filter, detail) => {
    expect(errorOf(() => parseRunsFilter(filter)).message).toBe(
      `Error on parsing filter '${filter}': ${detail}`,
    )
  })

  it('refuses nesting deeper than 100', () => {
    const deep = `${'('.repeat(101)}metrics.x > 1${')'.repeat(101)}`
    expect(errorOf(() => parseRunsFilter(deep)).message).toBe(
      `Error on parsing filter '${deep}': expression nested too deeply at position 100`,
    )
    const nots = `${'NOT '.repeat(5000)}metrics.x > 1`
    expect(errorOf(() => parseRunsFilter(nots)).message).toContain('expression nested too deeply')
    expect(parseRunsFilter(`${'('.repeat(100)}metrics.x > 1${')'.repeat(100)}`)).toEqual(
      cmp('metric', 'x', '>', 1),
    )
  })
})

import type { Run } from '@carnet/protocol'
import { describe, expect, test } from 'vitest'
import { cellText, columnFromId, defaultColumnIds, orderByClause, quoteKey } from './columns.ts'
import { groupRows, stats, treeRows } from './display-rows.ts'
import { suggest } from './filter-suggest.ts'
import { collectKeys, indexRun } from './run-index.ts'

function run(
  id: string,
  opts: { parent?: string; params?: Record<string, string>; metrics?: Record<string, number> } = {},
): Run {
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: `run-${id}`,
      experiment_id: '1',
      user_id: 'u',
      status: 'FINISHED',
      start_time: 1000,
      end_time: 4000,
      lifecycle_stage: 'active',
    },
    data: {
      params: Object.entries(opts.params ?? {}).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(opts.metrics ?? {}).map(([key, value]) => ({
        key,
        value,
        step: 0,
        timestamp: 0,
      })),
      tags: opts.parent ? [{ key: 'mlflow.parentRunId', value: opts.parent }] : [],
    },
    inputs: {},
  }
}

describe('columns', () => {
  test('ids map to order_by clauses with quoted keys', () => {
    expect(orderByClause('-metrics.acc')).toEqual(['metrics.acc DESC'])
    expect(orderByClause('params.my key')).toEqual(['params.`my key` ASC'])
    expect(orderByClause('attributes.duration')).toBeUndefined()
    expect(quoteKey('a.b')).toBe('`a.b`')
  })
  test('defaults cap wide experiments and cells format', () => {
    const many = Array.from({ length: 100 }, (_, i) => `m${i}`)
    expect(
      defaultColumnIds({ metrics: many, params: [] }).filter((c) => c.startsWith('metrics.')),
    ).toHaveLength(15)
    const row = indexRun(run('a', { metrics: { acc: 0.5 } }))
    expect(cellText(row, columnFromId('attributes.duration')!)).toBe('3.0s')
    expect(cellText(row, columnFromId('metrics.acc')!)).toBe('0.5')
  })
})

describe('display rows', () => {
  const rows = [
    run('p', { params: { opt: 'adam' }, metrics: { loss: 1 } }),
    run('c1', { parent: 'p', params: { opt: 'adam' }, metrics: { loss: 3 } }),
    run('c2', { parent: 'p', params: { opt: 'sgd' } }),
    run('x', { params: { opt: 'sgd' }, metrics: { loss: 2 } }),
  ].map(indexRun)

  test('children nest under a loaded parent and show when expanded', () => {
    expect(treeRows(rows, new Set()).map((r) => (r.kind === 'run' ? r.row.id : r.id))).toEqual([
      'p',
      'x',
    ])
    const open = treeRows(rows, new Set(['p']))
    expect(open.map((r) => (r.kind === 'run' ? `${r.row.id}:${r.depth}` : ''))).toEqual([
      'p:0',
      'c1:1',
      'c2:1',
      'x:0',
    ])
  })
  test('groups by a param with stats', () => {
    const groups = groupRows(rows, columnFromId('params.opt')!, new Set(['group:sgd']))
    expect(
      groups.filter((g) => g.kind === 'group').map((g) => g.kind === 'group' && g.runs.length),
    ).toEqual([2, 2])
    expect(groups).toHaveLength(4)
    expect(stats([1, 3])).toMatchObject({ mean: 2, min: 1, max: 3, std: 1, count: 2 })
  })
  test('collects keys', () => {
    expect(collectKeys(rows)).toMatchObject({ params: ['opt'], metrics: ['loss'] })
  })
})

describe('filter autocomplete', () => {
  const keys = { metrics: ['loss', 'val loss'], params: ['lr', 'optimizer'], tags: ['team'] }
  test('entity prefixes at the start of a clause', () => {
    expect(suggest('me', 2, keys).map((s) => s.label)).toEqual(['metrics.'])
    expect(suggest("params.lr = '1' and ", 20, keys).map((s) => s.label)).toHaveLength(4)
    expect(suggest('params.lr = ', 12, keys)).toEqual([])
  })
  test('keys after an entity, quoted when needed', () => {
    const s = suggest('metrics.lo', 10, keys)
    expect(s.map((x) => x.insert)).toEqual(['metrics.loss ', 'metrics.`val loss` '])
    expect(s[0]).toMatchObject({ from: 0, to: 10 })
  })
})

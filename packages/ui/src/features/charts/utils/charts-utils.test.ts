import { describe, expect, test } from 'vitest'
import { makeAxis } from './plot-data.ts'
import { bisect, extent, makeScale, niceTicks } from './scale.ts'
import { groupSeries, pointsByRun, smooth, xValues } from './series.ts'

describe('series', () => {
  test('points split per run and sort by step', () => {
    const p = pointsByRun([
      { key: 'k', value: 2, step: 2, timestamp: 3000, run_id: 'a' },
      { key: 'k', value: 1, step: 1, timestamp: 2000, run_id: 'a' },
      { key: 'k', value: 'NaN', step: 0, timestamp: 1000, run_id: 'b' },
    ])
    expect(p.get('a')?.steps).toEqual([1, 2])
    expect(Number.isNaN(p.get('b')?.values[0])).toBe(true)
    expect(xValues(p.get('a')!, 'relative')).toEqual([0, 1])
  })
  test('smoothing is a debiased EMA and keeps gaps', () => {
    expect(smooth([1, 1, 1], 0.9)).toEqual([1, 1, 1])
    const s = smooth([0, 10, Number.NaN, 10], 0.5)
    expect(s[0]).toBe(0)
    expect(Number.isNaN(s[2])).toBe(true)
    expect(smooth([3, 4], 0)).toEqual([3, 4])
  })
  test('group bands: mean ± std per bucket', () => {
    const [g] = groupSeries(
      [
        { group: 'g', color: 'red', xs: [0, 10], ys: [1, 1] },
        { group: 'g', color: 'red', xs: [0, 10], ys: [3, 3] },
      ],
      10,
    )
    expect(g?.ys[0]).toBe(2)
    expect(g?.lo?.[0]).toBe(1)
    expect(g?.hi?.[0]).toBe(3)
  })
})

describe('scales', () => {
  test('nice ticks, log domains and bisect', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(extent([-1, 0, 10], true)[0]).toBeGreaterThan(0)
    const log = makeScale([1, 1000], [0, 300], true)
    expect(log(10)).toBeCloseTo(100)
    expect(bisect([1, 2, 4, 8], 5)).toBe(2)
  })
  test('axes are numeric or categorical', () => {
    const runs = [
      { id: 'a', name: 'a', color: '', value: () => '0.1' },
      { id: 'b', name: 'b', color: '', value: () => '0.3' },
    ]
    expect(makeAxis('params.lr', runs).numeric).toBe(true)
    const cat = makeAxis('params.opt', [{ id: 'a', name: 'a', color: '', value: () => 'sgd' }])
    expect(cat.numeric).toBe(false)
    expect(cat.pos('sgd')).toBe(0.5)
  })
})

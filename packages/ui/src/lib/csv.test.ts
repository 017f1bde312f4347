import { describe, expect, test } from 'vitest'
import { parseCsv, toCsv } from './csv.ts'
import { formatDuration, formatNumber, toNumber } from './format.ts'

describe('csv', () => {
  test('quotes cells that need it and round-trips', () => {
    const rows = [
      ['name', 'value'],
      ['a,b', 'say "hi"'],
      ['multi\nline', 3],
    ]
    const text = toCsv(rows)
    expect(text.split('\n')[1]).toBe('"a,b","say ""hi"""')
    expect(parseCsv(text)).toEqual(rows.map((r) => r.map(String)))
  })
  test('tsv and row limit', () => {
    expect(parseCsv('a\tb\n1\t2\n3\t4\n', '\t', 2)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })
})

describe('format', () => {
  test('numbers, wire doubles and durations', () => {
    expect(formatNumber(0.123456789)).toBe('0.123457')
    expect(formatNumber(1e-7)).toBe('1.0000e-7')
    expect(formatNumber('NaN')).toBe('NaN')
    expect(toNumber('Infinity')).toBe(Number.POSITIVE_INFINITY)
    expect(formatDuration(1000, 66_000)).toBe('1m 5s')
    expect(formatDuration(1000, undefined)).toBe('—')
  })
})

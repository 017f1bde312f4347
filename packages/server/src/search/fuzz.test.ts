/**
 * Random inputs: every public entry point either returns or throws an MlflowError with
 * INVALID_PARAMETER_VALUE — never a TypeError, RangeError or any other exception.
 */
import { MlflowError } from '@carnet/protocol'
import { describe, expect, it } from 'vitest'
import {
  decodePageToken,
  parseExperimentsFilter,
  parseExperimentsOrderBy,
  parseRunsFilter,
  parseRunsOrderBy,
} from './index.ts'

/** Deterministic PRNG (mulberry32) so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FRAGMENTS = [
  'metrics',
  'params',
  'tags',
  'attributes',
  'datasets',
  'run_id',
  'start_time',
  'name',
  'created',
  'x',
  '.',
  '.',
  ' ',
  ' ',
  "'",
  "'",
  '"',
  '`',
  '(',
  ')',
  ',',
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'LIKE',
  'ILIKE',
  'asc',
  'DESC',
  '=',
  '!',
  '<',
  '>',
  '-',
  '+',
  '1',
  '0.5',
  'e',
  '9e999',
  '\\',
  ';',
  "'a'",
  '"b"',
  '`c d`',
  'é',
  '😀',
  '\u0000',
  '\n',
  '%',
  '_',
  '{',
  '}',
  '==',
  '<>',
]

function randomInput(next: () => number): string {
  let out = ''
  if (next() < 0.2) {
    const length = Math.floor(next() * 40)
    for (let i = 0; i < length; i += 1) out += String.fromCharCode(Math.floor(next() * 0x3000))
    return out
  }
  const count = Math.floor(next() * 30)
  for (let i = 0; i < count; i += 1) out += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)] ?? ''
  return out
}

function attempt(run: () => unknown, input: string): void {
  try {
    run()
  } catch (error) {
    if (!(error instanceof MlflowError) || error.code !== 'INVALID_PARAMETER_VALUE') {
      throw new Error(`input ${JSON.stringify(input)} threw ${String(error)}`)
    }
  }
}

describe('fuzz', () => {
  it('only ever throws MlflowError INVALID_PARAMETER_VALUE', () => {
    const next = random(20240601)
    for (let i = 0; i < 4000; i += 1) {
      const input = randomInput(next)
      attempt(() => parseRunsFilter(input), input)
      attempt(() => parseExperimentsFilter(input), input)
      attempt(() => parseRunsOrderBy([input]), input)
      attempt(() => parseExperimentsOrderBy([input, input]), input)
      attempt(() => decodePageToken(input), input)
      attempt(() => decodePageToken(Buffer.from(input).toString('base64')), input)
    }
  })

  it('survives structurally valid random filters', () => {
    const next = random(7)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
    const comparison = (): string =>
      pick([
        () => `metrics.m ${pick(['>', '<=', '=', '!=', 'LIKE'])} ${pick(['1', '-2.5', "'a'"])}`,
        () => `params.p ${pick(['=', 'LIKE', 'IS NULL', 'IS NOT NULL', 'IN'])} 'v'`,
        () => `run_id ${pick(['IN', 'NOT IN'])} ('a', 'b')`,
        () => `tags.\`t.x\` ${pick(['=', 'ILIKE', '>'])} "v"`,
      ])()
    const expression = (depth: number): string => {
      if (depth > 4 || next() < 0.3) return comparison()
      const op = pick([' AND ', ' OR ', ' and ', ' or '])
      const body = `${expression(depth + 1)}${op}${expression(depth + 1)}`
      return pick([body, `(${body})`, `NOT (${body})`])
    }
    for (let i = 0; i < 2000; i += 1) {
      const input = expression(0)
      attempt(() => parseRunsFilter(input), input)
    }
  })

  it('handles non-string values slipping through untyped callers', () => {
    const junk = [null, 42, {}, [], ['x']] as unknown as string[]
    for (const value of junk) {
      attempt(() => parseRunsFilter(value as unknown as string), String(value))
      attempt(() => parseRunsOrderBy([value as unknown as string, 'start_time', 'start_time']), '')
      attempt(() => decodePageToken(value as unknown as string), String(value))
    }
    expect(parseRunsFilter(null as unknown as string)).toBeUndefined()
  })
})

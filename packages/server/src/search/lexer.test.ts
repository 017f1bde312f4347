import { describe, expect, it } from 'vitest'
import type { Token } from './lexer.ts'
import { tokenize } from './lexer.ts'

/** A compact view of a token: kind plus what it holds. */
function show(token: Token): string {
  switch (token.kind) {
    case 'name':
      return `name(${token.parts.map((p) => `${p.quote}${p.text}${p.quote}`).join('|')})`
    case 'string':
      return `string(${token.value})`
    case 'number':
      return `number(${token.value})`
    case 'comparator':
    case 'keyword':
      return `${token.kind}(${token.value})`
    default:
      return token.kind
  }
}

function lex(text: string): string[] {
  const result = tokenize(text)
  if (!result.ok) throw new Error(`${result.message} at ${result.position}`)
  return result.tokens.map(show)
}

describe('tokenize', () => {
  it.each([
    ['metrics.rmse', ['name(metrics|rmse)', 'end']],
    ['tags.mlflow.runName', ['name(tags|mlflow|runName)', 'end']],
    ['metrics."my metric"', ['name(metrics|"my metric")', 'end']],
    ['tags.`mlflow.runName`', ['name(tags|`mlflow.runName`)', 'end']],
    ['`metrics`.`m-1`', ['name(`metrics`|`m-1`)', 'end']],
    ['`run name`', ['name(`run name`)', 'end']],
    ['"a ""b"""', ['name("a "b"")', 'end']],
    ['`a``b`', ['name(`a`b`)', 'end']],
    ['metrics.0acc', ['name(metrics|0acc)', 'end']],
    ['tags.名前', ['name(tags|名前)', 'end']],
    ["'it''s'", ["string(it's)", 'end']],
    ["'C:\\dir'", ['string(C:\\dir)', 'end']],
    ["''", ['string()', 'end']],
    [
      '1 -1 +2 1.5 .5 1. 1e3 1E-3 -2.5e+2',
      [
        'number(1)',
        'number(-1)',
        'number(2)',
        'number(1.5)',
        'number(0.5)',
        'number(1)',
        'number(1000)',
        'number(0.001)',
        'number(-250)',
        'end',
      ],
    ],
    [
      '= != <> > >= < <= ==',
      [
        'comparator(=)',
        'comparator(!=)',
        'comparator(<>)',
        'comparator(>)',
        'comparator(>=)',
        'comparator(<)',
        'comparator(<=)',
        'comparator(==)',
        'end',
      ],
    ],
    [
      'and Or NOT in Like ILIKE is null',
      [
        'keyword(AND)',
        'keyword(OR)',
        'keyword(NOT)',
        'keyword(IN)',
        'keyword(LIKE)',
        'keyword(ILIKE)',
        'keyword(IS)',
        'keyword(NULL)',
        'end',
      ],
    ],
    ['"and" `or` params.in', ['name("and")', 'name(`or`)', 'name(params|in)', 'end']],
    ["('a', 'b')", ['(', 'string(a)', ',', 'string(b)', ')', 'end']],
    ['metrics.x>-1', ['name(metrics|x)', 'comparator(>)', 'number(-1)', 'end']],
    [' \t\n ', ['end']],
  ])('%s', (text, expected) => {
    expect(lex(text)).toEqual(expected)
  })

  it('records character offsets', () => {
    const result = tokenize("  metrics.x >= 'a b'")
    expect(result.ok && result.tokens.map((t) => [t.start, t.end])).toEqual([
      [2, 11],
      [12, 14],
      [15, 20],
      [20, 20],
    ])
  })

  it.each([
    ["'abc", 'unterminated string', 0],
    ['metrics."abc', 'unterminated " quote', 8],
    ['`abc', 'unterminated ` quote', 0],
    ['metrics.', "expected a name after '.' but found end of input", 8],
    ["metrics.'x'", "expected a name after '.' but found '''", 8],
    ['1abc', "invalid number '1a'", 0],
    ['1.2.3', "invalid number '1.2.'", 0],
    ['1e999', "number out of range '1e999'", 0],
    ['a ; b', "unexpected character ';'", 2],
    ['a * 😀', "unexpected character '*'", 2],
    ['-x', "unexpected character '-'", 0],
  ])('rejects %s', (text, message, position) => {
    expect(tokenize(text)).toEqual({ ok: false, message, position })
  })
})

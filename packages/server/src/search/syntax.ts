/**
 * The entity-independent part of filter parsing: tokens → a tree of raw comparisons joined by
 * AND / OR / NOT and parentheses (precedence NOT > AND > OR). Entity rules (which keys, comparators
 * and value types are allowed) are applied afterwards by the runs / experiments validators, so that
 * their errors can follow MLflow's order and wording.
 */
import { MlflowError } from '@carnet/protocol'
import type { NameToken, Token } from './lexer.ts'
import { tokenize } from './lexer.ts'

/** A right-hand side as written. `raw` is the source text, used in error messages. */
export type RawValue =
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'number'; value: number; raw: string }
  /** An unquoted or back-quoted word: MLflow reads it as an identifier, not a string. */
  | { kind: 'name'; raw: string }
  | { kind: 'keyword'; raw: string }
  /** `(…)`; `wellFormed` is false when the items are not separated by single commas. */
  | { kind: 'list'; items: RawValue[]; wellFormed: boolean; raw: string }

export interface RawComparison {
  kind: 'cmp'
  name: NameToken
  /** Symbols as written (`=`, `<>`, `==`…); keywords upper-cased (`LIKE`, `NOT IN`, `IS NULL`). */
  op: string
  /** Absent for IS NULL / IS NOT NULL. */
  value: RawValue | undefined
}

export type RawExpr =
  | RawComparison
  | { kind: 'and'; items: RawExpr[] }
  | { kind: 'or'; items: RawExpr[] }
  | { kind: 'not'; item: RawExpr }

/** Parentheses plus NOTs deeper than this are refused (keeps recursion far from the stack limit). */
const MAX_DEPTH = 100

export function syntaxError(filter: string, detail: string, position: number): MlflowError {
  return MlflowError.invalidParameter(
    `Error on parsing filter '${filter}': ${detail} at position ${position}`,
  )
}

function isKeyword(token: Token, word: string): boolean {
  return token.kind === 'keyword' && token.value === word
}

function join(kind: 'and' | 'or', items: RawExpr[]): RawExpr {
  const flat = items.flatMap((item) => (item.kind === kind ? item.items : [item]))
  return flat.length === 1 && flat[0] ? flat[0] : { kind, items: flat }
}

function createParser(filter: string, tokens: Token[]) {
  let index = 0
  let depth = 0

  const peek = (): Token => tokens[index] ?? (tokens[tokens.length - 1] as Token)
  const next = (): Token => {
    const token = peek()
    if (index < tokens.length - 1) index += 1
    return token
  }
  const raw = (from: Token, to: Token = from): string => filter.slice(from.start, to.end)
  const describe = (token: Token): string =>
    token.kind === 'end' ? 'end of filter' : `'${raw(token)}'`
  const fail = (detail: string, token: Token): never => {
    throw syntaxError(filter, detail, token.start)
  }
  const enter = (token: Token): void => {
    depth += 1
    if (depth > MAX_DEPTH) fail('expression nested too deeply', token)
  }

  const tokenValue = (token: Token): RawValue | undefined => {
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value, raw: raw(token) }
      case 'number':
        return { kind: 'number', value: token.value, raw: raw(token) }
      case 'name': {
        const [only, ...rest] = token.parts
        if (only?.quote === '"' && rest.length === 0) {
          return { kind: 'string', value: only.text, raw: raw(token) }
        }
        return { kind: 'name', raw: raw(token) }
      }
      case 'keyword':
        return { kind: 'keyword', raw: raw(token) }
      default:
        return undefined
    }
  }

  const parseList = (): RawValue => {
    const open = next()
    if (open.kind !== '(') return fail(`expected '(' but found ${describe(open)}`, open)
    const inner: Token[] = []
    let nesting = 0
    for (;;) {
      const token = next()
      if (token.kind === 'end') return fail("unbalanced '('", open)
      if (token.kind === ')' && nesting === 0) {
        // Items at even positions, commas between them; one trailing comma is tolerated.
        const items: RawValue[] = []
        let wellFormed = true
        inner.forEach((item, i) => {
          const value = i % 2 === 0 ? tokenValue(item) : undefined
          if (value) items.push(value)
          else if (i % 2 === 0 || item.kind !== ',') wellFormed = false
        })
        return { kind: 'list', items, wellFormed, raw: raw(open, token) }
      }
      if (token.kind === '(') nesting += 1
      if (token.kind === ')') nesting -= 1
      inner.push(token)
    }
  }

  const parseValue = (): RawValue => {
    const token = peek()
    if (token.kind === '(') return parseList()
    const value = token.kind === 'keyword' && token.value !== 'NULL' ? undefined : tokenValue(token)
    if (!value) return fail(`expected a value but found ${describe(token)}`, token)
    next()
    return value
  }

  const parseComparison = (): RawComparison => {
    const name = next()
    if (name.kind !== 'name')
      return fail(`expected an identifier but found ${describe(name)}`, name)
    const opToken = next()
    if (opToken.kind === 'comparator') {
      return { kind: 'cmp', name, op: opToken.value, value: parseValue() }
    }
    if (isKeyword(opToken, 'LIKE') || isKeyword(opToken, 'ILIKE')) {
      return { kind: 'cmp', name, op: raw(opToken).toUpperCase(), value: parseValue() }
    }
    if (isKeyword(opToken, 'IN')) return { kind: 'cmp', name, op: 'IN', value: parseList() }
    if (isKeyword(opToken, 'NOT')) {
      const inToken = next()
      if (!isKeyword(inToken, 'IN'))
        return fail(`expected IN but found ${describe(inToken)}`, inToken)
      return { kind: 'cmp', name, op: 'NOT IN', value: parseList() }
    }
    if (isKeyword(opToken, 'IS')) {
      let nullToken = next()
      const negated = isKeyword(nullToken, 'NOT')
      if (negated) nullToken = next()
      if (!isKeyword(nullToken, 'NULL')) {
        return fail(`expected NULL but found ${describe(nullToken)}`, nullToken)
      }
      return { kind: 'cmp', name, op: negated ? 'IS NOT NULL' : 'IS NULL', value: undefined }
    }
    return fail(
      `expected a comparator after '${raw(name)}' but found ${describe(opToken)}`,
      opToken,
    )
  }

  const parsePrimary = (): RawExpr => {
    const token = peek()
    if (token.kind !== '(') return parseComparison()
    next()
    enter(token)
    const expr = parseOr()
    const close = next()
    if (close.kind === 'end') return fail("unbalanced '('", token)
    if (close.kind !== ')') return fail(`expected ')' but found ${describe(close)}`, close)
    depth -= 1
    return expr
  }

  const parseUnary = (): RawExpr => {
    const token = peek()
    if (!isKeyword(token, 'NOT')) return parsePrimary()
    next()
    enter(token)
    const item = parseUnary()
    depth -= 1
    return { kind: 'not', item }
  }

  /** Ends an AND-list: MLflow tolerates stray ANDs, so `a AND` and `AND a` still parse. */
  const endsAndList = (token: Token): boolean =>
    token.kind === 'end' || token.kind === ')' || isKeyword(token, 'OR')

  const parseAnd = (): RawExpr => {
    while (isKeyword(peek(), 'AND')) next()
    if (endsAndList(peek()))
      return fail(`expected a comparison but found ${describe(peek())}`, peek())
    const items = [parseUnary()]
    while (isKeyword(peek(), 'AND')) {
      while (isKeyword(peek(), 'AND')) next()
      if (endsAndList(peek())) break
      items.push(parseUnary())
    }
    return join('and', items)
  }

  function parseOr(): RawExpr {
    const items = [parseAnd()]
    while (isKeyword(peek(), 'OR')) {
      next()
      items.push(parseAnd())
    }
    return join('or', items)
  }

  const parseFilter = (): RawExpr => {
    const expr = parseOr()
    const rest = peek()
    if (rest.kind !== 'end') fail(`unexpected ${describe(rest)}`, rest)
    return expr
  }

  return { parseFilter }
}

/**
 * Parses the syntax of a filter. Returns undefined for a filter with no comparison at all (empty,
 * blank, or only ANDs — MLflow treats those as "no filter").
 */
export function parseFilterSyntax(filter: string): RawExpr | undefined {
  const lexed = tokenize(filter)
  if (!lexed.ok) throw syntaxError(filter, lexed.message, lexed.position)
  if (lexed.tokens.every((t) => t.kind === 'end' || isKeyword(t, 'AND'))) return undefined
  return createParser(filter, lexed.tokens).parseFilter()
}

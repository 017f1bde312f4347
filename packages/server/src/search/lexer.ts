/**
 * Tokenizer for search filters and order_by clauses. It never throws: errors come back as a value
 * with the 0-based character position, and the caller words the message.
 *
 * - Names are dot-separated parts; each part is a bare word (Unicode letters, digits, `_`), a
 *   back-quoted part (`` `a.b` ``, ``` `` ``` escapes a back-quote) or a double-quoted part
 *   (`"a b"`, `""` escapes a double quote). A lone double-quoted part is also how a double-quoted
 *   string value looks: the parser decides from the position.
 * - Strings are single-quoted; `''` stands for one quote. A backslash is an ordinary character.
 * - Numbers: optional sign, digits with an optional fraction, optional exponent (`-1`, `.5`, `1e-3`);
 *   literals beyond the range of a double are refused.
 * - Comparators are runs of `< > = !`; the parser validates them (`==` is lexed and then rejected).
 * - A bare single-part name spelled like a keyword (any case) is a keyword.
 */

export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'LIKE' | 'ILIKE' | 'IS' | 'NULL'

export type Quote = '' | '`' | '"'

export interface NamePart {
  text: string
  quote: Quote
}

interface Span {
  /** Offset of the first character. */
  start: number
  /** Offset just past the last character. */
  end: number
}

export type NameToken = Span & { kind: 'name'; parts: NamePart[] }

export type Token =
  | NameToken
  | (Span & { kind: 'string'; value: string })
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'comparator'; value: string })
  | (Span & { kind: 'keyword'; value: Keyword })
  | (Span & { kind: '(' | ')' | ',' | 'end' })

export type LexResult =
  | { ok: true; tokens: Token[] }
  | { ok: false; message: string; position: number }

const KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ILIKE',
  'IS',
  'NULL',
])
const WORD = /[\p{L}\p{N}\p{M}_]+/uy
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y
const COMPARATOR = /[<>=!]+/y
const SPACE = /\s+/y
const DIGIT = /[0-9]/
const ASCII_WORD = /^[A-Za-z]+$/

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at
  return re.exec(text)?.[0]
}

function isKeyword(word: string): word is Keyword {
  return KEYWORDS.has(word)
}

/** Reads a quoted run starting at `start` (which holds `quote`); doubled quotes escape it. */
function readQuoted(
  text: string,
  start: number,
  quote: string,
): { value: string; end: number } | undefined {
  let value = ''
  let from = start + 1
  for (;;) {
    const close = text.indexOf(quote, from)
    if (close < 0) return undefined
    value += text.slice(from, close)
    if (text[close + 1] === quote) {
      value += quote
      from = close + 2
    } else {
      return { value, end: close + 1 }
    }
  }
}

function startsNumber(text: string, at: number): boolean {
  const c = text[at] ?? ''
  const n = text[at + 1] ?? ''
  if (DIGIT.test(c)) return true
  if (c === '.') return DIGIT.test(n)
  if (c === '+' || c === '-') return DIGIT.test(n) || (n === '.' && DIGIT.test(text[at + 2] ?? ''))
  return false
}

type PartResult = { part: NamePart; end: number } | { error: string; position: number }

function readPart(text: string, at: number): PartResult {
  const c = text[at]
  if (c === '`' || c === '"') {
    const quoted = readQuoted(text, at, c)
    if (!quoted) return { error: `unterminated ${c} quote`, position: at }
    return { part: { text: quoted.value, quote: c }, end: quoted.end }
  }
  const word = matchAt(WORD, text, at)
  if (word === undefined) {
    const found = c === undefined ? 'end of input' : `'${c}'`
    return { error: `expected a name after '.' but found ${found}`, position: at }
  }
  return { part: { text: word, quote: '' }, end: at + word.length }
}

export function tokenize(text: string): LexResult {
  const tokens: Token[] = []
  let at = 0
  while (at < text.length) {
    const space = matchAt(SPACE, text, at)
    if (space !== undefined) {
      at += space.length
      continue
    }
    const c = text[at] ?? ''
    const start = at
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, start, end: at + 1 })
      at += 1
    } else if (c === "'") {
      const quoted = readQuoted(text, at, "'")
      if (!quoted) return { ok: false, message: 'unterminated string', position: at }
      tokens.push({ kind: 'string', value: quoted.value, start, end: quoted.end })
      at = quoted.end
    } else if (startsNumber(text, at)) {
      const raw = matchAt(NUMBER, text, at) ?? ''
      at += raw.length
      const next = text[at] ?? ''
      if (next === '.' || matchAt(WORD, text, at) !== undefined) {
        return {
          ok: false,
          message: `invalid number '${text.slice(start, at + 1)}'`,
          position: start,
        }
      }
      const value = Number(raw)
      // MLflow would compare with ±inf; Carnet refuses literals a double cannot hold.
      if (!Number.isFinite(value)) {
        return { ok: false, message: `number out of range '${raw}'`, position: start }
      }
      tokens.push({ kind: 'number', value, start, end: at })
    } else if (c === '<' || c === '>' || c === '=' || c === '!') {
      const op = matchAt(COMPARATOR, text, at) ?? c
      at += op.length
      tokens.push({ kind: 'comparator', value: op, start, end: at })
    } else if (c === '`' || c === '"' || matchAt(WORD, text, at) !== undefined) {
      const parts: NamePart[] = []
      for (;;) {
        const read = readPart(text, at)
        if ('error' in read) return { ok: false, message: read.error, position: read.position }
        parts.push(read.part)
        at = read.end
        if (text[at] !== '.') break
        at += 1
      }
      const only = parts.length === 1 ? parts[0] : undefined
      const upper = only?.quote === '' && ASCII_WORD.test(only.text) ? only.text.toUpperCase() : ''
      if (isKeyword(upper)) tokens.push({ kind: 'keyword', value: upper, start, end: at })
      else tokens.push({ kind: 'name', parts, start, end: at })
    } else {
      const ch = String.fromCodePoint(text.codePointAt(at) ?? 0)
      return { ok: false, message: `unexpected character '${ch}'`, position: at }
    }
  }
  tokens.push({ kind: 'end', start: text.length, end: text.length })
  return { ok: true, tokens }
}

/**
 * Python-style renderings used inside error messages, so that messages read the way MLflow's
 * Python server prints them (`'x'`, `{'a', 'b'}`, `['a']`, `b'...'`). Only for messages: nothing
 * parses these strings back.
 */

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f)
}

function escapeChar(ch: string, quote: string): string {
  if (ch === '\\') return '\\\\'
  if (ch === quote) return `\\${quote}`
  if (ch === '\n') return '\\n'
  if (ch === '\r') return '\\r'
  if (ch === '\t') return '\\t'
  if (isControl(ch.charCodeAt(0))) return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`
  return ch
}

/** `repr(str)`: single quotes unless the text holds a single quote and no double quote. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = ''
  for (const ch of text) out += escapeChar(ch, quote)
  return `${quote}${out}${quote}`
}

/** `repr(set_of_str)`, in the order given (Python's own order is hash-dependent). */
export function pySet(items: readonly string[]): string {
  return `{${items.map(pyRepr).join(', ')}}`
}

export function pyList(items: readonly string[]): string {
  return `[${items.map(pyRepr).join(', ')}]`
}

export function pyTuple(items: readonly string[]): string {
  return `(${items.map(pyRepr).join(', ')})`
}

/** `repr(bytes)`: printable ASCII as is, everything else escaped. */
export function pyBytesRepr(bytes: Uint8Array): string {
  let hasSingle = false
  let hasDouble = false
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true
    if (b === 0x22) hasDouble = true
  }
  const quote = hasSingle && !hasDouble ? '"' : "'"
  let out = ''
  for (const b of bytes) {
    const ch = String.fromCharCode(b)
    if (b >= 0x80) out += `\\x${b.toString(16).padStart(2, '0')}`
    else out += escapeChar(ch, quote)
  }
  return `b${quote}${out}${quote}`
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf'
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n)
  // Python writes two-digit exponents (1e-07); JavaScript writes 1e-7.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2')
}

/** `repr()` of a value produced by `json.loads` (dict, list, str, int/float, bool, None). */
export function pyJsonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'string') return pyRepr(value)
  if (typeof value === 'number') return pyNumber(value)
  if (Array.isArray(value)) return `[${value.map(pyJsonRepr).join(', ')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyJsonRepr(v)}`)
    return `{${entries.join(', ')}}`
  }
  return String(value)
}

/** `str()` of a `json.loads` value: strings as they are, everything else as `repr()`. */
export function pyJsonStr(value: unknown): string {
  return typeof value === 'string' ? value : pyJsonRepr(value)
}

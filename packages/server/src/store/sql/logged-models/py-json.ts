/**
 * Python's `json.dumps` with its defaults (`", "` and `": "` separators, ASCII-only output), for
 * the values MLflow writes with it and other readers parse back: the `mlflow.modelVersions` tag and
 * logged-model page tokens.
 */
const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}

function dumpString(text: string): string {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    const code = text.charCodeAt(i)
    const escaped = ESCAPES[ch]
    if (escaped) out += escaped
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}"`
}

function dumpNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n)
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2')
}

export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (typeof value === 'number') return dumpNumber(value)
  if (typeof value === 'string') return dumpString(value)
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${dumpString(k)}: ${pyJsonDumps(v)}`)
    return `{${entries.join(', ')}}`
  }
  return dumpString(String(value))
}

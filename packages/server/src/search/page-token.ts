/**
 * Offset page tokens (contract §2.6): base64 of Python's `json.dumps({"offset": N})`, e.g.
 * `{"offset": 1000}` → `eyJvZmZzZXQiOiAxMDAwfQ==`. Decoding follows MLflow: absent or empty means
 * offset 0, anything else must decode to a positive offset or fail with INVALID_PARAMETER_VALUE.
 */
import { MlflowError } from '@carnet/protocol'
import { guarded } from './identifier.ts'
import { pyBytesRepr, pyJsonRepr, pyJsonStr } from './py-format.ts'

export function encodePageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset <= 0) {
    throw new MlflowError('INTERNAL_ERROR', `Cannot encode a page token for offset ${offset}`)
  }
  return btoa(`{"offset": ${offset}}`)
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const INTEGER_TEXT = /^\s*[+-]?\d+(?:_\d+)*\s*$/

function fail(message: string): MlflowError {
  return MlflowError.invalidParameter(message)
}

/** Like Python's lenient b64decode: characters outside the alphabet are skipped, padding is not. */
function base64Decode(token: string): Uint8Array {
  const cleaned = token.replace(/[^A-Za-z0-9+/=]/g, '')
  if (!BASE64.test(cleaned)) throw fail('Invalid page token, could not base64-decode')
  const binary = atob(cleaned)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw fail(`Invalid page token, decoded value=${pyBytesRepr(bytes)}`)
  }
}

/** Python truthiness of a `json.loads` value. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0
  return Boolean(value)
}

/** Python's `int(x)` for what JSON can hold; undefined where Python would raise. */
function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    return Number(value.trim().replaceAll('_', ''))
  }
  return undefined
}

/** The offset encoded in `token`; 0 when the token is absent or empty. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === null || token === '') return 0
  return guarded(
    () => decodeOffset(String(token)),
    () => 'Invalid page token, could not base64-decode',
  )
}

function decodeOffset(token: string): number {
  const parsed = parseJson(base64Decode(token))
  const isDict = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
  const offsetValue: unknown = isDict ? (parsed as Record<string, unknown>).offset : undefined
  if (!isDict || !Object.hasOwn(parsed, 'offset') || !truthy(offsetValue)) {
    throw fail(`Invalid page token, parsed value=${pyJsonRepr(parsed)}`)
  }
  const offset = toInt(offsetValue)
  if (offset === undefined)
    throw fail(`Invalid page token, not stringable ${pyJsonStr(offsetValue)}`)
  // MLflow would pass a negative offset on to the database; Carnet refuses it here.
  if (offset < 0 || !Number.isSafeInteger(offset)) {
    throw fail(`Invalid page token, parsed value=${pyJsonRepr(parsed)}`)
  }
  return offset
}

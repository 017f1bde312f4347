import { MlflowError } from '@carnet/protocol'

/**
 * A relative artifact path that went through {@link validatePathIsSafe}: `/`-separated, no empty,
 * `.` or `..` segments, no leading or trailing slash; `''` is the root. Repositories only accept
 * this type, so an unvalidated string cannot reach the disk or a bucket by mistake.
 */
export type SafePath = string & { readonly __safePath: unique symbol }

export const ROOT_PATH = '' as SafePath

/** MLflow's answer for every unsafe path (`validate_path_is_safe`). */
export const invalidPath = (): MlflowError => MlflowError.invalidParameter('Invalid path')

const MAX_DECODE_ROUNDS = 10
/** Longer paths are refused before they reach a filesystem limit (ENAMETOOLONG) or a 1 KiB S3 key. */
const MAX_PATH_LENGTH = 1024

const utf8 = new TextDecoder('utf-8')

/**
 * Python's `urllib.parse.unquote`: `%XX` runs are decoded as UTF-8 (invalid bytes become U+FFFD),
 * malformed escapes such as `%zz` or a trailing `%` are left as they are, `+` stays `+`.
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3)
    for (let i = 0; i < bytes.length; i++)
      bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16)
    return utf8.decode(bytes)
  })
}

/**
 * Decodes until the text stops changing, as MLflow's `_decode` does, so `%252e%252e%252f` cannot
 * hide a `../` from a check that looks at one layer only. More than ten layers is an attack.
 */
export function decodeUntilStable(text: string): string {
  let current = text
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const decoded = percentDecode(current)
    if (decoded === current) return current
    current = decoded
  }
  throw invalidPath()
}

// C0 controls (NUL included) and DEL: never part of a legitimate artifact name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * Checks one decoded form of a path: anything that could leave the root, address another drive or
 * host, or be cut short by a URL parser (`#` fragments, `?` queries).
 */
function unsafe(text: string): boolean {
  if (CONTROL.test(text)) return true
  if (text.includes('\\')) return true // Windows separator, UNC prefix `\\host`
  if (text.includes('#') || text.includes('?')) return true
  if (text.startsWith('/')) return true // POSIX absolute, `//host` network path
  if (/^[a-zA-Z]:/.test(text)) return true // drive letter: `C:`, `C:/x`, `C:x`
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text)) return true // any URI, `file://…` included
  return text.split('/').some((segment) => segment === '..')
}

export interface ValidateOptions {
  /** Accept the root (an empty path, `.` or `/`-only strings collapse to it). Default false. */
  allowRoot?: boolean
}

/**
 * The one canonical artifact-path validator, used by every artifact route and backend.
 *
 * Decodes until stable, then refuses control characters (NUL included), backslashes, `#` and `?`,
 * absolute POSIX paths, drive letters, UNC and other URIs, and `..` segments, in the decoded text
 * and in its NFKC form (fullwidth `．．／` is `../` to some filesystems and libraries). Empty and
 * `.` segments are collapsed, not refused, as MLflow accepts `a//b` and `dir/`. Returns the decoded,
 * collapsed path; callers must use the returned value, never the input (CVE-2023-6976).
 */
export function validatePathIsSafe(raw: string, options: ValidateOptions = {}): SafePath {
  if (typeof raw !== 'string') throw invalidPath()
  const decoded = decodeUntilStable(raw)
  if (unsafe(decoded) || unsafe(decoded.normalize('NFKC'))) throw invalidPath()
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.')
  const path = segments.join('/')
  if (path.length > MAX_PATH_LENGTH) throw invalidPath()
  if (path === '' && !options.allowRoot) throw invalidPath()
  return path as SafePath
}

/** Joins validated paths; each part is already canonical, so the result is too. */
export function joinSafe(...parts: SafePath[]): SafePath {
  return parts.filter((part) => part !== '').join('/') as SafePath
}

/** The last segment (`''` for the root). */
export function baseName(path: SafePath): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? path : path.slice(slash + 1)
}

/** Everything but the last segment (the root for a top-level name). */
export function parentPath(path: SafePath): SafePath {
  const slash = path.lastIndexOf('/')
  return (slash === -1 ? '' : path.slice(0, slash)) as SafePath
}

/** True when `path` is `base` or inside it. */
export function isWithin(path: SafePath, base: SafePath): boolean {
  return base === '' || path === base || path.startsWith(`${base}/`)
}

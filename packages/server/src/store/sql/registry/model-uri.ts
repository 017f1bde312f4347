/**
 * `models:/` and `runs:/` URIs as MLflow parses them (mlflow/store/artifact/utils/models.py,
 * runs_artifact_repo.py), plus a Python-compatible `urlsplit` for the source checks.
 */
import { MlflowError } from '@carnet/protocol'

export interface SplitUri {
  scheme: string
  netloc: string
  path: string
  query: string
  fragment: string
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/

/** Python's urllib.parse.urlsplit (schemes are lower-cased; no netloc without `//`). */
export function urlsplit(uri: string, allowFragments = true): SplitUri {
  let rest = uri
  let scheme = ''
  const match = SCHEME.exec(rest)
  if (match) {
    scheme = match[1]!.toLowerCase()
    rest = rest.slice(match[0].length)
  }
  let netloc = ''
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/)
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2)
    rest = end < 0 ? '' : rest.slice(end + 2)
  }
  let fragment = ''
  if (allowFragments) {
    const hash = rest.indexOf('#')
    if (hash >= 0) {
      fragment = rest.slice(hash + 1)
      rest = rest.slice(0, hash)
    }
  }
  let query = ''
  const question = rest.indexOf('?')
  if (question >= 0) {
    query = rest.slice(question + 1)
    rest = rest.slice(0, question)
  }
  return { scheme, netloc, path: rest, query, fragment }
}

/** Python's urllib.parse.unquote: invalid escapes stay as they are, bytes decode as UTF-8. */
export function unquote(text: string): string {
  if (!text.includes('%')) return text
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3)
    for (let i = 0; i < bytes.length; i++)
      bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16)
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  })
}

export const unquotePlus = (text: string) => unquote(text.replaceAll('+', ' '))

/** Decodes until stable, as MLflow does before looking for `..` (`%252e%252e` is `..` too). */
export function unquoteFully(text: string, plus = false): string {
  let current = text
  for (let i = 0; i < 100; i++) {
    const next = plus ? unquotePlus(current) : unquote(current)
    if (next === current) return current
    current = next
  }
  return current
}

export type ParsedModelUri =
  | { kind: 'model-id'; modelId: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'stage'; name: string; stage: string }
  | { kind: 'latest'; name: string }
  | { kind: 'alias'; name: string; alias: string }

function improper(uri: string): MlflowError {
  // mlflow-compat
  return new MlflowError(
    'INVALID_PARAMETER_VALUE',
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/name/suffix' or 'models:/name@alias' where suffix is a version, stage, or the string 'latest' and where alias is a registered model alias. Only one of suffix or alias can be defined at a time.`,
  )
}

/** `models:/<model_id>`, `models:/<name>/<version|stage|latest>` or `models:/<name>@<alias>`. */
export function parseModelUri(uri: string): ParsedModelUri {
  const parsed = urlsplit(uri, false)
  if (parsed.scheme !== 'models') throw improper(uri)
  const path = parsed.path
  if (!path.startsWith('/') || path.length <= 1) throw improper(uri)
  const parts = path.replace(/^\/+/, '').split('/')
  if (parts.length > 2 || parts[0]!.trim() === '') throw improper(uri)
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string]
    if (suffix.trim() === '') throw improper(uri)
    if (/^[0-9]+$/.test(suffix)) return { kind: 'version', name, version: suffix }
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name }
    return { kind: 'stage', name, stage: suffix }
  }
  if (path.includes('@')) {
    const at = parts[0]!.lastIndexOf('@')
    const name = parts[0]!.slice(0, at)
    const alias = parts[0]!.slice(at + 1)
    if (at < 0 || alias.trim() === '') throw improper(uri)
    return { kind: 'alias', name, alias }
  }
  return { kind: 'model-id', modelId: parts[0]! }
}

/** The run id of a `runs:/<run_id>/<path>` URI, or undefined when it is not a proper one. */
export function runIdOfRunsUri(uri: string): string | undefined {
  const parsed = urlsplit(uri)
  if (parsed.scheme !== 'runs' || !parsed.path.startsWith('/') || parsed.path.length <= 1) {
    return undefined
  }
  const runId = parsed.path.slice(1).split('/')[0]!
  return runId === '' ? undefined : runId
}

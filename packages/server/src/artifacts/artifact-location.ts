import { realpath } from 'node:fs/promises'
import { dirname, isAbsolute, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MlflowError } from '@carnet/protocol'
import { decodeUntilStable, validatePathIsSafe } from './safe-path.ts'

/** The roots the server owns; client-supplied artifact locations must stay inside them. */
export interface ArtifactRoots {
  /** `--default-artifact-root` (already resolved: local roots absolute). */
  defaultArtifactRoot: string
  /** `--artifacts-destination`, when the server proxies artifacts. */
  artifactsDestination?: string | undefined
  /** More roots the operator allows (CARNET_ALLOWED_ARTIFACT_ROOTS, comma-separated). */
  extraRoots?: readonly string[] | undefined
  env?: NodeJS.ProcessEnv | undefined
}

/** A URI split the way Python's `urlparse` sees it (scheme lower-cased, '' when absent). */
export interface SplitUri {
  scheme: string
  /** Undefined when there is no `//authority` part. */
  netloc: string | undefined
  path: string
  query: string | undefined
  fragment: string | undefined
}

export function splitUri(uri: string): SplitUri {
  let rest = uri
  let fragment: string | undefined
  let query: string | undefined
  const hash = rest.indexOf('#')
  if (hash !== -1) {
    fragment = rest.slice(hash + 1)
    rest = rest.slice(0, hash)
  }
  const question = rest.indexOf('?')
  if (question !== -1) {
    query = rest.slice(question + 1)
    rest = rest.slice(0, question)
  }
  let scheme = ''
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest)
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase()
    rest = rest.slice(schemeMatch[0].length)
  }
  let netloc: string | undefined
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2)
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, end)
    rest = end === -1 ? '' : rest.slice(end)
  }
  return { scheme, netloc, path: rest, query, fragment }
}

// MLflow 3.17's host policy (mlflow/store/artifact/host_policy.py): schemes whose repository
// connects to the host named in the URI.
const HOST_ADDRESSED = new Set([
  'ftp',
  'sftp',
  'hdfs',
  'viewfs',
  'http',
  'https',
  'mlflow-artifacts',
  'r2',
  'b2',
  'abfss',
])
const FAMILY: Record<string, string> = { viewfs: 'hdfs', https: 'http', 'mlflow-artifacts': 'http' }
const DEFAULT_PORTS: Record<string, number[]> = {
  ftp: [21],
  sftp: [22],
  http: [80],
  https: [443],
  'mlflow-artifacts': [80, 443],
  r2: [443],
  b2: [443],
  abfss: [443],
}

/** The `(family, host, port)` targets a URI makes a server connect to; undefined if none. */
function hostTargets(uri: string): Set<string> | undefined {
  const parts = splitUri(uri)
  if (!HOST_ADDRESSED.has(parts.scheme)) return undefined
  if (parts.scheme === 'mlflow-artifacts' && !parts.netloc) return undefined // this server
  const netloc = parts.netloc ?? ''
  if (/[\\\s]/.test(netloc)) return new Set([`malformed|${netloc}|`])
  const authority = netloc.slice(netloc.lastIndexOf('@') + 1)
  const portMatch = /^(.*?)(?::(\d*))?$/.exec(authority)!
  const host = (portMatch[1] ?? '').replace(/^\[|\]$/g, '').toLowerCase()
  const port = portMatch[2] ? Number(portMatch[2]) : undefined
  const family = FAMILY[parts.scheme] ?? parts.scheme
  const ports = port !== undefined ? [port] : (DEFAULT_PORTS[parts.scheme] ?? [undefined])
  return new Set(ports.map((p) => `${family}|${host}|${p ?? ''}`))
}

/**
 * MLflow 3.17's rule for locations whose scheme names a host: only the hosts of the server's own
 * roots, unless MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES allows the scheme.
 */
function rejectedHostScheme(location: string, roots: ArtifactRoots): string | undefined {
  const targets = hostTargets(location)
  if (!targets) return undefined
  const scheme = splitUri(location).scheme
  const allowed = (roots.env?.['MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
  if (allowed.includes(scheme)) return undefined
  for (const root of [roots.defaultArtifactRoot, roots.artifactsDestination]) {
    for (const trusted of (root && hostTargets(root)) || []) {
      if (targets.has(trusted)) return undefined
    }
  }
  return scheme
}

/** True for plain paths and `file:` URIs (MLflow's `is_local_uri`), including `//host/x` paths. */
export function isLocalLocation(location: string): boolean {
  const { scheme } = splitUri(location)
  return scheme === '' || scheme === 'file'
}

/**
 * The absolute local path of a plain path or `file:` URI. `file://remote-host/…` is refused (MLflow
 * answers 500 there), as are relative `file:` URIs and Windows drive or UNC forms.
 */
export function localPathOf(location: string, field = 'artifact_location'): string {
  if (location.includes('\\') || /^[a-zA-Z]:/.test(location)) {
    throw MlflowError.invalidParameter(`'${field}' cannot be a Windows drive or UNC path.`)
  }
  const parts = splitUri(location)
  if (parts.scheme === 'file') {
    const host = (parts.netloc ?? '').toLowerCase()
    if (host !== '' && host !== 'localhost' && host !== '127.0.0.1') {
      throw MlflowError.invalidParameter(`'${field}' cannot be a file URI on a remote host.`)
    }
    if (!parts.path.startsWith('/')) {
      throw MlflowError.invalidParameter(`'${field}' file URI must be absolute.`)
    }
    return fileURLToPath(`file://${parts.path}`)
  }
  // No scheme: `//proc/self/root` is the local /proc/self/root, not a host called "proc".
  const path = location.replace(/^\/{2,}/, '/')
  return isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path)
}

/** Where the nearest existing ancestor of `path` really is (symlinks resolved), plus the rest. */
export async function realLocation(path: string): Promise<string> {
  let probe = path
  const rest: string[] = []
  for (;;) {
    try {
      const real = await realpath(probe)
      return rest.length === 0 ? real : resolve(real, ...rest.reverse())
    } catch {
      const parent = dirname(probe)
      if (parent === probe) return path
      rest.push(probe.slice(parent.length).replace(/^[/\\]+/, ''))
      probe = parent
    }
  }
}

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)
}

/** The local roots of the server: local default root, local destination, the operator's extras. */
export function localRoots(roots: ArtifactRoots): string[] {
  const all = [roots.defaultArtifactRoot, roots.artifactsDestination, ...(roots.extraRoots ?? [])]
  const out: string[] = []
  for (const root of all) {
    if (!root || !isLocalLocation(root)) continue
    try {
      out.push(localPathOf(root, 'root'))
    } catch {
      // a malformed configured root contains nothing
    }
  }
  return out
}

/** True when the local `path` is inside one of the server's local roots, after symlinks. */
export async function isInsideLocalRoots(path: string, roots: ArtifactRoots): Promise<boolean> {
  const real = await realLocation(path)
  for (const root of localRoots(roots)) {
    if (inside(real, await realLocation(root))) return true
  }
  return false
}

const MAX_LOCATION_LENGTH_DEFAULT = 2048

/**
 * Validates a client-supplied experiment `artifact_location` and returns the value to store.
 *
 * Artifact roots are owned by the server: fragments, `;` parameters and queries are refused (they
 * hide the appended `/<run_id>/artifacts`: CVE-2023-6909, CVE-2024-1483, -1593, -1594, -2928,
 * -3848), so are `runs:` URIs, `..` segments in any decoded form, control characters, schemes that
 * make the server connect to a host other than its own storage (MLflow 3.17's host policy), and
 * local paths or `file:` URIs outside the configured roots after symlinks. Local paths are stored
 * absolute, as MLflow's `resolve_uri_if_local` does.
 */
export async function validateArtifactLocation(
  location: string,
  roots: ArtifactRoots,
): Promise<string> {
  const maxLength =
    Number(roots.env?.['MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH']) || MAX_LOCATION_LENGTH_DEFAULT
  if (location.length > maxLength) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Invalid artifact path length. The length of the artifact path cannot be greater than ${maxLength} characters. To configure this limit, please set the MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable.`,
    )
  }
  let decoded: string
  try {
    decoded = decodeUntilStable(location)
  } catch {
    throw MlflowError.invalidParameter("Invalid 'artifact_location': too many encoding layers.")
  }
  for (const form of new Set([location, decoded, decoded.normalize('NFKC')])) {
    const parts = splitUri(form)
    if (parts.fragment !== undefined || form.includes(';')) {
      // mlflow-compat
      throw MlflowError.invalidParameter(
        "'artifact_location' URL can't include fragments or params.",
      )
    }
    if (parts.query !== undefined) {
      throw MlflowError.invalidParameter("'artifact_location' URL can't include a query string.")
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters
    if (/[\u0000-\u001f\u007f]/.test(form)) {
      throw MlflowError.invalidParameter("'artifact_location' can't include control characters.")
    }
    if (form.split(/[/\\]/).some((segment) => segment === '..')) {
      throw MlflowError.invalidParameter("'artifact_location' can't include '..' path segments.")
    }
  }
  const parts = splitUri(location)
  if (parts.scheme === 'runs') {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Artifact location cannot be a runs:/ URI. Given: '${location}'`,
    )
  }
  const rejected = rejectedHostScheme(location, roots)
  if (rejected) {
    // mlflow-compat: MLflow 3.17's host policy message
    throw MlflowError.invalidParameter(
      `'artifact_location' cannot use the '${rejected}' scheme: the '${rejected}' scheme addresses a host other than the tracking server's configured artifact storage, so the server would connect to the host named in the URI. Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.`,
    )
  }
  if (parts.scheme === 'mlflow-artifacts') {
    validatePathIsSafe(parts.path.replace(/^\/+/, ''), { allowRoot: true })
    return location
  }
  if (parts.scheme.length === 1) {
    throw MlflowError.invalidParameter("'artifact_location' cannot be a Windows drive path.")
  }
  if (!isLocalLocation(location)) return location
  const path = localPathOf(location)
  if (!(await isInsideLocalRoots(path, roots))) {
    throw MlflowError.invalidParameter(
      "'artifact_location' is a local path outside the server's artifact storage; only locations inside the configured artifact root or destination are accepted.",
    )
  }
  return parts.scheme === 'file' ? location : path
}

/** CARNET_ALLOWED_ARTIFACT_ROOTS: extra roots an operator lets the server read and accept. */
export function extraRootsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return (env['CARNET_ALLOWED_ARTIFACT_ROOTS'] ?? '')
    .split(',')
    .map((root) => root.trim())
    .filter((root) => root !== '')
}

/**
 * MLflow's `resolve_uri_if_local` for a configured root: a relative local path becomes absolute
 * (against the server's working directory), URIs stay as they are.
 */
export function resolveLocalRoot(root: string): string {
  if (splitUri(root).scheme !== '') return root
  return resolve(root)
}

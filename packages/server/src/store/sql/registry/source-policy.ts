/**
 * Where a model version's `source` may point (MLflow's fixes for CVE-2023-6909, CVE-2024-0520,
 * CVE-2024-1483, CVE-2024-1560, GHSA-mr9f-g8qf-4w4j and their follow-ups, in mlflow/server/handlers.py).
 *
 * A source must resolve inside the artifact root of the run (`run_id`) or logged model (`model_id`)
 * it is registered from, or be a `runs:/` / `models:/` reference to that same entity or to another
 * registered version. Without a run or model, a source is accepted only inside the server's own
 * default artifact root and clear of every experiment's artifact location (so of every run's and
 * logged model's directory). Local paths are only
 * accepted inside a local artifact root of their run or model, after resolving `..` and symlinks.
 * Percent-encoded `..`, NUL bytes, `.` segments and relative paths are refused, as are URIs whose
 * scheme makes the server connect to a host other than its own artifact storage.
 *
 * Stricter than MLflow on one point: MLflow accepts any other-scheme source (s3://, gs://, …) that
 * has no relative segments; Carnet requires it to lie in the run's, model's or server's root.
 */
import { realpathSync } from 'node:fs'
import { basename, dirname, join, resolve as resolvePath } from 'node:path'
import { MlflowError } from '@carnet/protocol'
import type { SqlContext } from '../context.ts'
import { parseModelUri, runIdOfRunsUri, unquote, unquoteFully, urlsplit } from './model-uri.ts'

export interface SourcePolicyOptions {
  /** The server's root for new experiments' artifacts (`mlflow-artifacts:/` by default). */
  defaultArtifactRoot: string
  /** Where proxied artifacts are stored; its host counts as the server's own, like the root's. */
  artifactsDestination?: string | undefined
  /** Schemes allowed to address other hosts (MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES). */
  allowedHostSchemes?: readonly string[] | undefined
}

export interface SourceClaim {
  source: string
  runId: string
  modelId: string
}

const invalid = (message: string) => MlflowError.invalidParameter(message)

// mlflow-compat: the messages of mlflow/server/handlers.py.
const mismatch = (source: string, idName: 'run_id' | 'model_id') =>
  invalid(
    `Invalid model version source: '${source}'. The ${idName} request parameter must identify the resource that contains the source.`,
  )

const relativePaths = (source: string) =>
  invalid(
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
  )

const localOutsideRoot = (source: string, idName: 'run_id' | 'model_id') =>
  invalid(
    `Invalid model version source: '${source}'. To use a local path as a model version source, the ${idName} request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the ${idName}.`,
  )

// ---------------------------------------------------------------------------------------------
// URI helpers

interface Authority {
  hostname: string
  port: number | undefined
  valid: boolean
}

/** Python's `hostname` / `port` of a netloc (userinfo dropped, brackets of IPv6 removed). */
function authorityOf(netloc: string): Authority {
  const hostPort = netloc.slice(netloc.lastIndexOf('@') + 1)
  let hostname = hostPort
  let portText: string | undefined
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(hostPort)
  if (bracket) {
    hostname = bracket[1]!
    portText = bracket[2]
  } else {
    const colon = hostPort.lastIndexOf(':')
    if (colon >= 0) {
      hostname = hostPort.slice(0, colon)
      portText = hostPort.slice(colon + 1)
    }
  }
  if (portText === undefined || portText === '') {
    return { hostname: hostname.toLowerCase(), port: undefined, valid: true }
  }
  const valid = /^[0-9]+$/.test(portText) && Number(portText) <= 65535
  return { hostname: hostname.toLowerCase(), port: valid ? Number(portText) : undefined, valid }
}

/** Local per MLflow's `is_local_uri`: no scheme, or `file:` without a remote host. */
function isLocalUri(uri: string): boolean {
  const parsed = urlsplit(uri)
  if (parsed.scheme === '') return true
  const { hostname } = authorityOf(parsed.netloc)
  const remote =
    hostname !== '' &&
    !(hostname === '.' || hostname.startsWith('localhost') || hostname.startsWith('127.0.0.1'))
  if (parsed.scheme === 'file') {
    // mlflow-compat: MLflow refuses file URIs naming another host.
    if (remote) throw invalid(`${uri} is not a valid remote uri.`)
    return true
  }
  return false
}

/** MLflow's `local_file_uri_to_path`: the path of a `file:` URI, percent-decoded. */
function localPathOf(uri: string): string {
  return unquote(uri.startsWith('file:') ? urlsplit(uri).path : uri)
}

/**
 * The absolute, symlink-free form of a local path. Parts that do not exist yet are appended to the
 * resolved form of their deepest existing ancestor (as Python's non-strict `Path.resolve`).
 */
export function canonicalLocalPath(path: string): string {
  const absolute = resolvePath(path)
  const missing: string[] = []
  let current = absolute
  for (;;) {
    try {
      return join(realpathSync.native(current), ...missing.reverse())
    } catch {
      const parent = dirname(current)
      if (parent === current) return absolute
      missing.push(basename(current))
      current = parent
    }
  }
}

function localPathInside(root: string, path: string): boolean {
  const canonicalRoot = canonicalLocalPath(localPathOf(root))
  const canonicalPath = canonicalLocalPath(localPathOf(path))
  return (
    canonicalPath === canonicalRoot ||
    canonicalPath.startsWith(canonicalRoot.endsWith('/') ? canonicalRoot : `${canonicalRoot}/`)
  )
}

interface UriParts {
  scheme: string
  netloc: string
  parts: string[]
}

function uriParts(uri: string): UriParts {
  const parsed = urlsplit(uri)
  return {
    scheme: parsed.scheme.toLowerCase(),
    netloc: parsed.netloc.toLowerCase(),
    parts: parsed.path
      .split('/')
      .filter((part) => part !== '')
      .map((part) => unquoteFully(part)),
  }
}

/** The source is the root or below it (same scheme and authority, path segments as prefix). */
function uriWithin(source: string, root: string, allowEmptyRoot = false): boolean {
  const s = uriParts(source)
  const r = uriParts(root)
  if (s.scheme !== r.scheme || s.netloc !== r.netloc) return false
  if (r.parts.length === 0 && !allowEmptyRoot) return false
  return r.parts.every((part, i) => s.parts[i] === part)
}

/** Rejects `..`, NUL, `.` segments and relative paths, after decoding `%xx` and `+` until stable. */
function checkNoRelativePaths(source: string): void {
  const decoded = unquoteFully(source, true)
  const path = urlsplit(decoded).path.replace(/\/+$/, '').replace(/\/+/g, '/')
  if (path.includes('\0') || decoded.split('/').some((part) => part === '..')) {
    throw relativePaths(source)
  }
  if (!path.startsWith('/') || path.split('/').some((part) => part === '.')) {
    throw relativePaths(source)
  }
}

// ---------------------------------------------------------------------------------------------
// Hosts

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
const FAMILIES: Record<string, string> = {
  viewfs: 'hdfs',
  https: 'http',
  'mlflow-artifacts': 'http',
}
const DEFAULT_PORTS: Record<string, (number | undefined)[]> = {
  ftp: [21],
  sftp: [22],
  http: [80],
  https: [443],
  'mlflow-artifacts': [80, 443],
  r2: [443],
  b2: [443],
  abfss: [443],
}

/** `family|host|port` targets a URI makes the server connect to; undefined when it names no host. */
function hostTargets(uri: string): string[] | undefined {
  const parsed = urlsplit(uri)
  if (!HOST_ADDRESSED.has(parsed.scheme)) return undefined
  if (parsed.scheme === 'mlflow-artifacts' && parsed.netloc === '') return undefined
  const { hostname, port, valid } = authorityOf(parsed.netloc)
  if (!valid || /[\\\s]/.test(parsed.netloc)) return [`malformed|${parsed.netloc}|`]
  const family = FAMILIES[parsed.scheme] ?? parsed.scheme
  const ports = port !== undefined ? [port] : (DEFAULT_PORTS[parsed.scheme] ?? [undefined])
  return ports.map((p) => `${family}|${hostname}|${p ?? ''}`)
}

function checkHost(source: string, options: SourcePolicyOptions): void {
  const targets = hostTargets(source)
  if (!targets) return
  const scheme = urlsplit(source).scheme
  const allowed = (options.allowedHostSchemes ?? []).map((s) => s.trim().toLowerCase())
  if (allowed.includes(scheme)) return
  const trusted = new Set(
    [options.defaultArtifactRoot, options.artifactsDestination ?? ''].flatMap(
      (root) => hostTargets(root) ?? [],
    ),
  )
  if (targets.some((target) => trusted.has(target))) return
  // mlflow-compat
  throw invalid(
    `'source' cannot use the '${scheme}' scheme: the '${scheme}' scheme addresses a host other than the tracking server's configured artifact storage, so the server would connect to the host named in the URI. Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.`,
  )
}

// ---------------------------------------------------------------------------------------------
// Entities

async function runRoot(ctx: SqlContext, runId: string): Promise<string | undefined> {
  const row = await ctx.db
    .selectFrom('runs')
    .select('artifact_uri')
    .where('run_uuid', '=', runId)
    .executeTakeFirst()
  return row?.artifact_uri ?? undefined
}

async function modelRoot(ctx: SqlContext, modelId: string): Promise<string | undefined> {
  const row = await ctx.db
    .selectFrom('logged_models')
    .select('artifact_location')
    .where('model_id', '=', modelId)
    .where((eb) =>
      eb.or([eb('lifecycle_stage', '!=', 'deleted'), eb('lifecycle_stage', 'is', null)]),
    )
    .executeTakeFirst()
  return row?.artifact_location
}

/**
 * True when the source overlaps what the tracking server tracks: it lies in (or contains) an
 * experiment's artifact location, or a path segment names an existing run or logged model.
 */
async function overlapsTrackedArtifacts(ctx: SqlContext, source: string): Promise<boolean> {
  const locations = await ctx.db
    .selectFrom('experiments')
    .select('artifact_location')
    .where('artifact_location', 'is not', null)
    .execute()
  for (const { artifact_location: location } of locations) {
    if (!location || isLocalUri(location)) continue
    if (uriWithin(source, location, true) || uriWithin(location, source, true)) return true
  }
  const segments = uriParts(source).parts
  const runIds = segments.filter((s) => /^[0-9a-f]{32}$/.test(s))
  const modelIds = segments.filter((s) => /^m-[0-9a-f]{32}$/.test(s))
  if (runIds.length > 0) {
    const run = await ctx.db
      .selectFrom('runs')
      .select('run_uuid')
      .where('run_uuid', 'in', runIds)
      .executeTakeFirst()
    if (run) return true
  }
  if (modelIds.length > 0) {
    const model = await ctx.db
      .selectFrom('logged_models')
      .select('model_id')
      .where('model_id', 'in', modelIds)
      .executeTakeFirst()
    if (model) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------

/**
 * Checks a non-prompt source after `models:/name/...` lineage was resolved. `runId` / `modelId` are
 * what the version will be registered with ('' when none).
 */
export async function checkModelVersionSource(
  ctx: SqlContext,
  options: SourcePolicyOptions,
  claim: SourceClaim,
): Promise<void> {
  const { source, runId, modelId } = claim
  const idName = modelId ? 'model_id' : 'run_id'
  checkHost(source, options)

  if (isLocalUri(source)) {
    const root = modelId
      ? await modelRoot(ctx, modelId)
      : runId
        ? await runRoot(ctx, runId)
        : undefined
    if (root && isLocalUri(root) && localPathInside(root, source)) return
    throw localOutsideRoot(source, idName)
  }

  checkNoRelativePaths(source)
  const parsed = urlsplit(source)
  if (parsed.scheme === 'runs') {
    if (modelId) throw mismatch(source, 'model_id')
    if (parsed.netloc || !runId || runIdOfRunsUri(source) !== runId)
      throw mismatch(source, 'run_id')
    return
  }
  if (parsed.scheme === 'models') {
    if (parsed.netloc) throw mismatch(source, 'model_id')
    let reference: ReturnType<typeof parseModelUri>
    try {
      reference = parseModelUri(source)
    } catch {
      throw mismatch(source, 'model_id')
    }
    if (reference.kind !== 'model-id') return
    if (modelId && reference.modelId === modelId && (await modelRoot(ctx, modelId))) return
    throw mismatch(source, 'model_id')
  }

  if (modelId) {
    const root = await modelRoot(ctx, modelId)
    if (root && uriWithin(source, root)) return
    throw mismatch(source, 'model_id')
  }
  if (runId) {
    const root = await runRoot(ctx, runId)
    if (root && uriWithin(source, root)) return
    throw mismatch(source, 'run_id')
  }
  const serverRoot = options.defaultArtifactRoot
  if (
    !isLocalUri(serverRoot) &&
    uriWithin(source, serverRoot, true) &&
    !(await overlapsTrackedArtifacts(ctx, source))
  ) {
    return
  }
  throw mismatch(source, 'run_id')
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { MlflowError } from '@carnet/protocol'
import {
  type ArtifactRepository,
  type ByteRange,
  checkArtifactFileName,
  isDirectoryError,
  MULTIPART_UNSUPPORTED,
  noSuchArtifact,
  PRESIGNED_DOWNLOAD_UNSUPPORTED,
  PRESIGNED_UPLOAD_UNSUPPORTED,
} from '../artifacts/artifact-repository.ts'
import { contentDisposition, guessContentType } from '../artifacts/content-type.ts'
import type { ArtifactStorage } from '../artifacts/resolve-artifact-repository.ts'
import { baseName, joinSafe, type SafePath, validatePathIsSafe } from '../artifacts/safe-path.ts'
import { parseJsonObject, parseQuery, readBody } from './body.ts'
import { Fields } from './fields.ts'
import { sendJson, sendText } from './respond.ts'
import type { RawHandler, RouteDef } from './router.ts'

export interface ArtifactRouteDeps {
  storage: ArtifactStorage
  /** A run's artifact root (`runs.artifact_uri`); throws RESOURCE_DOES_NOT_EXIST for unknown runs. */
  runArtifactUri(runId: string): Promise<string>
  /** What MLflow's `get_model_version_download_uri` returns: storage_location, else source. */
  modelVersionArtifactUri(name: string, version: string): Promise<string>
  /** A logged model's `artifact_location`. */
  loggedModelArtifactUri(modelId: string): Promise<string>
  /** Largest JSON body (multipart create/complete/abort). */
  maxRequestBytes: number
  env?: NodeJS.ProcessEnv
}

const ARTIFACTS = '/mlflow-artifacts/artifacts/'
const MPU = '/mlflow-artifacts/mpu/'
const PRESIGNED = '/mlflow-artifacts/presigned/'
/** The UI's upload endpoint takes at most 10 MB, as MLflow's. */
const UI_UPLOAD_LIMIT = 10 * 1024 * 1024

// mlflow-compat: the Flask rules MLflow names in its 503 answers.
const RULES = {
  artifact: '/api/2.0/mlflow-artifacts/artifacts/<path:artifact_path>',
  list: '/api/2.0/mlflow-artifacts/artifacts',
  mpu: (kind: string) => `/api/2.0/mlflow-artifacts/mpu/${kind}/<path:artifact_path>`,
  presigned: '/api/2.0/mlflow-artifacts/presigned/<path:artifact_path>',
}

/**
 * The part of the request target after `marker`, taken from the raw URL (not the normalized
 * pathname), so `a/../b` reaches the validator as sent and is refused rather than silently
 * rewritten.
 */
function rawTail(req: IncomingMessage, marker: string): string {
  const target = (req.url ?? '').split('?')[0]!
  const at = target.indexOf(marker)
  if (at === -1) throw MlflowError.invalidParameter('Invalid path')
  return target.slice(at + marker.length)
}

/** MLflow's `--no-serve-artifacts` answer for the proxy endpoints. */
function disabledUnlessServing(
  storage: ArtifactStorage,
  rule: string,
  handler: RawHandler,
): RawHandler {
  return async (req, res, params, url) => {
    if (!storage.serveArtifacts) {
      req.resume()
      // mlflow-compat
      return sendText(
        res,
        503,
        `Endpoint: ${rule} disabled due to the mlflow server running with \`--no-serve-artifacts\`. To enable artifacts server functionality, run \`mlflow server\` with \`--serve-artifacts\``,
      )
    }
    return handler(req, res, params, url)
  }
}

/**
 * With `--artifacts-only`, MLflow answers 503 on every tracking and registry endpoint and on the
 * UI's artifact routes, and keeps the artifact proxy. Returns the refusal text, or undefined.
 */
export function artifactsOnlyRefusal(pathname: string): string | undefined {
  const api = /^\/(api|ajax-api)\/\d+\.\d+\//.test(pathname)
  const proxy = /^\/(api|ajax-api)\/2\.0\/mlflow-artifacts(\/|$)/.test(pathname)
  const info = /^\/(api|ajax-api)\/3\.0\/mlflow\/server-info$/.test(pathname)
  const uiArtifact = pathname === '/get-artifact' || pathname === '/model-versions/get-artifact'
  if ((api && !proxy && !info) || uiArtifact) {
    // mlflow-compat
    return `Endpoint: ${pathname} disabled due to the mlflow server running in \`--artifacts-only\` mode. To enable tracking server functionality, run \`mlflow server\` without \`--artifacts-only\``
  }
  return undefined
}

function checkJsonContentType(req: IncomingMessage): void {
  const header = req.headers['content-type']
  // mlflow-compat
  if (!header) throw MlflowError.invalidParameter('Bad Request. Content-Type header is missing.')
  if (header.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw MlflowError.invalidParameter(
      "Bad Request. Content-Type must be one of ['application/json'].",
    )
  }
}

async function jsonFields(req: IncomingMessage, limit: number): Promise<Fields> {
  checkJsonContentType(req)
  return new Fields(parseJsonObject(await readBody(req, limit)))
}

function queryFields(url: URL): Fields {
  return new Fields(parseQuery(url.searchParams), { fromQuery: true })
}

const requiredQuery = (f: Fields, name: string): string => f.string(name, { required: true })

/** The last segment of a client file path, Windows separators included (`C:\x\big.bin`). */
function clientFileName(path: string): SafePath {
  const name = path.split(/[/\\]/).pop() ?? ''
  const safe = validatePathIsSafe(name)
  checkArtifactFileName(safe)
  return safe
}

function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length']
  if (header === undefined || req.headers['transfer-encoding'] !== undefined) return undefined
  const value = Number(header)
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/** Parses a single `bytes=` range against `size`; undefined = serve the whole file. */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (!match) return undefined // multiple or malformed ranges: RFC 9110 allows ignoring them
  const [, first, last] = match
  if (first === '' && last === '') return undefined
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (start >= size || (last !== '' && Number(last) < start)) return 'unsatisfiable'
  return { start, end }
}

function notModified(req: IncomingMessage, etag: string, lastModified: number): boolean {
  const inm = req.headers['if-none-match']
  if (inm !== undefined) {
    return (
      inm.trim() === '*' || inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
    )
  }
  const ims = req.headers['if-modified-since']
  if (ims) {
    const since = Date.parse(ims)
    return Number.isFinite(since) && Math.floor(lastModified / 1000) * 1000 <= since
  }
  return false
}

function rangeStillValid(req: IncomingMessage, etag: string, lastModified: number): boolean {
  const header = req.headers['if-range']
  const ifRange = Array.isArray(header) ? header[0] : header
  if (!ifRange) return true
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === etag
  const date = Date.parse(ifRange)
  return Number.isFinite(date) && Math.floor(lastModified / 1000) * 1000 <= date
}

/**
 * Streams one file as an attachment (MLflow's `_send_artifact`): guessed Content-Type,
 * `Content-Disposition: attachment`, `nosniff`, a sandboxing CSP, ETag and Last-Modified,
 * conditional GETs and single byte ranges. Memory stays flat whatever the size.
 */
export async function sendArtifact(
  req: IncomingMessage,
  res: ServerResponse,
  repo: ArtifactRepository,
  path: SafePath,
  displayPath: string,
): Promise<void> {
  req.resume()
  const stat = await repo.stat(path)
  if (!stat) {
    if (await repo.isDirectory(path)) throw isDirectoryError(displayPath)
    throw noSuchArtifact(displayPath)
  }
  const name = baseName(path)
  const headers: Record<string, string | number> = {
    'Content-Type': guessContentType(name),
    'Content-Disposition': contentDisposition(name),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Accept-Ranges': 'bytes',
    ETag: stat.etag,
    'Last-Modified': new Date(stat.lastModified).toUTCString(),
    'Cache-Control': 'no-cache',
  }
  if (notModified(req, stat.etag, stat.lastModified)) {
    res.writeHead(304, { ETag: stat.etag, 'Cache-Control': 'no-cache' })
    res.end()
    return
  }
  let range = rangeStillValid(req, stat.etag, stat.lastModified)
    ? parseRange(req.headers.range, stat.size)
    : undefined
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${stat.size}`, 'Content-Length': 0 })
    res.end()
    return
  }
  if (range && range.start === 0 && range.end === stat.size - 1) range = undefined
  const opened = await repo.read(path, range)
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${opened.size}`
    headers['Content-Length'] = range.end - range.start + 1
  } else {
    headers['Content-Length'] = opened.size
  }
  res.writeHead(range ? 206 : 200, headers)
  try {
    await pipeline(opened.body, res)
  } catch {
    // The client went away, or the backend failed after the headers: the connection is cut,
    // which the client sees as a truncated (never a corrupt-but-complete) download.
    opened.body.destroy()
    res.destroy()
  }
}

function fileInfo(
  entry: { path: string; isDir: boolean; size?: number | undefined },
  path: string,
) {
  const info: { path: string; is_dir: boolean; file_size?: number } = {
    path,
    is_dir: entry.isDir,
  }
  if (!entry.isDir && entry.size !== undefined) info.file_size = entry.size
  return info
}

const runIdOf = (f: Fields): string =>
  f.string('run_id') || f.string('run_uuid') || f.string('run_id', { required: true })

/** Resolves a model-version download URI that is itself a `runs:/` or `models:/` reference. */
async function resolveModelUri(deps: ArtifactRouteDeps, uri: string): Promise<string> {
  const runs = /^runs:\/\/?([^/]+)(?:\/(.*))?$/.exec(uri)
  if (runs) {
    const root = await deps.runArtifactUri(runs[1]!)
    return runs[2] ? `${root.replace(/\/+$/, '')}/${runs[2]}` : root
  }
  const models = /^models:\/\/?(m-[0-9a-f]+)\/?$/.exec(uri)
  if (models) return deps.loggedModelArtifactUri(models[1]!)
  return uri
}

/**
 * MLflow's artifact endpoints: the proxy (`/mlflow-artifacts/…`: download, upload, delete, list,
 * multipart create/complete/abort, presigned download), the tracking `artifacts/list`, presigned
 * URLs for direct S3 roots, and the UI's `/get-artifact`, `/model-versions/get-artifact` and
 * `upload-artifact`. Every path goes through validatePathIsSafe before anything else.
 */
export function artifactRoutes(deps: ArtifactRouteDeps): {
  api: RouteDef[]
  unprefixed: RouteDef[]
} {
  const { storage } = deps
  const env = deps.env ?? process.env

  const download: RawHandler = async (req, res) => {
    const path = validatePathIsSafe(rawTail(req, ARTIFACTS))
    await sendArtifact(req, res, storage.destination(), path, path)
  }

  const upload: RawHandler = async (req, res) => {
    const path = validatePathIsSafe(rawTail(req, ARTIFACTS))
    await storage.destination().write(path, req, {
      size: declaredLength(req),
      contentType: guessContentType(baseName(path)),
    })
    sendJson(res, 200, {})
  }

  const remove: RawHandler = async (req, res) => {
    const path = validatePathIsSafe(rawTail(req, ARTIFACTS))
    req.resume()
    await storage.destination().delete(path)
    sendJson(res, 200, {})
  }

  const list: RawHandler = async (req, res, _params, url) => {
    req.resume()
    const f = queryFields(url)
    const raw = f.string('path')
    const path = raw === undefined ? ('' as SafePath) : validatePathIsSafe(raw, { allowRoot: true })
    const entries = await storage.destination().list(path)
    const files = entries.map((entry) => fileInfo(entry, baseName(entry.path)))
    sendJson(res, 200, files.length > 0 ? { files } : {})
  }

  const multipart =
    (kind: 'create' | 'complete' | 'abort'): RawHandler =>
    async (req, res) => {
      const dir = validatePathIsSafe(rawTail(req, `${MPU}${kind}/`), { allowRoot: true })
      const f = await jsonFields(req, deps.maxRequestBytes)
      const target = joinSafe(dir, clientFileName(f.string('path', { required: true })))
      const support = storage.destination().multipart
      if (kind === 'create') {
        const numParts = f.int('num_parts') ?? 1
        if (!support) throw new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED)
        return sendJson(res, 200, await support.create(target, numParts))
      }
      const uploadId = f.string('upload_id', { required: true })
      if (kind === 'complete') {
        if (!f.has('parts')) f.string('parts', { required: true })
        const parts = f.messages('parts').map((p) => ({
          part_number: p.int('part_number', { required: true }),
          etag: p.string('etag') ?? '',
          url: p.string('url'),
        }))
        if (!support) throw new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED)
        await support.complete(target, uploadId, parts)
      } else {
        if (!support) throw new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED)
        await support.abort(target, uploadId)
      }
      sendJson(res, 200, {})
    }

  const presignedDownload: RawHandler = async (req, res) => {
    req.resume()
    const path = validatePathIsSafe(rawTail(req, PRESIGNED))
    const repo = storage.destination()
    if (!repo.presignDownload) {
      throw new MlflowError('NOT_IMPLEMENTED', PRESIGNED_DOWNLOAD_UNSUPPORTED)
    }
    sendJson(res, 200, await repo.presignDownload(path, downloadTtl(env)))
  }

  /** `GET /mlflow/artifacts/list`: a run's artifacts, paths relative to the run's root. */
  const listRunArtifacts: RawHandler = async (req, res, _params, url) => {
    req.resume()
    const f = url.search.length > 1 ? queryFields(url) : new Fields({})
    const runId = runIdOf(f)
    const raw = f.string('path')
    const rel = raw === undefined ? ('' as SafePath) : validatePathIsSafe(raw, { allowRoot: true })
    const rootUri = await deps.runArtifactUri(runId)
    const located = await storage.locate(rootUri)
    const entries = await located.repo.list(joinSafe(located.base, rel))
    const files = entries.map((entry) =>
      fileInfo(entry, joinSafe(rel, baseName(entry.path) as SafePath)),
    )
    sendJson(res, 200, files.length > 0 ? { root_uri: rootUri, files } : { root_uri: rootUri })
  }

  /** `/get-artifact?path=…&run_uuid=…`: one run artifact, for the UI. */
  const getArtifact: RawHandler = async (req, res, _params, url) => {
    const f = queryFields(url)
    const path = validatePathIsSafe(requiredQuery(f, 'path'))
    const located = await storage.locate(await deps.runArtifactUri(runIdOf(f)))
    await sendArtifact(req, res, located.repo, joinSafe(located.base, path), path)
  }

  /** `/model-versions/get-artifact?path=…&name=…&version=…`. */
  const getModelVersionArtifact: RawHandler = async (req, res, _params, url) => {
    const f = queryFields(url)
    const path = validatePathIsSafe(requiredQuery(f, 'path'))
    const uri = await deps.modelVersionArtifactUri(
      requiredQuery(f, 'name'),
      requiredQuery(f, 'version'),
    )
    const located = await storage.locate(await resolveModelUri(deps, uri))
    await sendArtifact(req, res, located.repo, joinSafe(located.base, path), path)
  }

  /** `POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=…&path=…`: the UI's ≤ 10 MB upload. */
  const uiUpload: RawHandler = async (req, res, _params, url) => {
    const f = queryFields(url)
    // mlflow-compat: MLflow's messages
    const runId = f.string('run_uuid')
    if (!runId) throw MlflowError.invalidParameter('Request must specify run_uuid.')
    const raw = f.string('path')
    if (!raw) throw MlflowError.invalidParameter('Request must specify path.')
    const path = validatePathIsSafe(raw)
    const tooLarge = 'Artifact size is too large. Max size is 10MB.'
    const length = declaredLength(req)
    if (length !== undefined && length > UI_UPLOAD_LIMIT)
      throw MlflowError.invalidParameter(tooLarge)
    const data = await readBody(req, UI_UPLOAD_LIMIT).catch((error: unknown) => {
      if (error instanceof MlflowError && error.httpStatus === 413) {
        throw MlflowError.invalidParameter(tooLarge)
      }
      throw error
    })
    if (data.length === 0) throw MlflowError.invalidParameter('Request must specify data.')
    const located = await storage.locate(await deps.runArtifactUri(runId))
    await located.repo.write(joinSafe(located.base, path), Readable.from([data]), {
      size: data.length,
    })
    sendJson(res, 200, {})
  }

  /** `presigned-upload-url` / `presigned-download-url` for runs (or models) on direct S3 roots. */
  const presignedUrl =
    (kind: 'upload' | 'download') =>
    async (f: Fields): Promise<object> => {
      const runId = f.string('run_id') || undefined
      const modelId = kind === 'upload' ? f.string('model_id') || undefined : undefined
      if (kind === 'download') f.string('run_id', { required: true })
      if (Boolean(runId) === Boolean(modelId)) {
        // mlflow-compat
        throw MlflowError.invalidParameter('Exactly one of run_id and model_id must be provided.')
      }
      const path = validatePathIsSafe(f.string('path', { required: true }))
      const expiration = f.int('expiration') ?? (kind === 'upload' ? 900 : downloadTtl(env))
      if (expiration < 1 || expiration > 604800) {
        // mlflow-compat
        throw MlflowError.invalidParameter(
          `expiration must be between 1 and 604800 seconds (got ${expiration}).`,
        )
      }
      const rootUri = runId
        ? await deps.runArtifactUri(runId)
        : await deps.loggedModelArtifactUri(modelId!)
      const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rootUri)?.[1]?.toLowerCase() ?? ''
      if (['http', 'https', 'mlflow-artifacts'].includes(scheme)) {
        // mlflow-compat
        throw MlflowError.invalidParameter(
          kind === 'upload'
            ? `Presigned upload is not supported for proxied artifact storage (artifact URI scheme: ${scheme}). This endpoint requires a direct cloud storage artifact URI.`
            : `Presigned download is not supported for runs with proxied artifact storage (artifact URI scheme: ${scheme}). This endpoint requires a run with a direct cloud storage artifact URI.`,
        )
      }
      const located = await storage.locate(rootUri)
      const target = joinSafe(located.base, path)
      if (kind === 'upload') {
        if (!located.repo.presignUpload) {
          throw new MlflowError('NOT_IMPLEMENTED', PRESIGNED_UPLOAD_UNSUPPORTED)
        }
        return located.repo.presignUpload(target, expiration)
      }
      if (!located.repo.presignDownload) {
        throw new MlflowError(
          'NOT_IMPLEMENTED',
          'Presigned download is not supported for the current artifact repository',
        )
      }
      const signed = await located.repo.presignDownload(target, expiration)
      return { presigned_url: signed.url, headers: signed.headers, file_size: signed.file_size }
    }

  const served = (rule: string, handler: RawHandler) =>
    disabledUnlessServing(storage, rule, handler)

  return {
    api: [
      { method: 'GET', path: `${ARTIFACTS}{path+}`, raw: served(RULES.artifact, download) },
      { method: 'PUT', path: `${ARTIFACTS}{path+}`, raw: served(RULES.artifact, upload) },
      { method: 'DELETE', path: `${ARTIFACTS}{path+}`, raw: served(RULES.artifact, remove) },
      { method: 'GET', path: '/mlflow-artifacts/artifacts', raw: served(RULES.list, list) },
      {
        method: 'POST',
        path: `${MPU}create/{path+}`,
        raw: served(RULES.mpu('create'), multipart('create')),
      },
      {
        method: 'POST',
        path: `${MPU}complete/{path+}`,
        raw: served(RULES.mpu('complete'), multipart('complete')),
      },
      {
        method: 'POST',
        path: `${MPU}abort/{path+}`,
        raw: served(RULES.mpu('abort'), multipart('abort')),
      },
      {
        method: 'GET',
        path: `${PRESIGNED}{path+}`,
        raw: served(RULES.presigned, presignedDownload),
      },
      { method: 'GET', path: '/mlflow/artifacts/list', raw: listRunArtifacts },
      {
        method: 'POST',
        path: '/mlflow/artifacts/presigned-upload-url',
        handler: presignedUrl('upload'),
      },
      {
        method: 'POST',
        path: '/mlflow/artifacts/presigned-download-url',
        handler: presignedUrl('download'),
      },
    ],
    unprefixed: [
      { method: 'GET', path: '/get-artifact', raw: getArtifact },
      { method: 'GET', path: '/model-versions/get-artifact', raw: getModelVersionArtifact },
      { method: 'POST', path: '/ajax-api/2.0/mlflow/upload-artifact', raw: uiUpload },
    ],
  }
}

function downloadTtl(env: NodeJS.ProcessEnv): number {
  const value = Number(env['MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS'])
  return Number.isInteger(value) && value > 0 ? value : 300
}

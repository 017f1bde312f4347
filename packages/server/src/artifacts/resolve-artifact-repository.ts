import { relative, sep } from 'node:path'
import { MlflowError } from '@carnet/protocol'
import {
  type ArtifactRoots,
  isLocalLocation,
  localPathOf,
  localRoots,
  realLocation,
  splitUri,
} from './artifact-location.ts'
import type { ArtifactRepository } from './artifact-repository.ts'
import { LocalArtifactRepository } from './local-artifact-repository.ts'
import { parseS3Uri, S3ArtifactRepository, s3SettingsFromEnv } from './s3-artifact-repository.ts'
import { ROOT_PATH, type SafePath, validatePathIsSafe } from './safe-path.ts'

const S3_SCHEMES = new Set(['s3', 's3a', 's3n'])

/** Opens the repository for a store root: a local path, a `file:` URI or `s3://bucket/prefix`. */
export function openRepository(
  uri: string,
  env: NodeJS.ProcessEnv = process.env,
): ArtifactRepository {
  const { scheme } = splitUri(uri)
  if (S3_SCHEMES.has(scheme)) {
    const { bucket, prefix } = parseS3Uri(uri)
    return new S3ArtifactRepository({ bucket, prefix, settings: s3SettingsFromEnv(env) })
  }
  if (isLocalLocation(uri)) return new LocalArtifactRepository(localPathOf(uri, 'root'))
  throw unsupportedScheme(scheme)
}

const unsupportedScheme = (scheme: string) =>
  new MlflowError(
    'NOT_IMPLEMENTED',
    `Carnet stores artifacts on local disk and S3 only; '${scheme}:' locations are not supported`,
  )

/** A run's (or model's) artifact root mapped onto a repository: files live at `base/<path>`. */
export interface LocatedRoot {
  repo: ArtifactRepository
  base: SafePath
  /** True when the root is served through the proxy (`mlflow-artifacts:`, `http(s)`). */
  proxied: boolean
}

export interface ArtifactStorageConfig extends ArtifactRoots {
  /** `--artifacts-destination`: where proxied artifacts are stored (a path or an `s3://` URI). */
  artifactsDestination: string
  /** `--serve-artifacts` (default) or `--no-serve-artifacts`. */
  serveArtifacts: boolean
}

const PROXY_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts/'

/**
 * The server's artifact storage: the proxy destination, and the mapping from a stored artifact
 * root (run `artifact_uri`, logged-model or model-version location) to a repository and a base
 * path. Stored roots are never trusted: they are re-validated here, local ones must lie inside the
 * server's roots after symlinks (a row written by another tool cannot make the server read
 * `/etc`), and URIs with fragments, queries or `;` parameters are refused.
 */
export class ArtifactStorage {
  readonly config: ArtifactStorageConfig
  readonly #env: NodeJS.ProcessEnv
  #destination: ArtifactRepository | undefined
  readonly #byRoot = new Map<string, ArtifactRepository>()

  constructor(config: ArtifactStorageConfig) {
    this.config = config
    this.#env = config.env ?? process.env
  }

  get serveArtifacts(): boolean {
    return this.config.serveArtifacts
  }

  /** The proxy destination, opened on first use. */
  destination(): ArtifactRepository {
    this.#destination ??= openRepository(this.config.artifactsDestination, this.#env)
    return this.#destination
  }

  /** What the destination can do, for `/server-info` (the 3.x client reads it). */
  capabilities(): { multipart_uploads_enabled: boolean; multipart_downloads_enabled: boolean } {
    if (!this.serveArtifacts) {
      return { multipart_uploads_enabled: false, multipart_downloads_enabled: false }
    }
    try {
      const repo = this.destination()
      return {
        multipart_uploads_enabled: repo.multipart !== undefined,
        multipart_downloads_enabled: repo.presignDownload !== undefined,
      }
    } catch {
      return { multipart_uploads_enabled: false, multipart_downloads_enabled: false }
    }
  }

  /** True when `rootUri` is served through this server's proxy (MLflow's rule). */
  isProxied(rootUri: string): boolean {
    const { scheme } = splitUri(rootUri)
    return (
      this.serveArtifacts &&
      (scheme === 'mlflow-artifacts' || scheme === 'http' || scheme === 'https')
    )
  }

  async locate(rootUri: string): Promise<LocatedRoot> {
    const parts = splitUri(rootUri)
    if (parts.fragment !== undefined || parts.query !== undefined || rootUri.includes(';')) {
      throw invalidRoot(rootUri)
    }
    const { scheme } = parts
    if (scheme === 'mlflow-artifacts' || scheme === 'http' || scheme === 'https') {
      if (!this.serveArtifacts) {
        throw MlflowError.invalidParameter(
          `The artifacts at '${rootUri}' are proxied, but this server runs with --no-serve-artifacts`,
        )
      }
      // MLflow strips the leading slashes: `mlflow-artifacts:/1/<run>/artifacts` → `1/<run>/artifacts`.
      let path = parts.path.replace(/^\/+/, '')
      if (scheme !== 'mlflow-artifacts') {
        const anchor = parts.path.indexOf(PROXY_ANCHOR)
        if (anchor === -1) throw invalidRoot(rootUri)
        path = parts.path.slice(anchor + PROXY_ANCHOR.length)
      }
      return { repo: this.destination(), base: rootPath(path, rootUri), proxied: true }
    }
    if (S3_SCHEMES.has(scheme)) {
      const { bucket, prefix } = parseS3Uri(rootUri)
      return { repo: this.#repoFor(`s3://${bucket}`), base: prefix, proxied: false }
    }
    if (isLocalLocation(rootUri)) return this.#locateLocal(rootUri)
    throw unsupportedScheme(scheme)
  }

  async #locateLocal(rootUri: string): Promise<LocatedRoot> {
    const real = await realLocation(localPathOf(rootUri, 'artifact root'))
    for (const root of localRoots({ ...this.config, env: this.#env })) {
      const realRoot = await realLocation(root)
      if (
        real === realRoot ||
        real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
      ) {
        const base = rootPath(relative(realRoot, real).split(sep).join('/'), rootUri)
        return { repo: this.#repoFor(root), base, proxied: false }
      }
    }
    throw MlflowError.invalidParameter(
      `The tracking server does not serve artifacts from '${rootUri}': it is outside the server's configured artifact storage`,
    )
  }

  #repoFor(root: string): ArtifactRepository {
    let repo = this.#byRoot.get(root)
    if (!repo) {
      repo = openRepository(root, this.#env)
      this.#byRoot.set(root, repo)
    }
    return repo
  }

  async close(): Promise<void> {
    await this.#destination?.close()
    for (const repo of this.#byRoot.values()) await repo.close()
  }
}

function rootPath(path: string, rootUri: string): SafePath {
  try {
    return validatePathIsSafe(path, { allowRoot: true })
  } catch {
    throw invalidRoot(rootUri)
  }
}

const invalidRoot = (rootUri: string) =>
  MlflowError.invalidParameter(`Invalid artifact root: '${rootUri}'`)

export { ROOT_PATH }

import { randomBytes } from 'node:crypto'
import { constants, type Stats } from 'node:fs'
import { lstat, mkdir, open, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { MlflowError } from '@carnet/protocol'
import {
  type ArtifactEntry,
  type ArtifactReadResult,
  type ArtifactRepository,
  type ArtifactStat,
  type ByteRange,
  checkArtifactFileName,
  isDirectoryError,
  noSuchArtifact,
  STAGING_PREFIX,
  type WriteOptions,
} from './artifact-repository.ts'
import {
  baseName,
  decodeUntilStable,
  joinSafe,
  parentPath,
  type SafePath,
  validatePathIsSafe,
} from './safe-path.ts'

const outside = () =>
  // mlflow-compat: validate_path_within_directory's message
  MlflowError.invalidParameter('Invalid path: resolved path is outside the artifact directory')

const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''

/** Filesystem failures as MLflow errors; messages never carry server paths. */
export function fsError(error: unknown, path: string): unknown {
  if (error instanceof MlflowError) return error
  switch (codeOf(error)) {
    case 'ENOENT':
      return noSuchArtifact(path)
    case 'EISDIR':
      return isDirectoryError(path)
    case 'ENOTDIR':
    case 'EEXIST':
      return MlflowError.invalidParameter(
        `Invalid path: a parent of '${path}' is a file, not a directory`,
      )
    case 'ENAMETOOLONG':
    case 'ELOOP':
      return MlflowError.invalidParameter('Invalid path')
    case 'ENOSPC':
    case 'EDQUOT':
      return new MlflowError('INTERNAL_ERROR', 'Insufficient storage for the artifact', {
        status: 507,
        cause: error,
      })
    case 'EMFILE':
    case 'ENFILE':
    case 'EBUSY':
    case 'EAGAIN':
      return new MlflowError('TEMPORARILY_UNAVAILABLE', 'The artifact store is busy, retry', {
        cause: error,
      })
    default:
      return error
  }
}

function isInside(candidate: string, root: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep)
}

/** A name as it exists on disk that the API can address (clients re-validate listed names). */
function addressable(name: string): SafePath | undefined {
  if (name.startsWith(STAGING_PREFIX)) return undefined
  try {
    if (decodeUntilStable(name) !== name) return undefined
    const safe = validatePathIsSafe(name)
    return safe === name ? safe : undefined
  } catch {
    return undefined
  }
}

function etagOf(stats: Stats): string {
  return `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}-${stats.ino.toString(16)}"`
}

/**
 * Artifacts as files below one directory. Writes go to a staging file in the target directory,
 * are fsynced, then renamed over the target (and the directory fsynced), so a crash leaves either
 * the old file or the new one. Every operation resolves symlinks and refuses anything that lands
 * outside the root.
 */
export class LocalArtifactRepository implements ArtifactRepository {
  readonly kind = 'local' as const
  readonly #root: string
  #realRoot: string | undefined

  constructor(root: string) {
    this.#root = resolve(root)
  }

  get rootUri(): string {
    return pathToFileURL(this.#root).href
  }

  /** The root after symlinks, or undefined while it does not exist yet. */
  async #rootReal(create: boolean): Promise<string | undefined> {
    if (this.#realRoot) return this.#realRoot
    if (create) await mkdir(this.#root, { recursive: true })
    try {
      this.#realRoot = await realpath(this.#root)
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined
      throw error
    }
    return this.#realRoot
  }

  /**
   * Where `path` really is: the deepest existing ancestor is resolved through symlinks and must
   * stay inside the root; the rest is appended as is. A dangling symlink is refused, as writing
   * through it could create a file anywhere.
   */
  async #locate(path: SafePath, create = false): Promise<{ file: string; exists: boolean }> {
    const root = await this.#rootReal(create)
    const segments = path === '' ? [] : path.split('/')
    if (!root) return { file: join(this.#root, ...segments), exists: false }
    for (let depth = segments.length; depth >= 0; depth--) {
      const probe = join(root, ...segments.slice(0, depth))
      let real: string
      try {
        real = await realpath(probe)
      } catch (error) {
        const code = codeOf(error)
        if (code === 'ENOENT' && depth > 0) {
          const link = await lstat(probe).catch(() => undefined)
          if (link?.isSymbolicLink()) throw outside()
          continue
        }
        if (code === 'ENOTDIR' && depth > 0) continue
        throw error
      }
      if (!isInside(real, root)) throw outside()
      const rest = segments.slice(depth)
      return { file: join(real, ...rest), exists: rest.length === 0 }
    }
    throw outside()
  }

  async write(path: SafePath, body: Readable, options: WriteOptions = {}): Promise<void> {
    const name = baseName(path)
    if (name === '') throw MlflowError.invalidParameter('Invalid path')
    checkArtifactFileName(name)
    let temp: string | undefined
    try {
      const parent = await this.#locate(parentPath(path), true)
      if (!parent.exists) await mkdir(parent.file, { recursive: true })
      // Re-resolve: the directories just made (or a racing writer's) must still be inside.
      const dir = await this.#locate(parentPath(path))
      if (!dir.exists) throw noSuchArtifact(parentPath(path))
      const target = join(dir.file, name)
      const existing = await lstat(target).catch(() => undefined)
      if (existing?.isDirectory()) throw isDirectoryError(path)

      temp = join(dir.file, `${STAGING_PREFIX}${randomBytes(12).toString('hex')}`)
      const handle = await open(
        temp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
        0o666,
      )
      let written = 0
      try {
        for await (const chunk of body) {
          const buffer = chunk as Buffer
          written += buffer.length
          await handle.write(buffer)
        }
        if (options.size !== undefined && written !== options.size) {
          throw MlflowError.invalidParameter(
            `Incomplete upload: received ${written} of ${options.size} bytes`,
          )
        }
        await handle.sync()
      } finally {
        await handle.close()
      }
      // rename() replaces a symlink at the target rather than following it.
      await rename(temp, target)
      temp = undefined
      await syncDirectory(dir.file)
    } catch (error) {
      throw fsError(error, path)
    } finally {
      if (temp) await unlink(temp).catch(() => {})
    }
  }

  async #fileStats(path: SafePath): Promise<{ file: string; stats: Stats } | undefined> {
    const located = await this.#locate(path)
    if (!located.exists) return undefined
    const stats = await stat(located.file)
    return { file: located.file, stats }
  }

  async stat(path: SafePath): Promise<ArtifactStat | undefined> {
    try {
      const found = await this.#fileStats(path)
      if (!found?.stats.isFile()) return undefined
      return {
        size: found.stats.size,
        lastModified: found.stats.mtimeMs,
        etag: etagOf(found.stats),
      }
    } catch (error) {
      throw fsError(error, path)
    }
  }

  async isDirectory(path: SafePath): Promise<boolean> {
    try {
      const found = await this.#fileStats(path)
      return found?.stats.isDirectory() ?? false
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return false
      throw fsError(error, path)
    }
  }

  async read(path: SafePath, range?: ByteRange): Promise<ArtifactReadResult> {
    try {
      const located = await this.#locate(path)
      if (!located.exists) throw noSuchArtifact(path)
      // The located path has no symlinks left; O_NOFOLLOW catches one swapped in since.
      const handle = await open(located.file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0))
      try {
        const stats = await handle.stat()
        if (stats.isDirectory()) throw isDirectoryError(path)
        if (!stats.isFile()) throw noSuchArtifact(path)
        const body = handle.createReadStream({
          ...(range ? { start: range.start, end: range.end } : {}),
          highWaterMark: 1024 * 1024,
        })
        return {
          body,
          size: stats.size,
          lastModified: stats.mtimeMs,
          etag: etagOf(stats),
        }
      } catch (error) {
        await handle.close()
        throw error
      }
    } catch (error) {
      throw fsError(error, path)
    }
  }

  async list(path: SafePath): Promise<ArtifactEntry[]> {
    try {
      const found = await this.#fileStats(path).catch((error: unknown) => {
        if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined
        throw error
      })
      if (!found?.stats.isDirectory()) return []
      const root = (await this.#rootReal(false))!
      const entries: ArtifactEntry[] = []
      for (const dirent of await readdir(found.file, { withFileTypes: true })) {
        const name = addressable(dirent.name)
        if (!name) continue
        const full = join(found.file, dirent.name)
        let stats: Stats
        try {
          if (dirent.isSymbolicLink() && !isInside(await realpath(full), root)) continue
          stats = await stat(full)
        } catch {
          continue // vanished meanwhile, or a dangling link
        }
        const entryPath = joinSafe(path, name)
        if (stats.isDirectory()) entries.push({ path: entryPath, isDir: true })
        else if (stats.isFile()) entries.push({ path: entryPath, isDir: false, size: stats.size })
      }
      return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    } catch (error) {
      throw fsError(error, path)
    }
  }

  async delete(path: SafePath): Promise<void> {
    try {
      if (path === '') {
        const root = await this.#rootReal(false)
        if (root) await rm(root, { recursive: true, force: true })
        this.#realRoot = undefined
        return
      }
      // The parent is resolved and checked; the leaf itself is removed, not followed, so deleting
      // a symlink removes the link and never the tree it points to.
      const parent = await this.#locate(parentPath(path))
      if (!parent.exists) return
      await rm(join(parent.file, baseName(path)), { recursive: true, force: true })
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return
      throw fsError(error, path)
    }
  }

  async close(): Promise<void> {}
}

/** Makes a rename durable; some platforms cannot open directories, which is harmless there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(dir, constants.O_RDONLY)
    await handle.sync()
  } catch {
    // Windows and some network filesystems refuse fsync on a directory.
  } finally {
    await handle?.close()
  }
}

import type { Readable } from 'node:stream'
import { MlflowError } from '@carnet/protocol'
import type { SafePath } from './safe-path.ts'

/** One entry of a directory listing, relative to the repository root. */
export interface ArtifactEntry {
  /** Full path from the repository root, e.g. `1/abc/artifacts/model/MLmodel`. */
  path: SafePath
  isDir: boolean
  /** Bytes, for files only. */
  size?: number
}

export interface ArtifactStat {
  size: number
  /** Milliseconds since the epoch. */
  lastModified: number
  /** A strong validator for conditional and range requests, quoted as HTTP wants it. */
  etag: string
}

/** An inclusive byte range, already checked against the object's size. */
export interface ByteRange {
  start: number
  end: number
}

export interface ArtifactReadResult extends ArtifactStat {
  body: Readable
}

export interface WriteOptions {
  /** Declared body length when known (Content-Length); lets S3 stream with a single PUT. */
  size?: number | undefined
  /** Stored with the object where the backend keeps one (S3). */
  contentType?: string | undefined
}

/** Presigned multipart upload, as MLflow's `MultipartUploadMixin` (client PUTs parts itself). */
export interface MultipartCredential {
  url: string
  part_number: number
  headers: Record<string, string>
}

export interface MultipartPart {
  part_number: number
  etag: string
  url?: string | undefined
}

export interface MultipartSupport {
  create(
    path: SafePath,
    numParts: number,
  ): Promise<{ upload_id: string; credentials: MultipartCredential[] }>
  complete(path: SafePath, uploadId: string, parts: MultipartPart[]): Promise<void>
  abort(path: SafePath, uploadId: string): Promise<void>
}

export interface PresignedDownload {
  url: string
  headers: Record<string, string>
  file_size: number
}

/**
 * An artifact store rooted at one location (a directory, or a bucket and prefix). Every path is
 * relative to that root and already validated (SafePath); each backend still checks containment
 * on what it finally touches (the resolved file after symlinks, the final object key).
 *
 * Errors are MlflowErrors: RESOURCE_DOES_NOT_EXIST for a missing file, INVALID_PARAMETER_VALUE
 * for a directory where a file is expected, TEMPORARILY_UNAVAILABLE for a transient backend failure.
 */
export interface ArtifactRepository {
  readonly kind: 'local' | 's3'
  /** The root as a URI, for logs and messages. */
  readonly rootUri: string

  /**
   * Stores `body` at `path`, replacing any file there. Atomic: readers see the old content or the
   * complete new one, never a partial file, also when the body stream fails half-way.
   */
  write(path: SafePath, body: Readable, options?: WriteOptions): Promise<void>

  /** Size, modification time and ETag of a file; undefined when there is no file at `path`. */
  stat(path: SafePath): Promise<ArtifactStat | undefined>

  /** Opens a file (or one byte range of it) as a stream. */
  read(path: SafePath, range?: ByteRange): Promise<ArtifactReadResult>

  /** True when `path` is a directory (a prefix with objects below it on S3). */
  isDirectory(path: SafePath): Promise<boolean>

  /**
   * Immediate children of the directory `path`, sorted by path. A missing directory or a file
   * path gives `[]` (MLflow's clients rely on that to tell files from directories).
   */
  list(path: SafePath): Promise<ArtifactEntry[]>

  /** Removes the file or the whole tree at `path` (`''` = everything). Missing is not an error. */
  delete(path: SafePath): Promise<void>

  /** Present when the backend supports presigned multipart uploads (S3). */
  readonly multipart?: MultipartSupport | undefined

  /** Present when the backend can hand out a presigned download URL (S3). */
  presignDownload?(path: SafePath, expiresInSeconds: number): Promise<PresignedDownload>

  /** Present when the backend can hand out a presigned single-PUT upload URL (S3). */
  presignUpload?(
    path: SafePath,
    expiresInSeconds: number,
  ): Promise<{ presigned_url: string; headers: Record<string, string> }>

  /** Releases clients and sockets. */
  close(): Promise<void>
}

/** Temporary files of in-flight uploads (MLflow's prefix): hidden from listings, reserved names. */
export const STAGING_PREFIX = '.artifact.uploading.'

export function checkArtifactFileName(name: string): void {
  if (name.startsWith(STAGING_PREFIX)) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Invalid artifact file name: '${name}'. Artifact names starting with '${STAGING_PREFIX}' are reserved.`,
    )
  }
}

export const noSuchArtifact = (path: string): MlflowError =>
  // mlflow-compat
  MlflowError.notFound(`No such artifact: '${path}'`)

export const isDirectoryError = (path: string): MlflowError =>
  // mlflow-compat
  MlflowError.invalidParameter(`Artifact path refers to a directory, not a file: '${path}'`)

export const MULTIPART_UNSUPPORTED =
  'Multipart upload is not supported for the current artifact repository'
export const PRESIGNED_DOWNLOAD_UNSUPPORTED =
  'Multipart download is not supported for the current artifact repository'
export const PRESIGNED_UPLOAD_UNSUPPORTED =
  'Presigned upload is not supported for the current artifact repository'

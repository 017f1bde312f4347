import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { pipeline, Readable, Transform } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import { MlflowError } from '@carnet/protocol'
import {
  type ArtifactEntry,
  type ArtifactReadResult,
  type ArtifactRepository,
  type ArtifactStat,
  type ByteRange,
  checkArtifactFileName,
  isDirectoryError,
  type MultipartCredential,
  type MultipartPart,
  type MultipartSupport,
  noSuchArtifact,
  type PresignedDownload,
  type WriteOptions,
} from './artifact-repository.ts'
import { contentDisposition, guessContentType } from './content-type.ts'
import {
  baseName,
  decodeUntilStable,
  invalidPath,
  joinSafe,
  type SafePath,
  validatePathIsSafe,
} from './safe-path.ts'

type S3 = typeof import('@aws-sdk/client-s3')

/** S3 settings from the environment variables MLflow users already set for boto3. */
export interface S3Settings {
  /** MLFLOW_S3_ENDPOINT_URL: an S3-compatible server (MinIO, Ceph, moto, …). */
  endpoint?: string | undefined
  /** AWS_REGION, else AWS_DEFAULT_REGION (boto3's name), else us-east-1. */
  region: string
  /** Path-style addressing: MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE=path, or any custom endpoint. */
  forcePathStyle: boolean
  /** MLFLOW_S3_IGNORE_TLS=true: do not verify the endpoint's certificate. */
  ignoreTls: boolean
  /** MLFLOW_S3_UPLOAD_EXTRA_ARGS: JSON of extra PutObject parameters (ServerSideEncryption, …). */
  uploadExtraArgs: Record<string, unknown>
  /** MLFLOW_S3_EXPECTED_BUCKET_OWNER: sent as ExpectedBucketOwner on every call. */
  expectedBucketOwner?: string | undefined
}

const truthy = (value: string | undefined) => /^(1|true|yes|on)$/i.test(value?.trim() ?? '')

export function s3SettingsFromEnv(env: NodeJS.ProcessEnv): S3Settings {
  const endpoint = env['MLFLOW_S3_ENDPOINT_URL']?.trim() || undefined
  const style = env['MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE']?.trim().toLowerCase()
  let uploadExtraArgs: Record<string, unknown> = {}
  const extra = env['MLFLOW_S3_UPLOAD_EXTRA_ARGS']
  if (extra) {
    try {
      const parsed: unknown = JSON.parse(extra)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error()
      uploadExtraArgs = parsed as Record<string, unknown>
    } catch {
      throw new Error('MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object')
    }
  }
  return {
    endpoint,
    region: env['AWS_REGION']?.trim() || env['AWS_DEFAULT_REGION']?.trim() || 'us-east-1',
    forcePathStyle: style === 'path' || (endpoint !== undefined && style !== 'virtual'),
    ignoreTls: truthy(env['MLFLOW_S3_IGNORE_TLS']),
    uploadExtraArgs,
    expectedBucketOwner: env['MLFLOW_S3_EXPECTED_BUCKET_OWNER']?.trim() || undefined,
  }
}

/** Parses `s3://bucket/prefix` (or `s3a`/`s3n`); the prefix is validated like any artifact path. */
export function parseS3Uri(uri: string): { bucket: string; prefix: SafePath } {
  const match = /^s3[an]?:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(uri)
  if (!match) throw MlflowError.invalidParameter(`Not an S3 URI: '${uri}'`)
  const bucket = match[1]!
  if (!/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket)) {
    throw MlflowError.invalidParameter(`Invalid S3 bucket name: '${bucket}'`)
  }
  const prefix = (match[2] ?? '').replace(/^\/+/, '')
  return { bucket, prefix: validatePathIsSafe(prefix, { allowRoot: true }) }
}

const MIB = 1024 * 1024
/** Largest single PUT S3 accepts. */
const MAX_SINGLE_PUT = 5 * 1024 * MIB
const MAX_PARTS = 10_000

export interface S3RepositoryOptions {
  bucket: string
  /** Key prefix of the root, without slashes at either end ('' for the bucket root). */
  prefix: SafePath
  settings: S3Settings
  /** Part size for streamed uploads of unknown or very large size (min 5 MiB). */
  partSize?: number
  /** Page size for listings and deletions (S3 caps it at 1,000). */
  pageSize?: number
  /** Presigned URLs' lifetime for multipart part uploads. */
  presignExpiresIn?: number
}

/**
 * Artifacts as objects below `s3://bucket/prefix` (AWS SDK v3). Uploads stream: a body of known
 * size up to 5 GiB is one streamed PutObject; anything else is a multipart upload that buffers one
 * part at a time. Downloads stream GetObject bodies. S3 makes a PUT or a completed multipart upload
 * visible atomically, so readers never see a partial object.
 */
export class S3ArtifactRepository implements ArtifactRepository {
  readonly kind = 's3' as const
  readonly #bucket: string
  readonly #prefix: SafePath
  readonly #settings: S3Settings
  readonly #partSize: number
  readonly #pageSize: number
  readonly #presignExpiresIn: number
  #sdk: Promise<{ s3: S3; client: S3Client }> | undefined

  constructor(options: S3RepositoryOptions) {
    this.#bucket = options.bucket
    this.#prefix = options.prefix
    this.#settings = options.settings
    this.#partSize = Math.max(options.partSize ?? 16 * MIB, 5 * MIB)
    this.#pageSize = Math.min(Math.max(options.pageSize ?? 1000, 1), 1000)
    this.#presignExpiresIn = options.presignExpiresIn ?? 3600
  }

  get rootUri(): string {
    return `s3://${this.#bucket}${this.#prefix ? `/${this.#prefix}` : ''}`
  }

  /** The SDK is loaded on first use: servers on local disk never pay for it. */
  #client(): Promise<{ s3: S3; client: S3Client }> {
    this.#sdk ??= import('@aws-sdk/client-s3').then((s3) => {
      const settings = this.#settings
      const agentOptions = { keepAlive: true, maxSockets: 64 }
      const client = new s3.S3Client({
        region: settings.region,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        forcePathStyle: settings.forcePathStyle,
        followRegionRedirects: true,
        // S3-compatible servers often lack the newer flexible checksums; send them only when the
        // operation requires one (DeleteObjects), as boto3 did for years.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: {
          httpAgent: new HttpAgent(agentOptions),
          httpsAgent: new HttpsAgent({
            ...agentOptions,
            rejectUnauthorized: !settings.ignoreTls,
          }),
        },
      })
      return { s3, client }
    })
    return this.#sdk
  }

  /** The object key of `path`; the final key must stay under the root prefix. */
  #key(path: SafePath): string {
    const key = joinSafe(this.#prefix, path)
    if (this.#prefix !== '' && key !== this.#prefix && !key.startsWith(`${this.#prefix}/`)) {
      throw invalidPath()
    }
    return key
  }

  /** The listing prefix of the directory `path` ('' lists the bucket root). */
  #dirPrefix(path: SafePath): string {
    const key = this.#key(path)
    return key === '' ? '' : `${key}/`
  }

  get #owner(): { ExpectedBucketOwner?: string } {
    const owner = this.#settings.expectedBucketOwner
    return owner ? { ExpectedBucketOwner: owner } : {}
  }

  async write(path: SafePath, body: Readable, options: WriteOptions = {}): Promise<void> {
    const name = baseName(path)
    if (name === '') throw invalidPath()
    checkArtifactFileName(name)
    const key = this.#key(path)
    const contentType = options.contentType ?? guessContentType(name)
    try {
      if (options.size !== undefined && options.size <= MAX_SINGLE_PUT) {
        const { s3, client } = await this.#client()
        // A body that fails or ends short must cancel the PUT: S3 then stores nothing.
        const controller = new AbortController()
        let bodyError: unknown
        const checked = lengthChecked(body, options.size, (error) => {
          bodyError = error
          controller.abort()
        })
        try {
          await client.send(
            new s3.PutObjectCommand({
              ...this.#settings.uploadExtraArgs,
              Bucket: this.#bucket,
              Key: key,
              Body: checked,
              ContentLength: options.size,
              ContentType: contentType,
              ...this.#owner,
            }),
            { abortSignal: controller.signal },
          )
        } catch (error) {
          throw bodyError ?? error
        }
        return
      }
      await this.#streamMultipart(key, body, contentType, options.size)
    } catch (error) {
      body.resume()
      throw s3Error(error, path)
    }
  }

  /** Multipart upload from a stream, one part in memory at a time; aborted on any failure. */
  async #streamMultipart(
    key: string,
    body: Readable,
    contentType: string,
    size: number | undefined,
  ): Promise<void> {
    const { s3, client } = await this.#client()
    const partSize =
      size === undefined ? this.#partSize : Math.max(this.#partSize, Math.ceil(size / MAX_PARTS))
    const parts = chunked(body, partSize)
    const first = await parts.next()
    const firstPart = first.done ? Buffer.alloc(0) : first.value
    if (firstPart.length < partSize) {
      // The whole body fit in one part: a plain PUT.
      await client.send(
        new s3.PutObjectCommand({
          ...this.#settings.uploadExtraArgs,
          Bucket: this.#bucket,
          Key: key,
          Body: firstPart,
          ContentType: contentType,
          ...this.#owner,
        }),
      )
      return
    }
    const created = await client.send(
      new s3.CreateMultipartUploadCommand({
        ...this.#settings.uploadExtraArgs,
        Bucket: this.#bucket,
        Key: key,
        ContentType: contentType,
        ...this.#owner,
      }),
    )
    const uploadId = created.UploadId!
    const done: { PartNumber: number; ETag: string }[] = []
    try {
      let part: Buffer | undefined = firstPart
      while (part) {
        const partNumber = done.length + 1
        if (partNumber > MAX_PARTS) throw MlflowError.invalidParameter('Artifact is too large')
        const uploaded = await client.send(
          new s3.UploadPartCommand({
            Bucket: this.#bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: part,
            ContentLength: part.length,
            ...this.#owner,
          }),
        )
        done.push({ PartNumber: partNumber, ETag: uploaded.ETag ?? '' })
        const next = await parts.next()
        part = next.done ? undefined : next.value
      }
      await client.send(
        new s3.CompleteMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
          ...this.#owner,
        }),
      )
    } catch (error) {
      await client
        .send(
          new s3.AbortMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: key,
            UploadId: uploadId,
            ...this.#owner,
          }),
        )
        .catch(() => {})
      throw error
    }
  }

  async stat(path: SafePath): Promise<ArtifactStat | undefined> {
    if (path === '') return undefined
    const { s3, client } = await this.#client()
    try {
      const head = await client.send(
        new s3.HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(path), ...this.#owner }),
      )
      return {
        size: Number(head.ContentLength ?? 0),
        lastModified: head.LastModified?.getTime() ?? Date.now(),
        etag: head.ETag ?? `"${Number(head.ContentLength ?? 0).toString(16)}"`,
      }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw s3Error(error, path)
    }
  }

  async read(path: SafePath, range?: ByteRange): Promise<ArtifactReadResult> {
    const found = await this.stat(path)
    if (!found) {
      if (await this.isDirectory(path)) throw isDirectoryError(path)
      throw noSuchArtifact(path)
    }
    const { s3, client } = await this.#client()
    try {
      const object = await client.send(
        new s3.GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(path),
          // The object must be the one just described, or sizes and ranges would not match.
          IfMatch: found.etag,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          ...this.#owner,
        }),
      )
      const body = object.Body
      if (!(body instanceof Readable)) throw new Error('S3 returned no body stream')
      return { ...found, body }
    } catch (error) {
      throw s3Error(error, path)
    }
  }

  async isDirectory(path: SafePath): Promise<boolean> {
    const { s3, client } = await this.#client()
    try {
      const page = await client.send(
        new s3.ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: this.#dirPrefix(path),
          MaxKeys: 1,
          ...this.#owner,
        }),
      )
      return (page.KeyCount ?? page.Contents?.length ?? 0) > 0
    } catch (error) {
      throw s3Error(error, path)
    }
  }

  async list(path: SafePath): Promise<ArtifactEntry[]> {
    const { s3, client } = await this.#client()
    const prefix = this.#dirPrefix(path)
    const entries: ArtifactEntry[] = []
    let token: string | undefined
    try {
      do {
        const page = await client.send(
          new s3.ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            Delimiter: '/',
            MaxKeys: this.#pageSize,
            ContinuationToken: token,
            ...this.#owner,
          }),
        )
        for (const common of page.CommonPrefixes ?? []) {
          const name = childName(common.Prefix, prefix, true)
          if (name) entries.push({ path: joinSafe(path, name), isDir: true })
        }
        for (const object of page.Contents ?? []) {
          const size = Number(object.Size ?? 0)
          // `dir/` zero-byte objects are directory markers written by some tools.
          if (object.Key?.endsWith('/') && size === 0) continue
          const name = childName(object.Key, prefix, false)
          if (name) entries.push({ path: joinSafe(path, name), isDir: false, size })
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
    } catch (error) {
      throw s3Error(error, path)
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /**
   * Deletes the object at `path` and every object below it, page by page (1,000 keys per
   * DeleteObjects call, any number of pages), then aborts unfinished multipart uploads there.
   */
  async delete(path: SafePath): Promise<void> {
    const { s3, client } = await this.#client()
    const key = this.#key(path)
    const below = key === '' ? '' : `${key}/`
    let token: string | undefined
    try {
      do {
        const page = await client.send(
          new s3.ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: key,
            MaxKeys: this.#pageSize,
            ContinuationToken: token,
            ...this.#owner,
          }),
        )
        const keys = (page.Contents ?? [])
          .map((object) => object.Key ?? '')
          .filter((k) => k !== '' && (k === key || k.startsWith(below)))
        if (keys.length > 0) {
          const result = await client.send(
            new s3.DeleteObjectsCommand({
              Bucket: this.#bucket,
              Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
              ...this.#owner,
            }),
          )
          const failed = result.Errors ?? []
          if (failed.length > 0) {
            throw new MlflowError(
              'INTERNAL_ERROR',
              `Failed to delete ${failed.length} object(s) below '${path}': ${failed[0]?.Code ?? ''} ${failed[0]?.Message ?? ''}`.trim(),
            )
          }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      await this.#abortUploads(key, below)
    } catch (error) {
      throw s3Error(error, path)
    }
  }

  async #abortUploads(key: string, below: string): Promise<void> {
    const { s3, client } = await this.#client()
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    for (let page = 0; page < 100; page++) {
      const listed = await client
        .send(
          new s3.ListMultipartUploadsCommand({
            Bucket: this.#bucket,
            Prefix: key,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
            ...this.#owner,
          }),
        )
        .catch(() => undefined) // not every S3-compatible server lists uploads
      if (!listed) return
      for (const upload of listed.Uploads ?? []) {
        if (upload.Key !== key && !upload.Key?.startsWith(below)) continue
        await client
          .send(
            new s3.AbortMultipartUploadCommand({
              Bucket: this.#bucket,
              Key: upload.Key,
              UploadId: upload.UploadId,
              ...this.#owner,
            }),
          )
          .catch(() => {})
      }
      if (!listed.IsTruncated) return
      keyMarker = listed.NextKeyMarker
      uploadIdMarker = listed.NextUploadIdMarker
    }
  }

  readonly multipart: MultipartSupport = {
    create: async (path, numParts) => {
      if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) {
        throw MlflowError.invalidParameter(
          `num_parts must be between 1 and ${MAX_PARTS}, got ${numParts}`,
        )
      }
      checkArtifactFileName(baseName(path))
      const { s3, client } = await this.#client()
      const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner')
      const key = this.#key(path)
      try {
        const created = await client.send(
          new s3.CreateMultipartUploadCommand({
            ...this.#settings.uploadExtraArgs,
            Bucket: this.#bucket,
            Key: key,
            ContentType: guessContentType(baseName(path)),
            ...this.#owner,
          }),
        )
        const uploadId = created.UploadId!
        const credentials: MultipartCredential[] = []
        for (let part = 1; part <= numParts; part++) {
          const url = await getSignedUrl(
            client,
            new s3.UploadPartCommand({
              Bucket: this.#bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: part,
              ...this.#owner,
            }),
            { expiresIn: this.#presignExpiresIn },
          )
          credentials.push({ url, part_number: part, headers: {} })
        }
        return { upload_id: uploadId, credentials }
      } catch (error) {
        throw s3Error(error, path)
      }
    },
    complete: async (path, uploadId, parts) => {
      const { s3, client } = await this.#client()
      try {
        await client.send(
          new s3.CompleteMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: this.#key(path),
            UploadId: uploadId,
            MultipartUpload: {
              Parts: [...parts]
                .sort((a, b) => a.part_number - b.part_number)
                .map((part: MultipartPart) => ({ PartNumber: part.part_number, ETag: part.etag })),
            },
            ...this.#owner,
          }),
        )
      } catch (error) {
        throw s3Error(error, path)
      }
    },
    abort: async (path, uploadId) => {
      const { s3, client } = await this.#client()
      try {
        await client.send(
          new s3.AbortMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: this.#key(path),
            UploadId: uploadId,
            ...this.#owner,
          }),
        )
      } catch (error) {
        throw s3Error(error, path)
      }
    },
  }

  async presignDownload(path: SafePath, expiresInSeconds: number): Promise<PresignedDownload> {
    const found = await this.stat(path)
    if (!found) {
      if (await this.isDirectory(path)) throw isDirectoryError(path)
      throw noSuchArtifact(path)
    }
    const { s3, client } = await this.#client()
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner')
    const url = await getSignedUrl(
      client,
      new s3.GetObjectCommand({
        Bucket: this.#bucket,
        Key: this.#key(path),
        // Signed into the URL: a browser following it downloads instead of rendering.
        ResponseContentDisposition: contentDisposition(baseName(path)),
        ...this.#owner,
      }),
      { expiresIn: expiresInSeconds },
    )
    return { url, headers: {}, file_size: found.size }
  }

  async presignUpload(
    path: SafePath,
    expiresInSeconds: number,
  ): Promise<{ presigned_url: string; headers: Record<string, string> }> {
    checkArtifactFileName(baseName(path))
    const { s3, client } = await this.#client()
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner')
    const contentType = guessContentType(baseName(path))
    const url = await getSignedUrl(
      client,
      new s3.PutObjectCommand({
        ...this.#settings.uploadExtraArgs,
        Bucket: this.#bucket,
        Key: this.#key(path),
        ContentType: contentType,
        ...this.#owner,
      }),
      { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-type']) },
    )
    return { presigned_url: url, headers: { 'Content-Type': contentType } }
  }

  async close(): Promise<void> {
    if (!this.#sdk) return
    const { client } = await this.#sdk
    client.destroy()
  }
}

/** The name one level below `prefix`, if the listed key is addressable through the API. */
function childName(key: string | undefined, prefix: string, isDir: boolean): SafePath | undefined {
  if (!key?.startsWith(prefix)) return undefined // MLflow refuses such listings; skip them
  let name = key.slice(prefix.length)
  if (isDir) name = name.replace(/\/$/, '')
  if (name === '' || name.includes('/')) return undefined
  try {
    if (decodeUntilStable(name) !== name) return undefined
    const safe = validatePathIsSafe(name)
    return safe === name ? safe : undefined
  } catch {
    return undefined
  }
}

/** Passes `body` through, failing (and calling `onError`) unless exactly `size` bytes arrive. */
function lengthChecked(body: Readable, size: number, onError: (error: unknown) => void): Readable {
  let seen = 0
  const incomplete = () =>
    MlflowError.invalidParameter(`Incomplete upload: received ${seen} of ${size} bytes`)
  const checker = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      done(seen > size ? incomplete() : null, chunk)
    },
    flush(done) {
      done(seen === size ? null : incomplete())
    },
  })
  pipeline(body, checker, (error) => {
    if (error) onError(error)
  })
  return checker
}

/** Re-chunks a stream into Buffers of exactly `size` bytes (the last one may be shorter). */
async function* chunked(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  for await (const chunk of body) {
    let data = chunk as Buffer
    while (pendingBytes + data.length >= size) {
      const take = size - pendingBytes
      pending.push(data.subarray(0, take))
      yield Buffer.concat(pending, size)
      pending = []
      pendingBytes = 0
      data = data.subarray(take)
    }
    if (data.length > 0) {
      pending.push(data)
      pendingBytes += data.length
    }
  }
  if (pendingBytes > 0 || pending.length > 0) yield Buffer.concat(pending, pendingBytes)
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404
}

/** S3 failures as MLflow errors (MLflow's BOTO_TO_MLFLOW_ERROR, plus 503 for transient ones). */
export function s3Error(error: unknown, path: string): unknown {
  if (error instanceof MlflowError) return error
  const e = error as {
    name?: string
    code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
  }
  const name = e?.name ?? ''
  const status = e?.$metadata?.httpStatusCode
  const message = e?.message ?? String(error)
  if (name === 'NoSuchKey' || name === 'NotFound') return noSuchArtifact(path)
  if (name === 'NoSuchBucket') {
    return new MlflowError('RESOURCE_DOES_NOT_EXIST', `S3 bucket does not exist: ${message}`)
  }
  if (name === 'NoSuchUpload') {
    return new MlflowError('RESOURCE_DOES_NOT_EXIST', `No such multipart upload: ${message}`)
  }
  if (name === 'AccessDenied' || status === 403) {
    return new MlflowError('PERMISSION_DENIED', `Access to the artifact store denied: ${message}`)
  }
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return new MlflowError(
      'UNAUTHENTICATED',
      `The artifact store refused the credentials: ${message}`,
    )
  }
  if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'EntityTooLarge'].includes(name)) {
    return MlflowError.invalidParameter(message)
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new MlflowError('TEMPORARILY_UNAVAILABLE', `'${path}' changed while being read, retry`)
  }
  const transient =
    (status !== undefined && status >= 500) ||
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    name === 'SlowDown' ||
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/.test(e?.code ?? '')
  if (transient) {
    return new MlflowError(
      'TEMPORARILY_UNAVAILABLE',
      `The artifact store is unavailable: ${message}`,
      {
        cause: error,
      },
    )
  }
  return new MlflowError('INTERNAL_ERROR', `Artifact store error: ${message}`, { cause: error })
}

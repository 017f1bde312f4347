import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { artifactRepositoryContract, put, readAll } from './artifact-repository.contract.ts'
import {
  parseS3Uri,
  S3ArtifactRepository,
  s3Error,
  s3SettingsFromEnv,
} from './s3-artifact-repository.ts'
import { validatePathIsSafe } from './safe-path.ts'
import {
  createBucket,
  S3_TEST_ENV,
  skipS3,
  startS3Server,
  type TestS3Server,
} from './test-s3-server.ts'

const p = (path: string) => validatePathIsSafe(path, { allowRoot: true })

let server: TestS3Server | undefined
let bucketCount = 0
const savedEnv: Record<string, string | undefined> = {}

async function s3(): Promise<TestS3Server> {
  if (!server) {
    for (const [key, value] of Object.entries(S3_TEST_ENV)) {
      savedEnv[key] = process.env[key]
      process.env[key] = value
    }
    server = await startS3Server()
  }
  return server
}

async function freshRepo(prefix = 'root/prefix', pageSize?: number) {
  const running = await s3()
  const bucket = `carnet-test-${++bucketCount}-${randomBytes(3).toString('hex')}`
  await createBucket(running, bucket)
  const repo = new S3ArtifactRepository({
    bucket,
    prefix: p(prefix),
    settings: s3SettingsFromEnv(running.env),
    partSize: 5 * 1024 * 1024,
    ...(pageSize ? { pageSize } : {}),
  })
  return { repo, bucket, running }
}

afterAll(async () => {
  await server?.stop()
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

describe.skipIf(skipS3)('S3 backend', () => {
  artifactRepositoryContract('S3 (moto server)', async () => {
    const { repo } = await freshRepo()
    return { repo, cleanup: () => repo.close() }
  })

  describe('S3-specific behaviour', () => {
    let repo: S3ArtifactRepository
    let bucket: string
    let running: TestS3Server

    beforeAll(async () => {
      ;({ repo, bucket, running } = await freshRepo('exp'))
    })
    afterAll(() => repo?.close())

    it('lists and deletes past 1,000 objects (several pages)', async () => {
      const names = Array.from(
        { length: 1005 },
        (_, i) => `run/artifacts/f${String(i).padStart(4, '0')}.txt`,
      )
      for (let i = 0; i < names.length; i += 25) {
        await Promise.all(names.slice(i, i + 25).map((name) => put(repo, name, 'x')))
      }
      await put(repo, 'run/artifacts/sub/deeper.txt', 'y')
      await put(repo, 'runner/keep.txt', 'sibling with a common prefix')
      const listed = await repo.list(p('run/artifacts'))
      expect(listed).toHaveLength(1006)
      expect(listed.at(-1)).toEqual({ path: 'run/artifacts/sub', isDir: true })
      await repo.delete(p('run'))
      expect(await repo.list(p('run/artifacts'))).toEqual([])
      expect(await repo.isDirectory(p('run'))).toBe(false)
      expect((await readAll(repo, 'runner/keep.txt')).toString()).toBe(
        'sibling with a common prefix',
      )
    })

    it('pages listings with a small page size', async () => {
      const small = new S3ArtifactRepository({
        bucket,
        prefix: p('exp'),
        settings: s3SettingsFromEnv(running.env),
        pageSize: 2,
      })
      for (const name of ['pg/a', 'pg/b', 'pg/c', 'pg/d/e', 'pg/f/g']) await put(small, name, 'z')
      expect((await small.list(p('pg'))).map((e) => e.path)).toEqual([
        'pg/a',
        'pg/b',
        'pg/c',
        'pg/d',
        'pg/f',
      ])
      await small.delete(p('pg'))
      expect(await small.list(p('pg'))).toEqual([])
      await small.close()
    })

    it('never lists outside its prefix', async () => {
      const outer = new S3ArtifactRepository({
        bucket,
        prefix: p(''),
        settings: s3SettingsFromEnv(running.env),
      })
      await put(outer, 'expx/other.txt', 'not mine')
      await put(repo, 'mine.txt', 'mine')
      expect((await repo.list(p(''))).map((e) => e.path)).toContain('mine.txt')
      expect((await repo.list(p(''))).map((e) => e.path)).not.toContain('other.txt')
      expect((await outer.list(p(''))).map((e) => e.path)).toEqual(['exp', 'expx'])
      await outer.close()
    })

    it('skips directory markers', async () => {
      const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3')
      const raw = new S3Client({
        region: 'us-east-1',
        endpoint: running.endpoint,
        forcePathStyle: true,
      })
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'exp/marked/', Body: '' }))
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'exp/marked/x.txt', Body: 'x' }))
      raw.destroy()
      expect(await repo.list(p('marked'))).toEqual([
        { path: 'marked/x.txt', isDir: false, size: 1 },
      ])
    })

    it('runs a presigned multipart upload: create, PUT the parts, complete', async () => {
      const part = 5 * 1024 * 1024
      const data = randomBytes(part * 2 + 1000)
      const created = await repo.multipart.create(p('mpu/big.bin'), 3)
      expect(created.credentials.map((c) => c.part_number)).toEqual([1, 2, 3])
      const parts = []
      for (const credential of created.credentials) {
        const start = (credential.part_number - 1) * part
        const response = await fetch(credential.url, {
          method: 'PUT',
          body: data.subarray(start, Math.min(start + part, data.length)),
        })
        expect(response.status).toBe(200)
        parts.push({
          part_number: credential.part_number,
          etag: response.headers.get('etag') ?? '',
        })
      }
      await repo.multipart.complete(p('mpu/big.bin'), created.upload_id, parts.reverse())
      expect((await readAll(repo, 'mpu/big.bin')).equals(data)).toBe(true)
    })

    it('aborts a multipart upload, leaving nothing behind', async () => {
      const created = await repo.multipart.create(p('mpu/aborted.bin'), 1)
      await repo.multipart.abort(p('mpu/aborted.bin'), created.upload_id)
      expect(await repo.stat(p('mpu/aborted.bin'))).toBeUndefined()
      await expect(
        repo.multipart.complete(p('mpu/aborted.bin'), created.upload_id, [
          { part_number: 1, etag: 'x' },
        ]),
      ).rejects.toThrow()
      expect(await repo.stat(p('mpu/aborted.bin'))).toBeUndefined()
    })

    it('refuses part counts S3 cannot take', async () => {
      await expect(repo.multipart.create(p('mpu/x.bin'), 0)).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      })
      await expect(repo.multipart.create(p('mpu/x.bin'), 10_001)).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      })
    })

    it('hands out presigned download URLs that download as attachments', async () => {
      await put(repo, 'signed/page.html', '<script>alert(1)</script>')
      const signed = await repo.presignDownload(p('signed/page.html'), 60)
      expect(signed.file_size).toBe(25)
      const response = await fetch(signed.url)
      expect(await response.text()).toBe('<script>alert(1)</script>')
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="page.html"')
      await expect(repo.presignDownload(p('signed/missing'), 60)).rejects.toMatchObject({
        code: 'RESOURCE_DOES_NOT_EXIST',
      })
    })

    it('hands out presigned upload URLs', async () => {
      const signed = await repo.presignUpload(p('signed/up.txt'), 60)
      const response = await fetch(signed.presigned_url, {
        method: 'PUT',
        headers: signed.headers,
        body: 'uploaded directly',
      })
      expect(response.status).toBe(200)
      expect((await readAll(repo, 'signed/up.txt')).toString()).toBe('uploaded directly')
    })

    it('maps a missing bucket and an unreachable endpoint to MLflow errors', async () => {
      const noBucket = new S3ArtifactRepository({
        bucket: 'no-such-bucket-carnet',
        prefix: p(''),
        settings: s3SettingsFromEnv(running.env),
      })
      await expect(noBucket.list(p(''))).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' })
      await noBucket.close()
      const down = new S3ArtifactRepository({
        bucket,
        prefix: p(''),
        settings: s3SettingsFromEnv({
          ...running.env,
          MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:9',
        }),
      })
      await expect(down.list(p(''))).rejects.toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' })
      await down.close()
    })
  })
})

describe('S3 settings and URIs', () => {
  it('reads MLflow users’ environment variables', () => {
    const settings = s3SettingsFromEnv({
      MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000',
      AWS_DEFAULT_REGION: 'eu-west-1',
      MLFLOW_S3_IGNORE_TLS: 'true',
      MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption": "AES256"}',
      MLFLOW_S3_EXPECTED_BUCKET_OWNER: '123456789012',
    })
    expect(settings).toEqual({
      endpoint: 'http://minio:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      ignoreTls: true,
      uploadExtraArgs: { ServerSideEncryption: 'AES256' },
      expectedBucketOwner: '123456789012',
    })
    expect(s3SettingsFromEnv({}).forcePathStyle).toBe(false)
    expect(s3SettingsFromEnv({ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'path' }).forcePathStyle).toBe(
      true,
    )
    expect(() => s3SettingsFromEnv({ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '[1]' })).toThrow()
  })

  it('parses s3 URIs and refuses traversal in the prefix', () => {
    expect(parseS3Uri('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', prefix: 'a/b' })
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' })
    expect(() => parseS3Uri('s3://bucket/a/../../x')).toThrow('Invalid path')
    expect(() => parseS3Uri('s3://bucket/a#frag')).toThrow()
    expect(() => parseS3Uri('s3://bucket/a?x=1')).toThrow()
  })

  it('maps SDK errors', () => {
    expect(s3Error({ name: 'AccessDenied', message: 'no' }, 'x')).toMatchObject({
      code: 'PERMISSION_DENIED',
    })
    expect(s3Error({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } }, 'x')).toMatchObject({
      code: 'TEMPORARILY_UNAVAILABLE',
    })
    expect(s3Error({ name: 'NoSuchKey' }, 'a/b')).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: "No such artifact: 'a/b'",
    })
  })
})

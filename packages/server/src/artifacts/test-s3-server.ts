import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join, resolve } from 'node:path'

/**
 * A real S3-compatible server for tests: moto's standalone server (`moto[server]` from PyPI,
 * installed into the project venv by e2e/python/requirements.txt), started on a free loopback
 * port. Missing moto fails the S3 suites loudly unless CARNET_SKIP_S3=1.
 */
export interface TestS3Server {
  endpoint: string
  env: NodeJS.ProcessEnv
  stop(): Promise<void>
}

export const skipS3 = process.env['CARNET_SKIP_S3'] === '1'

const REPO_ROOT = resolve(import.meta.dirname, '../../../..')

export function findMotoServer(): string | undefined {
  const explicit = process.env['CARNET_MOTO_SERVER']
  if (explicit) return explicit
  const candidates = [join(REPO_ROOT, '.venv', 'bin', 'moto_server')]
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir) candidates.push(join(dir, 'moto_server'))
  }
  return candidates.find((file) => existsSync(file))
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => done(port))
    })
  })
}

/** Credentials moto accepts; also what the server under test reads from its environment. */
export const S3_TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'carnet-test',
  AWS_SECRET_ACCESS_KEY: 'carnet-test-secret',
  AWS_DEFAULT_REGION: 'us-east-1',
} as const

export async function startS3Server(): Promise<TestS3Server> {
  const binary = findMotoServer()
  if (!binary) {
    throw new Error(
      'No S3-compatible server for the S3 tests: install moto[server] into .venv ' +
        '(.venv/bin/pip install -r e2e/python/requirements.txt) or set CARNET_MOTO_SERVER; ' +
        'CARNET_SKIP_S3=1 skips these tests.',
    )
  }
  const port = await freePort()
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...S3_TEST_ENV },
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early:\n${stderr}`)
    try {
      const response = await fetch(`${endpoint}/moto-api/`)
      if (response.status < 500) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`moto_server did not start within 60 s:\n${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    endpoint,
    env: { ...S3_TEST_ENV, MLFLOW_S3_ENDPOINT_URL: endpoint },
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise<void>((done) => child.once('exit', () => done()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Creates a bucket through the S3 API. */
export async function createBucket(server: TestS3Server, bucket: string): Promise<void> {
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3')
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: {
      accessKeyId: S3_TEST_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: S3_TEST_ENV.AWS_SECRET_ACCESS_KEY,
    },
  })
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
  } finally {
    client.destroy()
  }
}

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULTS, type ServerConfig } from '../config.ts'
import { createApp } from '../http/app.ts'
import { SqlTrackingStore } from '../store/sql/sql-tracking-store.ts'
import { artifactMount } from './artifact-mount.ts'

/**
 * The artifact endpoints over real HTTP, with raw request targets (nothing normalizes them on the
 * way), one test per class of MLflow's published artifact CVEs. The canary is a file next to the
 * destination; no request may read, write or delete it.
 */

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  text: string
  json: () => Record<string, unknown>
}

interface Harness {
  base: { host: string; port: number }
  dir: string
  destination: string
  canary: string
  store: SqlTrackingStore
  close(): Promise<void>
}

async function start(overrides: Partial<ServerConfig> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-routes-'))
  const destination = join(dir, 'mlartifacts')
  mkdirSync(destination)
  const canary = join(dir, 'canary.txt')
  writeFileSync(canary, 'CANARY')
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`,
    defaultArtifactRoot: 'mlflow-artifacts:/',
    artifactsDestination: destination,
    serveArtifacts: true,
    artifactsOnly: false,
    workers: 1,
    maxRequestBytes: DEFAULTS.maxRequestBytes,
    ...overrides,
  } as ServerConfig
  const store = await SqlTrackingStore.open({
    uri: config.backendStoreUri,
    defaultArtifactRoot: config.defaultArtifactRoot,
    artifactsDestination: destination,
  })
  const mounted = artifactMount(config, store, {})
  const server: Server = createServer(
    createApp({
      store,
      config,
      mount: [mounted.mount],
      serverInfo: mounted.serverInfo,
      log: () => {},
    }),
  )
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    base: { host: '127.0.0.1', port },
    dir,
    destination,
    canary,
    store,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
      await mounted.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function send(
  h: Harness,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request({ ...h.base, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const text = body.toString()
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text,
          json: () => JSON.parse(text) as Record<string, unknown>,
        })
      })
    })
    req.on('error', fail)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })
}

const A = '/api/2.0/mlflow-artifacts/artifacts'

function expectInvalid(reply: Reply) {
  expect(reply.status, reply.text).toBe(400)
  expect(reply.json().error_code).toBe('INVALID_PARAMETER_VALUE')
  expect(reply.text).not.toContain('CANARY')
  expect(reply.text).not.toContain('root:x:0')
}

/** Refused one way or another: 400 from the validator, or 404 once URL normalization moved it. */
function expectRefused(reply: Reply) {
  expect([400, 404], reply.text).toContain(reply.status)
  expect(reply.text).not.toContain('CANARY')
}

describe('artifact routes: path safety (raw HTTP)', () => {
  let h: Harness
  let runId: string
  let experimentId: string

  beforeAll(async () => {
    h = await start()
    experimentId = await h.store.createExperiment('paths', undefined, [])
    runId = (await h.store.createRun({ experimentId, tags: [] })).info.run_id
    await send(h, 'PUT', `${A}/${experimentId}/${runId}/artifacts/ok.txt`, { body: 'fine' })
  })
  afterAll(() => h?.close())

  const traversals = [
    '../canary.txt',
    '..%2fcanary.txt',
    '%2e%2e/canary.txt',
    '%2E%2E%2Fcanary.txt',
    '%252e%252e%252fcanary.txt', // CVE-2023-6831: double encoding
    '%25252e%25252e%25252fcanary.txt', // CVE-2024-1560: the extra unquote
    'x/..%2f..%2f..%2fcanary.txt',
    '..%5ccanary.txt', // CVE-2023-2780: backslash
    '..\\canary.txt',
    '%2F..%2Fcanary.txt',
    '%2Fetc%2Fpasswd', // absolute
    'C:%5CWindows%5Cwin.ini', // CVE-2023-6753: drive
    '%5C%5Cserver%5Cshare', // UNC
    'file:%2F%2F%2Fetc%2Fpasswd',
    'a%00b.txt', // NUL
    'a%0d%0aSet-Cookie:%20x=1', // header injection
    'a%23%2F..%2F..%2Fcanary.txt', // fragment
    'a%3F%2F..%2F..%2Fcanary.txt', // query
    '%EF%BC%8E%EF%BC%8E%EF%BC%8Fcanary.txt', // fullwidth ．．／
  ]

  it.each(traversals)('GET refuses %s', async (path) => {
    expectRefused(await send(h, 'GET', `${A}/${path}`))
  })

  it.each(traversals)('PUT refuses %s (CVE-2023-6015) and writes nothing', async (path) => {
    expectRefused(await send(h, 'PUT', `${A}/${path}`, { body: 'PWNED' }))
    expect(readFileSync(h.canary, 'utf8')).toBe('CANARY')
  })

  it.each(traversals)('DELETE refuses %s (CVE-2023-6831, CVE-2024-1560)', async (path) => {
    expectRefused(await send(h, 'DELETE', `${A}/${path}`))
    expect(existsSync(h.canary)).toBe(true)
  })

  it('refuses a dot-dot segment even inside the destination (the path that is checked is the path that is used)', async () => {
    expectInvalid(
      await send(h, 'PUT', `${A}/${experimentId}/x/../${runId}/artifacts/ok.txt`, { body: 'x' }),
    )
    expectInvalid(
      await send(h, 'GET', `${A}/${experimentId}/${runId}/artifacts/..%2Fartifacts/ok.txt`),
    )
  })

  it('a raw ../ that URL normalization moves out of the artifact routes never reaches a file', async () => {
    const reply = await send(h, 'GET', `${A}/../../../canary.txt`)
    expect(reply.status).toBeGreaterThanOrEqual(400)
    expect(reply.text).not.toContain('CANARY')
  })

  it.each(['../..', '%2e%2e', '/etc', '..%5c..', 'a%23b'])('list refuses path=%s', async (path) => {
    expectInvalid(await send(h, 'GET', `${A}?path=${path}`))
  })

  it('GET /get-artifact refuses traversal (CVE-2023-30172)', async () => {
    for (const path of ['../../../../../../canary.txt', '..%2F..%2Fcanary.txt', '/etc/passwd']) {
      expectInvalid(
        await send(h, 'GET', `/get-artifact?path=${encodeURIComponent(path)}&run_uuid=${runId}`),
      )
    }
    const ok = await send(h, 'GET', `/get-artifact?path=ok.txt&run_uuid=${runId}`)
    expect(ok.status).toBe(200)
    expect(ok.text).toBe('fine')
  })

  it('artifacts/list refuses traversal', async () => {
    expectInvalid(await send(h, 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=..`))
  })

  it('multipart endpoints validate both the URL path and the client file name', async () => {
    const headers = { 'Content-Type': 'application/json' }
    expectInvalid(
      await send(h, 'POST', '/api/2.0/mlflow-artifacts/mpu/create/..%2F..', {
        headers,
        body: JSON.stringify({ path: 'big.bin', num_parts: 1 }),
      }),
    )
    expectInvalid(
      await send(h, 'POST', `/api/2.0/mlflow-artifacts/mpu/create/${experimentId}`, {
        headers,
        body: JSON.stringify({ path: '/tmp/..', num_parts: 1 }),
      }),
    )
    // Local disk: MLflow's 501, which makes the client fall back to a plain PUT.
    const local = await send(h, 'POST', `/api/2.0/mlflow-artifacts/mpu/create/${experimentId}`, {
      headers,
      body: JSON.stringify({ path: 'C:\\Users\\me\\big.bin', num_parts: 2 }),
    })
    expect(local.status).toBe(501)
    expect(local.json()).toEqual({
      error_code: 'NOT_IMPLEMENTED',
      message: 'Multipart upload is not supported for the current artifact repository',
    })
  })

  it('containment after symlinks: a link inside the destination cannot reach outside (CVE-2026-2033)', async () => {
    symlinkSync(h.dir, join(h.destination, 'link-out'))
    expectInvalid(await send(h, 'GET', `${A}/link-out/canary.txt`))
    expectInvalid(await send(h, 'PUT', `${A}/link-out/planted.txt`, { body: 'x' }))
    expect(existsSync(join(h.dir, 'planted.txt'))).toBe(false)
  })

  it('the UI upload refuses query tricks in path (CVE-2024-3848) and caps the size at 10 MB', async () => {
    const upload = (path: string, body: string | Buffer) =>
      send(h, 'POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=${path}`, {
        body,
      })
    expectInvalid(await upload('a%3F/a', 'x'))
    expectInvalid(await upload('..%2F..%2Fcanary.txt', 'x'))
    const big = await upload('big.bin', Buffer.alloc(10 * 1024 * 1024 + 1))
    expect(big.status).toBe(400)
    expect(big.json().message).toBe('Artifact size is too large. Max size is 10MB.')
    expect((await upload('empty.txt', '')).json().message).toBe('Request must specify data.')
    expect((await upload('ui/note.txt', 'from the UI')).status).toBe(200)
    const back = await send(h, 'GET', `/get-artifact?path=ui/note.txt&run_uuid=${runId}`)
    expect(back.text).toBe('from the UI')
  })
})

describe('artifact routes: server-owned artifact roots', () => {
  let h: Harness

  beforeAll(async () => {
    h = await start()
  })
  afterAll(() => h?.close())

  const create = (artifactLocation: string) =>
    send(h, 'POST', '/api/2.0/mlflow/experiments/create', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `e-${Math.random()}`, artifact_location: artifactLocation }),
    })

  it.each([
    ['http:///?/../../../../../../etc/', 'CVE-2023-6909'],
    ['http:///#/../../../../etc/', 'CVE-2024-1483'],
    ['http://host#/abc/etc/', 'CVE-2024-1594'],
    ['http://host/;..%2F..%2Fetc', 'CVE-2024-1593'],
    ['http:\\/\\/\\/#\\/..\\/..\\/etc\\/', 'CVE-2024-2928'],
    ['http://host#/../../../../etc/', 'CVE-2024-3848'],
    ['dbfs:/x/artifacts/a%3f/../../../../', 'CVE-2024-8859'],
    ['file:///etc/', 'file root outside the destination'],
    ['//proc/self/root', 'CVE-2023-6977'],
    ['file://evil/../../etc', 'CVE-2023-2356'],
    ['http://169.254.169.254/latest/meta-data/', 'SSRF'],
    ['runs:/abc/x', 'runs: URI'],
  ])('experiments/create refuses %s (%s)', async (location) => {
    expectInvalid(await create(location))
  })

  it('a tampered run root pointing at /etc serves nothing (defense in depth)', async () => {
    const experimentId = await h.store.createExperiment('tampered', undefined, [])
    const run = await h.store.createRun({ experimentId, tags: [] })
    await sql`UPDATE runs SET artifact_uri = ${`file://${h.dir}`} WHERE run_uuid = ${run.info.run_id}`.execute(
      h.store.context.db,
    )
    expectInvalid(await send(h, 'GET', `/get-artifact?path=canary.txt&run_uuid=${run.info.run_id}`))
    expectInvalid(await send(h, 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}`))
  })

  it.each([
    ['file:///etc/', 'passwd', 'CVE-2023-1177'],
    ['/etc', 'passwd', 'CVE-2023-1176, CVE-2023-3765'],
    ['file://localhost/../../../../', 'etc/passwd', 'CVE-2023-2356'],
    ['//proc/self/root', 'etc%2Fpasswd', 'CVE-2023-6977'],
    ['file:///etc/#', 'passwd', 'CVE-2024-1483'],
    ['mlflow-artifacts:/../../../etc', 'passwd', 'traversal in a proxied source'],
  ])('model-version source %s cannot be read (%s)', async (source, path) => {
    const db = h.store.context.db
    const name = `m-${Math.random().toString(36).slice(2)}`
    await sql`INSERT INTO registered_models (name, creation_time, last_updated_time)
      VALUES (${name}, 1, 1)`.execute(db)
    // The prompt tag of CVE-2026-2614 changes nothing: the source is checked when it is read.
    await sql`INSERT INTO model_versions (name, version, creation_time, last_updated_time,
      current_stage, source, status) VALUES (${name}, 1, 1, 1, 'None', ${source}, 'READY')`.execute(
      db,
    )
    const reply = await send(
      h,
      'GET',
      `/model-versions/get-artifact?path=${path}&name=${name}&version=1`,
    )
    expect(reply.status).toBeGreaterThanOrEqual(400)
    expect(reply.status).toBeLessThan(500)
    expect(reply.text).not.toContain('root:x:0')
  })

  it('a model version inside the destination is served', async () => {
    const experimentId = await h.store.createExperiment('registry', undefined, [])
    const run = await h.store.createRun({ experimentId, tags: [] })
    await send(h, 'PUT', `${A}/${experimentId}/${run.info.run_id}/artifacts/model/MLmodel`, {
      body: 'flavors: {}',
    })
    const db = h.store.context.db
    await sql`INSERT INTO registered_models (name, creation_time, last_updated_time)
      VALUES ('served', 1, 1)`.execute(db)
    await sql`INSERT INTO model_versions (name, version, creation_time, last_updated_time,
      current_stage, source, storage_location, run_id, status) VALUES ('served', 1, 1, 1, 'None',
      ${`runs:/${run.info.run_id}/model`},
      ${`mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts/model`}, ${run.info.run_id},
      'READY')`.execute(db)
    const reply = await send(
      h,
      'GET',
      '/model-versions/get-artifact?path=MLmodel&name=served&version=1',
    )
    expect(reply.status).toBe(200)
    expect(reply.text).toBe('flavors: {}')
    expect(reply.headers['content-type']).toBe('text/plain')
    const missing = await send(
      h,
      'GET',
      '/model-versions/get-artifact?path=MLmodel&name=served&version=9',
    )
    expect(missing.status).toBe(404)
  })
})

describe('artifact routes: downloads', () => {
  let h: Harness
  const path = `${A}/0/dl`

  beforeAll(async () => {
    h = await start()
    await send(h, 'PUT', `${path}/page.html`, { body: '<script>alert(1)</script>' })
    await send(h, 'PUT', `${path}/digits.txt`, { body: '0123456789' })
    await send(h, 'PUT', `${path}/sub/x.bin`, { body: 'x' })
  })
  afterAll(() => h?.close())

  it('serves previews as attachments with nosniff and a sandbox CSP (no XSS on our origin)', async () => {
    const reply = await send(h, 'GET', `${path}/page.html`)
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('text/html')
    expect(reply.headers['content-disposition']).toBe('attachment; filename="page.html"')
    expect(reply.headers['x-content-type-options']).toBe('nosniff')
    expect(reply.headers['content-security-policy']).toBe("default-src 'none'; sandbox")
    expect(reply.headers['content-length']).toBe('25')
  })

  it('answers byte ranges, unsatisfiable ranges and conditional requests', async () => {
    const partial = await send(h, 'GET', `${path}/digits.txt`, { headers: { Range: 'bytes=2-5' } })
    expect(partial.status).toBe(206)
    expect(partial.text).toBe('2345')
    expect(partial.headers['content-range']).toBe('bytes 2-5/10')
    const suffix = await send(h, 'GET', `${path}/digits.txt`, { headers: { Range: 'bytes=-3' } })
    expect(suffix.text).toBe('789')
    const open = await send(h, 'GET', `${path}/digits.txt`, { headers: { Range: 'bytes=7-' } })
    expect(open.text).toBe('789')
    const bad = await send(h, 'GET', `${path}/digits.txt`, { headers: { Range: 'bytes=20-30' } })
    expect(bad.status).toBe(416)
    expect(bad.headers['content-range']).toBe('bytes */10')
    const full = await send(h, 'GET', `${path}/digits.txt`)
    const etag = String(full.headers.etag)
    expect(
      (await send(h, 'GET', `${path}/digits.txt`, { headers: { 'If-None-Match': etag } })).status,
    ).toBe(304)
    const stale = await send(h, 'GET', `${path}/digits.txt`, {
      headers: { Range: 'bytes=0-1', 'If-Range': '"other"' },
    })
    expect(stale.status).toBe(200)
    expect(stale.text).toBe('0123456789')
  })

  it('answers 404 for a missing file and 400 for a directory', async () => {
    const missing = await send(h, 'GET', `${path}/nope.txt`)
    expect(missing.status).toBe(404)
    expect(missing.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "No such artifact: '0/dl/nope.txt'",
    })
    expect((await send(h, 'GET', `${path}/sub`)).status).toBe(400)
  })

  it('lists basenames with sizes, and nothing for a file path', async () => {
    expect((await send(h, 'GET', `${A}?path=0/dl`)).json()).toEqual({
      files: [
        { path: 'digits.txt', is_dir: false, file_size: 10 },
        { path: 'page.html', is_dir: false, file_size: 25 },
        { path: 'sub', is_dir: true },
      ],
    })
    expect((await send(h, 'GET', `${A}?path=0/dl/digits.txt`)).json()).toEqual({})
  })

  it('deletes a file and a directory; a missing one is fine', async () => {
    expect((await send(h, 'DELETE', `${path}/sub`)).json()).toEqual({})
    expect((await send(h, 'DELETE', `${path}/never`)).status).toBe(200)
    expect((await send(h, 'GET', `${path}/sub/x.bin`)).status).toBe(404)
  })

  it('advertises no multipart support for a local destination', async () => {
    const info = (await send(h, 'GET', '/api/3.0/mlflow/server-info')).json()
    expect(info).toMatchObject({
      store_type: 'SqlStore',
      multipart_uploads_enabled: false,
      multipart_downloads_enabled: false,
    })
  })
})

describe('server modes', () => {
  it('--no-serve-artifacts answers 503 on the proxy, as MLflow', async () => {
    const h = await start({ serveArtifacts: false })
    try {
      const reply = await send(h, 'GET', `${A}/x.txt`)
      expect(reply.status).toBe(503)
      expect(reply.text).toBe(
        'Endpoint: /api/2.0/mlflow-artifacts/artifacts/<path:artifact_path> disabled due to the mlflow server running with `--no-serve-artifacts`. To enable artifacts server functionality, run `mlflow server` with `--serve-artifacts`',
      )
      expect((await send(h, 'PUT', `${A}/x.txt`, { body: 'x' })).status).toBe(503)
      expect((await send(h, 'GET', `${A}?path=x`)).status).toBe(503)
    } finally {
      await h.close()
    }
  })

  it('--artifacts-only answers 503 on tracking routes and serves the proxy', async () => {
    const h = await start({ artifactsOnly: true })
    try {
      const tracking = await send(h, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0')
      expect(tracking.status).toBe(503)
      expect(tracking.text).toContain(
        'disabled due to the mlflow server running in `--artifacts-only` mode',
      )
      expect((await send(h, 'GET', '/get-artifact?path=a&run_uuid=b')).status).toBe(503)
      expect((await send(h, 'PUT', `${A}/a/b.txt`, { body: 'only artifacts' })).status).toBe(200)
      expect((await send(h, 'GET', `${A}/a/b.txt`)).text).toBe('only artifacts')
      expect((await send(h, 'GET', '/health')).status).toBe(200)
    } finally {
      await h.close()
    }
  })
})

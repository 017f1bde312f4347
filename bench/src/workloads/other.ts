// W6 cold start and idle memory, W11 model registry searches, W12 artifacts through the proxy.
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { normalize } from '../compare.ts'
import type { Ctx, FloorCtx, Measurement, OwnServersCtx, Workload } from '../harness.ts'
import { E, isEndpointMissing, measure, synthetic } from '../harness.ts'
import { Api, HttpError } from '../http.ts'
import { treeRssMb } from '../proc.ts'
import { type ServerKind, startNodeScript, startServer } from '../servers.ts'
import { median, rng, sleep } from '../util.ts'
import { createExperiment, createRun, FLOOR_SERVER, httpFloor, q } from './common.ts'

// ---------------------------------------------------------------- W6

export const W6: Workload = {
  id: 'W6',
  title: 'cold start (spawn to first 200 on /health) and idle RSS',
  dataset: 'base',
  run: async () => [],
  ownServers: async (kind: ServerKind, s: OwnServersCtx) => {
    const tries = q(s, 3, 1)
    const out: Measurement[] = []
    for (const [label, fresh] of [
      ['empty database (schema created)', true],
      ['initialised database', false],
    ] as const) {
      const starts: number[] = []
      const firstGet: number[] = []
      const rss: number[] = []
      for (let t = 0; t < tries; t++) {
        const db = fresh
          ? await s.backend.empty(`w6-${kind}`)
          : await s.backend.copyOf(s.golden('base'), `w6-${kind}`)
        const artifacts = join(s.paths.workDir, `w6-art-${kind}`)
        try {
          const server = await startServer({
            kind,
            backendUri: db.uri,
            artifactsDir: artifacts,
            paths: s.paths,
            cpus: s.serverCpus,
            label: `w6-${kind}`,
            timeoutS: 300,
          })
          const t0 = performance.now()
          const api = new Api(server.url, 2)
          await api.get(`${E}/experiments/get`, { experiment_id: '0' })
          firstGet.push(server.startMs + (performance.now() - t0))
          starts.push(server.startMs)
          await sleep(q(s, 3000, 500))
          rss.push(treeRssMb(server.pid))
          await api.close()
          await server.stop()
        } finally {
          await db.dispose()
          rmSync(artifacts, { recursive: true, force: true })
        }
      }
      out.push(
        synthetic({
          workload: 'W6',
          variant: `start, ${label}`,
          server: kind,
          unit: 'ms',
          p50: median(starts),
          p95: Math.max(...starts),
          score: median(starts),
          higherIsBetter: false,
          requests: tries,
          note: `first 200 on experiments/get ${median(firstGet).toFixed(0)} ms; latency = spawn to /health (median of ${tries})`,
        }),
      )
      if (!fresh) {
        out.push(
          synthetic({
            workload: 'W6',
            variant: 'idle RSS after start',
            server: kind,
            unit: 'MB',
            peakRssMb: median(rss),
            score: median(rss),
            higherIsBetter: false,
            note:
              kind === 'mlflow'
                ? 'sum over the mlflow process tree (uvicorn + workers)'
                : undefined,
          }),
        )
      }
    }
    return out
  },
  floor: async (fctx: FloorCtx) => {
    const starts: number[] = []
    const rss: number[] = []
    for (let t = 0; t < q(fctx, 3, 1); t++) {
      const file = join(fctx.paths.workDir, 'floor-cold.db')
      for (const sfx of ['', '-wal', '-shm']) rmSync(file + sfx, { force: true })
      const server = await startNodeScript(FLOOR_SERVER, ['cold', file], {
        cpus: fctx.serverCpus,
        label: 'floor-cold',
        workDir: fctx.paths.workDir,
      })
      starts.push(server.startMs)
      await sleep(500)
      rss.push(treeRssMb(server.pid))
      await server.stop()
    }
    const note = 'bare node:http + better-sqlite3 opening a file'
    return [
      synthetic({
        workload: 'W6',
        variant: 'start, empty database (schema created)',
        server: 'floor',
        unit: 'ms',
        p50: median(starts),
        score: median(starts),
        higherIsBetter: false,
        note,
      }),
      synthetic({
        workload: 'W6',
        variant: 'start, initialised database',
        server: 'floor',
        unit: 'ms',
        p50: median(starts),
        score: median(starts),
        higherIsBetter: false,
        note,
      }),
      synthetic({
        workload: 'W6',
        variant: 'idle RSS after start',
        server: 'floor',
        unit: 'MB',
        peakRssMb: median(rss),
        score: median(rss),
        higherIsBetter: false,
        note,
      }),
    ]
  },
}

// ---------------------------------------------------------------- W11

const REGISTRY_QUERIES: [string, 'GET' | 'POST', string, Record<string, unknown>][] = [
  ['registered-models/search 100/page', 'GET', '/registered-models/search', { max_results: 100 }],
  [
    "registered-models/search name LIKE 'model-00%'",
    'GET',
    '/registered-models/search',
    { filter: "name LIKE 'model-00%'", max_results: 100 },
  ],
  ['model-versions/search 100/page', 'GET', '/model-versions/search', { max_results: 100 }],
  [
    "model-versions/search name='model-0042'",
    'GET',
    '/model-versions/search',
    { filter: "name='model-0002'", max_results: 100 },
  ],
  [
    'registered-models/get-latest-versions',
    'POST',
    '/registered-models/get-latest-versions',
    { name: 'model-0003' },
  ],
]

export const W11: Workload = {
  id: 'W11',
  title: 'model registry searches (500 models, 5,000 versions)',
  dataset: 'registry',
  check: async (ctx) => {
    const out: Record<string, unknown> = {}
    for (const [name, method, path, payload] of REGISTRY_QUERIES) {
      out[name] = normalize(await ctx.api.call(method, `${E}${path}`, payload), {
        mask: ['next_page_token'],
      })
    }
    return out
  },
  run: async (ctx) => {
    const out: Measurement[] = []
    for (const [name, method, path, payload] of REGISTRY_QUERIES) {
      out.push(
        await measure(ctx, {
          workload: 'W11',
          variant: name,
          unit: 'req/s',
          score: 'p50',
          concurrency: 1,
          maxRequests: q(ctx, 200, 10),
          maxSeconds: q(ctx, 20, 3),
          warmup: q(ctx, 10, 2),
          request: async () => {
            await ctx.api.call(method, `${E}${path}`, payload)
            return 1
          },
        }),
      )
    }
    return out
  },
}

// ---------------------------------------------------------------- W12

const ART = '/api/2.0/mlflow-artifacts/artifacts'

function ensureFile(path: string, bytes: number): string {
  if (existsSync(path) && statSync(path).size === bytes) return path
  mkdirSync(join(path, '..'), { recursive: true })
  const fd = openSync(path, 'w')
  const block = Buffer.alloc(1 << 20)
  const rand = rng(12)
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(Math.floor(rand() * 2 ** 32), i)
  for (let written = 0; written < bytes; written += block.length) {
    writeSync(fd, block, 0, Math.min(block.length, bytes - written))
  }
  closeSync(fd)
  return path
}

async function put(
  api: Api,
  path: string,
  body: Buffer | string | NodeJS.ReadableStream,
  length: number,
) {
  const res = await api.pool.request({
    method: 'PUT',
    path,
    body: body as never,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(length) },
  })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new HttpError(res.statusCode, text, `PUT ${path}`)
}

async function download(api: Api, path: string): Promise<number> {
  const res = await api.pool.request({ method: 'GET', path })
  let n = 0
  for await (const c of res.body) n += (c as Buffer).length
  if (res.statusCode !== 200) throw new HttpError(res.statusCode, '', `GET ${path}`)
  return n
}

interface ArtifactPlan {
  bigPath: string
  bigBytes: number
  small: number
}

const plan = (ctx: { quick: boolean; paths: { workDir: string } }): ArtifactPlan => {
  const bigBytes = q(ctx, 1024, 16) * 1024 * 1024
  return {
    bigPath: ensureFile(join(ctx.paths.workDir, `artifact-${bigBytes}.bin`), bigBytes),
    bigBytes,
    small: q(ctx, 1000, 20),
  }
}

async function artifactLoad(
  target: Ctx | { kind: 'floor'; pid: number; api: Api },
  base: string,
  p: ArtifactPlan,
  list: (() => Promise<unknown>) | undefined,
) {
  const api = 'server' in target ? target.api : target.api
  const t = 'server' in target ? target : { kind: target.kind, pid: target.pid }
  const out: Measurement[] = []
  const mb = p.bigBytes / 1024 / 1024
  out.push(
    await measure(t, {
      workload: 'W12',
      variant: `upload ${mb} MB`,
      unit: 'MB/s',
      concurrency: 1,
      maxRequests: 1,
      maxSeconds: 600,
      request: async () => {
        await put(api, `${base}/big.bin`, createReadStream(p.bigPath), p.bigBytes)
        return mb
      },
    }),
  )
  out.push(
    await measure(t, {
      workload: 'W12',
      variant: `download ${mb} MB`,
      unit: 'MB/s',
      concurrency: 1,
      maxRequests: 2,
      maxSeconds: 600,
      request: async () => {
        const n = await download(api, `${base}/big.bin`)
        if (n !== p.bigBytes) throw new Error(`downloaded ${n} bytes, expected ${p.bigBytes}`)
        return mb
      },
    }),
  )
  const small = Buffer.alloc(10 * 1024, 7)
  out.push(
    await measure(t, {
      workload: 'W12',
      variant: `upload ${p.small} x 10 KB, 8 conns`,
      unit: 'files/s',
      concurrency: 8,
      maxRequests: p.small,
      maxSeconds: 120,
      request: async (i) => {
        await put(
          api,
          `${base}/small/f${String(Math.max(i, 0)).padStart(5, '0')}.txt`,
          small,
          small.length,
        )
        return 1
      },
    }),
  )
  if (list) {
    out.push(
      await measure(t, {
        workload: 'W12',
        variant: `list ${p.small} files`,
        unit: 'req/s',
        score: 'p50',
        concurrency: 1,
        maxRequests: 20,
        maxSeconds: 30,
        request: async () => {
          await list()
          return 1
        },
      }),
    )
  }
  for (const m of out) {
    if (m.unit === 'MB/s')
      m.note = [m.note, `RSS growth ${m.rssGrowthMb.toFixed(0)} MB`].filter(Boolean).join('; ')
  }
  return out
}

export const W12: Workload = {
  id: 'W12',
  title: 'artifacts through the mlflow-artifacts proxy',
  dataset: 'base',
  check: async (ctx) => {
    const exp = await createExperiment(ctx.api, `w12-check-${Date.now()}`)
    const run = await createRun(ctx.api, exp, 'w12-check')
    const base = `${ART}/${exp}/${run}/artifacts`
    const body = Buffer.from('hello artifacts\n'.repeat(100))
    await put(ctx.api, `${base}/dir/a.txt`, body, body.length)
    await put(ctx.api, `${base}/b.txt`, body, body.length)
    const res = await ctx.api.pool.request({ method: 'GET', path: `${base}/dir/a.txt` })
    const back = Buffer.from(await res.body.arrayBuffer())
    const listing = await ctx.api.get(`${E}/artifacts/list`, { run_id: run })
    return { sameBytes: back.equals(body), listing: normalize(listing, { mask: ['root_uri'] }) }
  },
  run: async (ctx) => {
    const p = plan(ctx)
    const exp = await createExperiment(ctx.api, `w12-${Date.now()}`)
    const run = await createRun(ctx.api, exp, 'w12')
    const base = `${ART}/${exp}/${run}/artifacts`
    return artifactLoad(ctx, base, p, () =>
      ctx.api.get(`${E}/artifacts/list`, { run_id: run, path: 'small' }),
    )
  },
  floor: async (fctx) => {
    const p = plan(fctx)
    const dir = join(fctx.paths.workDir, 'floor-static')
    rmSync(dir, { recursive: true, force: true })
    const server = await startNodeScript(FLOOR_SERVER, ['static', dir], {
      cpus: fctx.serverCpus,
      label: 'floor-static',
      workDir: fctx.paths.workDir,
    })
    const api = new Api(server.url, 16)
    try {
      const rows = await artifactLoad(
        { kind: 'floor', pid: server.pid, api },
        '/files',
        p,
        undefined,
      )
      for (const r of rows)
        r.note = 'plain node:http static server (PUT writes a file, GET streams it)'
      return rows
    } finally {
      await api.close()
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

export { httpFloor, isEndpointMissing }

// Write workloads: W1 batch ingest, W2 single log-metric calls, W7 run lifecycle.
import { normalize } from '../compare.ts'
import type { Ctx, FloorCtx, Measurement, Workload } from '../harness.ts'
import { E, measure, synthetic } from '../harness.ts'
import { openProbe, type Probe } from '../probe.ts'
import { BASE_TIME } from '../seed.ts'
import { rng } from '../util.ts'
import { createExperiment, createRun, httpFloor, q, WRITE_MASK } from './common.ts'

const now = () => Date.now()

function batchBody(runId: string, request: number, seed: number): string {
  const rand = rng(seed * 100_003 + request)
  const metrics = []
  const ts = BASE_TIME + request * 10
  for (let k = 0; k < 100; k++) {
    for (let s = 0; s < 10; s++) {
      metrics.push({ key: `m${k}`, value: rand(), timestamp: ts + s, step: request * 10 + s })
    }
  }
  return JSON.stringify({ run_id: runId, metrics })
}

async function historyAndRun(ctx: Ctx, runId: string, key: string) {
  const history = await ctx.api.get(`${E}/metrics/get-history`, { run_id: runId, metric_key: key })
  const run = await ctx.api.get(`${E}/runs/get`, { run_id: runId })
  return {
    history: normalize(history, { mask: WRITE_MASK }),
    run: normalize(run, { mask: WRITE_MASK }),
  }
}

// ---------------------------------------------------------------- W1

/** DB floor for a 1,000-point batch on the same schema: insert + latest_metrics upsert, one txn. */
async function ingestFloor(probe: Probe, runId: string, batches: number): Promise<number> {
  const insert =
    probe.kind === 'sqlite'
      ? 'INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)'
      : ''
  const upsert = `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ${probe.kind === 'sqlite' ? 0 : 'false'}, ?)
    ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan`
  const t0 = performance.now()
  for (let b = 0; b < batches; b++) {
    const rand = rng(b)
    await probe.tx(async () => {
      if (probe.kind === 'sqlite') {
        for (let k = 0; k < 100; k++) {
          for (let s = 0; s < 10; s++) {
            await probe.run(insert, [`m${k}`, rand(), BASE_TIME + b * 10 + s, runId, b * 10 + s])
          }
        }
      } else {
        const keys: string[] = []
        const values: number[] = []
        const ts: number[] = []
        const steps: number[] = []
        for (let k = 0; k < 100; k++) {
          for (let s = 0; s < 10; s++) {
            keys.push(`m${k}`)
            values.push(rand())
            ts.push(BASE_TIME + b * 10 + s)
            steps.push(b * 10 + s)
          }
        }
        await probe.run(
          `INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
           SELECT k, v, t, ?, s, false FROM UNNEST(?::text[], ?::float8[], ?::bigint[], ?::bigint[]) AS u(k, v, t, s)
           ON CONFLICT DO NOTHING`,
          [runId, keys, values, ts, steps],
        )
      }
      for (let k = 0; k < 100; k++) {
        await probe.run(upsert, [`m${k}`, rand(), BASE_TIME + b * 10 + 9, b * 10 + 9, runId])
      }
    })
  }
  return (batches * 1000) / ((performance.now() - t0) / 1000)
}

export const W1: Workload = {
  id: 'W1',
  title: 'batch ingest: 8 clients x 100 log-batch x 1,000 metrics',
  dataset: 'base',
  check: async (ctx) => {
    const exp = await createExperiment(ctx.api, `w1-check-${now()}`)
    const run = await createRun(ctx.api, exp, 'w1-check')
    await ctx.api.raw('POST', `${E}/runs/log-batch`, batchBody(run, 3, 1))
    await ctx.api.raw('POST', `${E}/runs/log-batch`, batchBody(run, 1, 1))
    return historyAndRun(ctx, run, 'm7')
  },
  run: async (ctx) => {
    const clients = q(ctx, 8, 2)
    const perClient = q(ctx, 100, 5)
    const exp = await createExperiment(ctx.api, `w1-${now()}`)
    const runs: string[] = []
    for (let c = 0; c < clients; c++) runs.push(await createRun(ctx.api, exp, `w1-${c}`))
    const bodies = runs.map((id, c) =>
      Array.from({ length: perClient }, (_, j) => batchBody(id, j, c)),
    )
    const sent = new Array<number>(clients).fill(0)
    const acknowledged = new Array<number>(clients).fill(0)
    const m = await measure(ctx, {
      workload: 'W1',
      variant: `${clients} clients x ${perClient} x 1,000 points`,
      unit: 'points/s',
      concurrency: clients,
      maxRequests: clients * perClient,
      maxSeconds: q(ctx, 90, 20),
      request: async (_i, w) => {
        const j = sent[w]!++
        const body = bodies[w]![j % perClient]!
        const r = await ctx.api.raw('POST', `${E}/runs/log-batch`, body)
        if (r.status !== 200) throw new Error(`log-batch HTTP ${r.status}: ${r.text.slice(0, 200)}`)
        acknowledged[w]!++
        return 1000
      },
    })
    // verify: history length of one key = 10 points per request that client sent
    const h = await ctx.api.get<{ metrics?: unknown[] }>(`${E}/metrics/get-history`, {
      run_id: runs[0],
      metric_key: 'm0',
    })
    // every acknowledged request must be there (a failed one may or may not have landed)
    const expected = Math.min(acknowledged[0]!, perClient) * 10
    const possible = Math.min(sent[0]!, perClient) * 10
    const got = h.metrics?.length ?? 0
    if (got < expected || got > possible) {
      m.status = `WRONG: run 0 has ${got} points of m0, expected ${expected}`
    }
    return [m]
  },
  floor: async (fctx) => {
    const probe = await openProbe(fctx.backend, fctx.db)
    try {
      const rows = await probe.all('SELECT run_uuid FROM runs LIMIT 1')
      const runId = String(rows[0]![0])
      const batches = q(fctx, 150, 10)
      const rate = await ingestFloor(probe, runId, batches)
      return [
        synthetic({
          workload: 'W1',
          variant: `${q(fctx, 8, 2)} clients x ${q(fctx, 100, 5)} x 1,000 points`,
          server: 'floor',
          unit: 'points/s',
          throughput: rate,
          score: rate,
          higherIsBetter: true,
          note: `same tables, 1 writer, 1,000 rows + 100 latest upserts per txn${probe.kind === 'postgres' ? ' (UNNEST)' : ''}, no HTTP`,
        }),
      ]
    } finally {
      await probe.close()
    }
  },
}

// ---------------------------------------------------------------- W2

export const W2: Workload = {
  id: 'W2',
  title: 'single log-metric calls, 1 client then 8',
  dataset: 'base',
  check: async (ctx) => {
    const exp = await createExperiment(ctx.api, `w2-check-${now()}`)
    const run = await createRun(ctx.api, exp, 'w2-check')
    for (let i = 0; i < 5; i++) {
      await ctx.api.post(`${E}/runs/log-metric`, {
        run_id: run,
        key: 'loss',
        value: 1 / (i + 1),
        timestamp: BASE_TIME + i,
        step: i,
      })
    }
    return historyAndRun(ctx, run, 'loss')
  },
  run: async (ctx) => {
    const out: Measurement[] = []
    const exp = await createExperiment(ctx.api, `w2-${now()}`)
    for (const [clients, per] of [
      [1, q(ctx, 10_000, 200)],
      [8, q(ctx, 2_000, 50)],
    ] as const) {
      const runs: string[] = []
      for (let c = 0; c < clients; c++)
        runs.push(await createRun(ctx.api, exp, `w2-${clients}-${c}`))
      out.push(
        await measure(ctx, {
          workload: 'W2',
          variant: `${clients} client${clients > 1 ? 's' : ''} x ${per} log-metric`,
          unit: 'calls/s',
          concurrency: clients,
          maxRequests: clients * per,
          maxSeconds: q(ctx, 30, 5),
          warmup: 20,
          request: async (i, w) => {
            const body = JSON.stringify({
              run_id: runs[w],
              key: 'loss',
              value: Math.abs(Math.sin(i)),
              timestamp: BASE_TIME + i,
              step: i < 0 ? 1_000_000 - i : i,
            })
            const r = await ctx.api.raw('POST', `${E}/runs/log-metric`, body)
            if (r.status !== 200)
              throw new Error(`log-metric HTTP ${r.status}: ${r.text.slice(0, 200)}`)
            return 1
          },
        }),
      )
    }
    return out
  },
  floor: async (fctx) => {
    const out: Measurement[] = []
    const probe = await openProbe(fctx.backend, fctx.db)
    let dbRate: number
    try {
      const runId = String((await probe.all('SELECT run_uuid FROM runs LIMIT 1'))[0]![0])
      const n = q(fctx, 3000, 200)
      const nan = probe.kind === 'sqlite' ? '0' : 'false'
      const t0 = performance.now()
      for (let i = 0; i < n; i++) {
        await probe.tx(async () => {
          await probe.run(
            `INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ${nan}) ON CONFLICT DO NOTHING`,
            ['floor', i / n, BASE_TIME + i, runId, i],
          )
          await probe.run(
            `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ${nan}, ?)
             ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step`,
            ['floor', i / n, BASE_TIME + i, i, runId],
          )
        })
      }
      dbRate = n / ((performance.now() - t0) / 1000)
    } finally {
      await probe.close()
    }
    for (const [clients, per] of [
      [1, q(fctx, 10_000, 200)],
      [8, q(fctx, 2_000, 50)],
    ] as const) {
      const http = await httpFloor(fctx, 'http', [], (api) => ({
        workload: 'W2',
        variant: `${clients} client${clients > 1 ? 's' : ''} x ${per} log-metric`,
        unit: 'calls/s',
        concurrency: clients,
        maxRequests: clients * per,
        maxSeconds: 10,
        warmup: 50,
        request: async (i) => {
          const r = await api.raw(
            'POST',
            '/log-metric',
            JSON.stringify({ run_id: 'x', key: 'loss', value: 1, timestamp: i, step: i }),
          )
          if (r.status !== 200) throw new Error(String(r.status))
          return 1
        },
      }))
      // one request = HTTP round trip + one durable single-row transaction, done in sequence
      const combined = 1 / (1 / http.throughput + 1 / dbRate)
      http.note = `HTTP floor ${Math.round(http.throughput)}/s (p50 ${http.p50.toFixed(3)} ms) + DB 1-row txn ${Math.round(dbRate)}/s`
      http.throughput = combined
      http.score = combined
      out.push(http)
    }
    return out
  },
}

// ---------------------------------------------------------------- W7

async function lifecycle(ctx: Ctx, exp: string, i: number): Promise<string> {
  const r = await ctx.api.post<{ run: { info: { run_id: string } } }>(`${E}/runs/create`, {
    experiment_id: exp,
    user_id: 'bench',
    run_name: `life-${i}`,
    start_time: BASE_TIME + i,
    tags: [
      { key: 'team', value: 'x' },
      { key: 'owner', value: `u${i % 10}` },
      { key: 'kind', value: 'lifecycle' },
    ],
  })
  const runId = r.run.info.run_id
  const params = Array.from({ length: 20 }, (_, p) => ({ key: `p${p}`, value: `v${(i + p) % 97}` }))
  await ctx.api.post(`${E}/runs/log-batch`, { run_id: runId, params })
  await ctx.api.post(`${E}/runs/update`, {
    run_id: runId,
    status: 'FINISHED',
    end_time: BASE_TIME + i + 1000,
  })
  return runId
}

export const W7: Workload = {
  id: 'W7',
  title: 'run lifecycle: create (3 tags), log-batch of 20 params, update FINISHED',
  dataset: 'base',
  check: async (ctx) => {
    const exp = await createExperiment(ctx.api, `w7-check-${now()}`)
    const run = await lifecycle(ctx, exp, 7)
    const got = await ctx.api.get(`${E}/runs/get`, { run_id: run })
    return {
      run: normalize(got, {
        mask: WRITE_MASK.filter((k) => k !== 'start_time' && k !== 'end_time'),
      }),
    }
  },
  run: async (ctx) => {
    const clients = q(ctx, 8, 2)
    const per = q(ctx, 1250, 10)
    const exp = await createExperiment(ctx.api, `w7-${now()}`)
    return [
      await measure(ctx, {
        workload: 'W7',
        variant: `${clients} clients x ${per} lifecycles`,
        unit: 'lifecycles/s',
        concurrency: clients,
        maxRequests: clients * per,
        maxSeconds: q(ctx, 60, 10),
        warmup: 8,
        request: async (i) => {
          await lifecycle(ctx, exp, i < 0 ? 1_000_000 - i : i)
          return 1
        },
      }),
    ]
  },
  floor: async (fctx) => {
    const clients = q(fctx, 8, 2)
    const per = q(fctx, 1250, 10)
    const http = await httpFloor(fctx, 'http', [], (api) => ({
      workload: 'W7',
      variant: `${clients} clients x ${per} lifecycles`,
      unit: 'lifecycles/s',
      concurrency: clients,
      maxRequests: clients * per,
      maxSeconds: 10,
      request: async () => {
        for (let k = 0; k < 3; k++) {
          const r = await api.raw('POST', '/x', '{"run_id":"x","params":[]}')
          if (r.status !== 200) throw new Error(String(r.status))
        }
        return 1
      },
    }))
    // DB part: the three transactions of one lifecycle on the same tables
    const probe = await openProbe(fctx.backend, fctx.db)
    let dbRate: number
    try {
      const exp = String((await probe.all('SELECT experiment_id FROM experiments LIMIT 1'))[0]![0])
      const n = q(fctx, 1000, 50)
      const t0 = performance.now()
      for (let i = 0; i < n; i++) {
        const id = `floor${String(i).padStart(27, '0')}`
        await probe.tx(async () => {
          await probe.run(
            `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
             VALUES (?, ?, 'UNKNOWN', '', '', 'bench', 'RUNNING', ?, NULL, '', 'active', ?, ?)`,
            [
              id,
              `life-${i}`,
              BASE_TIME + i,
              `mlflow-artifacts:/${exp}/${id}/artifacts`,
              Number(exp),
            ],
          )
          for (const [k, v] of [
            ['team', 'x'],
            ['owner', 'u'],
            ['kind', 'l'],
            ['mlflow.runName', `life-${i}`],
          ]) {
            await probe.run('INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)', [k, v, id])
          }
        })
        await probe.tx(async () => {
          for (let p = 0; p < 20; p++) {
            await probe.run('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)', [
              `p${p}`,
              'v',
              id,
            ])
          }
        })
        await probe.tx(() =>
          probe.run("UPDATE runs SET status = 'FINISHED', end_time = ? WHERE run_uuid = ?", [
            BASE_TIME,
            id,
          ]),
        )
      }
      dbRate = n / ((performance.now() - t0) / 1000)
    } finally {
      await probe.close()
    }
    const combined = 1 / (1 / http.throughput + 1 / dbRate)
    http.note = `3 HTTP round trips ${Math.round(http.throughput)}/s + DB 3 txns ${Math.round(dbRate)}/s (1 writer)`
    http.throughput = combined
    http.score = combined
    return [http]
  },
}

export type { FloorCtx }

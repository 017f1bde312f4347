// Read workloads: W3 search-runs, W4 1M-point history, W8 chart data, W10 small reads.
import type { Comparator } from '../compare.ts'
import { normalize } from '../compare.ts'
import type { Ctx, FloorCtx, Measurement, Workload } from '../harness.ts'
import { AJAX, E, measure, synthetic, timeIt } from '../harness.ts'
import type { Api } from '../http.ts'
import { openProbe, type Probe } from '../probe.ts'
import { BASE_TIME, type DatasetName, type Scale } from '../seed.ts'
import { median, percentile, rng } from '../util.ts'
import { experimentId, httpFloor, q, runIdByName } from './common.ts'

// ---------------------------------------------------------------- W3

const Q1 = { filter: "metrics.acc > 0.5 and params.model = 'vit'", order_by: ['metrics.acc DESC'] }

const sizeLabel = (dataset: 's10k' | 's100k', scale: Scale) =>
  `${dataset === 's10k' ? scale.s10k.runs : scale.s100k.runs} runs`

async function sideExperimentIds(api: Api, scale: Scale): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < scale.sideExperiments; i++) {
    ids.push(await experimentId(api, `bench-exp-${String(i).padStart(3, '0')}`))
  }
  return ids
}

async function walkPages(api: Api, exp: string, pages: number, perPage: number, lat?: number[][]) {
  let token: string | undefined
  const answers: unknown[] = []
  for (let p = 0; p < pages; p++) {
    const t0 = performance.now()
    const r = await api.post<{ runs?: unknown[]; next_page_token?: string }>(`${E}/runs/search`, {
      experiment_ids: [exp],
      max_results: perPage,
      page_token: token,
    })
    lat?.[p]?.push(performance.now() - t0)
    answers.push(r)
    token = r.next_page_token
    if (!token) break
  }
  return answers
}

function searchWorkload(dataset: 's10k' | 's100k'): Workload {
  const expName = `bench-${dataset}`
  return {
    id: 'W3',
    title: `search-runs on ${dataset}`,
    dataset,
    check: async (ctx) => {
      const exp = await experimentId(ctx.api, expName)
      const side = await sideExperimentIds(ctx.api, ctx.scale)
      const mask = { mask: ['next_page_token'] }
      const q1 = await ctx.api.post(`${E}/runs/search`, {
        experiment_ids: [exp],
        ...Q1,
        max_results: 100,
      })
      const q2 = await ctx.api.post(`${E}/runs/search`, {
        experiment_ids: [exp],
        ...Q1,
        max_results: 1000,
      })
      const pages = await walkPages(ctx.api, exp, 3, 100)
      const q4 = await ctx.api.post(`${E}/runs/search`, {
        experiment_ids: side,
        filter: "tags.team = 'x'",
        max_results: 100,
      })
      return {
        q1: normalize(q1, mask),
        q2: normalize(q2, mask),
        q3: normalize(pages, mask),
        q4: normalize(q4, mask),
      }
    },
    run: async (ctx) => {
      const exp = await experimentId(ctx.api, expName)
      const side = await sideExperimentIds(ctx.api, ctx.scale)
      const size = sizeLabel(dataset, ctx.scale)
      const iterations = q(ctx, 200, 10)
      const cap = q(ctx, 30, 5)
      const out: Measurement[] = []
      const single = (variant: string, body: Record<string, unknown>) =>
        measure(ctx, {
          workload: 'W3',
          variant: `${variant}, ${size}`,
          unit: 'req/s',
          score: 'p50',
          concurrency: 1,
          maxRequests: iterations,
          maxSeconds: cap,
          warmup: q(ctx, 20, 2),
          request: async () => {
            await ctx.api.post(`${E}/runs/search`, body)
            return 1
          },
        })
      out.push(
        await single('Q1 filter+order, 100/page', {
          experiment_ids: [exp],
          ...Q1,
          max_results: 100,
        }),
      )
      out.push(
        await single('Q2 filter+order, 1000/page', {
          experiment_ids: [exp],
          ...Q1,
          max_results: 1000,
        }),
      )
      out.push(
        await single("Q4 tags.team = 'x' across side experiments", {
          experiment_ids: side,
          filter: "tags.team = 'x'",
          max_results: 100,
        }),
      )
      // Q3: walk 20 pages of 100 with page tokens; first vs 20th page latency
      const runs = dataset === 's10k' ? ctx.scale.s10k.runs : ctx.scale.s100k.runs
      const pages = Math.min(q(ctx, 20, 3), Math.ceil(runs / 100))
      const lat = Array.from({ length: pages }, () => [] as number[])
      const walks = q(ctx, 15, 2)
      let walkErrors = 0
      let walkError = ''
      const walk = (l?: number[][]) =>
        walkPages(ctx.api, exp, pages, 100, l).catch((e: unknown) => {
          walkErrors++
          walkError ||= e instanceof Error ? e.message : String(e)
          return []
        })
      await walk()
      const t0 = performance.now()
      for (let w = 0; w < walks && performance.now() - t0 < cap * 1000; w++) await walk(lat)
      for (const p of [0, pages - 1]) {
        const l = lat[p]!
        out.push(
          synthetic({
            workload: 'W3',
            variant: `Q3 page ${p + 1} of ${pages} (100/page), ${size}`,
            server: ctx.kind,
            unit: 'req/s',
            p50: median(l),
            p95: percentile(l, 95),
            p99: percentile(l, 99),
            throughput: 1000 / median(l),
            requests: l.length,
            errors: walkErrors,
            status: walkErrors > 0 ? `errors: ${walkErrors} (${walkError.slice(0, 150)})` : 'ok',
            score: median(l),
            higherIsBetter: false,
            note:
              p > 0
                ? `page ${pages} / page 1 p50 = ${(median(l) / median(lat[0]!)).toFixed(2)}`
                : undefined,
          }),
        )
      }
      // Q1 with 8 clients: throughput
      out.push(
        await measure(ctx, {
          workload: 'W3',
          variant: `Q1 8 clients, ${size}`,
          unit: 'req/s',
          concurrency: 8,
          maxRequests: q(ctx, 2000, 40),
          maxSeconds: q(ctx, 15, 3),
          request: async () => {
            await ctx.api.post(`${E}/runs/search`, {
              experiment_ids: [exp],
              ...Q1,
              max_results: 100,
            })
            return 1
          },
        }),
      )
      return out
    },
    floor: async (fctx) => searchFloor(fctx, dataset),
  }
}

/** Hand-written SQL for Q1/Q2 on the same tables and indexes, hydration and JSON included. */
async function searchFloor(fctx: FloorCtx, dataset: 's10k' | 's100k'): Promise<Measurement[]> {
  const probe = await openProbe(fctx.backend, fctx.db)
  const size = sizeLabel(dataset, fctx.scale)
  try {
    const exp = (
      await probe.all('SELECT experiment_id FROM experiments WHERE name = ?', [`bench-${dataset}`])
    )[0]![0]
    const page = async (limit: number) => {
      const ids = (
        await probe.all(
          `SELECT r.run_uuid FROM runs r
           JOIN latest_metrics lm ON lm.run_uuid = r.run_uuid AND lm.key = 'acc'
           JOIN params p ON p.run_uuid = r.run_uuid AND p.key = 'model'
           WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' AND lm.value > 0.5 AND p.value = 'vit'
           ORDER BY lm.value DESC, r.start_time DESC, r.run_uuid LIMIT ?`,
          [exp, limit + 1],
        )
      ).map((r) => String(r[0]))
      const list = ids.slice(0, limit)
      const inList = list.map(() => '?').join(',')
      const runs = await probe.all(`SELECT * FROM runs WHERE run_uuid IN (${inList})`, list)
      const params = await probe.all(
        `SELECT run_uuid, key, value FROM params WHERE run_uuid IN (${inList})`,
        list,
      )
      const metrics = await probe.all(
        `SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN (${inList})`,
        list,
      )
      const tags = await probe.all(
        `SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (${inList})`,
        list,
      )
      const by = new Map<
        string,
        { info: unknown[]; params: unknown[]; metrics: unknown[]; tags: unknown[] }
      >()
      for (const r of runs) by.set(String(r[0]), { info: r, params: [], metrics: [], tags: [] })
      for (const r of params) by.get(String(r[0]))?.params.push({ key: r[1], value: r[2] })
      for (const r of metrics)
        by.get(String(r[0]))?.metrics.push({ key: r[1], value: r[2], timestamp: r[3], step: r[4] })
      for (const r of tags) by.get(String(r[0]))?.tags.push({ key: r[1], value: r[2] })
      return JSON.stringify({ runs: list.map((id) => by.get(id)) }).length
    }
    const out: Measurement[] = []
    for (const [label, limit] of [
      ['Q1 filter+order, 100/page', 100],
      ['Q2 filter+order, 1000/page', 1000],
    ] as const) {
      const l = await timeIt(q(fctx, 50, 5), () => page(limit), 3)
      out.push(
        synthetic({
          workload: 'W3',
          variant: `${label}, ${size}`,
          server: 'floor',
          unit: 'req/s',
          p50: median(l),
          p95: percentile(l, 95),
          p99: percentile(l, 99),
          throughput: 1000 / median(l),
          score: median(l),
          higherIsBetter: false,
          note: 'SQL on the same tables/indexes + 4 hydration queries + JSON.stringify, no HTTP',
        }),
      )
    }
    return out
  } finally {
    await probe.close()
  }
}

export const W3_10K = searchWorkload('s10k')
export const W3_100K = searchWorkload('s100k')

// ---------------------------------------------------------------- W4

async function pageHistory(api: Api, runId: string, perPage: number) {
  let token: string | undefined
  let points = 0
  let pages = 0
  do {
    const r = await api.get<{ metrics?: unknown[]; next_page_token?: string }>(
      `${E}/metrics/get-history`,
      {
        run_id: runId,
        metric_key: 'loss',
        max_results: perPage,
        page_token: token,
      },
    )
    points += r.metrics?.length ?? 0
    pages++
    token = r.next_page_token
  } while (token)
  return { points, pages }
}

export const W4: Workload = {
  id: 'W4',
  title: '1M-point metric history, paged by 25,000 as the Python client does',
  dataset: 'h1m',
  check: async (ctx) => {
    const exp = await experimentId(ctx.api, 'bench-h1m')
    const run = await runIdByName(ctx.api, exp, 'big')
    const first = await ctx.api.get(`${E}/metrics/get-history`, {
      run_id: run,
      metric_key: 'loss',
      max_results: 1000,
    })
    const token = (first as { next_page_token?: string }).next_page_token
    const second = await ctx.api.get(`${E}/metrics/get-history`, {
      run_id: run,
      metric_key: 'loss',
      max_results: 1000,
      page_token: token,
    })
    const mask = { mask: ['next_page_token'] }
    return {
      page1: normalize(first, mask),
      page2: normalize(second, mask),
      hasToken: Boolean(token),
    }
  },
  run: async (ctx) => {
    const exp = await experimentId(ctx.api, 'bench-h1m')
    const run = await runIdByName(ctx.api, exp, 'big')
    const expected = ctx.scale.h1m.bigPoints
    let pages = 0
    // a history walk on a slow server can take many minutes: abort at the cap
    ctx.api.deadline = performance.now() + q(ctx, 180, 40) * 1000
    const m = await measure(ctx, {
      workload: 'W4',
      variant: `${expected.toLocaleString('en-US')} points, pages of 25,000`,
      unit: 'points/s',
      score: 'p50',
      concurrency: 1,
      maxRequests: q(ctx, 3, 2),
      maxSeconds: q(ctx, 120, 20),
      request: async () => {
        const r = await pageHistory(ctx.api, run, 25_000)
        pages = r.pages
        if (r.points !== expected) throw new Error(`got ${r.points} points, expected ${expected}`)
        return r.points
      },
    })
    m.note = [
      m.note,
      `${pages} pages; latency = whole history; RSS growth ${m.rssGrowthMb.toFixed(0)} MB`,
    ]
      .filter(Boolean)
      .join('; ')
    ctx.api.deadline = undefined
    return [m]
  },
  floor: async (fctx) => {
    const probe = await openProbe(fctx.backend, fctx.db)
    try {
      const run = String((await probe.all("SELECT run_uuid FROM runs WHERE name = 'big'"))[0]![0])
      const l = await timeIt(
        q(fctx, 3, 2),
        async () => {
          const rows = await probe.all(
            'SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY timestamp, step, value',
            [run, 'loss'],
          )
          // MLflow-shaped JSON, in pages of 25,000
          let bytes = 0
          for (let i = 0; i < rows.length; i += 25_000) {
            const page = rows
              .slice(i, i + 25_000)
              .map((r) => ({ key: r[0], value: r[1], timestamp: Number(r[2]), step: Number(r[3]) }))
            bytes += JSON.stringify({ metrics: page, next_page_token: 'x' }).length
          }
          return bytes
        },
        0,
      )
      return [
        synthetic({
          workload: 'W4',
          variant: `${fctx.scale.h1m.bigPoints.toLocaleString('en-US')} points, pages of 25,000`,
          server: 'floor',
          unit: 'points/s',
          p50: median(l),
          throughput: fctx.scale.h1m.bigPoints / (median(l) / 1000),
          score: median(l),
          higherIsBetter: false,
          note: 'one ordered SELECT on the same table + JSON.stringify per page, no HTTP',
        }),
      ]
    } finally {
      await probe.close()
    }
  },
}

// ---------------------------------------------------------------- W8

/** The seeded value of the chart series (see seed.ts sineSeries), to check answers against. */
function truth(count: number, seed: number) {
  const rand = rng(seed)
  const spikeEvery = Math.max(97, Math.floor(count / 7) + 13)
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const base = 1 / (1 + i / 1000) + 0.05 * Math.sin(i / 50) + rand() * 0.01
    values[i] = i > 0 && i % spikeEvery === 0 ? base + 5 : base
  }
  const spikes: number[] = []
  for (let i = spikeEvery; i < count; i += spikeEvery) spikes.push(i)
  return { values, spikes }
}

type ChartPoint = { run_id: string; step: number; value: number | string }

/** Runs in the order of the request, with the index of each run (r = chart-r, seed 100 + r). */
function chartComparator(runIds: () => string[], scale: Scale): Comparator {
  return (carnet, mlflow) => {
    const problems: string[] = []
    const ids = runIds()
    const byRun = (answer: unknown) => {
      const map = new Map<string, ChartPoint[]>()
      for (const p of (answer as { metrics?: ChartPoint[] }).metrics ?? []) {
        const list = map.get(p.run_id) ?? []
        list.push(p)
        map.set(p.run_id, list)
      }
      return map
    }
    const c = byRun(carnet)
    const m = byRun(mlflow)
    ids.forEach((id, r) => {
      const cp = c.get(id) ?? []
      const mp = m.get(id) ?? []
      const { values, spikes } = truth(scale.h1m.sidePoints, 100 + r)
      if (cp.length === 0) problems.push(`run ${r}: no points from carnet`)
      if (cp.length > 320) problems.push(`run ${r}: carnet returned ${cp.length} > 320 points`)
      for (const p of cp) {
        if (Math.abs(Number(p.value) - values[p.step]!) > 1e-9) {
          problems.push(
            `run ${r}: carnet step ${p.step} value ${p.value} is not the logged ${values[p.step]}`,
          )
          break
        }
      }
      const steps = new Set(cp.map((p) => p.step))
      for (const s of spikes)
        if (!steps.has(s)) problems.push(`run ${r}: carnet lost the spike at step ${s}`)
      if (cp[0]?.step !== mp[0]?.step)
        problems.push(`run ${r}: first step ${cp[0]?.step} != mlflow ${mp[0]?.step}`)
      if (cp.at(-1)?.step !== mp.at(-1)?.step) {
        problems.push(`run ${r}: last step ${cp.at(-1)?.step} != mlflow ${mp.at(-1)?.step}`)
      }
    })
    return problems.slice(0, 10)
  }
}

let chartRunIds: string[] = []
let chartScale: Scale | undefined

async function chartRuns(ctx: Ctx): Promise<string[]> {
  const exp = await experimentId(ctx.api, 'bench-h1m')
  const ids: string[] = []
  for (let r = 0; r < ctx.scale.h1m.sideRuns; r++)
    ids.push(await runIdByName(ctx.api, exp, `chart-${r}`))
  return ids
}

const chartPath = (ids: string[]) =>
  `${AJAX}/metrics/get-history-bulk-interval?${ids.map((id) => `run_ids=${id}`).join('&')}&metric_key=loss&max_results=320`

export const W8: Workload = {
  id: 'W8',
  title: 'chart data: get-history-bulk-interval, 10 runs x 100k points, 320 per run',
  dataset: 'h1m',
  check: async (ctx) => {
    const ids = await chartRuns(ctx)
    chartRunIds = ids
    chartScale = ctx.scale
    const r = await ctx.api.raw('GET', chartPath(ids))
    if (r.status !== 200) throw new Error(`bulk-interval HTTP ${r.status}: ${r.text.slice(0, 200)}`)
    return { chart: JSON.parse(r.text) }
  },
  comparators: {
    chart: (c, m) => chartComparator(() => chartRunIds, chartScale!)(c, m),
  },
  run: async (ctx) => {
    const ids = await chartRuns(ctx)
    const path = chartPath(ids)
    ctx.api.deadline = performance.now() + q(ctx, 90, 20) * 1000
    const rows = [
      await measure(ctx, {
        workload: 'W8',
        variant: `${ids.length} runs x ${ctx.scale.h1m.sidePoints.toLocaleString('en-US')} points, 320/run`,
        unit: 'req/s',
        score: 'p50',
        concurrency: 1,
        maxRequests: q(ctx, 200, 10),
        maxSeconds: q(ctx, 60, 5),
        warmup: 3,
        request: async () => {
          const r = await ctx.api.raw('GET', path)
          if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`)
          return 1
        },
      }),
    ]
    ctx.api.deadline = undefined
    return rows
  },
  floor: async (fctx) => {
    const probe = await openProbe(fctx.backend, fctx.db)
    const variant = `${fctx.scale.h1m.sideRuns} runs x ${fctx.scale.h1m.sidePoints.toLocaleString('en-US')} points, 320/run`
    try {
      const ids = (
        await probe.all("SELECT run_uuid FROM runs WHERE name LIKE 'chart-%' ORDER BY name")
      ).map((r) => String(r[0]))
      const inList = ids.map(() => '?').join(',')
      // (a) what the current indexes allow: read every point of the 10 series, min/max buckets in JS
      const scan = await timeIt(q(fctx, 3, 2), async () => {
        const rows = await probe.all(
          `SELECT run_uuid, step, value FROM metrics WHERE run_uuid IN (${inList}) AND key = 'loss' ORDER BY run_uuid, step`,
          ids,
        )
        return sampleMinMax(rows)
      })
      const out = [
        synthetic({
          workload: 'W8',
          variant,
          server: 'floor',
          unit: 'req/s',
          p50: median(scan),
          p95: percentile(scan, 95),
          throughput: 1000 / median(scan),
          score: median(scan),
          higherIsBetter: false,
          note: 'full scan of the 10 series with the schema as is + min/max buckets in JS, no HTTP',
        }),
      ]
      // (b) with an index on (run_uuid, key, step): 320 evenly spaced steps per run (no spike guarantee)
      if (probe.kind !== 'sqlite') return out
      await probe.run('CREATE INDEX IF NOT EXISTS bench_floor_rks ON metrics (run_uuid, key, step)')
      const n = fctx.scale.h1m.sidePoints
      const steps = Array.from({ length: 320 }, (_, i) => Math.floor((i * (n - 1)) / 319))
      const stepList = steps.map(() => '?').join(',')
      const indexed = await timeIt(q(fctx, 50, 5), async () => {
        let count = 0
        for (const id of ids) {
          count += (
            await probe.all(
              `SELECT step, value, timestamp FROM metrics INDEXED BY bench_floor_rks WHERE run_uuid = ? AND key = 'loss' AND step IN (${stepList})`,
              [id, ...steps],
            )
          ).length
        }
        return count
      })
      out.push(
        synthetic({
          workload: 'W8',
          variant: `${variant} [indexed sampling floor]`,
          server: 'floor',
          unit: 'req/s',
          p50: median(indexed),
          p95: percentile(indexed, 95),
          throughput: 1000 / median(indexed),
          score: median(indexed),
          higherIsBetter: false,
          note: 'extra index (run_uuid, key, step) on a scratch copy, 320 point lookups per run; not a schema Carnet has',
        }),
      )
      return out
    } finally {
      await probe.close()
    }
  },
}

function sampleMinMax(rows: unknown[][]): number {
  let kept = 0
  let start = 0
  while (start < rows.length) {
    let end = start
    while (end < rows.length && rows[end]![0] === rows[start]![0]) end++
    const width = Math.ceil((end - start) / 159)
    for (let b = start; b < end; b += width) {
      let lo = Infinity
      let hi = -Infinity
      for (let i = b; i < Math.min(end, b + width); i++) {
        const v = rows[i]![2] as number
        if (v < lo) lo = v
        if (v > hi) hi = v
      }
      kept += lo === hi ? 1 : 2
    }
    start = end
  }
  return kept
}

// ---------------------------------------------------------------- W10

async function smallReads(ctx: Ctx | { api: Api }) {
  const exp = await experimentId(ctx.api, 'bench-s10k')
  const run = await runIdByName(ctx.api, exp, 'run-0')
  return {
    'runs/get': `${E}/runs/get?run_id=${run}`,
    'experiments/get': `${E}/experiments/get?experiment_id=${exp}`,
    'experiments/search': `${E}/experiments/search?max_results=100`,
  }
}

export const W10: Workload = {
  id: 'W10',
  title: 'small reads, 32 connections: runs/get, experiments/get, experiments/search',
  dataset: 's10k',
  check: async (ctx) => {
    const paths = await smallReads(ctx)
    const out: Record<string, unknown> = {}
    for (const [name, path] of Object.entries(paths)) {
      const r = await ctx.api.raw('GET', path)
      out[name] = normalize(JSON.parse(r.text), { mask: ['next_page_token'] })
    }
    return out
  },
  run: async (ctx) => {
    const paths = await smallReads(ctx)
    const out: Measurement[] = []
    for (const [name, path] of Object.entries(paths)) {
      out.push(
        await measure(ctx, {
          workload: 'W10',
          variant: `${name}, 32 conns`,
          unit: 'req/s',
          concurrency: q(ctx, 32, 4),
          maxRequests: Number.MAX_SAFE_INTEGER,
          maxSeconds: q(ctx, 15, 1.5),
          warmup: 64,
          request: async () => {
            const r = await ctx.api.raw('GET', path)
            if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`)
            return 1
          },
        }),
      )
    }
    return out
  },
  floor: async (fctx) => {
    const out: Measurement[] = []
    for (const name of ['runs/get', 'experiments/get', 'experiments/search']) {
      const m = await httpFloor(fctx, 'http', [], (api) => ({
        workload: 'W10',
        variant: `${name}, 32 conns`,
        unit: 'req/s',
        concurrency: q(fctx, 32, 4),
        maxRequests: Number.MAX_SAFE_INTEGER,
        maxSeconds: q(fctx, 5, 1),
        warmup: 64,
        request: async () => {
          const r = await api.raw('GET', '/x')
          if (r.status !== 200) throw new Error(String(r.status))
          return 1
        },
      }))
      m.note = 'tiny GET on plain node:http, no DB (same for the three rows)'
      out.push(m)
      break
    }
    const first = out[0]!
    for (const name of ['experiments/get', 'experiments/search'])
      out.push({ ...first, variant: `${name}, 32 conns` })
    return out
  },
}

export const DATASETS_READ: DatasetName[] = ['s10k', 's100k', 'h1m']
export type { Probe }
export { BASE_TIME }

// Seeded data sets, written through a server's REST API (normally Carnet's) into a golden
// database that both servers then read from identical copies.
import { createHash } from 'node:crypto'
import type { Api } from './http.ts'
import { log, mapLimit, rng } from './util.ts'

/** Bump when the generator changes, so cached golden databases are rebuilt. */
const GENERATOR_VERSION = 4

export const BASE_TIME = 1_700_000_000_000
export const MODELS = ['resnet', 'vit', 'mlp', 'cnn', 'lstm'] as const
export const TEAMS = ['x', 'y', 'z', 'w'] as const
export const METRIC_KEYS = ['acc', 'loss', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'] as const

export interface Scale {
  /** Side experiments (W10 experiments/search, W3 Q4 cross-experiment search). */
  sideExperiments: number
  sideRunsPerTagged: number
  s10k: { runs: number; steps: number }
  s100k: { runs: number; steps: number }
  h1m: { bigPoints: number; sideRuns: number; sidePoints: number }
  registry: { models: number; versionsPerModel: number }
}

export const FULL_SCALE: Scale = {
  sideExperiments: 100,
  sideRunsPerTagged: 20,
  s10k: { runs: 10_000, steps: 100 },
  // 100k runs x 10 metrics x 100 steps would be 100M metric rows (hours to seed, 20+ GB on the
  // MLflow schema); search-runs reads latest_metrics only, so the default history depth is 10.
  s100k: { runs: 100_000, steps: 10 },
  h1m: { bigPoints: 1_000_000, sideRuns: 10, sidePoints: 100_000 },
  registry: { models: 500, versionsPerModel: 10 },
}

export const QUICK_SCALE: Scale = {
  sideExperiments: 20,
  sideRunsPerTagged: 3,
  s10k: { runs: 150, steps: 5 },
  s100k: { runs: 300, steps: 2 },
  h1m: { bigPoints: 30_000, sideRuns: 3, sidePoints: 3_000 },
  registry: { models: 12, versionsPerModel: 3 },
}

export type DatasetName = 'base' | 's10k' | 's100k' | 'h1m' | 'registry'

/** Name of the golden database of a data set at a scale (content hash, so changes reseed). */
export function goldenName(dataset: DatasetName, scale: Scale): string {
  const parts: unknown[] = [
    GENERATOR_VERSION,
    dataset,
    scale.sideExperiments,
    scale.sideRunsPerTagged,
  ]
  if (dataset === 's10k') parts.push(scale.s10k)
  if (dataset === 's100k') parts.push(scale.s100k)
  if (dataset === 'h1m') parts.push(scale.h1m)
  if (dataset === 'registry') parts.push(scale.registry)
  const hash = createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 8)
  return `${dataset}_${hash}`
}

const E = '/api/2.0/mlflow'

async function createExperiment(api: Api, name: string, tags: [string, string][]) {
  const r = await api.post<{ experiment_id: string }>(`${E}/experiments/create`, {
    name,
    tags: tags.map(([key, value]) => ({ key, value })),
  })
  return r.experiment_id
}

interface RunSpec {
  experimentId: string
  name: string
  startTime: number
  tags: [string, string][]
  params: [string, string][]
  metrics: { key: string; value: number; timestamp: number; step: number }[]
}

async function createRun(api: Api, spec: RunSpec): Promise<string> {
  const r = await api.post<{ run: { info: { run_id: string } } }>(`${E}/runs/create`, {
    experiment_id: spec.experimentId,
    // the Python client always sends user_id; a run without one is stored with NULL user_id by
    // Carnet, which mlflow server cannot read back ("user_id cannot be None")
    user_id: 'bench',
    run_name: spec.name,
    start_time: spec.startTime,
    tags: spec.tags.map(([key, value]) => ({ key, value })),
  })
  const runId = r.run.info.run_id
  let params = spec.params.map(([key, value]) => ({ key, value }))
  let offset = 0
  // MLflow's limit: 1000 metrics and 1000 entities in total per log-batch
  do {
    const room = 1000 - params.length
    const metrics = spec.metrics.slice(offset, offset + room)
    offset += metrics.length
    await api.post(`${E}/runs/log-batch`, { run_id: runId, params, metrics })
    params = []
  } while (offset < spec.metrics.length)
  await api.post(`${E}/runs/update`, {
    run_id: runId,
    status: 'FINISHED',
    end_time: spec.startTime + 3_600_000,
  })
  return runId
}

/** Runs with 20 params (one `model`), 10 metrics x `steps`, 5 tags: the S10k / S100k shape. */
function searchRun(experimentId: string, r: number, steps: number): RunSpec {
  const rand = rng(1000 + r)
  const start = BASE_TIME + r * 1000
  const params: [string, string][] = [
    ['model', MODELS[r % MODELS.length]!],
    ['lr', (rand() / 100).toFixed(6)],
    ['batch_size', String(2 ** (4 + (r % 5)))],
  ]
  for (let p = 3; p < 20; p++) params.push([`p${p}`, `v${Math.floor(rand() * 1000)}`])
  const tags: [string, string][] = [
    ['team', TEAMS[r % TEAMS.length]!],
    ['owner', `user${r % 50}`],
    ['stage', r % 3 === 0 ? 'prod' : 'dev'],
    ['dataset', `ds${r % 7}`],
    ['note', `seeded run ${r}`],
  ]
  const metrics: RunSpec['metrics'] = []
  for (let k = 0; k < METRIC_KEYS.length; k++) {
    const key = METRIC_KEYS[k]!
    const target = rand()
    for (let s = 0; s < steps; s++) {
      const progress = (s + 1) / steps
      const value =
        key === 'acc'
          ? target * progress + rand() * 0.01
          : key === 'loss'
            ? (1 - target) / progress + rand() * 0.01
            : rand() * (k + 1)
      metrics.push({ key, value, timestamp: start + s * 10, step: s })
    }
  }
  return { experimentId, name: `run-${r}`, startTime: start, tags, params, metrics }
}

/** The part every data set shares: side experiments, half of them holding tagged runs. */
async function seedBase(api: Api, scale: Scale, concurrency: number): Promise<void> {
  const ids = await mapLimit(
    Array.from({ length: scale.sideExperiments }, (_, i) => i),
    concurrency,
    (i) =>
      createExperiment(api, `bench-exp-${String(i).padStart(3, '0')}`, [
        ['group', `g${i % 5}`],
        ['owner', `user${i % 7}`],
      ]),
  )
  const runs: RunSpec[] = []
  ids.forEach((id, i) => {
    if (i % 2 !== 0) return
    for (let r = 0; r < scale.sideRunsPerTagged; r++) {
      const spec = searchRun(id, i * 1000 + r, 2)
      spec.name = `side-${i}-${r}`
      runs.push(spec)
    }
  })
  await mapLimit(runs, concurrency, (spec) => createRun(api, spec))
}

function sineSeries(seed: number, spikeEvery: number) {
  const rand = rng(seed)
  return (i: number) => {
    const base = 1 / (1 + i / 1000) + 0.05 * Math.sin(i / 50) + rand() * 0.01
    // rare spikes: the chart down-sampling must keep them
    return i > 0 && i % spikeEvery === 0 ? base + 5 : base
  }
}

async function logSeries(
  api: Api,
  runId: string,
  key: string,
  count: number,
  seed: number,
  concurrency: number,
) {
  const value = sineSeries(seed, Math.max(97, Math.floor(count / 7) + 13))
  const batches = Array.from({ length: Math.ceil(count / 1000) }, (_, b) => b)
  await mapLimit(batches, concurrency, async (b) => {
    const metrics = []
    for (let i = b * 1000; i < Math.min(count, (b + 1) * 1000); i++) {
      metrics.push({ key, value: value(i), timestamp: BASE_TIME + i, step: i })
    }
    await api.post(`${E}/runs/log-batch`, { run_id: runId, metrics })
  })
}

export async function seedDataset(
  api: Api,
  dataset: DatasetName,
  scale: Scale,
  concurrency = 4,
): Promise<void> {
  const t0 = Date.now()
  await seedBase(api, scale, concurrency)
  if (dataset === 's10k' || dataset === 's100k') {
    const { runs, steps } = dataset === 's10k' ? scale.s10k : scale.s100k
    const expId = await createExperiment(api, `bench-${dataset}`, [['kind', 'search']])
    let done = 0
    await mapLimit(
      Array.from({ length: runs }, (_, r) => r),
      concurrency,
      async (r) => {
        await createRun(api, searchRun(expId, r, steps))
        if (++done % 5000 === 0) log(`  seeded ${done}/${runs} runs of ${dataset}`)
      },
    )
  } else if (dataset === 'h1m') {
    const expId = await createExperiment(api, 'bench-h1m', [['kind', 'history']])
    const big = await createRun(api, { ...emptyRun(expId, 'big', 0) })
    await logSeries(api, big, 'loss', scale.h1m.bigPoints, 7, concurrency)
    for (let r = 0; r < scale.h1m.sideRuns; r++) {
      const id = await createRun(api, emptyRun(expId, `chart-${r}`, r + 1))
      await logSeries(api, id, 'loss', scale.h1m.sidePoints, 100 + r, concurrency)
    }
  } else if (dataset === 'registry') {
    await seedRegistry(api, scale, concurrency)
  }
  log(`seeded ${dataset} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

function emptyRun(experimentId: string, name: string, i: number): RunSpec {
  return {
    experimentId,
    name,
    startTime: BASE_TIME + i * 1000,
    tags: [['kind', 'history']],
    params: [['model', 'vit']],
    metrics: [],
  }
}

export async function seedRegistry(api: Api, scale: Scale, concurrency: number): Promise<void> {
  const expId = await createExperiment(api, 'bench-registry', [['kind', 'registry']])
  const runId = await createRun(api, emptyRun(expId, 'registry-source', 0))
  const models = Array.from({ length: scale.registry.models }, (_, m) => m)
  await mapLimit(models, concurrency, async (m) => {
    const name = `model-${String(m).padStart(4, '0')}`
    await api.post(`${E}/registered-models/create`, {
      name,
      description: `seeded model ${m}`,
      tags: [
        { key: 'team', value: TEAMS[m % TEAMS.length] },
        { key: 'task', value: m % 2 === 0 ? 'classification' : 'regression' },
      ],
    })
    for (let v = 1; v <= scale.registry.versionsPerModel; v++) {
      await api.post(`${E}/model-versions/create`, {
        name,
        source: `runs:/${runId}/model`,
        run_id: runId,
        description: `version ${v}`,
        tags: [
          { key: 'validated', value: v % 2 === 0 ? 'true' : 'false' },
          { key: 'framework', value: MODELS[(m + v) % MODELS.length] },
        ],
      })
    }
    const last = scale.registry.versionsPerModel
    await api.post(`${E}/registered-models/alias`, {
      name,
      alias: 'champion',
      version: String(last),
    })
    if (last > 1) {
      await api.post(`${E}/registered-models/alias`, {
        name,
        alias: 'challenger',
        version: String(last - 1),
      })
    }
  })
}

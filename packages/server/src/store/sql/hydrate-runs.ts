import type { DatasetInput, KeyValue, Metric, Run } from '@carnet/protocol'
import type { Executor } from './context.ts'
import type { RunRow } from './runs.ts'
import { toRunInfo } from './runs.ts'

const CHUNK = 500

async function inChunks<T>(ids: string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  if (ids.length <= CHUNK) return load(ids)
  const out: T[] = []
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))))
  return out
}

function group<T extends { run_uuid: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const row of rows) {
    const list = map.get(row.run_uuid)
    if (list) list.push(row)
    else map.set(row.run_uuid, [row])
  }
  return map
}

const byKey = (a: { key: string }, b: { key: string }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0

/** Turns run rows into wire runs with a fixed number of queries per page, never one per run. */
export async function hydrateRuns(
  db: Executor,
  rows: RunRow[],
  options: { modelInputs: boolean },
): Promise<Run[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.run_uuid)
  const [metrics, params, tags, datasets, models] = await Promise.all([
    inChunks(ids, (c) =>
      db
        .selectFrom('latest_metrics')
        .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
        .where('run_uuid', 'in', c)
        .execute(),
    ),
    inChunks(ids, (c) =>
      db
        .selectFrom('params')
        .select(['run_uuid', 'key', 'value'])
        .where('run_uuid', 'in', c)
        .execute(),
    ),
    inChunks(ids, (c) =>
      db
        .selectFrom('tags')
        .select(['run_uuid', 'key', 'value'])
        .where('run_uuid', 'in', c)
        .execute(),
    ),
    loadDatasetInputs(db, ids),
    loadModelEdges(db, ids),
  ])
  const metricsByRun = group(metrics)
  const paramsByRun = group(params)
  const tagsByRun = group(tags)
  return rows.map((row) => {
    const id = row.run_uuid
    const runTags: KeyValue[] = (tagsByRun.get(id) ?? [])
      .map((t) => ({ key: t.key, value: t.value ?? '' }))
      .sort(byKey)
    const info = toRunInfo(row)
    if (!info.run_name) info.run_name = runTags.find((t) => t.key === 'mlflow.runName')?.value ?? ''
    const runMetrics: Metric[] = (metricsByRun.get(id) ?? [])
      .map((m) => ({
        key: m.key,
        value: m.is_nan ? ('NaN' as const) : m.value,
        timestamp: m.timestamp ?? 0,
        step: m.step,
      }))
      .sort(byKey)
    const runParams = (paramsByRun.get(id) ?? [])
      .map((p) => ({ key: p.key, value: p.value }))
      .sort(byKey)
    const data: Run['data'] = {}
    if (runMetrics.length > 0) data.metrics = runMetrics
    if (runParams.length > 0) data.params = runParams
    if (runTags.length > 0) data.tags = runTags
    const inputs: Run['inputs'] = {}
    const datasetInputs = datasets.get(id)
    if (datasetInputs) inputs.dataset_inputs = datasetInputs
    const edges = models.get(id)
    if (options.modelInputs && edges?.inputs.length) inputs.model_inputs = edges.inputs
    // mlflow-compat: `outputs` is always present, empty when the run logged no models.
    const run: Run = {
      info,
      data,
      inputs,
      outputs: edges?.outputs.length ? { model_outputs: edges.outputs } : {},
    }
    return run
  })
}

async function loadDatasetInputs(
  db: Executor,
  ids: string[],
): Promise<Map<string, DatasetInput[]>> {
  const rows = await inChunks(ids, (c) =>
    db
      .selectFrom('inputs')
      .innerJoin('datasets', 'datasets.dataset_uuid', 'inputs.source_id')
      .select([
        'inputs.destination_id as run_uuid',
        'inputs.input_uuid',
        'datasets.name',
        'datasets.digest',
        'datasets.dataset_source_type',
        'datasets.dataset_source',
        'datasets.dataset_schema',
        'datasets.dataset_profile',
      ])
      .where('inputs.source_type', '=', 'DATASET')
      .where('inputs.destination_type', '=', 'RUN')
      .where('inputs.destination_id', 'in', c)
      .execute(),
  )
  const result = new Map<string, DatasetInput[]>()
  if (rows.length === 0) return result
  const tagRows = await inChunks(
    rows.map((r) => r.input_uuid),
    (c) => db.selectFrom('input_tags').selectAll().where('input_uuid', 'in', c).execute(),
  )
  const tagsByInput = new Map<string, KeyValue[]>()
  for (const t of tagRows) {
    const list = tagsByInput.get(t.input_uuid) ?? []
    list.push({ key: t.name, value: t.value })
    tagsByInput.set(t.input_uuid, list)
  }
  for (const row of rows) {
    const dataset: DatasetInput['dataset'] = {
      name: row.name,
      digest: row.digest,
      source_type: row.dataset_source_type,
      source: row.dataset_source,
    }
    if (row.dataset_schema !== null) dataset.schema = row.dataset_schema
    if (row.dataset_profile !== null) dataset.profile = row.dataset_profile
    const input: DatasetInput = { dataset }
    const tags = tagsByInput.get(row.input_uuid)
    if (tags) input.tags = tags
    const list = result.get(row.run_uuid) ?? []
    list.push(input)
    result.set(row.run_uuid, list)
  }
  return result
}

interface ModelEdges {
  inputs: { model_id: string }[]
  outputs: { model_id: string; step: number }[]
}

async function loadModelEdges(db: Executor, ids: string[]): Promise<Map<string, ModelEdges>> {
  const rows = await inChunks(ids, (c) =>
    db
      .selectFrom('inputs')
      .select(['source_id', 'destination_id', 'destination_type', 'step'])
      .where('source_type', 'in', ['RUN_INPUT', 'RUN_OUTPUT'])
      .where('source_id', 'in', c)
      .execute(),
  )
  const result = new Map<string, ModelEdges>()
  for (const row of rows) {
    const edges = result.get(row.source_id) ?? { inputs: [], outputs: [] }
    if (row.destination_type === 'MODEL_INPUT') edges.inputs.push({ model_id: row.destination_id })
    else edges.outputs.push({ model_id: row.destination_id, step: Number(row.step) })
    result.set(row.source_id, edges)
  }
  return result
}

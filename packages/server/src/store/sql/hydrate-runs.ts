import type { DatasetInput, KeyValue, Metric, Run } from '@carnet/protocol'
import { type RawBuilder, sql } from 'kysely'
import type { Executor, SqlContext } from './context.ts'
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

/** The runs with these ids, in this order (ids not found are left out). */
export async function hydrateRunIds(
  ctx: SqlContext,
  ids: string[],
  options: { modelInputs: boolean },
): Promise<Run[]> {
  if (ids.length === 0) return []
  if (ctx.dialect.name === 'mysql') {
    // MariaDB's JSON_ARRAYAGG is cut at group_concat_max_len: plain rows, grouped here.
    const found = await inChunks(ids, (c) =>
      ctx.db.selectFrom('runs').selectAll().where('run_uuid', 'in', c).execute(),
    )
    const byId = new Map(found.map((row) => [row.run_uuid, row]))
    return hydrateRuns(
      ctx.db,
      ids.flatMap((id) => byId.get(id) ?? []),
      options,
    )
  }
  const agg = AGGREGATES[ctx.dialect.name]
  const [found, datasets, models] = await Promise.all([
    inChunks(ids, (c) =>
      sql<RunRow & { m: unknown; p: unknown; t: unknown }>`SELECT runs.*,
        (SELECT ${agg.array(sql`x.key, x.value, x.timestamp, x.step, x.is_nan`)} FROM latest_metrics x WHERE x.run_uuid = runs.run_uuid) AS m,
        (SELECT ${agg.array(sql`x.key, x.value`)} FROM params x WHERE x.run_uuid = runs.run_uuid) AS p,
        (SELECT ${agg.array(sql`x.key, x.value`)} FROM tags x WHERE x.run_uuid = runs.run_uuid) AS t
        FROM runs WHERE runs.run_uuid IN (${sql.join(c)})`
        .execute(ctx.db)
        .then((r) => r.rows),
    ),
    loadDatasetInputs(ctx.db, ids),
    loadModelEdges(ctx.db, ids),
  ])
  const byId = new Map(found.map((row) => [row.run_uuid, row]))
  return ids.flatMap((id) => {
    const row = byId.get(id)
    if (!row) return []
    const metrics = jsonRows<[string, number, number | null, number, boolean | number]>(row.m)
    const params = jsonRows<[string, string]>(row.p)
    const tags = jsonRows<[string, string | null]>(row.t)
    return [
      toRun(
        row,
        metrics.map(([key, value, timestamp, step, isNan]) => ({
          key,
          value: isNan ? ('NaN' as const) : value,
          timestamp: timestamp ?? 0,
          step,
        })),
        params.map(([key, value]) => ({ key, value })),
        tags.map(([key, value]) => ({ key, value: value ?? '' })),
        datasets.get(id),
        models.get(id),
        options,
      ),
    ]
  })
}

/** Per dialect: an aggregate of one JSON array per row, `[]` or NULL when there are no rows. */
const AGGREGATES: Record<
  'sqlite' | 'postgres',
  { array: (items: RawBuilder<unknown>) => RawBuilder<unknown> }
> = {
  sqlite: { array: (items) => sql`json_group_array(json_array(${items}))` },
  postgres: { array: (items) => sql`json_agg(json_build_array(${items}))` },
}

/** A JSON aggregate as the driver returns it: text (SQLite), parsed (pg's json type) or NULL. */
function jsonRows<T>(value: unknown): T[] {
  if (value === null || value === undefined) return []
  return (typeof value === 'string' ? JSON.parse(value) : value) as T[]
}

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
    return toRun(
      row,
      (metricsByRun.get(id) ?? []).map((m) => ({
        key: m.key,
        value: m.is_nan ? ('NaN' as const) : m.value,
        timestamp: m.timestamp ?? 0,
        step: m.step,
      })),
      (paramsByRun.get(id) ?? []).map((p) => ({ key: p.key, value: p.value })),
      (tagsByRun.get(id) ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
      datasets.get(id),
      models.get(id),
      options,
    )
  })
}

function toRun(
  row: RunRow,
  metrics: Metric[],
  params: KeyValue[],
  tags: KeyValue[],
  datasetInputs: DatasetInput[] | undefined,
  edges: ModelEdges | undefined,
  options: { modelInputs: boolean },
): Run {
  tags.sort(byKey)
  const info = toRunInfo(row)
  if (!info.run_name) info.run_name = tags.find((t) => t.key === 'mlflow.runName')?.value ?? ''
  const data: Run['data'] = {}
  if (metrics.length > 0) data.metrics = metrics.sort(byKey)
  if (params.length > 0) data.params = params.sort(byKey)
  if (tags.length > 0) data.tags = tags
  const inputs: Run['inputs'] = {}
  if (datasetInputs) inputs.dataset_inputs = datasetInputs
  if (options.modelInputs && edges?.inputs.length) inputs.model_inputs = edges.inputs
  // mlflow-compat: `outputs` is always present, empty when the run logged no models.
  return {
    info,
    data,
    inputs,
    outputs: edges?.outputs.length ? { model_outputs: edges.outputs } : {},
  }
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

/** Logged-model rows to wire entities: tags, params and metrics loaded for a whole page at once. */
import {
  type KeyValue,
  LOGGED_MODEL_STATUSES,
  type LoggedModel,
  type LoggedModelInfo,
  type Metric,
} from '@carnet/protocol'
import type { Executor } from '../context.ts'
import type { LoggedModelRow } from './rows.ts'

const CHUNK = 400

async function inChunks<R>(ids: string[], load: (chunk: string[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))))
  return out
}

function group<T extends { model_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const row of rows) {
    const list = map.get(row.model_id)
    if (list) list.push(row)
    else map.set(row.model_id, [row])
  }
  return map
}

const byKey = (a: KeyValue, b: KeyValue) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

export function statusName(status: number) {
  return LOGGED_MODEL_STATUSES[status] ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED'
}

export async function hydrateLoggedModels(
  db: Executor,
  rows: LoggedModelRow[],
): Promise<LoggedModel[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.model_id)
  const [tags, params, metrics] = await Promise.all([
    inChunks(ids, (c) =>
      db
        .selectFrom('logged_model_tags')
        .select(['model_id', 'tag_key', 'tag_value'])
        .where('model_id', 'in', c)
        .execute(),
    ),
    inChunks(ids, (c) =>
      db
        .selectFrom('logged_model_params')
        .select(['model_id', 'param_key', 'param_value'])
        .where('model_id', 'in', c)
        .execute(),
    ),
    inChunks(ids, (c) =>
      db
        .selectFrom('logged_model_metrics')
        .selectAll()
        .where('model_id', 'in', c)
        .orderBy('metric_name')
        .orderBy('metric_timestamp_ms')
        .orderBy('metric_step')
        .orderBy('run_id')
        .execute(),
    ),
  ])
  const tagsById = group(tags)
  const paramsById = group(params)
  const metricsById = group(metrics)
  return rows.map((row) => {
    const info: LoggedModelInfo = {
      model_id: row.model_id,
      experiment_id: String(row.experiment_id),
      name: row.name,
      creation_timestamp_ms: row.creation_timestamp_ms,
      last_updated_timestamp_ms: row.last_updated_timestamp_ms,
      artifact_uri: row.artifact_location,
      status: statusName(row.status),
    }
    // Like MLflow's LoggedModel.to_proto: NULL fields are omitted, empty strings are not.
    if (row.model_type !== null) info.model_type = row.model_type
    if (row.source_run_id !== null) info.source_run_id = row.source_run_id
    if (row.status_message !== null) info.status_message = row.status_message
    const modelTags = (tagsById.get(row.model_id) ?? [])
      .map((t) => ({ key: t.tag_key, value: t.tag_value }))
      .sort(byKey)
    if (modelTags.length > 0) info.tags = modelTags
    const data: LoggedModel['data'] = {}
    const modelParams = (paramsById.get(row.model_id) ?? [])
      .map((p) => ({ key: p.param_key, value: p.param_value }))
      .sort(byKey)
    if (modelParams.length > 0) data.params = modelParams
    const modelMetrics = (metricsById.get(row.model_id) ?? []).map((m) => {
      const metric: Metric = {
        key: m.metric_name,
        value: m.metric_value ?? 'NaN',
        timestamp: m.metric_timestamp_ms,
        step: m.metric_step,
        model_id: m.model_id,
      }
      if (m.dataset_name) metric.dataset_name = m.dataset_name
      if (m.dataset_digest) metric.dataset_digest = m.dataset_digest
      metric.run_id = m.run_id
      return metric
    })
    if (modelMetrics.length > 0) data.metrics = modelMetrics
    return { info, data }
  })
}

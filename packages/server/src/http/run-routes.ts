import {
  type DatasetInput,
  MlflowError,
  RUN_STATUS_BY_NUMBER,
  RUN_STATUSES,
} from '@carnet/protocol'
import { MetricHistoryPage } from '../store/metric-history-page.ts'
import type { MetricInput, TrackingStore } from '../store/tracking-store.ts'
import { keyValues, viewType, withPage } from './experiment-routes.ts'
import type { Fields } from './fields.ts'
import { JsonText } from './respond.ts'
import type { RouteDef } from './router.ts'

/** `run_id`, falling back to the deprecated `run_uuid`, as MLflow's handlers read it. */
export function runId(f: Fields): string {
  return f.string('run_id') || f.string('run_uuid') || f.string('run_id', { required: true })
}

function metric(f: Fields): MetricInput {
  return {
    key: f.string('key', { required: true }),
    value: f.double('value', { required: true }),
    timestamp: f.int('timestamp', { required: true }),
    step: f.int('step') ?? 0,
    model_id: f.string('model_id') || undefined,
    dataset_name: f.string('dataset_name') || undefined,
    dataset_digest: f.string('dataset_digest') || undefined,
  }
}

function datasetInput(f: Fields): DatasetInput {
  const d = f.message('dataset')
  if (!d) return { dataset: { name: '', digest: '', source_type: '', source: '' }, ...tagsOf(f) }
  const dataset: DatasetInput['dataset'] = {
    name: d.string('name', { required: true }),
    digest: d.string('digest', { required: true }),
    source_type: d.string('source_type', { required: true }),
    source: d.string('source', { required: true }),
  }
  const schema = d.string('schema')
  const profile = d.string('profile')
  if (schema !== undefined) dataset.schema = schema
  if (profile !== undefined) dataset.profile = profile
  return { dataset, ...tagsOf(f) }
}

function tagsOf(f: Fields): { tags?: DatasetInput['tags'] } {
  const tags = keyValues(f, 'tags', { valueRequired: true })
  return tags.length > 0 ? { tags } : {}
}

const ok = async (work: Promise<unknown>) => {
  await work
  return {}
}

/** Run, metric and param RPCs of MLflow's service.proto. */
export function runRoutes(store: TrackingStore): RouteDef[] {
  return [
    {
      method: 'POST',
      path: '/mlflow/runs/create',
      handler: async (f) => ({
        run: await store.createRun({
          experimentId: f.string('experiment_id') || '0',
          userId: f.string('user_id'),
          runName: f.string('run_name') || undefined,
          startTime: f.int('start_time'),
          tags: keyValues(f, 'tags'),
        }),
      }),
    },
    {
      method: 'GET',
      path: '/mlflow/runs/get',
      handler: async (f) => ({ run: await store.getRun(runId(f)) }),
    },
    {
      method: 'POST',
      path: '/mlflow/runs/update',
      handler: async (f) => ({
        run_info: await store.updateRun({
          runId: runId(f),
          status: f.enumValue('status', RUN_STATUSES, RUN_STATUS_BY_NUMBER),
          endTime: f.int('end_time'),
          runName: f.string('run_name') || undefined,
        }),
      }),
    },
    { method: 'POST', path: '/mlflow/runs/delete', handler: (f) => ok(store.deleteRun(runId(f))) },
    {
      method: 'POST',
      path: '/mlflow/runs/restore',
      handler: (f) => ok(store.restoreRun(runId(f))),
    },
    {
      method: 'POST',
      path: '/mlflow/runs/search',
      handler: async (f) => {
        const page = await store.searchRuns({
          experimentIds: f.stringList('experiment_ids'),
          filter: f.string('filter') || undefined,
          viewType: viewType(f, 'run_view_type'),
          maxResults: f.int('max_results') ?? 1000,
          orderBy: f.stringList('order_by'),
          pageToken: f.string('page_token') || undefined,
        })
        return withPage({ runs: page.items }, page.nextPageToken)
      },
    },
    {
      method: 'POST',
      path: '/mlflow/runs/log-metric',
      handler: (f) => {
        const id = runId(f)
        return ok(
          store.logBatch(id, { metrics: [metric(f)], params: [], tags: [] }, { single: true }),
        )
      },
    },
    {
      method: 'POST',
      path: '/mlflow/runs/log-parameter',
      handler: (f) => {
        const id = runId(f)
        const param = { key: f.string('key', { required: true }), value: f.string('value') ?? '' }
        return ok(store.logBatch(id, { metrics: [], params: [param], tags: [] }, { single: true }))
      },
    },
    {
      method: 'POST',
      path: '/mlflow/runs/set-tag',
      handler: (f) => {
        const id = runId(f)
        const tag = { key: f.string('key', { required: true }), value: f.string('value') ?? '' }
        return ok(store.logBatch(id, { metrics: [], params: [], tags: [tag] }, { single: true }))
      },
    },
    {
      method: 'POST',
      path: '/mlflow/runs/delete-tag',
      handler: (f) => ok(store.deleteTag(runId(f), f.string('key', { required: true }))),
    },
    {
      method: 'POST',
      path: '/mlflow/runs/log-batch',
      handler: (f) => {
        const id = runId(f)
        return ok(
          store.logBatch(id, {
            metrics: f.messages('metrics').map(metric),
            params: keyValues(f, 'params'),
            tags: keyValues(f, 'tags'),
          }),
        )
      },
    },
    {
      method: 'POST',
      path: '/mlflow/runs/log-inputs',
      handler: (f) => {
        const id = runId(f)
        const datasets = f.messages('datasets').map(datasetInput)
        const models = f.messages('models').map((m) => m.string('model_id', { required: true }))
        return ok(store.logInputs(id, datasets, models))
      },
    },
    {
      method: 'POST',
      path: '/mlflow/runs/outputs',
      handler: (f) => {
        const id = runId(f)
        const models = f.messages('models').map((m) => ({
          model_id: m.string('model_id', { required: true }),
          step: m.int('step') ?? 0,
        }))
        return ok(store.logOutputs(id, models))
      },
    },
    {
      method: 'GET',
      path: '/mlflow/metrics/get-history',
      handler: async (f) => {
        const page = await store.getMetricHistory(
          runId(f),
          f.string('metric_key', { required: true }),
          f.int('max_results'),
          f.string('page_token') || undefined,
        )
        if (page instanceof MetricHistoryPage) return historyJson(page)
        return withPage({ metrics: page.items }, page.nextPageToken)
      },
    },
    {
      method: 'GET',
      path: '/mlflow/metrics/get-history-bulk-interval',
      handler: async (f) => {
        const runIds = f.stringList('run_ids')
        if (runIds.length === 0) f.string('run_ids', { required: true })
        if (runIds.length > 100) {
          // mlflow-compat
          throw MlflowError.invalidParameter(
            `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${runIds.length} run_ids.${SEE_DOCS}`,
          )
        }
        const metrics = await store.getMetricHistoryBulkInterval({
          runIds,
          metricKey: f.string('metric_key', { required: true }),
          startStep: f.int('start_step'),
          endStep: f.int('end_step'),
          maxResults: intervalMaxResults(f),
        })
        return withPage({ metrics }, undefined)
      },
    },
  ]
}

/** GetMetricHistory.Response from the page's JSON text, shaped as `withPage` shapes it. */
export function historyJson(page: MetricHistoryPage): JsonText {
  const token = page.nextPageToken ? `"next_page_token":${JSON.stringify(page.nextPageToken)}` : ''
  if (page.chunks.length === 0) return new JsonText([`{${token}}`])
  const parts = ['{"metrics":[', page.chunks[0]!]
  for (const chunk of page.chunks.slice(1)) parts.push(',', chunk)
  parts.push(token ? `],${token}}` : ']}')
  return new JsonText(parts)
}

const SEE_DOCS = ' See the API docs for more information about request parameters.'

function intervalMaxResults(f: Fields): number {
  const value = f.int('max_results') ?? 2500
  if (value < 1 || value > 2500) {
    // mlflow-compat
    throw MlflowError.invalidParameter(`max_results must be between 1 and 2500.${SEE_DOCS}`)
  }
  const start = f.int('start_step')
  const end = f.int('end_step')
  if ((start === undefined) !== (end === undefined)) {
    throw MlflowError.invalidParameter(
      'If either start step or end step are specified, both must be specified.',
    )
  }
  if (start !== undefined && end !== undefined && end < start) {
    throw MlflowError.invalidParameter(
      `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
    )
  }
  return value
}

import { VIEW_TYPE_BY_NUMBER, type ViewType } from '@carnet/protocol'
import type { TrackingStore } from '../store/tracking-store.ts'
import type { Fields } from './fields.ts'
import type { RouteDef } from './router.ts'

const VIEW_TYPES: readonly ViewType[] = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']

export function viewType(fields: Fields, name: string): ViewType {
  return fields.enumValue(name, VIEW_TYPES, VIEW_TYPE_BY_NUMBER) ?? 'ACTIVE_ONLY'
}

export function keyValues(fields: Fields, name: string, options: { valueRequired?: boolean } = {}) {
  return fields.messages(name).map((f) => ({
    key: f.string('key', { required: true }),
    value: f.string('value', { required: options.valueRequired ?? false }) ?? '',
  }))
}

const experimentId = (f: Fields) => f.string('experiment_id', { required: true })

/** Experiment RPCs of MLflow's service.proto. */
export function experimentRoutes(store: TrackingStore): RouteDef[] {
  return [
    {
      method: 'POST',
      path: '/mlflow/experiments/create',
      handler: async (f) => ({
        experiment_id: await store.createExperiment(
          f.string('name', { required: true }),
          f.string('artifact_location') || undefined,
          keyValues(f, 'tags'),
        ),
      }),
    },
    {
      method: 'GET',
      path: '/mlflow/experiments/get',
      handler: async (f) => ({ experiment: await store.getExperiment(experimentId(f)) }),
    },
    {
      method: 'GET',
      path: '/mlflow/experiments/get-by-name',
      handler: async (f) => ({
        experiment: await store.getExperimentByName(
          f.string('experiment_name', { required: true }),
        ),
      }),
    },
    ...(['POST', 'GET'] as const).map(
      (method): RouteDef => ({
        method,
        path: '/mlflow/experiments/search',
        handler: async (f) => {
          const page = await store.searchExperiments({
            filter: f.string('filter') || undefined,
            viewType: viewType(f, 'view_type'),
            // Clients always send max_results; an absent one means MLflow's client default.
            maxResults: f.int('max_results') ?? 1000,
            orderBy: f.stringList('order_by'),
            pageToken: f.string('page_token') || undefined,
          })
          return withPage({ experiments: page.items }, page.nextPageToken)
        },
      }),
    ),
    {
      method: 'POST',
      path: '/mlflow/experiments/update',
      handler: async (f) => {
        await store.renameExperiment(experimentId(f), f.string('new_name', { required: true }))
        return {}
      },
    },
    {
      method: 'POST',
      path: '/mlflow/experiments/delete',
      handler: async (f) => {
        await store.deleteExperiment(experimentId(f))
        return {}
      },
    },
    {
      method: 'POST',
      path: '/mlflow/experiments/restore',
      handler: async (f) => {
        await store.restoreExperiment(experimentId(f))
        return {}
      },
    },
    {
      method: 'POST',
      path: '/mlflow/experiments/set-experiment-tag',
      handler: async (f) => {
        await store.setExperimentTag(experimentId(f), {
          key: f.string('key', { required: true }),
          value: f.string('value') ?? '',
        })
        return {}
      },
    },
    {
      method: 'POST',
      path: '/mlflow/experiments/delete-experiment-tag',
      handler: async (f) => {
        await store.deleteExperimentTag(experimentId(f), f.string('key', { required: true }))
        return {}
      },
    },
  ]
}

/** Adds `next_page_token` only when there is a next page, as MLflow does. */
export function withPage<T extends object>(body: T, token: string | undefined): T {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (!(Array.isArray(value) && value.length === 0)) out[key] = value
  }
  if (token) out['next_page_token'] = token
  return out as T
}

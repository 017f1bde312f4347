import type { RegistryStore } from '../store/registry-store.ts'
import { withPage } from './experiment-routes.ts'
import type { Fields } from './fields.ts'
import type { RouteDef } from './router.ts'

/** Tags as the registry's protos carry them: key and value optional (proto defaults ''). */
function tags(f: Fields) {
  return f
    .messages('tags')
    .map((t) => ({ key: t.string('key') ?? '', value: t.string('value') ?? '' }))
}

const name = (f: Fields) => f.string('name', { required: true })
const version = (f: Fields) => f.string('version', { required: true })

/** Like MLflow's handlers, an empty page token means "first page". */
function searchQuery(f: Fields, defaultMaxResults: number) {
  return {
    filter: f.string('filter') || undefined,
    maxResults: f.int('max_results') ?? defaultMaxResults,
    orderBy: f.stringList('order_by'),
    pageToken: f.string('page_token') || undefined,
  }
}

const done = async (work: Promise<unknown>) => {
  await work
  return {}
}

/** The ModelRegistryService RPCs of MLflow's model_registry.proto. */
export function registryRoutes(store: RegistryStore): RouteDef[] {
  const latestVersions = async (f: Fields) =>
    withPage(
      { model_versions: await store.getLatestVersions(name(f), f.stringList('stages')) },
      undefined,
    )
  return [
    {
      method: 'POST',
      path: '/mlflow/registered-models/create',
      handler: async (f) => ({
        registered_model: await store.createRegisteredModel({
          name: name(f),
          tags: tags(f),
          description: f.string('description') ?? '',
        }),
      }),
    },
    {
      method: 'GET',
      path: '/mlflow/registered-models/get',
      handler: async (f) => ({ registered_model: await store.getRegisteredModel(name(f)) }),
    },
    {
      method: 'POST',
      path: '/mlflow/registered-models/rename',
      handler: async (f) => ({
        registered_model: await store.renameRegisteredModel(
          name(f),
          f.string('new_name', { required: true }),
        ),
      }),
    },
    {
      method: 'PATCH',
      path: '/mlflow/registered-models/update',
      handler: async (f) => ({
        registered_model: await store.updateRegisteredModel(name(f), f.string('description') ?? ''),
      }),
    },
    {
      method: 'DELETE',
      path: '/mlflow/registered-models/delete',
      handler: (f) => done(store.deleteRegisteredModel(name(f))),
    },
    {
      method: 'GET',
      path: '/mlflow/registered-models/search',
      handler: async (f) => {
        const page = await store.searchRegisteredModels(searchQuery(f, 100))
        return withPage({ registered_models: page.items }, page.nextPageToken)
      },
    },
    {
      method: 'POST',
      path: '/mlflow/registered-models/get-latest-versions',
      handler: latestVersions,
    },
    {
      method: 'GET',
      path: '/mlflow/registered-models/get-latest-versions',
      handler: latestVersions,
    },
    {
      method: 'POST',
      path: '/mlflow/registered-models/set-tag',
      handler: (f) =>
        done(
          store.setRegisteredModelTag(name(f), {
            key: f.string('key', { required: true }),
            value: f.string('value') ?? '',
          }),
        ),
    },
    {
      method: 'DELETE',
      path: '/mlflow/registered-models/delete-tag',
      handler: (f) =>
        done(store.deleteRegisteredModelTag(name(f), f.string('key', { required: true }))),
    },
    {
      method: 'POST',
      path: '/mlflow/model-versions/create',
      handler: async (f) => ({
        model_version: await store.createModelVersion({
          name: name(f),
          source: f.string('source', { required: true }),
          // MLflow tells an absent run_id / model_id from an empty one (HasField).
          runId: f.has('run_id') ? (f.string('run_id') ?? '') : undefined,
          modelId: f.has('model_id') ? (f.string('model_id') ?? '') : undefined,
          runLink: f.string('run_link') ?? '',
          description: f.string('description') ?? '',
          tags: tags(f),
        }),
      }),
    },
    {
      method: 'GET',
      path: '/mlflow/model-versions/get',
      handler: async (f) => ({ model_version: await store.getModelVersion(name(f), version(f)) }),
    },
    {
      method: 'PATCH',
      path: '/mlflow/model-versions/update',
      handler: async (f) => ({
        model_version: await store.updateModelVersion(
          name(f),
          version(f),
          f.has('description') ? (f.string('description') ?? '') : undefined,
        ),
      }),
    },
    {
      method: 'POST',
      path: '/mlflow/model-versions/transition-stage',
      handler: async (f) => ({
        model_version: await store.transitionModelVersionStage(
          name(f),
          version(f),
          f.string('stage', { required: true }),
          f.bool('archive_existing_versions') ?? false,
        ),
      }),
    },
    {
      method: 'DELETE',
      path: '/mlflow/model-versions/delete',
      handler: (f) => done(store.deleteModelVersion(name(f), version(f))),
    },
    {
      method: 'GET',
      path: '/mlflow/model-versions/get-download-uri',
      // No request schema in MLflow: missing fields fail the store's name / version checks.
      handler: async (f) => ({
        artifact_uri: await store.getModelVersionDownloadUri(
          f.string('name') ?? '',
          f.string('version') ?? '',
        ),
      }),
    },
    {
      method: 'GET',
      path: '/mlflow/model-versions/search',
      handler: async (f) => {
        const page = await store.searchModelVersions(searchQuery(f, 200_000))
        return withPage({ model_versions: page.items }, page.nextPageToken)
      },
    },
    {
      method: 'POST',
      path: '/mlflow/model-versions/set-tag',
      handler: (f) =>
        done(
          store.setModelVersionTag(name(f), version(f), {
            key: f.string('key', { required: true }),
            value: f.string('value') ?? '',
          }),
        ),
    },
    {
      method: 'DELETE',
      path: '/mlflow/model-versions/delete-tag',
      handler: (f) =>
        done(store.deleteModelVersionTag(name(f), version(f), f.string('key', { required: true }))),
    },
    {
      method: 'POST',
      path: '/mlflow/registered-models/alias',
      handler: (f) =>
        done(
          store.setRegisteredModelAlias(name(f), f.string('alias', { required: true }), version(f)),
        ),
    },
    {
      method: 'DELETE',
      path: '/mlflow/registered-models/alias',
      handler: (f) =>
        done(store.deleteRegisteredModelAlias(name(f), f.string('alias', { required: true }))),
    },
    {
      method: 'GET',
      path: '/mlflow/registered-models/alias',
      handler: async (f) => ({
        model_version: await store.getModelVersionByAlias(
          name(f),
          f.string('alias', { required: true }),
        ),
      }),
    },
  ]
}

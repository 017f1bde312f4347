import { LOGGED_MODEL_STATUSES, type LoggedModelStatus, MlflowError } from '@carnet/protocol'
import type { ArtifactStorage } from '../artifacts/resolve-artifact-repository.ts'
import { baseName, joinSafe, type SafePath, validatePathIsSafe } from '../artifacts/safe-path.ts'
import type { LoggedModelStore } from '../store/logged-model-store.ts'
import { sendArtifact } from './artifact-routes.ts'
import { parseQuery } from './body.ts'
import { withPage } from './experiment-routes.ts'
import { Fields } from './fields.ts'
import type { PathParams, RawHandler, RouteDef } from './router.ts'

/** LoggedModelParameter / LoggedModelTag: key and value are optional in the proto (default ''). */
function keyValues(f: Fields, field: string) {
  return f
    .messages(field)
    .map((kv) => ({ key: kv.string('key') ?? '', value: kv.string('value') ?? '' }))
}

const STATUS_BY_NUMBER: Record<number, LoggedModelStatus> = Object.fromEntries(
  LOGGED_MODEL_STATUSES.map((status, i) => [i, status]),
)

function requiredStatus(f: Fields): LoggedModelStatus {
  const status = f.enumValue('status', LOGGED_MODEL_STATUSES, STATUS_BY_NUMBER)
  if (status !== undefined) return status
  f.string('status', { required: true })
  return 'LOGGED_MODEL_STATUS_UNSPECIFIED'
}

const modelId = (params: PathParams) => params.model_id ?? ''

const done = async (work: Promise<unknown>) => {
  await work
  return {}
}

/**
 * `GET /mlflow/logged-models/{model_id}/artifacts/directories`: the model's files, paths relative to
 * its artifact root (the UI's model page). Deleted models are not found.
 */
function listArtifacts(store: LoggedModelStore, storage: ArtifactStorage) {
  return async (f: Fields, params: PathParams) => {
    const raw = f.string('artifact_directory_path')
    const rel = raw === undefined ? ('' as SafePath) : validatePathIsSafe(raw, { allowRoot: true })
    const model = await store.getLoggedModel(modelId(params))
    const rootUri = model.info.artifact_uri
    const located = await storage.locate(rootUri)
    const entries = await located.repo.list(joinSafe(located.base, rel))
    const files = entries.map((entry) => {
      const info: { path: string; is_dir: boolean; file_size?: number } = {
        path: joinSafe(rel, baseName(entry.path) as SafePath),
        is_dir: entry.isDir,
      }
      if (!entry.isDir && entry.size !== undefined) info.file_size = entry.size
      return info
    })
    return files.length > 0 ? { root_uri: rootUri, files } : { root_uri: rootUri }
  }
}

/** `GET /ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files?artifact_file_path=…`. */
function downloadArtifact(store: LoggedModelStore, storage: ArtifactStorage): RawHandler {
  return async (req, res, params, url) => {
    const f = new Fields(parseQuery(url.searchParams), { fromQuery: true })
    const raw = f.string('artifact_file_path')
    if (!raw) {
      req.resume()
      // mlflow-compat
      throw new MlflowError(
        'BAD_REQUEST',
        'Request must include the "artifact_file_path" query parameter.',
      )
    }
    const path = validatePathIsSafe(raw)
    const model = await store.getLoggedModel(modelId(params))
    const located = await storage.locate(model.info.artifact_uri)
    await sendArtifact(req, res, located.repo, joinSafe(located.base, path), path)
  }
}

/** The UI-only routes outside `/api/2.0` (registered as is). */
export function loggedModelUiRoutes(store: LoggedModelStore, storage: ArtifactStorage): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files',
      raw: downloadArtifact(store, storage),
    },
  ]
}

/** The LoggedModel RPCs of MLflow's service.proto (MLflow 3, under /api/2.0). */
export function loggedModelRoutes(
  store: LoggedModelStore,
  storage?: ArtifactStorage | undefined,
): RouteDef[] {
  const artifacts: RouteDef[] = storage
    ? [
        {
          method: 'GET',
          path: '/mlflow/logged-models/{model_id}/artifacts/directories',
          handler: listArtifacts(store, storage),
        },
      ]
    : []
  return [
    ...artifacts,
    {
      method: 'POST',
      path: '/mlflow/logged-models',
      handler: async (f) => ({
        model: await store.createLoggedModel({
          experimentId: f.string('experiment_id', { required: true }),
          name: f.string('name') || undefined,
          modelType: f.string('model_type') ?? '',
          sourceRunId: f.string('source_run_id') ?? '',
          params: keyValues(f, 'params'),
          tags: keyValues(f, 'tags'),
        }),
      }),
    },
    {
      method: 'POST',
      path: '/mlflow/logged-models/search',
      handler: async (f) => {
        const experimentIds = f.stringList('experiment_ids')
        if (experimentIds.length === 0) f.string('experiment_ids', { required: true })
        const page = await store.searchLoggedModels({
          experimentIds,
          filter: f.string('filter') || undefined,
          datasets: f.messages('datasets').map((d) => ({
            datasetName: d.string('dataset_name') ?? '',
            datasetDigest: d.string('dataset_digest') || undefined,
          })),
          maxResults: f.int('max_results') || undefined,
          orderBy: f.messages('order_by').map((o) => ({
            fieldName: o.string('field_name', { required: true }),
            ascending: o.bool('ascending') ?? true,
            datasetName: o.string('dataset_name') || undefined,
            datasetDigest: o.string('dataset_digest') || undefined,
          })),
          pageToken: f.string('page_token') || undefined,
        })
        return withPage({ models: page.items }, page.nextPageToken)
      },
    },
    {
      method: 'GET',
      path: '/mlflow/logged-models/{model_id}',
      handler: async (f, params) => {
        // mlflow-compat: read straight from the query string; anything but "true" means false.
        const allowDeleted = String(f.raw('allow_deleted') ?? 'false').toLowerCase() === 'true'
        return { model: await store.getLoggedModel(modelId(params), allowDeleted) }
      },
    },
    {
      method: 'PATCH',
      path: '/mlflow/logged-models/{model_id}',
      // mlflow-compat: MLflow finalizes the model named in the body, not the one in the path.
      handler: async (f) => {
        const id = f.string('model_id', { required: true })
        return { model: await store.finalizeLoggedModel(id, requiredStatus(f)) }
      },
    },
    {
      method: 'DELETE',
      path: '/mlflow/logged-models/{model_id}',
      handler: (_f, params) => done(store.deleteLoggedModel(modelId(params))),
    },
    {
      method: 'PATCH',
      path: '/mlflow/logged-models/{model_id}/tags',
      handler: (f, params) => done(store.setLoggedModelTags(modelId(params), keyValues(f, 'tags'))),
    },
    {
      method: 'DELETE',
      path: '/mlflow/logged-models/{model_id}/tags/{tag_key}',
      handler: (_f, params) =>
        done(store.deleteLoggedModelTag(modelId(params), params.tag_key ?? '')),
    },
    {
      method: 'POST',
      path: '/mlflow/logged-models/{model_id}/params',
      handler: (f, params) => {
        f.string('model_id', { required: true })
        return done(store.logLoggedModelParams(modelId(params), keyValues(f, 'params')))
      },
    },
  ]
}

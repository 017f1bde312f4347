/**
 * Where a browser's files come from: a run's artifacts or a logged model's. Listing uses the
 * ajax-api endpoints; downloads go through the mlflow-artifacts proxy when the root is
 * `mlflow-artifacts:`, else through MLflow's `/get-artifact` / logged-model file routes.
 */
import { ApiError, apiGet, request, serverUrl, toQuery } from '../../../lib/api-client.ts'
import type { FileInfo, ListArtifactsResponse } from '../../../types/artifacts.ts'

export interface ArtifactSource {
  /** Cache identity, e.g. `run:<id>`. */
  id: string
  list: (path: string, signal?: AbortSignal) => Promise<FileInfo[]>
  url: (path: string) => string
}

/** `mlflow-artifacts:/1/abc/artifacts` (or with a `//host` authority) → `1/abc/artifacts`. */
export function proxyPath(uri: string | undefined): string | undefined {
  if (!uri?.startsWith('mlflow-artifacts:')) return undefined
  let rest = uri.slice('mlflow-artifacts:'.length)
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '')
  return rest.replace(/^\/+/, '').replace(/\/+$/, '')
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/')

function proxyUrl(root: string, path: string): string {
  return serverUrl(
    `api/2.0/mlflow-artifacts/artifacts/${encodePath(root ? `${root}/${path}` : path)}`,
  )
}

/** The proxy's own listing answers basenames; make them root-relative like artifacts/list. */
async function proxyList(root: string, path: string, signal?: AbortSignal): Promise<FileInfo[]> {
  const full = path ? `${root}/${path}` : root
  const r = await request<ListArtifactsResponse>(
    'GET',
    `api/2.0/mlflow-artifacts/artifacts${toQuery({ path: full })}`,
    undefined,
    signal,
  )
  return (r.files ?? []).map((f) => ({ ...f, path: path ? `${path}/${f.path}` : f.path }))
}

export function runArtifactSource(runId: string, artifactUri: string | undefined): ArtifactSource {
  const root = proxyPath(artifactUri)
  return {
    id: `run:${runId}`,
    list: async (path, signal) => {
      try {
        const r = await apiGet<ListArtifactsResponse>(
          'artifacts/list',
          { run_id: runId, path: path || undefined },
          signal,
        )
        return r.files ?? []
      } catch (error) {
        // a server whose run listing cannot read proxied roots: list through the proxy itself
        if (root === undefined || !(error instanceof ApiError)) throw error
        return proxyList(root, path, signal)
      }
    },
    url: (path) =>
      root !== undefined
        ? proxyUrl(root, path)
        : serverUrl(`get-artifact${toQuery({ path, run_uuid: runId })}`),
  }
}

export function loggedModelArtifactSource(
  modelId: string,
  artifactUri: string | undefined,
): ArtifactSource {
  const root = proxyPath(artifactUri)
  const base = `logged-models/${encodeURIComponent(modelId)}/artifacts`
  return {
    id: `model:${modelId}`,
    list: (path, signal) =>
      apiGet<ListArtifactsResponse>(
        `${base}/directories`,
        { artifact_directory_path: path || undefined },
        signal,
      ).then((r) => (r.files ?? []).map((f) => ({ ...f, path: relative(f.path, path) }))),
    url: (path) =>
      root !== undefined
        ? proxyUrl(root, path)
        : serverUrl(`ajax-api/2.0/mlflow/${base}/files${toQuery({ artifact_file_path: path })}`),
  }
}

/** Some servers list basenames, others paths relative to the root: normalise to root-relative. */
function relative(filePath: string, dir: string): string {
  if (!dir || filePath.startsWith(`${dir}/`)) return filePath
  return `${dir}/${filePath}`
}

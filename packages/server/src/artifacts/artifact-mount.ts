import type { ServerConfig } from '../config.ts'
import { artifactRoutes } from '../http/artifact-routes.ts'
import type { Router } from '../http/router.ts'
import type { SqlTrackingStore } from '../store/sql/sql-tracking-store.ts'
import { extraRootsFromEnv } from './artifact-location.ts'
import { loggedModelArtifactUri, modelVersionArtifactUri } from './artifact-roots-lookup.ts'
import { ArtifactStorage } from './resolve-artifact-repository.ts'

/** The artifact routes, their storage, and what they add to `/server-info`. */
export function artifactMount(
  config: Pick<
    ServerConfig,
    'artifactsDestination' | 'defaultArtifactRoot' | 'serveArtifacts' | 'maxRequestBytes'
  >,
  store: SqlTrackingStore,
  env: NodeJS.ProcessEnv = process.env,
): {
  storage: ArtifactStorage
  mount: (router: Router) => void
  serverInfo: Record<string, unknown>
  close(): Promise<void>
} {
  const storage = new ArtifactStorage({
    artifactsDestination: config.artifactsDestination,
    defaultArtifactRoot: config.defaultArtifactRoot,
    serveArtifacts: config.serveArtifacts,
    extraRoots: extraRootsFromEnv(env),
    env,
  })
  const routes = artifactRoutes({
    storage,
    runArtifactUri: async (runId) => (await store.getRun(runId)).info.artifact_uri ?? '',
    modelVersionArtifactUri: (name, version) =>
      modelVersionArtifactUri(store.context, name, version),
    loggedModelArtifactUri: (modelId) => loggedModelArtifactUri(store.context, modelId),
    maxRequestBytes: config.maxRequestBytes,
    env,
  })
  return {
    storage,
    mount: (router) => {
      router.add(routes.api)
      router.addUnprefixed(routes.unprefixed)
    },
    serverInfo: {
      ...storage.capabilities(),
      presigned_upload_run_id_supported: true,
      presigned_upload_model_id_supported: true,
    },
    close: () => storage.close(),
  }
}

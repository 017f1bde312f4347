import type { ArtifactStorage } from '../artifacts/resolve-artifact-repository.ts'
import type { ServerConfig } from '../config.ts'
import { SqlLoggedModelStore } from '../store/sql/logged-models/sql-logged-model-store.ts'
import { SqlRegistryStore } from '../store/sql/registry/sql-registry-store.ts'
import type { SqlTrackingStore } from '../store/sql/sql-tracking-store.ts'
import { loggedModelRoutes, loggedModelUiRoutes } from './logged-model-routes.ts'
import { registryRoutes } from './registry-routes.ts'
import type { Router } from './router.ts'

/**
 * The model registry and MLflow 3 logged models, on the tracking store's connection. `storage` (the
 * artifact proxy's) serves logged-model artifact listings and downloads.
 */
export function registryMount(
  config: Pick<ServerConfig, 'defaultArtifactRoot' | 'artifactsDestination'>,
  store: SqlTrackingStore,
  storage: ArtifactStorage | undefined,
  env: NodeJS.ProcessEnv = process.env,
): (router: Router) => void {
  const readContext = store.readContext
  const registry = new SqlRegistryStore(store.context, {
    readContext,
    defaultArtifactRoot: config.defaultArtifactRoot,
    artifactsDestination: config.artifactsDestination,
    sourceRegex: env.MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX || undefined,
    allowedHostSchemes: (env.MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES ?? '')
      .split(',')
      .map((scheme) => scheme.trim())
      .filter((scheme) => scheme !== ''),
  })
  const loggedModels = new SqlLoggedModelStore(store.context, readContext)
  return (router) => {
    router.add(registryRoutes(registry))
    router.add(loggedModelRoutes(loggedModels, storage))
    if (storage) router.addUnprefixed(loggedModelUiRoutes(loggedModels, storage))
  }
}

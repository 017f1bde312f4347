import { artifactMount } from '../artifacts/artifact-mount.ts'
import type { ServerConfig } from '../config.ts'
import type { SqlTrackingStore } from '../store/sql/sql-tracking-store.ts'
import { registryMount } from './registry-mount.ts'
import type { Router } from './router.ts'
import { mountStaticUi } from './static-ui.ts'

export interface MountDeps {
  config: ServerConfig
  store: SqlTrackingStore
}

export interface Mounts {
  mount: ((router: Router) => void)[]
  /** Fields features add to `/api/3.0/mlflow/server-info` (e.g. multipart capabilities). */
  serverInfo: Record<string, unknown>
  close(): Promise<void>
}

/**
 * The route groups beyond tracking (artifacts, registry, logged models, UI), built once at start.
 * Each feature adds one entry here.
 */
export async function buildMounts(_deps: MountDeps): Promise<Mounts> {
  const mount: Mounts['mount'] = []
  const closers: (() => Promise<void>)[] = []
  mount.push((router) => mountStaticUi(router))
  const serverInfo: Mounts['serverInfo'] = {}
  const artifacts = artifactMount(_deps.config, _deps.store)
  mount.push(artifacts.mount)
  closers.push(artifacts.close)
  Object.assign(serverInfo, artifacts.serverInfo)
  mount.push(registryMount(_deps.config, _deps.store, artifacts.storage))
  return {
    mount,
    serverInfo,
    close: async () => {
      for (const close of closers) await close()
    },
  }
}

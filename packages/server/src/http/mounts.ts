import type { ServerConfig } from '../config.ts'
import type { SqlTrackingStore } from '../store/sql/sql-tracking-store.ts'
import type { Router } from './router.ts'

export interface MountDeps {
  config: ServerConfig
  store: SqlTrackingStore
}

export interface Mounts {
  mount: ((router: Router) => void)[]
  close(): Promise<void>
}

/**
 * The route groups beyond tracking (artifacts, registry, logged models, UI), built once at start.
 * Each feature adds one entry here.
 */
export async function buildMounts(_deps: MountDeps): Promise<Mounts> {
  const mount: Mounts['mount'] = []
  const closers: (() => Promise<void>)[] = []
  return {
    mount,
    close: async () => {
      for (const close of closers) await close()
    },
  }
}

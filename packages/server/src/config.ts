/** Server settings, from `carnet server` flags (mirroring `mlflow server`) and CARNET_* variables. */
export interface ServerConfig {
  host: string
  port: number
  backendStoreUri: string
  /** Root for new experiments' artifact locations. */
  defaultArtifactRoot: string
  /** Where the artifact proxy stores files (a path or a URI). */
  artifactsDestination: string
  serveArtifacts: boolean
  artifactsOnly: boolean
  workers: number
  /** SQLite durability: NORMAL survives process crashes, FULL also power loss (CARNET_SQLITE_SYNCHRONOUS). */
  sqliteSynchronous: 'NORMAL' | 'FULL'
  /** Largest accepted JSON request body, in bytes. */
  maxRequestBytes: number
}

export const MLFLOW_COMPAT_VERSION = '3.17.2'
export const CARNET_VERSION = '0.1.0'

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 5000,
  backendStoreUri: 'sqlite:///mlflow.db',
  artifactsDestination: './mlartifacts',
  maxRequestBytes: 64 * 1024 * 1024,
} as const

/** MLflow's rule: the proxy root when artifacts are served, else a local ./mlruns folder. */
export function defaultArtifactRootFor(serveArtifacts: boolean, given: string | undefined): string {
  if (given) return given
  return serveArtifacts ? 'mlflow-artifacts:/' : './mlruns'
}

export function envMaxRequestBytes(env: NodeJS.ProcessEnv): number {
  const value = Number(env['CARNET_MAX_REQUEST_BYTES'])
  return Number.isFinite(value) && value > 0 ? value : DEFAULTS.maxRequestBytes
}

export function envSqliteSynchronous(env: NodeJS.ProcessEnv): 'NORMAL' | 'FULL' {
  return env['CARNET_SQLITE_SYNCHRONOUS']?.toUpperCase() === 'FULL' ? 'FULL' : 'NORMAL'
}

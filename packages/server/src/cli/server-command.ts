import { createServer } from 'node:http'
import { resolve } from 'node:path'
import { resolveLocalRoot } from '../artifacts/artifact-location.ts'
import {
  DEFAULTS,
  defaultArtifactRootFor,
  envMaxRequestBytes,
  envSqliteSynchronous,
  type ServerConfig,
} from '../config.ts'
import { createApp } from '../http/app.ts'
import { buildMounts } from '../http/mounts.ts'
import { redact } from '../store/sql/dialects/database-uri.ts'
import { SqlTrackingStore } from '../store/sql/sql-tracking-store.ts'
import { parseArgs } from './args.ts'
import { describeStoreError } from './store-error.ts'

const BOOLEAN_FLAGS = new Set(['serve-artifacts', 'artifacts-only', 'dev'])
const KNOWN = new Set([
  ...BOOLEAN_FLAGS,
  'backend-store-uri',
  'registry-store-uri',
  'default-artifact-root',
  'artifacts-destination',
  'host',
  'h',
  'port',
  'p',
  'workers',
  'w',
  'static-prefix',
  'gunicorn-opts',
  'waitress-opts',
  'uvicorn-opts',
  'expose-prometheus',
  'app-name',
  'allowed-hosts',
  'cors-allowed-origins',
])

export const SERVER_USAGE = `Usage: carnet server [OPTIONS]

Runs the tracking server (the mlflow server flags work unchanged).

  --backend-store-uri URI        sqlite:///mlflow.db (default), postgresql://…, mysql://…
  --default-artifact-root URI    root for new experiments' artifacts (default mlflow-artifacts:/)
  --artifacts-destination PATH   where proxied artifacts are stored (default ./mlartifacts)
  --serve-artifacts / --no-serve-artifacts   proxy artifacts through the server (default on)
  --artifacts-only               serve artifacts only
  -h, --host HOST                interface to bind (default 127.0.0.1)
  -p, --port PORT                port (default 5000)
  -w, --workers N                accepted for compatibility; Carnet serves from one process`

export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const normalized = argv.map((a) =>
    a === '-h' ? '--host' : a === '-p' ? '--port' : a === '-w' ? '--workers' : a,
  )
  const { positionals, options } = parseArgs(normalized, BOOLEAN_FLAGS, KNOWN)
  if (positionals.length > 0) throw new Error(`Unexpected argument '${positionals[0]}'`)
  for (const name of options.keys()) {
    if (!KNOWN.has(name)) throw new Error(`No such option: --${name}`)
  }
  const text = (name: string, fallback?: string) => {
    const value = options.get(name)
    return typeof value === 'string' ? value : fallback
  }
  const port = Number(text('port', env['CARNET_PORT'] ?? String(DEFAULTS.port)))
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`Invalid port '${text('port')}'`)
  const workers = Number(text('workers', '1'))
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`Invalid value for --workers: '${text('workers')}'`)
  const serveArtifacts = options.get('serve-artifacts') !== false
  const artifactsDestination = text('artifacts-destination', DEFAULTS.artifactsDestination)!
  const artifactsOnly = options.get('artifacts-only') === true
  const givenBackend = text('backend-store-uri', env['MLFLOW_BACKEND_STORE_URI'])
  if (artifactsOnly && givenBackend && givenBackend !== DEFAULTS.backendStoreUri) {
    // mlflow-compat: an artifacts-only server has no backend store.
    throw new Error(
      `You are starting a tracking server in \`--artifacts-only\` mode and have provided a value for \`--backend_store_uri\`: '${givenBackend}'. A tracking server in \`--artifacts-only\` mode cannot have a value set for \`--backend_store_uri\` to properly proxy access to the artifact storage location.`,
    )
  }
  return {
    host: text('host', env['CARNET_HOST'] ?? DEFAULTS.host)!,
    port,
    backendStoreUri: text(
      'backend-store-uri',
      env['MLFLOW_BACKEND_STORE_URI'] ?? DEFAULTS.backendStoreUri,
    )!,
    // A relative local root is resolved against the server's directory, as MLflow does.
    defaultArtifactRoot: resolveLocalRoot(
      defaultArtifactRootFor(serveArtifacts, text('default-artifact-root')),
    ),
    artifactsDestination: /^[a-z][a-z0-9+.-]*:/i.test(artifactsDestination)
      ? artifactsDestination
      : resolve(artifactsDestination),
    serveArtifacts,
    artifactsOnly,
    workers,
    maxRequestBytes: envMaxRequestBytes(env),
    sqliteSynchronous: envSqliteSynchronous(env),
  }
}

/** Opens the store (creating or checking the schema) first, so the server never starts half-way. */
export async function runServer(config: ServerConfig): Promise<{ close(): Promise<void> }> {
  const store = await SqlTrackingStore.open({
    // An artifacts-only server answers 503 on every tracking route: it keeps no database.
    uri: config.artifactsOnly ? 'sqlite:///:memory:' : config.backendStoreUri,
    defaultArtifactRoot: config.defaultArtifactRoot,
    artifactsDestination: config.serveArtifacts ? config.artifactsDestination : undefined,
    sqliteSynchronous: config.sqliteSynchronous,
  }).catch((error: unknown) => {
    throw describeStoreError(error, config.backendStoreUri)
  })
  const mounts = await buildMounts({ config, store })
  const server = createServer(
    { keepAliveTimeout: 65_000 },
    createApp({ store, config, mount: mounts.mount, serverInfo: mounts.serverInfo }),
  )
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => resolveListen())
    })
  } catch (error) {
    await mounts.close()
    await store.close()
    const code = (error as { code?: string }).code ?? ''
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${code || String(error)}`)
  }
  console.error(
    `Carnet is listening at http://${config.host}:${config.port} (backend ${redact(config.backendStoreUri)}, artifacts ${config.defaultArtifactRoot})`,
  )
  return {
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()))
      server.closeAllConnections()
      await mounts.close()
      await store.close()
    },
  }
}

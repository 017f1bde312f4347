import type { IncomingMessage, ServerResponse } from 'node:http'
import { MlflowError } from '@carnet/protocol'
import { CARNET_VERSION, MLFLOW_COMPAT_VERSION, type ServerConfig } from '../config.ts'
import type { TrackingStore } from '../store/tracking-store.ts'
import { artifactsOnlyRefusal } from './artifact-routes.ts'
import { parseJsonObject, parseQuery, readBody } from './body.ts'
import { experimentRoutes } from './experiment-routes.ts'
import { Fields } from './fields.ts'
import { sendError, sendJson, sendText } from './respond.ts'
import { Router } from './router.ts'
import { runRoutes } from './run-routes.ts'
import { uiRoutes } from './ui-routes.ts'

export interface AppDeps {
  store: TrackingStore
  config: Pick<ServerConfig, 'maxRequestBytes'> & Partial<Pick<ServerConfig, 'artifactsOnly'>>
  /** Mounts more routes (artifacts, registry, UI) on the same router. */
  mount?: readonly ((router: Router) => void)[]
  /** Extra `/server-info` fields from the mounted features. */
  serverInfo?: Record<string, unknown>
  log?: (message: string) => void
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

/** Builds the request listener: routing, request decoding, and the one error-to-HTTP translation. */
export function createApp(deps: AppDeps): RequestListener {
  const router = new Router()
    .add(experimentRoutes(deps.store))
    .add(runRoutes(deps.store))
    .add(uiRoutes(deps.store))
  router.add(
    [
      {
        method: 'GET',
        path: '/mlflow/server-info',
        handler: async () => ({ ...SERVER_INFO, ...deps.serverInfo }),
      },
    ],
    ['3.0'],
  )
  for (const mount of deps.mount ?? []) mount(router)
  const log = deps.log ?? ((message: string) => console.error(message))

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof MlflowError) return sendError(res, error)
      log(
        `Internal error on ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`,
      )
      sendError(res, new MlflowError('INTERNAL_ERROR', 'Internal server error'))
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // HEAD is answered as GET; Node drops the body.
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET')
    if (url.pathname === '/health') return sendText(res, 200, 'OK')
    if (url.pathname === '/version') return sendText(res, 200, MLFLOW_COMPAT_VERSION)
    const match = router.match(method, url.pathname)
    if (match.kind !== 'found') {
      req.resume()
      const status = match.kind === 'method-not-allowed' ? 405 : 404
      // mlflow-compat: clients map a 404 to ENDPOINT_NOT_FOUND.
      throw new MlflowError(
        'ENDPOINT_NOT_FOUND',
        status === 405
          ? `Method ${method} is not allowed for ${url.pathname}`
          : `No API endpoint matches ${method} ${url.pathname}`,
        { status },
      )
    }
    // mlflow-compat: --artifacts-only answers 503 everywhere but the artifact proxy.
    const refusal = deps.config.artifactsOnly ? artifactsOnlyRefusal(url.pathname) : undefined
    if (refusal) {
      req.resume()
      return sendText(res, 503, refusal)
    }
    if ('raw' in match.handler) return match.handler.raw(req, res, match.params, url)
    const fields = await readFields(req, method, url)
    sendJson(res, 200, await match.handler.json(fields, match.params))
  }

  async function readFields(req: IncomingMessage, method: string, url: URL): Promise<Fields> {
    if (method === 'GET' && url.search.length > 1) {
      req.resume()
      return new Fields(parseQuery(url.searchParams), { fromQuery: true })
    }
    if (method === 'POST' || method === 'PUT') checkContentType(req.headers['content-type'])
    const body = await readBody(req, deps.config.maxRequestBytes)
    return new Fields(parseJsonObject(body))
  }
}

const SERVER_INFO = { store_type: 'SqlStore', workspaces_enabled: false }

export { CARNET_VERSION }

function checkContentType(header: string | undefined): void {
  // mlflow-compat
  if (!header) throw MlflowError.invalidParameter('Bad Request. Content-Type header is missing.')
  const media = header.split(';')[0]!.trim().toLowerCase()
  if (media !== 'application/json') {
    throw MlflowError.invalidParameter(
      "Bad Request. Content-Type must be one of ['application/json'].",
    )
  }
}

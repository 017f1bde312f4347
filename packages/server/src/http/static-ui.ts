/**
 * Serves the web UI built into packages/ui/dist: `/` → index.html, hashed bundles under
 * `/static-files/` with a long cache, and index.html for client routes (history-style links
 * like /experiments/1 are turned into hash routes by the page). API paths never fall back.
 */
import { createReadStream, existsSync, type Stats, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RawHandler, RouteDef, Router } from './router.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}

/** First-segment names of the UI's client routes (MLflow's URL shapes). */
const CLIENT_ROUTES = [
  'experiments',
  'runs',
  'compare-runs',
  'models',
  'metric',
  'compare-experiments',
]

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
}

/** Where the built UI lives: next to the server package, from the sources or from dist/. */
export function defaultUiDir(): string {
  const candidates = ['../../../ui/dist', '../../ui/dist'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  )
  return candidates.find((dir) => existsSync(resolve(dir, 'index.html'))) ?? candidates[0]!
}

/** Resolves `rel` inside `root`, or undefined when it escapes (path traversal) or is not a file. */
export function safeFile(root: string, rel: string): { path: string; stat: Stats } | undefined {
  if (rel.includes('\0')) return undefined
  const base = resolve(root)
  const path = resolve(base, `.${sep}${rel}`)
  if (path !== base && !path.startsWith(base + sep)) return undefined
  try {
    const stat = statSync(path)
    return stat.isFile() ? { path, stat } : undefined
  } catch {
    return undefined
  }
}

function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: { path: string; stat: Stats },
  cache: string,
) {
  const etag = `W/"${file.stat.size.toString(16)}-${Math.floor(file.stat.mtimeMs).toString(16)}"`
  const headers = {
    'Content-Type': TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': cache,
    ETag: etag,
    ...SECURITY_HEADERS,
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'Content-Length': file.stat.size })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file.path).pipe(res)
}

function notBuilt(res: ServerResponse): void {
  const body =
    'The Carnet web UI is not built. Run `npm run build` (or `npm run build -w @carnet/ui`) and reload.\n'
  res.writeHead(503, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  })
  res.end(body)
}

/** Mounts the UI routes on the router (outside the API prefixes). */
export function mountStaticUi(router: Router, uiDir: string = defaultUiDir()): void {
  const index: RawHandler = async (req, res) => {
    req.resume()
    const file = safeFile(uiDir, 'index.html')
    if (!file) return notBuilt(res)
    // index.html names the hashed bundles, so it must never be cached stale
    sendFile(req, res, file, 'no-cache')
  }
  const asset: RawHandler = async (req, res, params) => {
    req.resume()
    const file = safeFile(uiDir, `static-files/${params.path ?? ''}`)
    if (!file) {
      const body = 'Not found\n'
      res.writeHead(404, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': body.length,
      })
      res.end(body)
      return
    }
    // mlflow-compat: MLflow serves /static-files with max_age 2419200; Vite names are content-hashed
    sendFile(req, res, file, 'public, max-age=31536000, immutable')
  }
  const routes: RouteDef[] = [
    { method: 'GET', path: '/', raw: index },
    { method: 'GET', path: '/index.html', raw: index },
    { method: 'GET', path: '/static-files/{path+}', raw: asset },
  ]
  for (const name of CLIENT_ROUTES) {
    routes.push({ method: 'GET', path: `/${name}`, raw: index })
    routes.push({ method: 'GET', path: `/${name}/{rest+}`, raw: index })
  }
  router.addUnprefixed(routes)
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import { MlflowError } from '@carnet/protocol'
import type { Fields } from './fields.ts'

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'

/** Route parameters captured from the path, e.g. `{model_id}`. */
export type PathParams = Record<string, string>

export type JsonHandler = (fields: Fields, params: PathParams) => Promise<object>

/** A handler that owns the response, for streaming bodies (artifacts, static files). */
export type RawHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: PathParams,
  url: URL,
) => Promise<void>

export type Handler = { json: JsonHandler } | { raw: RawHandler }

export type RouteDef = {
  method: Method
  /**
   * Path after the `/api/2.0` or `/ajax-api/2.0` prefix, e.g. `/mlflow/runs/create`.
   * `{name}` captures one segment, `{name+}` the rest of the path.
   */
  path: string
} & ({ handler: JsonHandler } | { raw: RawHandler })

interface Compiled {
  method: Method
  pattern: RegExp
  names: string[]
  handler: Handler
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: PathParams }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' }

/**
 * MLflow mounts every RPC under `/api/<major>.0` and `/ajax-api/<major>.0`. Fixed paths are a map
 * lookup; the few paths with parameters are matched by pattern.
 */
export class Router {
  readonly #exact = new Map<string, Map<Method, Handler>>()
  readonly #patterns: Compiled[] = []

  add(routes: readonly RouteDef[], versions: readonly string[] = ['2.0']): this {
    for (const route of routes) {
      for (const version of versions) {
        for (const prefix of ['/api/', '/ajax-api/']) {
          this.#addOne(`${prefix}${version}${route.path}`, route)
        }
      }
    }
    return this
  }

  /** Routes outside the API prefixes, such as `/get-artifact`. */
  addUnprefixed(routes: readonly RouteDef[]): this {
    for (const route of routes) this.#addOne(route.path, route)
    return this
  }

  #addOne(fullPath: string, route: RouteDef): void {
    const handler: Handler = 'raw' in route ? { raw: route.raw } : { json: route.handler }
    if (!fullPath.includes('{')) {
      const methods = this.#exact.get(fullPath) ?? new Map<Method, Handler>()
      methods.set(route.method, handler)
      this.#exact.set(fullPath, methods)
      return
    }
    const names: string[] = []
    const source = fullPath
      .split(/(\{\w+\+?\})/)
      .map((part) => {
        const param = /^\{(\w+)(\+?)\}$/.exec(part)
        if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        names.push(param[1]!)
        return param[2] ? '(.+)' : '([^/]+)'
      })
      .join('')
    this.#patterns.push({
      method: route.method,
      pattern: new RegExp(`^${source}$`),
      names,
      handler,
    })
  }

  match(method: string, path: string): RouteMatch {
    const exact = this.#exact.get(path)
    if (exact) {
      const handler = exact.get(method as Method)
      return handler ? { kind: 'found', handler, params: {} } : { kind: 'method-not-allowed' }
    }
    let pathMatched = false
    for (const route of this.#patterns) {
      const found = route.pattern.exec(path)
      if (!found) continue
      pathMatched = true
      if (route.method !== method) continue
      const params: PathParams = {}
      route.names.forEach((name, i) => {
        params[name] = decodeParam(found[i + 1]!)
      })
      return { kind: 'found', handler: route.handler, params }
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' }
  }
}

/** A malformed escape (`%E0%A4%A`) is the client's error, not a 500. */
function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    throw MlflowError.invalidParameter(`Malformed percent-encoding in the URL path: '${value}'`)
  }
}

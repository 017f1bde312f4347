/** The UI's one HTTP client: MLflow's REST API under /ajax-api, errors carrying the server's message. */

export const API_BASE = 'ajax-api/2.0/mlflow'

/** An MLflow error answer (`{error_code, message}`) or a transport failure. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  constructor(message: string, status: number, code: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

export type QueryValue = string | number | boolean | undefined | null | readonly string[]

/** Builds a query string; arrays repeat the key, as MLflow's GET handlers expect. */
export function toQuery(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) for (const v of value) search.append(key, v)
    else search.append(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** Resolves a server path against the page's base, so a reverse-proxy prefix keeps working. */
export function serverUrl(path: string): string {
  return path.startsWith('/') ? path : `${basePath()}${path}`
}

function basePath(): string {
  if (typeof location === 'undefined') return '/'
  const p = location.pathname
  return p.endsWith('/') ? p : p.slice(0, p.lastIndexOf('/') + 1)
}

async function readError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string }
    if (body && typeof body.message === 'string') {
      return new ApiError(body.message, res.status, body.error_code ?? 'UNKNOWN')
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const message = text.trim().slice(0, 500) || `${res.status} ${res.statusText}`
  return new ApiError(message, res.status, res.status === 404 ? 'ENDPOINT_NOT_FOUND' : 'HTTP_ERROR')
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let res: Response
  try {
    res = await fetch(serverUrl(path), {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(`Cannot reach the server: ${String(error)}`, 0, 'NETWORK_ERROR')
  }
  if (!res.ok) throw await readError(res)
  const text = await res.text()
  return (text ? JSON.parse(text) : {}) as T
}

/** GET `/ajax-api/2.0/mlflow/<rpc>?…`. */
export function apiGet<T>(
  rpc: string,
  params: Record<string, QueryValue> = {},
  signal?: AbortSignal,
): Promise<T> {
  return request<T>('GET', `${API_BASE}/${rpc}${toQuery(params)}`, undefined, signal)
}

/** POST / PATCH / DELETE `/ajax-api/2.0/mlflow/<rpc>` with a JSON body. */
export function apiSend<T>(
  method: 'POST' | 'PATCH' | 'DELETE',
  rpc: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<T> {
  return request<T>(method, `${API_BASE}/${rpc}`, body, signal)
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/** Hash routing (`#/experiments/1/runs/<id>`, the URL shape MLflow's client prints). */
import { type AnchorHTMLAttributes, useSyncExternalStore } from 'react'

export interface HashLocation {
  /** Path part of the hash, always starting with `/`. */
  path: string
  query: URLSearchParams
  /** The raw hash without `#`, used as a stable identity. */
  href: string
}

function readHash(): string {
  const raw = typeof location === 'undefined' ? '' : location.hash.replace(/^#/, '')
  return raw.startsWith('/') ? raw : `/${raw}`
}

export function parseHref(href: string): HashLocation {
  const q = href.indexOf('?')
  const path = q < 0 ? href : href.slice(0, q)
  return { path: path || '/', query: new URLSearchParams(q < 0 ? '' : href.slice(q + 1)), href }
}

const listeners = new Set<() => void>()
let cached: HashLocation | undefined

function snapshot(): HashLocation {
  const href = readHash()
  if (!cached || cached.href !== href) cached = parseHref(href)
  return cached
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  const onHash = () => listener()
  window.addEventListener('hashchange', onHash)
  return () => {
    listeners.delete(listener)
    window.removeEventListener('hashchange', onHash)
  }
}

export function useLocation(): HashLocation {
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}

/** Moves to `to` (a path with optional query, without `#`). `replace` keeps history clean for view-state edits. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const target = `#${to}`
  if (location.hash === target) return
  if (options.replace) {
    history.replaceState(history.state, '', target)
    for (const listener of listeners) listener()
  } else {
    location.hash = to
  }
}

/** `/experiments/:id/runs/:runId` → params, or undefined when the path does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean)
  const have = path.split('/').filter(Boolean)
  const rest = want[want.length - 1] === '*'
  if (rest ? have.length < want.length - 1 : have.length !== want.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!
    if (w === '*') {
      params['*'] = have.slice(i).map(safeDecode).join('/')
      break
    }
    const h = have[i]!
    if (w.startsWith(':')) params[w.slice(1)] = safeDecode(h)
    else if (w !== h) return undefined
  }
  return params
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

/** Encodes one path segment (model names may contain spaces or slashes). */
export const seg = (value: string): string => encodeURIComponent(value)

/** Builds `path?query` dropping empty values. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v) search.set(k, v)
  const text = search.toString()
  return text ? `${path}?${text}` : path
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }

/** An anchor to a hash route: plain clicks stay in the app, modified clicks open tabs as usual. */
export function Link({ to, ...rest }: LinkProps) {
  return <a href={`#${to}`} {...rest} />
}

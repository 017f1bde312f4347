/** Shareable view state kept in the hash query (filter, columns, sort, selection, chart settings). */
import { useCallback } from 'react'
import { navigate, useLocation } from './router.tsx'

export type QueryPatch = Record<string, string | undefined | null>

/** Applies a patch to the current hash query; empty values remove the key. */
export function patchQuery(patch: QueryPatch, options: { push?: boolean } = {}): void {
  const raw = location.hash.replace(/^#/, '') || '/'
  const q = raw.indexOf('?')
  const path = q < 0 ? raw : raw.slice(0, q)
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1))
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === null || value === '') query.delete(key)
    else query.set(key, value)
  }
  const text = query.toString()
  navigate(text ? `${path}?${text}` : path, { replace: !options.push })
}

/** One query key as state. */
export function useUrlParam(
  key: string,
): [string | undefined, (value: string | undefined) => void] {
  const { query } = useLocation()
  const value = query.get(key) ?? undefined
  const set = useCallback((next: string | undefined) => patchQuery({ [key]: next }), [key])
  return [value, set]
}

/** Reads a comma-separated list param (values are URI-component encoded individually). */
export function decodeList(value: string | undefined | null): string[] {
  if (!value) return []
  return value.split(',').filter(Boolean).map(decodeURIComponent)
}

export function encodeList(values: readonly string[]): string | undefined {
  return values.length ? values.map(encodeURIComponent).join(',') : undefined
}

/** MLflow's compare URL uses JSON arrays (`runs=["a","b"]`); accept both that and a comma list. */
export function decodeJsonList(value: string | null | undefined): string[] {
  if (!value) return []
  const text = value.trim()
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text)
      if (Array.isArray(parsed)) return parsed.map(String)
    } catch {
      return []
    }
  }
  return decodeList(text)
}

/** Runs from runs/search indexed for fast cell lookup; built once per run object. */
import type { Metric, Run } from '@carnet/protocol'

export const PARENT_TAG = 'mlflow.parentRunId'
export const RUN_NAME_TAG = 'mlflow.runName'
export const SOURCE_TAG = 'mlflow.source.name'
export const NOTE_TAG = 'mlflow.note.content'

export interface RunRow {
  run: Run
  id: string
  name: string
  params: Map<string, string>
  metrics: Map<string, Metric>
  tags: Map<string, string>
  parentId: string | undefined
}

const cache = new WeakMap<Run, RunRow>()

export function indexRun(run: Run): RunRow {
  const hit = cache.get(run)
  if (hit) return hit
  const tags = new Map((run.data.tags ?? []).map((t) => [t.key, t.value] as const))
  const row: RunRow = {
    run,
    id: run.info.run_id,
    name: run.info.run_name || tags.get(RUN_NAME_TAG) || run.info.run_id,
    params: new Map((run.data.params ?? []).map((p) => [p.key, p.value] as const)),
    metrics: new Map((run.data.metrics ?? []).map((m) => [m.key, m] as const)),
    tags,
    parentId: tags.get(PARENT_TAG),
  }
  cache.set(run, row)
  return row
}

export interface RunKeys {
  metrics: string[]
  params: string[]
  tags: string[]
}

/** Union of metric / param / tag keys over the given runs, sorted. */
export function collectKeys(rows: readonly RunRow[]): RunKeys {
  const metrics = new Set<string>()
  const params = new Set<string>()
  const tags = new Set<string>()
  for (const r of rows) {
    for (const k of r.metrics.keys()) metrics.add(k)
    for (const k of r.params.keys()) params.add(k)
    for (const k of r.tags.keys()) tags.add(k)
  }
  // plain code-unit order: localeCompare's first call initialises ICU collation (tens of ms)
  const sorted = (s: Set<string>) => [...s].sort()
  return { metrics: sorted(metrics), params: sorted(params), tags: sorted(tags) }
}

/** Union of several key sets (one per loaded page), sorted. */
export function mergeKeys(parts: readonly RunKeys[]): RunKeys {
  if (parts.length === 1) return parts[0]!
  const merge = (pick: (k: RunKeys) => string[]) => [...new Set(parts.flatMap(pick))].sort()
  return {
    metrics: merge((k) => k.metrics),
    params: merge((k) => k.params),
    tags: merge((k) => k.tags),
  }
}

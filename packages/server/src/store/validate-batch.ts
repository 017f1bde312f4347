import type { KeyValue } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import type { BatchInput } from './tracking-store.ts'
import { exceeds, LIMITS, validateKey } from './validation.ts'

const invalid = MlflowError.invalidParameter

/** Python's repr of a float, as MLflow's messages print values. */
function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value)
}

function checkCount(count: number, limit: number, what: string): void {
  if (count > limit) {
    // mlflow-compat
    throw invalid(
      `A batch logging request can contain at most ${limit} ${what}. Got ${count} ${what}. Please split up ${what} across multiple requests and try again.`,
    )
  }
}

function checkKeyLength(key: string, what: string): void {
  if (exceeds(key, LIMITS.entityKey)) {
    throw invalid(`'${what}' exceeds the maximum length of ${LIMITS.entityKey} characters`)
  }
}

/** Values over the limit are cut, as MLflow does by default (MLFLOW_TRUNCATE_LONG_VALUES). */
function truncate(value: string, limit: number): string {
  return exceeds(value, limit) ? [...value].slice(0, limit).join('') : value
}

export function normalizeParam(param: KeyValue, path = 'key'): KeyValue {
  validateKey(param.key, path)
  checkKeyLength(param.key, 'Param key')
  return { key: param.key, value: truncate(param.value, LIMITS.paramValue) }
}

export function normalizeRunTag(tag: KeyValue, path = 'key'): KeyValue {
  validateKey(tag.key, path)
  checkKeyLength(tag.key, 'key')
  return { key: tag.key, value: truncate(tag.value, LIMITS.runTagValue) }
}

/**
 * Validates a whole batch before anything is written, so a bad entry writes nothing. Single-entity
 * RPCs (log-metric, log-parameter, set-tag) name the offending field `key`, batches `params[i].key`.
 */
export function normalizeBatch(batch: BatchInput, single = false): BatchInput {
  const { metrics, params, tags } = batch
  const path = (list: string, i: number) => (single ? 'key' : `${list}[${i}].key`)
  checkCount(metrics.length, LIMITS.metricsPerBatch, 'metrics')
  checkCount(params.length, LIMITS.paramsPerBatch, 'params')
  checkCount(tags.length, LIMITS.tagsPerBatch, 'tags')
  checkCount(
    metrics.length + params.length + tags.length,
    LIMITS.entitiesPerBatch,
    'metrics, params, and tags',
  )
  metrics.forEach((m, i) => {
    // mlflow-compat: batch metric keys are reported as `metrics[i].name`.
    validateKey(m.key, single ? 'key' : `metrics[${i}].name`)
    checkKeyLength(m.key, 'Metric name')
    if (!Number.isInteger(m.timestamp) || m.timestamp < 0) {
      // mlflow-compat
      const field = single ? 'timestamp' : `metrics[${i}].timestamp`
      throw invalid(
        `Invalid value ${m.timestamp} for parameter '${field}' supplied: metric '${m.key}' (value=${pyFloat(m.value)}). Timestamp must be a nonnegative long (64-bit integer) `,
      )
    }
    if (!Number.isInteger(m.step)) {
      throw invalid(
        `Invalid value "${m.step}" for parameter 'metrics[${i}].step' supplied: Step must be a valid long (64-bit integer)`,
      )
    }
  })
  const seen = new Map<string, string>()
  const duplicates = new Set<string>()
  for (const p of params) {
    const prior = seen.get(p.key)
    if (prior !== undefined && prior !== p.value) duplicates.add(p.key)
    seen.set(p.key, p.value)
  }
  if (duplicates.size > 0) {
    // mlflow-compat
    throw invalid(
      `Duplicate parameter keys have been submitted: [${[...duplicates].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`,
    )
  }
  return {
    metrics,
    params: params.map((p, i) => normalizeParam(p, path('params', i))),
    tags: tags.map((t, i) => normalizeRunTag(t, path('tags', i))),
  }
}

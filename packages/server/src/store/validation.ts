import { MlflowError } from '@carnet/protocol'

/** MLflow's limits (mlflow/utils/validation.py), enforced identically by every store. */
export const LIMITS = {
  entityKey: 250,
  paramValue: 6000,
  runTagValue: 8000,
  experimentTagValue: 20000, // MLflow 3.17 widened experiment_tags.value
  experimentName: 500,
  artifactLocation: 2048,
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
  searchMaxResults: 50000,
} as const

const invalid = (message: string) => MlflowError.invalidParameter(message)

// mlflow-compat: Unicode word characters, slash, dot, dash, space and colon.
const KEY_PATTERN = /^[/\p{L}\p{N}_.\- :]*$/u

function normalizePosix(name: string): string {
  const parts: string[] = []
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop()
    else parts.push(part)
  }
  const joined = parts.join('/')
  return (name.startsWith('/') ? `/${joined}` : joined) || '.'
}

/** Validates a metric, param or tag key: allowed characters and a path that resolves to itself. */
export function validateKey(key: string, parameter = 'key'): void {
  if (!KEY_PATTERN.test(key)) {
    // mlflow-compat
    throw invalid(
      `Invalid value "${key}" for parameter '${parameter}' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    )
  }
  const normalized = normalizePosix(key)
  if (normalized !== key || key === '.' || key.startsWith('..') || key.startsWith('/')) {
    // mlflow-compat
    throw invalid(
      `Invalid value "${key}" for parameter '${parameter}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normalized}'`,
    )
  }
}

/** mlflow-compat: "'<what>' exceeds the maximum length of N characters". */
export function checkLength(value: string, limit: number, what: string): void {
  if ([...value].length > limit) {
    throw invalid(`'${what}' exceeds the maximum length of ${limit} characters`)
  }
}

/** Length check that counts code points only when the cheap UTF-16 length might exceed the limit. */
export function exceeds(value: string, limit: number): boolean {
  return value.length > limit && [...value].length > limit
}

export function validateMetricKey(key: string, parameter = 'key'): void {
  validateKey(key, parameter)
  if (exceeds(key, LIMITS.entityKey)) {
    throw invalid(`'${parameter}' exceeds the maximum length of ${LIMITS.entityKey} characters`)
  }
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw invalid(`Invalid experiment name: '${name ?? ''}'`)
  }
  if (exceeds(name, LIMITS.experimentName)) {
    throw invalid(`'name' exceeds the maximum length of ${LIMITS.experimentName} characters`)
  }
  return name
}

/** mlflow-compat: SQL stores need integer experiment ids. */
export function parseExperimentId(id: string): number {
  if (!/^-?\d{1,18}$/.test(id.trim())) {
    throw invalid(`Invalid experiment ID '${id}'. Experiment ID must be a valid integer.`)
  }
  return Number(id.trim())
}

const RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/

export function validateRunId(runId: string): void {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw invalid(`Invalid value "${runId}" for parameter 'run_id' supplied.`)
  }
}

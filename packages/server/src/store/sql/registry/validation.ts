/** The model registry's input rules (mlflow/utils/validation.py), with MLflow's messages. */
import type { KeyValue } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { exceeds, validateKey } from '../../validation.ts'

const invalid = (message: string) => MlflowError.invalidParameter(message)

export const REGISTRY_LIMITS = {
  tagKey: 250,
  tagValue: 100_000,
  alias: 255,
} as const

export const PROMPT_TAG = 'mlflow.prompt.is_prompt'
const PROMPT_TEXT_TAG = 'mlflow.prompt.text'

/** posixpath.normpath, for the "path-unique" rule. */
function normpath(path: string): string {
  if (path === '') return '.'
  const absolute = path.startsWith('/')
  // POSIX keeps exactly two leading slashes; three or more collapse to one.
  const doubled = absolute && path.startsWith('//') && !path.startsWith('///')
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part !== '..' || (!absolute && parts.length === 0) || parts.at(-1) === '..') {
      parts.push(part)
    } else if (parts.length > 0) {
      parts.pop()
    }
  }
  const joined = parts.join('/')
  const prefix = absolute ? (doubled ? '//' : '/') : ''
  return prefix + joined || '.'
}

function pathNotUnique(name: string): boolean {
  const norm = normpath(name)
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/')
}

const missingName = (path: string) => invalid(`Missing value for required parameter '${path}'.`)

/** mlflow-compat: registered model names are non-blank, without '/' or ':', and path-unique. */
export function validateModelName(name: string | undefined, path = 'name'): string {
  if (name === undefined || name.trim() === '') throw missingName(path)
  if (name.includes('/') || name.includes(':')) {
    throw invalid(`Invalid model name '${name}'. Names cannot contain '/' or ':'.`)
  }
  if (pathNotUnique(name)) {
    throw invalid(
      `Invalid value ${JSON.stringify(name)} for parameter '${path}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normpath(name)}'`,
    )
  }
  return name
}

/** mlflow-compat: versions are integers; anything else is refused with this message. */
export function parseVersion(version: string | number | undefined): number {
  const text = version === undefined ? '' : String(version)
  if (!/^\s*[+-]?\d+\s*$/.test(text)) {
    throw invalid(`Parameter 'version' must be an integer, got '${text}'.`)
  }
  return Number(text.trim())
}

function checkLength(value: string, limit: number, what: string): void {
  if (exceeds(value, limit)) {
    throw invalid(`'${what}' exceeds the maximum length of ${limit} characters`)
  }
}

export function validateRegistryTagKey(key: string): void {
  validateKey(key)
}

export function validateRegisteredModelTag(tag: KeyValue): void {
  validateKey(tag.key)
  checkLength(tag.key, REGISTRY_LIMITS.tagKey, 'key')
  checkLength(tag.value, REGISTRY_LIMITS.tagValue, 'value')
}

export function validateModelVersionTag(tag: KeyValue): void {
  validateKey(tag.key)
  checkLength(tag.key, REGISTRY_LIMITS.tagKey, 'key')
  if (tag.key === PROMPT_TEXT_TAG && exceeds(tag.value, REGISTRY_LIMITS.tagValue)) {
    throw invalid(`Prompt text exceeds max length of ${REGISTRY_LIMITS.tagValue} characters.`)
  }
  checkLength(tag.value, REGISTRY_LIMITS.tagValue, 'value')
}

const ALIAS_PATTERN = /^[\p{L}\p{N}_-]*$/u
const VERSION_ALIAS = /^[vV]\d+$/

/** mlflow-compat: alias names: word characters and dashes, at most 255 characters. */
export function validateAlias(alias: string | undefined): string {
  if (alias === undefined || alias === '') {
    throw invalid('Registered model alias name cannot be empty.')
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw invalid(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    )
  }
  checkLength(alias, REGISTRY_LIMITS.alias, 'Registered model alias name')
  return alias
}

/** mlflow-compat: `latest` (any case) and `v<digits>` cannot be assigned. */
export function validateAliasNotReserved(alias: string): void {
  if (alias.toLowerCase() === 'latest') {
    throw invalid("'latest' alias name (case insensitive) is reserved.")
  }
  if (VERSION_ALIAS.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`)
}

/** Keeps the last value of each key, as MLflow's dict-building does. */
export function lastValuePerKey(tags: readonly KeyValue[]): KeyValue[] {
  const map = new Map<string, string>()
  for (const tag of tags) map.set(tag.key, tag.value)
  return [...map].map(([key, value]) => ({ key, value }))
}

/** The prompt tag rule of MLflow's entities: a `true` value (any case) marks a prompt. */
export function isPromptTagged(tags: readonly KeyValue[]): boolean {
  const value = lastValuePerKey(tags).find((t) => t.key === PROMPT_TAG)?.value
  return (value ?? 'false').toLowerCase() === 'true'
}

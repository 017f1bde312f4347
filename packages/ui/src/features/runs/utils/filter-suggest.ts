/** Autocomplete for the filter box: entity prefixes, then keys of the runs on screen. */
import { quoteKey } from './columns.ts'
import type { RunKeys } from './run-index.ts'

export interface Suggestion {
  label: string
  /** Text that replaces `[from, to)` of the input. */
  insert: string
  from: number
  to: number
}

const ENTITIES = ['metrics.', 'params.', 'tags.', 'attributes.']
const ATTRIBUTES = [
  'run_name',
  'run_id',
  'status',
  'user_id',
  'start_time',
  'end_time',
  'artifact_uri',
]
const ENTITY_KEYS: Record<string, keyof RunKeys | 'attributes'> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attribute: 'attributes',
  attributes: 'attributes',
  attr: 'attributes',
}

/** Suggestions for the word ending at `cursor`; at most `limit`. */
export function suggest(text: string, cursor: number, keys: RunKeys, limit = 12): Suggestion[] {
  const before = text.slice(0, cursor)
  const dotted = /([A-Za-z]+)\.([`"]?)([^\s`"=<>!()]*)$/.exec(before)
  if (dotted) {
    const kind = ENTITY_KEYS[dotted[1]!.toLowerCase()]
    if (!kind) return []
    const partial = dotted[3]!.toLowerCase()
    const from = before.length - dotted[0].length
    const pool = kind === 'attributes' ? ATTRIBUTES : keys[kind]
    const out: Suggestion[] = []
    for (const key of pool) {
      if (!key.toLowerCase().includes(partial)) continue
      out.push({ label: `${kind}.${key}`, insert: `${kind}.${quoteKey(key)} `, from, to: cursor })
      if (out.length >= limit) break
    }
    return out.length === 1 && out[0]!.insert.trim() === before.slice(from).trim() ? [] : out
  }
  const word = /(^|[\s(])([A-Za-z]*)$/.exec(before)
  if (!word) return []
  const partial = word[2]!.toLowerCase()
  const prev = before.slice(0, before.length - partial.length).trimEnd()
  // after an identifier and comparator a value is expected, not a key
  if (prev && !/(\(|\b(and|or|not))$/i.test(prev)) return []
  const from = cursor - partial.length
  return ENTITIES.filter((e) => e.startsWith(partial)).map((e) => ({
    label: e,
    insert: e,
    from,
    to: cursor,
  }))
}

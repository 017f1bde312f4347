/** Runs-table columns: ids use the search language's names (`metrics.acc`, `params.lr`, `tags.team`). */
import { formatMs, formatTime } from '../../../lib/format.ts'
import { type RunRow, SOURCE_TAG } from './run-index.ts'

export type ColumnKind = 'attributes' | 'metrics' | 'params' | 'tags'
export type MetricAgg = 'last' | 'min' | 'max'

export interface Column {
  id: string
  kind: ColumnKind
  key: string
  label: string
  width: number
  /** order_by identifier, when the server can sort by this column. */
  orderKey?: string
}

/** Backticks a key unless it is a plain identifier (the search language's quoting). */
export function quoteKey(key: string): string {
  return /^[A-Za-z_][\w]*$/.test(key) ? key : `\`${key.replace(/`/g, '')}\``
}

const attr = (key: string, label: string, width: number, orderKey?: string): Column => ({
  id: `attributes.${key}`,
  kind: 'attributes',
  key,
  label,
  width,
  orderKey,
})

export const ATTRIBUTE_COLUMNS: readonly Column[] = [
  attr('start_time', 'Created', 168, 'attributes.start_time'),
  attr('duration', 'Duration', 90),
  attr('status', 'Status', 100, 'attributes.status'),
  attr('user_id', 'User', 110, 'attributes.user_id'),
  attr('source', 'Source', 150, `tags.${quoteKey(SOURCE_TAG)}`),
  attr('run_id', 'Run ID', 130, 'attributes.run_id'),
  attr('end_time', 'Ended', 168, 'attributes.end_time'),
  attr('models', 'Models', 90),
  attr('datasets', 'Datasets', 140),
]

export const DEFAULT_ATTRIBUTE_IDS = [
  'attributes.start_time',
  'attributes.duration',
  'attributes.status',
  'attributes.user_id',
  'attributes.source',
]

export function columnFromId(id: string): Column | undefined {
  const dot = id.indexOf('.')
  if (dot < 0) return undefined
  const kind = id.slice(0, dot)
  const key = id.slice(dot + 1)
  if (kind === 'attributes') return ATTRIBUTE_COLUMNS.find((c) => c.key === key)
  if (kind !== 'metrics' && kind !== 'params' && kind !== 'tags') return undefined
  return {
    id,
    kind,
    key,
    label: key,
    // metric headers also hold the last / min / max chooser
    width: Math.min(
      Math.max(kind === 'metrics' ? 130 : 90, key.length * 7 + (kind === 'metrics' ? 78 : 28)),
      260,
    ),
    orderKey: `${kind}.${quoteKey(key)}`,
  }
}

/** Columns shown when the URL names none: attributes, then metrics and params (capped). */
export function defaultColumnIds(keys: { metrics: string[]; params: string[] }): string[] {
  const cap = keys.metrics.length + keys.params.length <= 40 ? 40 : 15
  return [
    ...DEFAULT_ATTRIBUTE_IDS,
    ...keys.metrics.slice(0, cap).map((k) => `metrics.${k}`),
    ...keys.params.slice(0, cap).map((k) => `params.${k}`),
  ]
}

/** The raw value of a cell: numbers for metrics and times, strings otherwise. */
export function cellValue(row: RunRow, col: Column): string | number | undefined {
  switch (col.kind) {
    case 'metrics': {
      const v = row.metrics.get(col.key)?.value
      return v === undefined ? undefined : typeof v === 'number' ? v : Number(v)
    }
    case 'params':
      return row.params.get(col.key)
    case 'tags':
      return row.tags.get(col.key)
    case 'attributes':
      return attributeValue(row, col.key)
  }
}

function attributeValue(row: RunRow, key: string): string | number | undefined {
  const info = row.run.info
  switch (key) {
    case 'start_time':
      return info.start_time
    case 'end_time':
      return info.end_time
    case 'duration':
      return info.end_time && info.start_time ? info.end_time - info.start_time : undefined
    case 'status':
      return info.status
    case 'user_id':
      return info.user_id || row.tags.get('mlflow.user')
    case 'source':
      return row.tags.get(SOURCE_TAG)?.split('/').pop()
    case 'run_id':
      return info.run_id
    case 'models':
      return row.run.outputs?.model_outputs?.length || undefined
    case 'datasets':
      return (
        (row.run.inputs?.dataset_inputs ?? []).map((d) => d.dataset.name).join(', ') || undefined
      )
    default:
      return undefined
  }
}

/** Text for a cell (CSV and display). */
export function cellText(row: RunRow, col: Column): string {
  const v = cellValue(row, col)
  if (v === undefined) return ''
  if (col.kind === 'attributes') {
    if (col.key === 'start_time' || col.key === 'end_time') return formatTime(v as number)
    if (col.key === 'duration') return formatMs(v as number)
  }
  return String(v)
}

/** `-metrics.acc` (descending) / `metrics.acc` → order_by clause. */
export function orderByClause(sort: string | undefined): string[] | undefined {
  if (!sort) return undefined
  const desc = sort.startsWith('-')
  const col = columnFromId(desc ? sort.slice(1) : sort)
  if (!col?.orderKey) return undefined
  return [`${col.orderKey} ${desc ? 'DESC' : 'ASC'}`]
}

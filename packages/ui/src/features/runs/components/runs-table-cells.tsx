/** Cells of the runs table: the pinned name cell, value cells, group cells and header cells. */
import type { RunStatus } from '@carnet/protocol'
import { memo } from 'react'
import { colorFor } from '../../../lib/colors.ts'
import { formatMs, formatNumber, formatTime } from '../../../lib/format.ts'
import { Link } from '../../../lib/router.tsx'
import { type Column, cellValue, type MetricAgg } from '../utils/columns.ts'
import { type DisplayRow, stats } from '../utils/display-rows.ts'
import type { RunRow } from '../utils/run-index.ts'

export function StatusDot({ status }: { status: RunStatus | string }) {
  return (
    <span className={`status status-${status.toLowerCase()}`}>
      <span className="dot" aria-hidden="true" />
      {status.charAt(0) + status.slice(1).toLowerCase()}
    </span>
  )
}

interface ValueCellProps {
  row: RunRow
  col: Column
  agg: MetricAgg
  aggValue: number | undefined
  aggLoading: boolean
}

export const ValueCell = memo(function ValueCell({
  row,
  col,
  agg,
  aggValue,
  aggLoading,
}: ValueCellProps) {
  if (col.kind === 'metrics' && agg !== 'last') {
    if (aggValue === undefined) return <span className="muted">{aggLoading ? '…' : ''}</span>
    return <span className="num">{formatNumber(aggValue)}</span>
  }
  const v = cellValue(row, col)
  if (v === undefined) return null
  if (col.kind === 'metrics') return <span className="num">{formatNumber(v)}</span>
  if (col.kind === 'attributes') {
    switch (col.key) {
      case 'start_time':
      case 'end_time':
        return <span title={formatTime(v as number)}>{formatTime(v as number)}</span>
      case 'duration':
        return <span>{formatMs(v as number)}</span>
      case 'status':
        return <StatusDot status={String(v)} />
      case 'run_id':
        return <span className="mono">{String(v)}</span>
    }
  }
  return <span title={String(v)}>{String(v)}</span>
})

/** A group row's cell: mean of the latest values (min – max in the tooltip) or the shared value. */
export function GroupCell({ runs, col }: { runs: RunRow[]; col: Column }) {
  if (col.kind === 'metrics') {
    const s = stats(runs.map((r) => Number(cellValue(r, col))).filter((v) => !Number.isNaN(v)))
    if (!s) return null
    return (
      <span
        className="num group-agg"
        title={`mean ${formatNumber(s.mean)} · min ${formatNumber(s.min)} · max ${formatNumber(s.max)} · std ${formatNumber(s.std)} · n=${s.count}`}
      >
        {formatNumber(s.mean)}
        <span className="muted small"> ±{formatNumber(s.std)}</span>
      </span>
    )
  }
  const values = new Set(runs.map((r) => cellValue(r, col)).filter((v) => v !== undefined))
  if (values.size === 1) return <span className="muted">{String([...values][0])}</span>
  if (col.kind === 'attributes') return null
  return values.size > 1 ? <span className="muted small">{values.size} values</span> : null
}

interface NameCellProps {
  row: DisplayRow
  experimentId: string
  selected: boolean
  onSelect: (row: DisplayRow, on: boolean) => void
  onExpand: (id: string) => void
}

export const NameCell = memo(function NameCell({
  row,
  experimentId,
  selected,
  onSelect,
  onExpand,
}: NameCellProps) {
  if (row.kind === 'group') {
    return (
      <>
        <input
          type="checkbox"
          aria-label={`Select group ${row.label}`}
          checked={selected}
          onChange={(e) => onSelect(row, e.target.checked)}
        />
        <button
          type="button"
          className="expander"
          aria-expanded={row.expanded}
          aria-label={row.expanded ? 'Collapse group' : 'Expand group'}
          onClick={() => onExpand(row.id)}
        >
          {row.expanded ? '▾' : '▸'}
        </button>
        <span className="group-label" title={row.label}>
          {row.label}
        </span>
        <span className="count">{row.runs.length}</span>
      </>
    )
  }
  const r = row.row
  return (
    <>
      <input
        type="checkbox"
        aria-label={`Select run ${r.name}`}
        checked={selected}
        onChange={(e) => onSelect(row, e.target.checked)}
      />
      <span style={{ width: row.depth * 16 }} className="indent" />
      {row.childCount > 0 ? (
        <button
          type="button"
          className="expander"
          aria-expanded={row.expanded}
          aria-label={row.expanded ? 'Collapse child runs' : `Expand ${row.childCount} child runs`}
          title={`${row.childCount} child runs`}
          onClick={() => onExpand(r.id)}
        >
          {row.expanded ? '▾' : '▸'}
        </button>
      ) : (
        <span className="expander-space" />
      )}
      <span className="swatch" style={{ background: colorFor(r.id) }} />
      <Link
        to={`/experiments/${r.run.info.experiment_id || experimentId}/runs/${r.id}`}
        className="run-link"
        title={r.name}
        tabIndex={-1}
      >
        {r.name}
      </Link>
      {row.childCount > 0 && <span className="count">{row.childCount}</span>}
    </>
  )
})

interface HeaderCellProps {
  col: Column
  sort: string | undefined
  agg: MetricAgg
  onSort: (colId: string) => void
  onAgg: (colId: string, agg: MetricAgg) => void
}

export function HeaderCell({ col, sort, agg, onSort, onAgg }: HeaderCellProps) {
  const dir = sort === col.id ? 'asc' : sort === `-${col.id}` ? 'desc' : undefined
  const prefix =
    col.kind === 'attributes'
      ? ''
      : col.kind === 'metrics'
        ? 'm '
        : col.kind === 'params'
          ? 'p '
          : 't '
  return (
    <>
      <button
        type="button"
        className={`header-button ${col.orderKey ? '' : 'unsortable'}`}
        disabled={!col.orderKey}
        title={col.orderKey ? `${col.id} — click to sort` : col.id}
        onClick={() => onSort(col.id)}
      >
        <span className={`kind kind-${col.kind}`}>{prefix}</span>
        <span className="header-label">{col.label}</span>
        {dir && <span className="sort-arrow">{dir === 'asc' ? '↑' : '↓'}</span>}
      </button>
      {col.kind === 'metrics' && (
        <select
          className="agg-select"
          aria-label={`Value of ${col.key}`}
          value={agg}
          onChange={(e) => onAgg(col.id, e.target.value as MetricAgg)}
        >
          <option value="last">last</option>
          <option value="min">min</option>
          <option value="max">max</option>
        </select>
      )}
    </>
  )
}

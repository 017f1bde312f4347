// biome-ignore-all lint/a11y/useSemanticElements: a virtualized ARIA grid; rows are positioned divs, not table rows
// biome-ignore-all lint/a11y/useFocusableInteractive: the grid container holds focus and moves the active row
/**
 * The runs grid, virtualized on both axes: only rows and columns on screen are in the DOM, so 10k
 * runs or thousands of columns scroll smoothly. The name column is pinned; arrows move the active
 * row, Space selects, Enter opens, ←/→ collapse/expand.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { type KeyboardEvent, useEffect, useRef, useState } from 'react'
import { navigate } from '../../../lib/router.tsx'
import type { Column, MetricAgg } from '../utils/columns.ts'
import type { DisplayRow } from '../utils/display-rows.ts'
import { GroupCell, HeaderCell, NameCell, ValueCell } from './runs-table-cells.tsx'

export const ROW_HEIGHT = 30
const HEADER_HEIGHT = 36
const PINNED_WIDTH = 280

export interface RunsTableProps {
  experimentId: string
  rows: DisplayRow[]
  columns: Column[]
  selected: ReadonlySet<string>
  onSelect: (row: DisplayRow, on: boolean) => void
  onSelectAll: (on: boolean) => void
  onExpand: (id: string) => void
  sort: string | undefined
  onSort: (colId: string) => void
  aggs: Readonly<Record<string, MetricAgg>>
  onAgg: (colId: string, agg: MetricAgg) => void
  aggValues: Map<string, Map<string, number>>
  onRangeChange: (from: number, to: number) => void
  onEndReached: () => void
}

/** Virtual rows in slot order (index modulo the window size): the DOM order never changes. */
function bySlot<T extends { index: number }>(items: T[]): T[] {
  const n = items.length
  return [...items].sort((a, b) => (a.index % n) - (b.index % n))
}

function rowId(row: DisplayRow): string {
  return row.kind === 'group' ? row.id : row.row.id
}

function isSelected(row: DisplayRow, selected: ReadonlySet<string>): boolean {
  return row.kind === 'run'
    ? selected.has(row.row.id)
    : row.runs.length > 0 && row.runs.every((r) => selected.has(r.id))
}

export function RunsTable(props: RunsTableProps) {
  const { rows, columns, selected, aggs, aggValues } = props
  const scrollRef = useRef<HTMLDivElement>(null)
  const [active, setActive] = useState(-1)
  const rowVirtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    paddingStart: HEADER_HEIGHT,
    // let React batch scroll renders instead of rendering synchronously inside each scroll event
    useFlushSync: false,
  })
  const colVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => columns[i]?.width ?? 120,
    overscan: 4,
    paddingStart: PINNED_WIDTH,
    useFlushSync: false,
  })
  // biome-ignore lint/correctness/useExhaustiveDependencies: widths change with the column set
  useEffect(() => colVirtualizer.measure(), [columns])
  const vRows = rowVirtualizer.getVirtualItems()
  const vCols = colVirtualizer.getVirtualItems()
  const first = vRows[0]?.index ?? 0
  const last = vRows[vRows.length - 1]?.index ?? 0
  const { onRangeChange, onEndReached } = props
  useEffect(() => {
    onRangeChange(first, last)
    if (rows.length > 0 && last >= rows.length - 25) onEndReached()
  }, [first, last, rows.length, onRangeChange, onEndReached])

  const totalWidth = colVirtualizer.getTotalSize()
  const allSelected = rows.length > 0 && rows.every((r) => isSelected(r, selected))

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).tagName === 'SELECT') return
    const move = (to: number) => {
      const next = Math.max(0, Math.min(rows.length - 1, to))
      setActive(next)
      rowVirtualizer.scrollToIndex(next, { align: 'auto' })
      e.preventDefault()
    }
    const row = rows[active]
    switch (e.key) {
      case 'ArrowDown':
        return move(active + 1)
      case 'ArrowUp':
        return move(active - 1)
      case 'PageDown':
        return move(active + 15)
      case 'PageUp':
        return move(active - 15)
      case 'Home':
        return move(0)
      case 'End':
        return move(rows.length - 1)
    }
    if (!row) return
    if (e.key === ' ') {
      e.preventDefault()
      props.onSelect(row, !isSelected(row, selected))
    } else if (e.key === 'Enter') {
      e.preventDefault()
      if (row.kind === 'group') props.onExpand(row.id)
      else navigate(`/experiments/${row.row.run.info.experiment_id}/runs/${row.row.id}`)
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const open = row.kind === 'group' ? row.expanded : row.childCount > 0 && row.expanded
      const can = row.kind === 'group' || row.childCount > 0
      if (can && open === (e.key === 'ArrowLeft')) {
        e.preventDefault()
        props.onExpand(rowId(row))
      }
    }
  }

  return (
    <div
      ref={scrollRef}
      className="rt-scroll"
      role="grid"
      aria-label="Runs"
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length + 1}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onClick={(e) => {
        const at = (e.target as HTMLElement)
          .closest('[aria-rowindex]')
          ?.getAttribute('aria-rowindex')
        if (at) setActive(Number(at) - 2)
      }}
      onFocus={() => active < 0 && rows.length > 0 && setActive(first)}
    >
      <div
        className="rt-inner"
        style={{ width: totalWidth, height: rowVirtualizer.getTotalSize() }}
      >
        <div className="rt-header" role="row" style={{ width: totalWidth, height: HEADER_HEIGHT }}>
          <div
            className="rt-pinned rt-head-cell"
            role="columnheader"
            style={{ width: PINNED_WIDTH }}
          >
            <input
              type="checkbox"
              aria-label="Select all loaded runs"
              checked={allSelected}
              onChange={(e) => props.onSelectAll(e.target.checked)}
            />
            <span className="header-label">Run name</span>
          </div>
          {vCols.map((vc) => {
            const col = columns[vc.index]!
            return (
              <div
                key={col.id}
                className="rt-cell rt-head-cell"
                role="columnheader"
                style={{ left: vc.start, width: vc.size }}
              >
                <HeaderCell
                  col={col}
                  sort={props.sort}
                  agg={aggs[col.id] ?? 'last'}
                  onSort={props.onSort}
                  onAgg={props.onAgg}
                />
              </div>
            )
          })}
        </div>
        {bySlot(vRows).map((vr) => {
          const row = rows[vr.index]!
          // rows are keyed (and ordered) by screen slot, so scrolling reuses their DOM nodes in place
          const slot = vr.index % vRows.length
          const sel = isSelected(row, selected)
          const cls = `rt-row${sel ? ' selected' : ''}${vr.index === active ? ' active' : ''}${row.kind === 'group' ? ' group' : ''}${row.kind === 'run' && row.row.run.info.lifecycle_stage === 'deleted' ? ' deleted' : ''}`
          return (
            <div
              key={slot}
              className={cls}
              role="row"
              aria-rowindex={vr.index + 2}
              aria-selected={sel}
              style={{
                transform: `translateY(${vr.start}px)`,
                width: totalWidth,
                height: ROW_HEIGHT,
              }}
            >
              <div className="rt-pinned" role="gridcell" style={{ width: PINNED_WIDTH }}>
                <NameCell
                  row={row}
                  experimentId={props.experimentId}
                  selected={sel}
                  onSelect={props.onSelect}
                  onExpand={props.onExpand}
                />
              </div>
              {vCols.map((vc) => {
                const col = columns[vc.index]!
                const agg = aggs[col.id] ?? 'last'
                const values = aggValues.get(`${col.key}:${agg}`)
                return (
                  <div
                    key={col.id}
                    className="rt-cell"
                    role="gridcell"
                    style={{ left: vc.start, width: vc.size }}
                  >
                    {row.kind === 'group' ? (
                      <GroupCell runs={row.runs} col={col} />
                    ) : (
                      <ValueCell
                        row={row.row}
                        col={col}
                        agg={agg}
                        aggValue={values?.get(row.row.id)}
                        aggLoading={
                          col.kind === 'metrics' && agg !== 'last' && !values?.has(row.row.id)
                        }
                      />
                    )}
                  </div>
                )
              })}
            </div>
          )
        })}
      </div>
    </div>
  )
}

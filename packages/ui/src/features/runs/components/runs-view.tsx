/** The runs table with its selection bar and load status. */
import { useCallback, useMemo, useState } from 'react'
import { EmptyState, Loading } from '../../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../../components/ui/error-banner.tsx'
import { useMetricAggregates } from '../api/metric-aggregates.ts'
import type { RunsView as View } from '../hooks/use-runs-view.ts'
import type { DisplayRow } from '../utils/display-rows.ts'
import { RunsTable } from './runs-table.tsx'
import { SelectionBar } from './selection-bar.tsx'

export function RunsView({ view, experimentId }: { view: View; experimentId: string }) {
  const { runs, rows, selected, setSelection } = view
  const [range, setRange] = useState({ from: 0, to: 50 })
  const runIndex = useMemo(() => new Map(runs.map((r, i) => [r.id, i])), [runs])
  // rows on screen → indexes in the loaded run list (aggregates are fetched per 100-run chunk)
  const runRange = useMemo(() => {
    let from = Number.POSITIVE_INFINITY
    let to = -1
    for (let i = range.from; i <= range.to && i < rows.length; i++) {
      const row = rows[i]!
      if (row.kind !== 'run') continue
      const at = runIndex.get(row.row.id) ?? 0
      from = Math.min(from, at)
      to = Math.max(to, at)
    }
    return to < 0 ? { from: 0, to: -1 } : { from, to }
  }, [range, rows, runIndex])
  const specs = useMemo(
    () =>
      view.columns
        .filter((c) => c.kind === 'metrics' && view.aggs[c.id])
        .map((c) => ({ key: c.key, agg: view.aggs[c.id]! })),
    [view.columns, view.aggs],
  )
  const aggValues = useMetricAggregates(
    specs,
    useMemo(() => runs.map((r) => r.id), [runs]),
    runRange,
  )
  const onRangeChange = useCallback((from: number, to: number) => setRange({ from, to }), [])
  const onSelect = useCallback(
    (row: DisplayRow, on: boolean) => {
      const next = new Set(selected)
      const ids = row.kind === 'run' ? [row.row.id] : row.runs.map((r) => r.id)
      for (const id of ids) on ? next.add(id) : next.delete(id)
      setSelection(next)
    },
    [selected, setSelection],
  )
  const onSelectAll = useCallback(
    (on: boolean) => setSelection(on ? runs.map((r) => r.id) : []),
    [runs, setSelection],
  )
  const selectedRuns = useMemo(() => runs.filter((r) => selected.has(r.id)), [runs, selected])
  const q = view.runsQuery

  if (q.isPending) return <Loading label="Loading runs…" />
  if (q.error && !view.filterError)
    return <ErrorBanner error={q.error} title="Could not load runs" />
  return (
    <div className="runs-view">
      <SelectionBar
        experimentId={experimentId}
        selected={selectedRuns}
        deletedView={view.lifecycle === 'deleted'}
        onClear={() => setSelection([])}
      />
      {rows.length === 0 ? (
        <EmptyState title={view.filter ? 'No runs match the filter' : 'No runs'}>
          {view.filter
            ? 'Change or clear the filter.'
            : 'Log runs with mlflow.start_run() to see them here.'}
        </EmptyState>
      ) : (
        <RunsTable
          experimentId={experimentId}
          rows={rows}
          columns={view.columns}
          selected={selected}
          onSelect={onSelect}
          onSelectAll={onSelectAll}
          onExpand={view.toggleExpand}
          sort={view.sort}
          onSort={view.setSort}
          aggs={view.aggs}
          onAgg={view.setAgg}
          aggValues={aggValues}
          onRangeChange={onRangeChange}
          onEndReached={view.loadMore}
        />
      )}
      <div className="table-status muted small" aria-live="polite">
        {runs.length} runs loaded
        {q.hasNextPage
          ? q.isFetchingNextPage
            ? ' · loading more…'
            : ' · scroll for more'
          : ' · all loaded'}
        {view.groupBy &&
          ` · grouped by ${view.groupBy.key} (${rows.filter((r) => r.kind === 'group').length} groups)`}
        {q.hasNextPage && (
          <button
            type="button"
            className="link-button small"
            onClick={() => void q.fetchNextPage()}
          >
            Load more
          </button>
        )}
      </div>
    </div>
  )
}

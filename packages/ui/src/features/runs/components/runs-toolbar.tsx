/** Controls above the runs table: filter, lifecycle, group-by, columns, CSV, refresh. */
import { downloadText, toCsv } from '../../../lib/csv.ts'
import { patchQuery } from '../../../lib/url-state.ts'
import type { RunsView } from '../hooks/use-runs-view.ts'
import { cellText } from '../utils/columns.ts'
import { ColumnPicker } from './column-picker.tsx'
import { FilterBox } from './filter-box.tsx'

export function RunsToolbar({ view, experimentName }: { view: RunsView; experimentName: string }) {
  const { keys } = view
  const exportCsv = () => {
    const header = ['Run name', 'Run ID', ...view.columns.map((c) => c.id)]
    const rows = view.runs.map((r) => [r.name, r.id, ...view.columns.map((c) => cellText(r, c))])
    downloadText(`${experimentName || 'runs'}.csv`, toCsv([header, ...rows]))
  }
  return (
    <div className="runs-toolbar">
      <FilterBox
        value={view.filter}
        keys={keys}
        error={view.filterError}
        onApply={(filter) => patchQuery({ filter, sel: undefined })}
      />
      <div className="row wrap">
        <select
          className="input small"
          aria-label="Run state"
          value={view.lifecycle}
          onChange={(e) =>
            patchQuery({
              lifecycle: e.target.value === 'active' ? undefined : e.target.value,
              sel: undefined,
            })
          }
        >
          <option value="active">Active runs</option>
          <option value="deleted">Deleted runs</option>
          <option value="all">All runs</option>
        </select>
        <select
          className="input small"
          aria-label="Group by"
          value={view.groupBy?.id ?? ''}
          onChange={(e) => patchQuery({ group: e.target.value || undefined })}
        >
          <option value="">No grouping</option>
          <optgroup label="Params">
            {keys.params.map((k) => (
              <option key={k} value={`params.${k}`}>
                Group by {k}
              </option>
            ))}
          </optgroup>
          <optgroup label="Tags">
            {keys.tags
              .filter(
                (k) =>
                  !k.startsWith('mlflow.') || k === 'mlflow.source.name' || k === 'mlflow.user',
              )
              .map((k) => (
                <option key={k} value={`tags.${k}`}>
                  Group by tag {k}
                </option>
              ))}
          </optgroup>
        </select>
        <ColumnPicker keys={keys} chosen={view.columnIds} onChange={view.setColumns} />
        <button
          type="button"
          className="button small"
          onClick={exportCsv}
          disabled={view.runs.length === 0}
        >
          Download CSV
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => void view.runsQuery.refetch()}
          disabled={view.runsQuery.isFetching}
        >
          {view.runsQuery.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
    </div>
  )
}

/** Side-by-side values of one section (params, metrics or tags) across runs, with "differences only". */
import { useMemo, useState } from 'react'

export interface CompareColumn {
  id: string
  name: string
  color: string
  values: Map<string, string>
}

interface CompareTableProps {
  title: string
  columns: readonly CompareColumn[]
  diffOnly: boolean
  hidePrefix?: string
}

const CAP = 500

/** True when the runs do not all have the same value (a missing value counts as different). */
export function differs(key: string, columns: readonly CompareColumn[]): boolean {
  const first = columns[0]?.values.get(key)
  return columns.some((c) => c.values.get(key) !== first)
}

export function CompareTable({ title, columns, diffOnly, hidePrefix }: CompareTableProps) {
  const [search, setSearch] = useState('')
  const all = useMemo(() => {
    const keys = new Set<string>()
    for (const c of columns) for (const k of c.values.keys()) keys.add(k)
    return [...keys].filter((k) => !hidePrefix || !k.startsWith(hidePrefix)).sort()
  }, [columns, hidePrefix])
  const keys = useMemo(() => {
    const q = search.trim().toLowerCase()
    return all.filter(
      (k) => (!diffOnly || differs(k, columns)) && (!q || k.toLowerCase().includes(q)),
    )
  }, [all, columns, diffOnly, search])
  return (
    <section className="compare-section" aria-label={title}>
      <div className="section-head">
        <h3>
          {title}{' '}
          <span className="count">
            {keys.length}
            {keys.length !== all.length && ` / ${all.length}`}
          </span>
        </h3>
        <input
          className="input small"
          type="search"
          placeholder={`Search ${title.toLowerCase()}`}
          aria-label={`Search ${title.toLowerCase()}`}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {keys.length === 0 ? (
        <div className="muted small">
          {diffOnly && all.length > 0 ? 'All values are the same.' : 'Nothing to compare.'}
        </div>
      ) : (
        <div className="compare-scroll">
          <table className="table compare-table">
            <thead>
              <tr>
                <th className="sticky-col">Name</th>
                {columns.map((c) => (
                  <th key={c.id}>
                    <span className="swatch" style={{ background: c.color }} /> {c.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {keys.slice(0, CAP).map((k) => {
                const diff = differs(k, columns)
                return (
                  <tr key={k} className={diff ? 'diff' : undefined}>
                    <th scope="row" className="sticky-col kv-key">
                      {k}
                    </th>
                    {columns.map((c) => (
                      <td key={c.id} className="kv-value">
                        {c.values.get(k) ?? <span className="muted">—</span>}
                      </td>
                    ))}
                  </tr>
                )
              })}
            </tbody>
          </table>
          {keys.length > CAP && (
            <div className="muted small">
              Showing {CAP} of {keys.length}; search to narrow.
            </div>
          )}
        </div>
      )}
    </section>
  )
}

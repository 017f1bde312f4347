/** A searchable two-column table (params, metrics, tags); long lists are capped until searched. */
import { type ReactNode, useMemo, useState } from 'react'

export interface KeyValueRow {
  key: string
  value: ReactNode
  /** Plain text used for search when value is not a string. */
  text?: string
}

const CAP = 300

interface KeyValueTableProps {
  rows: KeyValueRow[]
  label: string
  empty?: string
  keyHeader?: string
  valueHeader?: string
}

export function KeyValueTable({ rows, label, empty, keyHeader, valueHeader }: KeyValueTableProps) {
  const [search, setSearch] = useState('')
  const filtered = useMemo(() => {
    const q = search.trim().toLowerCase()
    if (!q) return rows
    return rows.filter(
      (r) =>
        r.key.toLowerCase().includes(q) ||
        (r.text ?? (typeof r.value === 'string' ? r.value : '')).toLowerCase().includes(q),
    )
  }, [rows, search])
  return (
    <section className="kv-section" aria-label={label}>
      <div className="section-head">
        <h3>
          {label} <span className="count">{rows.length}</span>
        </h3>
        {rows.length > 5 && (
          <input
            className="input small"
            type="search"
            placeholder={`Search ${label.toLowerCase()}`}
            aria-label={`Search ${label.toLowerCase()}`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        )}
      </div>
      {rows.length === 0 ? (
        <div className="muted small">{empty ?? `No ${label.toLowerCase()}`}</div>
      ) : (
        <table className="kv-table">
          <thead>
            <tr>
              <th>{keyHeader ?? 'Name'}</th>
              <th>{valueHeader ?? 'Value'}</th>
            </tr>
          </thead>
          <tbody>
            {filtered.slice(0, CAP).map((r) => (
              <tr key={r.key}>
                <td className="kv-key">{r.key}</td>
                <td className="kv-value">{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {filtered.length > CAP && (
        <div className="muted small">
          Showing {CAP} of {filtered.length}; search to narrow.
        </div>
      )}
    </section>
  )
}

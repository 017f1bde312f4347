/** Chooses the table's columns among attributes, metrics, params and tags (searchable, capped lists). */
import { useMemo, useState } from 'react'
import { ATTRIBUTE_COLUMNS } from '../utils/columns.ts'
import type { RunKeys } from '../utils/run-index.ts'

interface ColumnPickerProps {
  keys: RunKeys
  chosen: readonly string[]
  onChange: (ids: string[]) => void
}

const SHOW = 150

export function ColumnPicker({ keys, chosen, onChange }: ColumnPickerProps) {
  const [open, setOpen] = useState(false)
  const [search, setSearch] = useState('')
  const chosenSet = useMemo(() => new Set(chosen), [chosen])
  const sections = useMemo(() => {
    const q = search.trim().toLowerCase()
    const match = (id: string) => !q || id.toLowerCase().includes(q)
    return [
      {
        title: 'Attributes',
        ids: ATTRIBUTE_COLUMNS.map((c) => c.id).filter(match),
        label: (id: string) => ATTRIBUTE_COLUMNS.find((c) => c.id === id)?.label ?? id,
      },
      ...(['metrics', 'params', 'tags'] as const).map((kind) => ({
        title: kind[0]!.toUpperCase() + kind.slice(1),
        ids: keys[kind].map((k) => `${kind}.${k}`).filter(match),
        label: (id: string) => id.slice(kind.length + 1),
      })),
    ]
  }, [keys, search])

  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...chosen, id] : chosen.filter((c) => c !== id))
  const setMany = (ids: string[], on: boolean) => {
    const set = new Set(ids)
    onChange(
      on
        ? [...chosen, ...ids.filter((id) => !chosenSet.has(id))]
        : chosen.filter((c) => !set.has(c)),
    )
  }

  return (
    <div className="popover-anchor">
      <button
        type="button"
        className="button"
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => setOpen(!open)}
      >
        Columns <span className="count">{chosen.length}</span>
      </button>
      {open && (
        <div className="popover column-picker" role="dialog" aria-label="Choose columns">
          <div className="row">
            <input
              className="input grow"
              type="search"
              placeholder="Search columns"
              aria-label="Search columns"
              // biome-ignore lint/a11y/noAutofocus: the picker opens to be searched
              autoFocus
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <button type="button" className="button small" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
          <div className="picker-sections">
            {sections.map((s) => (
              <fieldset key={s.title} className="picker-section">
                <legend>
                  {s.title} <span className="count">{s.ids.length}</span>
                  {s.ids.length > 0 && (
                    <>
                      <button
                        type="button"
                        className="link-button small"
                        onClick={() => setMany(s.ids, true)}
                      >
                        all
                      </button>
                      <button
                        type="button"
                        className="link-button small"
                        onClick={() => setMany(s.ids, false)}
                      >
                        none
                      </button>
                    </>
                  )}
                </legend>
                {s.ids.slice(0, SHOW).map((id) => (
                  <label key={id} className="check">
                    <input
                      type="checkbox"
                      checked={chosenSet.has(id)}
                      onChange={(e) => toggle(id, e.target.checked)}
                    />
                    <span title={id}>{s.label(id)}</span>
                  </label>
                ))}
                {s.ids.length > SHOW && (
                  <div className="muted small">{s.ids.length - SHOW} more — search to narrow</div>
                )}
              </fieldset>
            ))}
          </div>
        </div>
      )}
    </div>
  )
}

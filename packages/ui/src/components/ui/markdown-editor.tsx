/** A description shown as Markdown, with an Edit mode (textarea) that saves through `onSave`. */
import { useState } from 'react'
import { errorMessage } from '../../lib/api-client.ts'
import { Markdown } from './markdown.tsx'

interface MarkdownEditorProps {
  value: string
  onSave: (text: string) => Promise<unknown>
  label?: string
  placeholder?: string
}

export function MarkdownEditor({
  value,
  onSave,
  label = 'Description',
  placeholder,
}: MarkdownEditorProps) {
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(value)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const save = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await onSave(draft)
      setEditing(false)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="description" aria-label={label}>
      <div className="section-head">
        <h3>{label}</h3>
        {!editing && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setDraft(value)
              setEditing(true)
            }}
          >
            Edit
          </button>
        )}
      </div>
      {editing ? (
        <div className="stack">
          <textarea
            className="input textarea"
            value={draft}
            aria-label={`${label} (Markdown)`}
            onChange={(e) => setDraft(e.target.value)}
            rows={6}
          />
          {error && <div className="field-error">{error}</div>}
          <div className="row">
            <button type="button" className="button primary" disabled={busy} onClick={save}>
              Save
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : value ? (
        <Markdown source={value} />
      ) : (
        <div className="muted small">{placeholder ?? 'No description.'}</div>
      )}
    </section>
  )
}

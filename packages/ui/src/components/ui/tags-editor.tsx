/** Editable key/value tags: add, change, remove; system tags (`mlflow.*`) hidden unless asked for. */
import { type FormEvent, useState } from 'react'
import { errorMessage } from '../../lib/api-client.ts'

export interface Tag {
  key: string
  value: string
}

interface TagsEditorProps {
  tags: readonly Tag[]
  onSet: (key: string, value: string) => Promise<unknown>
  onDelete: (key: string) => Promise<unknown>
  hidePrefix?: string
  readOnly?: boolean
}

export function TagsEditor({
  tags,
  onSet,
  onDelete,
  hidePrefix = 'mlflow.',
  readOnly,
}: TagsEditorProps) {
  const [showSystem, setShowSystem] = useState(false)
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const [error, setError] = useState<string>()
  const visible = tags.filter((t) => showSystem || !t.key.startsWith(hidePrefix))
  const hidden = tags.length - visible.length
  const run = async (work: Promise<unknown>) => {
    setError(undefined)
    try {
      await work
      return true
    } catch (e) {
      setError(errorMessage(e))
      return false
    }
  }
  const add = async (e: FormEvent) => {
    e.preventDefault()
    if (!key.trim()) return
    if (await run(onSet(key.trim(), value))) {
      setKey('')
      setValue('')
    }
  }
  return (
    <section className="tags-editor" aria-label="Tags">
      <div className="tag-list">
        {visible.map((t) => (
          <span key={t.key} className="tag-chip" title={`${t.key}: ${t.value}`}>
            <span className="tag-key">{t.key}</span>
            {t.value && <span className="tag-value">{t.value}</span>}
            {!readOnly && (
              <button
                type="button"
                className="chip-x"
                aria-label={`Remove tag ${t.key}`}
                onClick={() => void run(onDelete(t.key))}
              >
                ×
              </button>
            )}
          </span>
        ))}
        {visible.length === 0 && <span className="muted small">No tags</span>}
        {hidden > 0 && (
          <button type="button" className="link-button small" onClick={() => setShowSystem(true)}>
            +{hidden} system tags
          </button>
        )}
      </div>
      {!readOnly && (
        <form className="row tag-form" onSubmit={add}>
          <input
            className="input small"
            placeholder="key"
            aria-label="Tag key"
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
          <input
            className="input small"
            placeholder="value"
            aria-label="Tag value"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <button type="submit" className="button small">
            Add tag
          </button>
        </form>
      )}
      {error && <div className="field-error">{error}</div>}
    </section>
  )
}

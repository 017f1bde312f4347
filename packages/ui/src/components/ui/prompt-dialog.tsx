/** A one-field (or two-field) form in a modal: create, rename, add tag. Shows the server's error inline. */
import { type FormEvent, useState } from 'react'
import { errorMessage } from '../../lib/api-client.ts'
import { Modal } from './modal.tsx'

export interface PromptField {
  name: string
  label: string
  initial?: string
  placeholder?: string
  required?: boolean
}

interface PromptDialogProps {
  title: string
  fields: PromptField[]
  submitLabel: string
  onSubmit: (values: Record<string, string>) => Promise<unknown>
  onClose: () => void
}

export function PromptDialog({ title, fields, submitLabel, onSubmit, onClose }: PromptDialogProps) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ''])),
  )
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    for (const f of fields) {
      if (f.required !== false && !values[f.name]?.trim()) {
        setError(`${f.label} is required`)
        return
      }
    }
    setBusy(true)
    setError(undefined)
    try {
      await onSubmit(values)
      onClose()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal title={title} open onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        {fields.map((f, i) => (
          <label key={f.name} className="field">
            <span>{f.label}</span>
            <input
              className="input"
              // biome-ignore lint/a11y/noAutofocus: the dialog exists to type into this field
              autoFocus={i === 0}
              value={values[f.name] ?? ''}
              placeholder={f.placeholder}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            />
          </label>
        ))}
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
        <div className="row end">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  )
}

/** A version's aliases (`models:/name@alias`): add and remove. */
import { type FormEvent, useState } from 'react'
import { errorMessage } from '../../../lib/api-client.ts'
import { deleteAlias, setAlias, useRegistryMutation } from '../api/registry-mutations.ts'

export function AliasesEditor({
  name,
  version,
  aliases,
}: {
  name: string
  version: string
  aliases: string[]
}) {
  const [alias, setDraft] = useState('')
  const [error, setError] = useState<string>()
  const add = useRegistryMutation(setAlias)
  const remove = useRegistryMutation(deleteAlias)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!alias.trim()) return
    setError(undefined)
    try {
      await add.mutateAsync([name, alias.trim(), version])
      setDraft('')
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <div className="aliases-editor">
      <div className="tag-list">
        {aliases.map((a) => (
          <span key={a} className="alias-chip">
            @{a}
            <button
              type="button"
              className="chip-x"
              aria-label={`Remove alias ${a}`}
              onClick={() =>
                remove.mutateAsync([name, a]).catch((err: unknown) => setError(errorMessage(err)))
              }
            >
              ×
            </button>
          </span>
        ))}
        {aliases.length === 0 && <span className="muted small">No aliases</span>}
      </div>
      <form className="row" onSubmit={submit}>
        <input
          className="input small"
          placeholder="champion"
          aria-label="New alias"
          value={alias}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="button small">
          Add alias
        </button>
      </form>
      {error && <div className="field-error">{error}</div>}
    </div>
  )
}

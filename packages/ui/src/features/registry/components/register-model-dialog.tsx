/** "Register model": a new version of an existing or new registered model from a model folder or logged model. */
import { type FormEvent, useState } from 'react'
import { Modal } from '../../../components/ui/modal.tsx'
import { errorMessage } from '../../../lib/api-client.ts'
import { Link, seg } from '../../../lib/router.tsx'
import type { ModelVersion } from '../../../types/registry.ts'
import { useRegisteredModels } from '../api/registered-models.ts'
import { registerModel, useRegistryMutation } from '../api/registry-mutations.ts'

interface RegisterModelButtonProps {
  source: string
  runId?: string
  modelId?: string
}

export function RegisterModelButton(props: RegisterModelButtonProps) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="button small primary" onClick={() => setOpen(true)}>
        Register model
      </button>
      {open && <RegisterModelDialog {...props} onClose={() => setOpen(false)} />}
    </>
  )
}

function RegisterModelDialog({
  source,
  runId,
  modelId,
  onClose,
}: RegisterModelButtonProps & { onClose: () => void }) {
  const models = useRegisteredModels({})
  const [name, setName] = useState('')
  const [error, setError] = useState<string>()
  const [done, setDone] = useState<ModelVersion>()
  const register = useRegistryMutation(registerModel)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!name.trim()) return setError('Model name is required')
    try {
      const res = await register.mutateAsync([{ name: name.trim(), source, runId, modelId }])
      setDone(res.model_version)
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <Modal title="Register model" open onClose={onClose}>
      {done ? (
        <div className="stack">
          <p>
            Registered{' '}
            <Link to={`/models/${seg(done.name)}/versions/${done.version}`} onClick={onClose}>
              {done.name} version {done.version}
            </Link>
            .
          </p>
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      ) : (
        <form className="stack" onSubmit={submit}>
          <label className="field">
            <span>Model name (existing or new)</span>
            <input
              className="input"
              list="registered-model-names"
              value={name}
              // biome-ignore lint/a11y/noAutofocus: the dialog exists to type the name
              autoFocus
              onChange={(e) => setName(e.target.value)}
            />
            <datalist id="registered-model-names">
              {models.data?.registered_models?.map((m) => (
                <option key={m.name} value={m.name} />
              ))}
            </datalist>
          </label>
          <div className="muted small mono">Source: {source}</div>
          {error && (
            <div className="field-error" role="alert">
              {error}
            </div>
          )}
          <div className="row end">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={register.isPending}>
              Register
            </button>
          </div>
        </form>
      )}
    </Modal>
  )
}

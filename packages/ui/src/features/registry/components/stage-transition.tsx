/** Moves a version to another stage, optionally archiving the versions already in it. */
import { useState } from 'react'
import { Modal } from '../../../components/ui/modal.tsx'
import { errorMessage } from '../../../lib/api-client.ts'
import { STAGES } from '../../../types/registry.ts'
import { transitionStage, useRegistryMutation } from '../api/registry-mutations.ts'

export function StageTransition({
  name,
  version,
  stage,
}: {
  name: string
  version: string
  stage: string
}) {
  const [target, setTarget] = useState<string>()
  const [archive, setArchive] = useState(false)
  const [error, setError] = useState<string>()
  const move = useRegistryMutation(transitionStage)
  const confirm = async () => {
    if (!target) return
    try {
      await move.mutateAsync([name, version, target, archive])
      setTarget(undefined)
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  return (
    <>
      <select
        className="input small"
        aria-label="Transition stage"
        value=""
        onChange={(e) => {
          setError(undefined)
          setArchive(false)
          setTarget(e.target.value || undefined)
        }}
      >
        <option value="">Transition to…</option>
        {STAGES.filter((s) => s !== stage).map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      {target && (
        <Modal
          title="Stage transition"
          open
          onClose={() => setTarget(undefined)}
          footer={
            <>
              <button type="button" className="button" onClick={() => setTarget(undefined)}>
                Cancel
              </button>
              <button
                type="button"
                className="button primary"
                disabled={move.isPending}
                onClick={confirm}
              >
                OK
              </button>
            </>
          }
        >
          <p>
            Transition version {version} of <strong>{name}</strong> from <strong>{stage}</strong> to{' '}
            <strong>{target}</strong>?
          </p>
          {(target === 'Staging' || target === 'Production') && (
            <label className="check">
              <input
                type="checkbox"
                checked={archive}
                onChange={(e) => setArchive(e.target.checked)}
              />
              Archive the versions currently in {target}
            </label>
          )}
          {error && (
            <div className="field-error" role="alert">
              {error}
            </div>
          )}
        </Modal>
      )}
    </>
  )
}

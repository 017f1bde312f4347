/** The experiments list: name, id, times, description, tags, and per-row rename / delete / restore. */
import type { Experiment } from '@carnet/protocol'
import { useState } from 'react'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.tsx'
import { PromptDialog } from '../../../components/ui/prompt-dialog.tsx'
import { formatAgo, formatTime } from '../../../lib/format.ts'
import { Link } from '../../../lib/router.tsx'
import {
  deleteExperiment,
  renameExperiment,
  restoreExperiment,
  useExperimentMutation,
} from '../api/experiment-mutations.ts'
import { experimentTag, NOTE_TAG } from '../api/get-experiment.ts'

type Action = { kind: 'rename' | 'delete'; experiment: Experiment }

export function ExperimentsTable({ experiments }: { experiments: Experiment[] }) {
  const [action, setAction] = useState<Action>()
  const rename = useExperimentMutation(renameExperiment)
  const remove = useExperimentMutation(deleteExperiment)
  const restore = useExperimentMutation(restoreExperiment)
  return (
    <>
      <table className="table experiments-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>ID</th>
            <th>Created</th>
            <th>Last modified</th>
            <th>Description</th>
            <th>Tags</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {experiments.map((e) => {
            const tags = (e.tags ?? []).filter((t) => !t.key.startsWith('mlflow.'))
            const deleted = e.lifecycle_stage === 'deleted'
            return (
              <tr key={e.experiment_id} className={deleted ? 'deleted' : undefined}>
                <td>
                  <Link to={`/experiments/${e.experiment_id}`} className="strong">
                    {e.name}
                  </Link>
                </td>
                <td className="mono muted">{e.experiment_id}</td>
                <td title={formatTime(e.creation_time)}>{formatAgo(e.creation_time)}</td>
                <td title={formatTime(e.last_update_time)}>{formatAgo(e.last_update_time)}</td>
                <td className="truncate">{experimentTag(e, NOTE_TAG)?.slice(0, 120)}</td>
                <td>
                  {tags.slice(0, 3).map((t) => (
                    <span key={t.key} className="tag-chip small">
                      <span className="tag-key">{t.key}</span>
                      <span className="tag-value">{t.value}</span>
                    </span>
                  ))}
                  {tags.length > 3 && <span className="muted small">+{tags.length - 3}</span>}
                </td>
                <td className="row-actions">
                  {deleted ? (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => restore.mutate([e.experiment_id])}
                    >
                      Restore
                    </button>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setAction({ kind: 'rename', experiment: e })}
                      >
                        Rename
                      </button>
                      <button
                        type="button"
                        className="link-button danger"
                        onClick={() => setAction({ kind: 'delete', experiment: e })}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {action?.kind === 'rename' && (
        <PromptDialog
          title="Rename experiment"
          fields={[{ name: 'name', label: 'New name', initial: action.experiment.name }]}
          submitLabel="Rename"
          onSubmit={(v) => rename.mutateAsync([action.experiment.experiment_id, v.name!.trim()])}
          onClose={() => setAction(undefined)}
        />
      )}
      {action?.kind === 'delete' && (
        <ConfirmDialog
          title="Delete experiment"
          message={`Delete "${action.experiment.name}" and its runs? You can restore it from the Deleted view.`}
          confirmLabel="Delete"
          danger
          onConfirm={() => remove.mutateAsync([action.experiment.experiment_id])}
          onClose={() => setAction(undefined)}
        />
      )}
      {restore.error && <div className="field-error">{String(restore.error.message)}</div>}
    </>
  )
}

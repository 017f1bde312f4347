/** Actions on the selected runs: compare, rename, delete / restore, tag. */
import { useState } from 'react'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.tsx'
import { PromptDialog } from '../../../components/ui/prompt-dialog.tsx'
import { navigate } from '../../../lib/router.tsx'
import {
  deleteRun,
  forEachRun,
  renameRun,
  restoreRun,
  setRunTag,
  useRunMutation,
} from '../api/run-mutations.ts'
import type { RunRow } from '../utils/run-index.ts'

interface SelectionBarProps {
  experimentId: string
  selected: RunRow[]
  deletedView: boolean
  onClear: () => void
}

type Dialog = 'rename' | 'delete' | 'restore' | 'tag' | undefined

export function SelectionBar({ experimentId, selected, deletedView, onClear }: SelectionBarProps) {
  const [dialog, setDialog] = useState<Dialog>()
  const ids = selected.map((r) => r.id)
  const many = (write: (id: string) => Promise<unknown>) => () => forEachRun(ids, write)
  const bulk = useRunMutation((work: () => Promise<unknown>) => work())
  const experiments = [...new Set(selected.map((r) => r.run.info.experiment_id || experimentId))]
  const compare = () =>
    navigate(
      `/compare-runs?runs=${encodeURIComponent(JSON.stringify(ids))}&experiments=${encodeURIComponent(JSON.stringify(experiments))}`,
    )
  if (selected.length === 0) return null
  return (
    <div className="selection-bar" role="toolbar" aria-label="Selected runs">
      <span className="strong">{selected.length} selected</span>
      <button
        type="button"
        className="button small primary"
        disabled={selected.length < 2}
        onClick={compare}
      >
        Compare
      </button>
      <button
        type="button"
        className="button small"
        disabled={selected.length !== 1}
        onClick={() => setDialog('rename')}
      >
        Rename
      </button>
      <button type="button" className="button small" onClick={() => setDialog('tag')}>
        Add tag
      </button>
      {deletedView ? (
        <button type="button" className="button small" onClick={() => setDialog('restore')}>
          Restore
        </button>
      ) : (
        <button type="button" className="button small danger" onClick={() => setDialog('delete')}>
          Delete
        </button>
      )}
      <button type="button" className="link-button small" onClick={onClear}>
        Clear selection
      </button>
      {dialog === 'rename' && (
        <PromptDialog
          title="Rename run"
          fields={[{ name: 'name', label: 'New name', initial: selected[0]?.name }]}
          submitLabel="Rename"
          onSubmit={(v) => bulk.mutateAsync([many((id) => renameRun(id, v.name!.trim()))])}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === 'tag' && (
        <PromptDialog
          title={`Tag ${selected.length} run(s)`}
          fields={[
            { name: 'key', label: 'Key' },
            { name: 'value', label: 'Value', required: false },
          ]}
          submitLabel="Add tag"
          onSubmit={(v) =>
            bulk.mutateAsync([many((id) => setRunTag(id, v.key!.trim(), v.value ?? ''))])
          }
          onClose={() => setDialog(undefined)}
        />
      )}
      {(dialog === 'delete' || dialog === 'restore') && (
        <ConfirmDialog
          title={dialog === 'delete' ? 'Delete runs' : 'Restore runs'}
          message={`${dialog === 'delete' ? 'Delete' : 'Restore'} ${selected.length} run(s)?`}
          confirmLabel={dialog === 'delete' ? 'Delete' : 'Restore'}
          danger={dialog === 'delete'}
          onConfirm={async () => {
            await bulk.mutateAsync([many(dialog === 'delete' ? deleteRun : restoreRun)])
            onClear()
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
    </div>
  )
}

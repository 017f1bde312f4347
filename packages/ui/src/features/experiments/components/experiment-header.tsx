/** Experiment page header: name, id, artifact location, editable description and tags. */
import type { Experiment } from '@carnet/protocol'
import { useState } from 'react'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { MarkdownEditor } from '../../../components/ui/markdown-editor.tsx'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { TagsEditor } from '../../../components/ui/tags-editor.tsx'
import {
  deleteExperimentTag,
  setExperimentDescription,
  setExperimentTag,
  useExperimentMutation,
} from '../api/experiment-mutations.ts'
import { experimentTag, NOTE_TAG } from '../api/get-experiment.ts'

export function ExperimentHeader({ experiment }: { experiment: Experiment }) {
  const [showAbout, setShowAbout] = useState(false)
  const id = experiment.experiment_id
  const setTag = useExperimentMutation(setExperimentTag)
  const delTag = useExperimentMutation(deleteExperimentTag)
  const setNote = useExperimentMutation(setExperimentDescription)
  const note = experimentTag(experiment, NOTE_TAG) ?? ''
  const deleted = experiment.lifecycle_stage === 'deleted'
  return (
    <PageHeader
      title={
        <>
          {experiment.name}
          {deleted && <span className="badge danger">deleted</span>}
        </>
      }
      docTitle={experiment.name}
      crumbs={[{ label: 'Experiments', to: '/experiments' }]}
      actions={
        <button type="button" className="button small" onClick={() => setShowAbout(!showAbout)}>
          {showAbout ? 'Hide details' : 'Description & tags'}
        </button>
      }
    >
      <div className="meta-row muted small">
        <span>
          Experiment ID <span className="mono">{id}</span> <CopyButton value={id} />
        </span>
        {experiment.artifact_location && (
          <span>
            Artifacts <span className="mono">{experiment.artifact_location}</span>
          </span>
        )}
      </div>
      {!showAbout && note && (
        <div className="note-preview muted">
          {note
            .replace(/[#*_`>]/g, '')
            .trim()
            .split('\n')[0]
            ?.slice(0, 200)}
        </div>
      )}
      {showAbout && (
        <div className="about">
          <MarkdownEditor value={note} onSave={(text) => setNote.mutateAsync([id, text])} />
          <h3>Tags</h3>
          <TagsEditor
            tags={experiment.tags ?? []}
            onSet={(k, v) => setTag.mutateAsync([id, k, v])}
            onDelete={(k) => delTag.mutateAsync([id, k])}
            readOnly={deleted}
          />
        </div>
      )}
    </PageHeader>
  )
}

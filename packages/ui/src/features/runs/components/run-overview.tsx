/** Run overview: details, description, params / metrics / tags and child runs. */
import type { Run } from '@carnet/protocol'
import { KeyValueTable } from '../../../components/ui/key-value-table.tsx'
import { MarkdownEditor } from '../../../components/ui/markdown-editor.tsx'
import { TagsEditor } from '../../../components/ui/tags-editor.tsx'
import { formatNumber, formatTime } from '../../../lib/format.ts'
import { Link } from '../../../lib/router.tsx'
import { useChildRuns } from '../api/child-runs.ts'
import { deleteRunTag, setRunTag, useRunMutation } from '../api/run-mutations.ts'
import { NOTE_TAG } from '../utils/run-index.ts'
import { RunDetails } from './run-details.tsx'
import { StatusDot } from './runs-table-cells.tsx'

export function RunOverview({ run, experimentName }: { run: Run; experimentName?: string }) {
  const id = run.info.run_id
  const setTag = useRunMutation(setRunTag)
  const delTag = useRunMutation(deleteRunTag)
  const children = useChildRuns(run.info.experiment_id, id)
  const tags = run.data.tags ?? []
  const note = tags.find((t) => t.key === NOTE_TAG)?.value ?? ''
  const metrics = (run.data.metrics ?? []).map((m) => ({
    key: m.key,
    value: (
      <span className="num" title={`step ${m.step} · ${formatTime(m.timestamp)}`}>
        {formatNumber(m.value)}
      </span>
    ),
    text: String(m.value),
  }))
  const params = (run.data.params ?? []).map((p) => ({ key: p.key, value: p.value }))
  const active = run.info.lifecycle_stage === 'active'
  return (
    <div className="run-overview">
      <div className="two-col">
        <div>
          <RunDetails run={run} experimentName={experimentName} />
          <MarkdownEditor
            value={note}
            onSave={(text) => setTag.mutateAsync([id, NOTE_TAG, text])}
          />
          <h3>Tags</h3>
          <TagsEditor
            tags={tags}
            onSet={(k, v) => setTag.mutateAsync([id, k, v])}
            onDelete={(k) => delTag.mutateAsync([id, k])}
            readOnly={!active}
          />
        </div>
        <div>
          <KeyValueTable label="Parameters" rows={params} />
          <KeyValueTable label="Metrics" rows={metrics} valueHeader="Latest value" />
          {(children.data?.length ?? 0) > 0 && (
            <section className="kv-section" aria-label="Child runs">
              <h3>
                Child runs <span className="count">{children.data?.length}</span>
              </h3>
              <ul className="plain-list">
                {children.data?.map((c) => (
                  <li key={c.info.run_id}>
                    <Link to={`/experiments/${c.info.experiment_id}/runs/${c.info.run_id}`}>
                      {c.info.run_name || c.info.run_id}
                    </Link>{' '}
                    <StatusDot status={c.info.status} />
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      </div>
    </div>
  )
}

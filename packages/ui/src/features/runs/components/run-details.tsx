/** The run overview's details table: ids, status, times, user, source, parent, models, datasets. */
import type { Run } from '@carnet/protocol'
import type { ReactNode } from 'react'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { formatDuration, formatTime } from '../../../lib/format.ts'
import { Link } from '../../../lib/router.tsx'
import { PARENT_TAG, SOURCE_TAG } from '../utils/run-index.ts'
import { StatusDot } from './runs-table-cells.tsx'

export function RunDetails({ run, experimentName }: { run: Run; experimentName?: string }) {
  const info = run.info
  const tag = (k: string) => run.data.tags?.find((t) => t.key === k)?.value
  const parent = tag(PARENT_TAG)
  const commit = tag('mlflow.source.git.commit')
  const models = run.outputs?.model_outputs ?? []
  const datasets = run.inputs?.dataset_inputs ?? []
  const rows: [string, ReactNode][] = [
    [
      'Run ID',
      <>
        <span className="mono">{info.run_id}</span> <CopyButton value={info.run_id} />
      </>,
    ],
    [
      'Experiment',
      <Link key="e" to={`/experiments/${info.experiment_id}`}>
        {experimentName ?? info.experiment_id}
      </Link>,
    ],
    ['Status', <StatusDot key="s" status={info.status} />],
    ['Created at', formatTime(info.start_time)],
    ['Ended at', formatTime(info.end_time)],
    ['Duration', formatDuration(info.start_time, info.end_time)],
    ['User', info.user_id || tag('mlflow.user') || '—'],
    [
      'Source',
      <span key="src" className="mono">
        {tag(SOURCE_TAG) ?? '—'}
        {commit && <span className="muted"> @ {commit.slice(0, 10)}</span>}
      </span>,
    ],
  ]
  if (parent) {
    rows.push([
      'Parent run',
      <Link key="p" to={`/experiments/${info.experiment_id}/runs/${parent}`} className="mono">
        {parent}
      </Link>,
    ])
  }
  if (info.lifecycle_stage === 'deleted')
    rows.push([
      'Lifecycle',
      <span key="l" className="badge danger">
        deleted
      </span>,
    ])
  if (models.length > 0) {
    rows.push([
      'Logged models',
      <span key="m" className="stack-inline">
        {models.map((m) => (
          <Link
            key={m.model_id}
            to={`/experiments/${info.experiment_id}/models/${m.model_id}`}
            className="mono"
          >
            {m.model_id}
          </Link>
        ))}
      </span>,
    ])
  }
  if (datasets.length > 0) {
    rows.push([
      'Datasets',
      datasets.map((d) => `${d.dataset.name} (${d.dataset.digest.slice(0, 8)})`).join(', '),
    ])
  }
  if (info.artifact_uri)
    rows.push([
      'Artifact URI',
      <span key="a" className="mono">
        {info.artifact_uri}
      </span>,
    ])
  return (
    <table className="details-table">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

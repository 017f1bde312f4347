/** A model's versions: version, registered at, creator, stage, aliases, source run, description. */
import { formatTime } from '../../../lib/format.ts'
import { Link, seg } from '../../../lib/router.tsx'
import type { ModelVersion, RegisteredModel } from '../../../types/registry.ts'

export function VersionsTable({
  model,
  versions,
}: {
  model: RegisteredModel
  versions: ModelVersion[]
}) {
  const aliasesOf = (v: string) =>
    (model.aliases ?? []).filter((a) => a.version === v).map((a) => a.alias)
  return (
    <table className="table versions-table">
      <thead>
        <tr>
          <th>Version</th>
          <th>Registered at</th>
          <th>Created by</th>
          <th>Stage</th>
          <th>Aliases</th>
          <th>Source run</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.version}>
            <td>
              <Link to={`/models/${seg(v.name)}/versions/${v.version}`} className="strong">
                Version {v.version}
              </Link>
            </td>
            <td>{formatTime(v.creation_timestamp)}</td>
            <td>{v.user_id ?? '—'}</td>
            <td>
              <span className={`stage-chip stage-${(v.current_stage ?? 'none').toLowerCase()}`}>
                {v.current_stage ?? 'None'}
              </span>
            </td>
            <td>
              {aliasesOf(v.version).map((a) => (
                <span key={a} className="alias-chip">
                  @{a}
                </span>
              ))}
            </td>
            <td className="mono small">{v.run_id ? <RunLink runId={v.run_id} /> : '—'}</td>
            <td className="truncate">{v.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function RunLink({ runId }: { runId: string }) {
  return <Link to={`/runs/${runId}`}>{runId.slice(0, 12)}</Link>
}

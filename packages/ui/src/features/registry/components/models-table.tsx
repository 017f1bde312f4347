/** Registered models: name, latest version, aliases, stages, owner, last modified, tags. */
import { formatAgo, formatTime } from '../../../lib/format.ts'
import { Link, seg } from '../../../lib/router.tsx'
import type { RegisteredModel } from '../../../types/registry.ts'

export function ModelsTable({ models }: { models: RegisteredModel[] }) {
  return (
    <table className="table models-table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Latest version</th>
          <th>Aliases</th>
          <th>Stages</th>
          <th>Created by</th>
          <th>Last modified</th>
          <th>Tags</th>
        </tr>
      </thead>
      <tbody>
        {models.map((m) => {
          const versions = m.latest_versions ?? []
          const latest = versions.reduce<string | undefined>(
            (acc, v) => (acc === undefined || Number(v.version) > Number(acc) ? v.version : acc),
            undefined,
          )
          return (
            <tr key={m.name}>
              <td>
                <Link to={`/models/${seg(m.name)}`} className="strong">
                  {m.name}
                </Link>
              </td>
              <td>
                {latest ? (
                  <Link to={`/models/${seg(m.name)}/versions/${latest}`}>Version {latest}</Link>
                ) : (
                  '—'
                )}
              </td>
              <td>
                {(m.aliases ?? []).map((a) => (
                  <span key={a.alias} className="alias-chip">
                    @{a.alias}: v{a.version}
                  </span>
                ))}
              </td>
              <td>
                {versions
                  .filter((v) => v.current_stage && v.current_stage !== 'None')
                  .map((v) => (
                    <span
                      key={v.version}
                      className={`stage-chip stage-${v.current_stage?.toLowerCase()}`}
                    >
                      {v.current_stage}: v{v.version}
                    </span>
                  ))}
              </td>
              <td>{m.user_id ?? '—'}</td>
              <td title={formatTime(m.last_updated_timestamp)}>
                {formatAgo(m.last_updated_timestamp)}
              </td>
              <td>
                {(m.tags ?? []).slice(0, 3).map((t) => (
                  <span key={t.key} className="tag-chip small">
                    <span className="tag-key">{t.key}</span>
                    <span className="tag-value">{t.value}</span>
                  </span>
                ))}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

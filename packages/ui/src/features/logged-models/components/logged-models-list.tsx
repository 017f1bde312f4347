/** The experiment's Models tab: logged models with status, source run, registrations and metrics. */
import { useState } from 'react'
import { EmptyState, Loading } from '../../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../../components/ui/error-banner.tsx'
import { formatAgo, formatNumber, formatTime } from '../../../lib/format.ts'
import { Link, seg } from '../../../lib/router.tsx'
import { registrations, useLoggedModels } from '../api/logged-models.ts'

export function LoggedModelsList({ experimentId }: { experimentId: string }) {
  const [tokens, setTokens] = useState<string[]>([])
  const q = useLoggedModels(experimentId, tokens[tokens.length - 1])
  if (q.error) return <ErrorBanner error={q.error} title="Could not load logged models" />
  if (q.isPending) return <Loading label="Loading models…" />
  const models = q.data.models ?? []
  if (models.length === 0) {
    return (
      <EmptyState title="No logged models">
        Models logged with mlflow.&lt;flavor&gt;.log_model() appear here.
      </EmptyState>
    )
  }
  return (
    <div className="logged-models">
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Model ID</th>
            <th>Status</th>
            <th>Created</th>
            <th>Source run</th>
            <th>Registered as</th>
            <th>Metrics</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.info.model_id}>
              <td>
                <Link
                  to={`/experiments/${experimentId}/models/${m.info.model_id}`}
                  className="strong"
                >
                  {m.info.name}
                </Link>
              </td>
              <td className="mono small">{m.info.model_id}</td>
              <td>{(m.info.status ?? '').replace('LOGGED_MODEL_', '').toLowerCase()}</td>
              <td title={formatTime(m.info.creation_timestamp_ms)}>
                {formatAgo(m.info.creation_timestamp_ms)}
              </td>
              <td className="mono small">
                {m.info.source_run_id ? (
                  <Link to={`/experiments/${experimentId}/runs/${m.info.source_run_id}`}>
                    {m.info.source_run_id.slice(0, 12)}
                  </Link>
                ) : (
                  '—'
                )}
              </td>
              <td>
                {registrations(m).map((r) => (
                  <Link
                    key={`${r.name}/${r.version}`}
                    to={`/models/${seg(r.name)}/versions/${r.version}`}
                    className="alias-chip"
                  >
                    {r.name} v{r.version}
                  </Link>
                ))}
              </td>
              <td className="small">
                {(m.data?.metrics ?? [])
                  .slice(0, 3)
                  .map((x) => `${x.key}=${formatNumber(x.value)}`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        <button
          type="button"
          className="button small"
          disabled={tokens.length === 0}
          onClick={() => setTokens(tokens.slice(0, -1))}
        >
          ← Previous
        </button>
        <button
          type="button"
          className="button small"
          disabled={!q.data.next_page_token}
          onClick={() => q.data.next_page_token && setTokens([...tokens, q.data.next_page_token])}
        >
          Next →
        </button>
      </div>
    </div>
  )
}

/** `/experiments/:id/models/:modelId`: a logged model's details, params, metrics, tags and files. */
import { useMemo, useState } from 'react'
import { CopyButton } from '../../components/ui/copy-button.tsx'
import { Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { KeyValueTable } from '../../components/ui/key-value-table.tsx'
import { PageHeader } from '../../components/ui/page-header.tsx'
import { loggedModelArtifactSource } from '../../features/artifacts/api/artifact-source.ts'
import { ArtifactBrowser } from '../../features/artifacts/components/artifact-browser.tsx'
import { registrations, useLoggedModel } from '../../features/logged-models/api/logged-models.ts'
import { RegisterModelButton } from '../../features/registry/components/register-model-dialog.tsx'
import { formatNumber, formatTime } from '../../lib/format.ts'
import { Link, seg } from '../../lib/router.tsx'

export function LoggedModelPage({
  experimentId,
  modelId,
}: {
  experimentId: string
  modelId: string
}) {
  const model = useLoggedModel(modelId)
  const [path, setPath] = useState('')
  const uri = model.data?.info.artifact_uri
  const source = useMemo(() => loggedModelArtifactSource(modelId, uri), [modelId, uri])
  if (model.error)
    return <ErrorBanner error={model.error} title="Could not load the logged model" />
  if (!model.data) return <Loading />
  const { info, data } = model.data
  const regs = registrations(model.data)
  return (
    <div className="page logged-model-page">
      <PageHeader
        title={info.name}
        docTitle={`Model ${info.name}`}
        crumbs={[
          { label: 'Experiments', to: '/experiments' },
          { label: `Experiment ${experimentId}`, to: `/experiments/${experimentId}/models` },
        ]}
        actions={
          <RegisterModelButton
            source={`models:/${modelId}`}
            modelId={modelId}
            runId={info.source_run_id}
          />
        }
      />
      <table className="details-table">
        <tbody>
          <tr>
            <th scope="row">Model ID</th>
            <td>
              <span className="mono">{modelId}</span>{' '}
              <CopyButton value={`models:/${modelId}`} label="Copy URI" />
            </td>
          </tr>
          <tr>
            <th scope="row">Status</th>
            <td>{info.status}</td>
          </tr>
          <tr>
            <th scope="row">Created</th>
            <td>{formatTime(info.creation_timestamp_ms)}</td>
          </tr>
          <tr>
            <th scope="row">Source run</th>
            <td>
              {info.source_run_id ? (
                <Link
                  to={`/experiments/${experimentId}/runs/${info.source_run_id}`}
                  className="mono"
                >
                  {info.source_run_id}
                </Link>
              ) : (
                '—'
              )}
            </td>
          </tr>
          <tr>
            <th scope="row">Registered versions</th>
            <td>
              {regs.length === 0
                ? '—'
                : regs.map((r) => (
                    <Link
                      key={`${r.name}/${r.version}`}
                      to={`/models/${seg(r.name)}/versions/${r.version}`}
                      className="alias-chip"
                    >
                      {r.name} v{r.version}
                    </Link>
                  ))}
            </td>
          </tr>
        </tbody>
      </table>
      <div className="two-col">
        <KeyValueTable
          label="Parameters"
          rows={(data?.params ?? []).map((p) => ({ key: p.key, value: p.value }))}
        />
        <KeyValueTable
          label="Metrics"
          rows={(data?.metrics ?? []).map((m) => ({ key: m.key, value: formatNumber(m.value) }))}
        />
      </div>
      <KeyValueTable
        label="Tags"
        rows={(info.tags ?? []).map((t) => ({ key: t.key, value: t.value }))}
      />
      <h3>Artifacts</h3>
      <ArtifactBrowser source={source} path={path} onNavigate={setPath} />
    </div>
  )
}

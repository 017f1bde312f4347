/** `/models/:name/versions/:v`: metadata, source run, stage transition, aliases, tags, description, signature. */
import { useState } from 'react'
import { ConfirmDialog } from '../../components/ui/confirm-dialog.tsx'
import { Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { MarkdownEditor } from '../../components/ui/markdown-editor.tsx'
import { PageHeader } from '../../components/ui/page-header.tsx'
import { TagsEditor } from '../../components/ui/tags-editor.tsx'
import { proxyPath } from '../../features/artifacts/api/artifact-source.ts'
import { useLoggedModel } from '../../features/logged-models/api/logged-models.ts'
import { useModelVersion } from '../../features/registry/api/model-versions.ts'
import {
  deleteModelVersion,
  deleteVersionTag,
  setVersionTag,
  updateVersionDescription,
  useRegistryMutation,
} from '../../features/registry/api/registry-mutations.ts'
import { AliasesEditor } from '../../features/registry/components/aliases-editor.tsx'
import { SignatureTable } from '../../features/registry/components/signature-table.tsx'
import { StageTransition } from '../../features/registry/components/stage-transition.tsx'
import { serverUrl, toQuery } from '../../lib/api-client.ts'
import { formatTime } from '../../lib/format.ts'
import { Link, navigate, seg } from '../../lib/router.tsx'
import type { ModelVersion } from '../../types/registry.ts'

/** The logged model behind a `models:/<id>` source, if any. */
function loggedModelId(v: ModelVersion): string | undefined {
  if (v.model_id) return v.model_id
  const m = /^models:\/(m-[0-9a-f]+)$/.exec(v.source ?? '')
  return m?.[1]
}

function useMlmodelUrl(v: ModelVersion | undefined): string | undefined {
  const modelId = v ? loggedModelId(v) : undefined
  const logged = useLoggedModel(modelId ?? '')
  if (!v) return undefined
  const root = modelId ? logged.data?.info.artifact_uri : v.source
  const proxied = proxyPath(root)
  if (proxied !== undefined)
    return serverUrl(`api/2.0/mlflow-artifacts/artifacts/${proxied}/MLmodel`)
  const run = /^runs:\/([^/]+)\/(.+)$/.exec(v.source ?? '')
  if (run)
    return serverUrl(`get-artifact${toQuery({ path: `${run[2]}/MLmodel`, run_uuid: run[1] })}`)
  return undefined
}

export function ModelVersionPage({ name, version }: { name: string; version: string }) {
  const mv = useModelVersion(name, version)
  const mlmodelUrl = useMlmodelUrl(mv.data)
  const [deleting, setDeleting] = useState(false)
  const describe = useRegistryMutation(updateVersionDescription)
  const setTag = useRegistryMutation(setVersionTag)
  const delTag = useRegistryMutation(deleteVersionTag)
  const remove = useRegistryMutation(deleteModelVersion)
  if (mv.error) return <ErrorBanner error={mv.error} title="Could not load the model version" />
  if (!mv.data) return <Loading />
  const v = mv.data
  const stage = v.current_stage ?? 'None'
  const modelId = loggedModelId(v)
  return (
    <div className="page model-version-page">
      <PageHeader
        title={`${name} version ${version}`}
        docTitle={`${name} v${version}`}
        crumbs={[
          { label: 'Models', to: '/models' },
          { label: name, to: `/models/${seg(name)}` },
        ]}
        actions={
          <button type="button" className="button small danger" onClick={() => setDeleting(true)}>
            Delete version
          </button>
        }
      />
      {v.status && v.status !== 'READY' && (
        <div className="error-banner">
          <strong>{v.status.replace('_', ' ').toLowerCase()}</strong> {v.status_message}
        </div>
      )}
      <table className="details-table">
        <tbody>
          <tr>
            <th scope="row">Registered at</th>
            <td>{formatTime(v.creation_timestamp)}</td>
          </tr>
          <tr>
            <th scope="row">Creator</th>
            <td>{v.user_id ?? '—'}</td>
          </tr>
          <tr>
            <th scope="row">Last modified</th>
            <td>{formatTime(v.last_updated_timestamp)}</td>
          </tr>
          <tr>
            <th scope="row">Stage</th>
            <td>
              <div className="row">
                <span
                  className={`stage-chip stage-${stage.toLowerCase()}`}
                  data-testid="current-stage"
                >
                  {stage}
                </span>
                <StageTransition name={name} version={version} stage={stage} />
              </div>
            </td>
          </tr>
          <tr>
            <th scope="row">Aliases</th>
            <td>
              <AliasesEditor name={name} version={version} aliases={v.aliases ?? []} />
            </td>
          </tr>
          <tr>
            <th scope="row">Source run</th>
            <td>
              {v.run_id ? (
                <Link to={`/runs/${v.run_id}`} className="mono">
                  {v.run_id}
                </Link>
              ) : (
                '—'
              )}
            </td>
          </tr>
          {modelId && (
            <tr>
              <th scope="row">Logged model</th>
              <td className="mono">{modelId}</td>
            </tr>
          )}
          <tr>
            <th scope="row">Source</th>
            <td className="mono small">{v.source}</td>
          </tr>
        </tbody>
      </table>
      <MarkdownEditor
        value={v.description ?? ''}
        onSave={(t) => describe.mutateAsync([name, version, t])}
      />
      <h3>Tags</h3>
      <TagsEditor
        tags={v.tags ?? []}
        onSet={(k, val) => setTag.mutateAsync([name, version, k, val])}
        onDelete={(k) => delTag.mutateAsync([name, version, k])}
      />
      <h3>Schema</h3>
      <SignatureTable mlmodelUrl={mlmodelUrl} />
      {deleting && (
        <ConfirmDialog
          title="Delete version"
          message={`Delete version ${version} of ${name}?`}
          confirmLabel="Delete"
          danger
          onConfirm={async () => {
            await remove.mutateAsync([name, version])
            navigate(`/models/${seg(name)}`)
          }}
          onClose={() => setDeleting(false)}
        />
      )}
    </div>
  )
}

/** `/models/:name`: description, tags, aliases and the versions table; rename and delete. */
import { useState } from 'react'
import { ConfirmDialog } from '../../components/ui/confirm-dialog.tsx'
import { Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { MarkdownEditor } from '../../components/ui/markdown-editor.tsx'
import { PageHeader } from '../../components/ui/page-header.tsx'
import { PromptDialog } from '../../components/ui/prompt-dialog.tsx'
import { TagsEditor } from '../../components/ui/tags-editor.tsx'
import { useModelVersions } from '../../features/registry/api/model-versions.ts'
import { useRegisteredModel } from '../../features/registry/api/registered-models.ts'
import {
  deleteModelTag,
  deleteRegisteredModel,
  renameRegisteredModel,
  setModelTag,
  updateModelDescription,
  useRegistryMutation,
} from '../../features/registry/api/registry-mutations.ts'
import { VersionsTable } from '../../features/registry/components/versions-table.tsx'
import { formatTime } from '../../lib/format.ts'
import { navigate, seg } from '../../lib/router.tsx'

export function ModelPage({ name }: { name: string }) {
  const model = useRegisteredModel(name)
  const versions = useModelVersions(name)
  const [dialog, setDialog] = useState<'rename' | 'delete'>()
  const describe = useRegistryMutation(updateModelDescription)
  const setTag = useRegistryMutation(setModelTag)
  const delTag = useRegistryMutation(deleteModelTag)
  const rename = useRegistryMutation(renameRegisteredModel)
  const remove = useRegistryMutation(deleteRegisteredModel)
  if (model.error) return <ErrorBanner error={model.error} title="Could not load the model" />
  if (!model.data) return <Loading />
  const m = model.data
  return (
    <div className="page model-page">
      <PageHeader
        title={m.name}
        docTitle={m.name}
        crumbs={[{ label: 'Models', to: '/models' }]}
        actions={
          <>
            <button type="button" className="button small" onClick={() => setDialog('rename')}>
              Rename
            </button>
            <button
              type="button"
              className="button small danger"
              onClick={() => setDialog('delete')}
            >
              Delete
            </button>
          </>
        }
      >
        <div className="meta-row muted small">
          <span>Created {formatTime(m.creation_timestamp)}</span>
          <span>Last modified {formatTime(m.last_updated_timestamp)}</span>
          {(m.aliases ?? []).map((a) => (
            <span key={a.alias} className="alias-chip">
              @{a.alias} → v{a.version}
            </span>
          ))}
        </div>
      </PageHeader>
      <MarkdownEditor value={m.description ?? ''} onSave={(t) => describe.mutateAsync([name, t])} />
      <h3>Tags</h3>
      <TagsEditor
        tags={m.tags ?? []}
        onSet={(k, v) => setTag.mutateAsync([name, k, v])}
        onDelete={(k) => delTag.mutateAsync([name, k])}
      />
      <h3>
        Versions <span className="count">{versions.data?.length ?? ''}</span>
      </h3>
      {versions.error ? (
        <ErrorBanner error={versions.error} title="Could not load versions" />
      ) : versions.data ? (
        <VersionsTable model={m} versions={versions.data} />
      ) : (
        <Loading />
      )}
      {dialog === 'rename' && (
        <PromptDialog
          title="Rename model"
          fields={[{ name: 'name', label: 'New name', initial: name }]}
          submitLabel="Rename"
          onSubmit={async (v) => {
            await rename.mutateAsync([name, v.name!.trim()])
            navigate(`/models/${seg(v.name!.trim())}`, { replace: true })
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete model"
          message={`Delete "${name}" and all its versions? This cannot be undone.`}
          confirmLabel="Delete"
          danger
          onConfirm={async () => {
            await remove.mutateAsync([name])
            navigate('/models')
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
    </div>
  )
}

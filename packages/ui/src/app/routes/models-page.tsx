/** `/models`: registered models with search and pages. */
import { useEffect, useState } from 'react'
import { EmptyState, Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { PageHeader } from '../../components/ui/page-header.tsx'
import { PromptDialog } from '../../components/ui/prompt-dialog.tsx'
import { useRegisteredModels } from '../../features/registry/api/registered-models.ts'
import {
  createRegisteredModel,
  useRegistryMutation,
} from '../../features/registry/api/registry-mutations.ts'
import { ModelsTable } from '../../features/registry/components/models-table.tsx'
import { navigate, seg } from '../../lib/router.tsx'
import { patchQuery, useUrlParam } from '../../lib/url-state.ts'

export function ModelsPage() {
  const [q] = useUrlParam('q')
  const [draft, setDraft] = useState(q ?? '')
  const [tokens, setTokens] = useState<string[]>([])
  const [creating, setCreating] = useState(false)
  const models = useRegisteredModels({ search: q, pageToken: tokens[tokens.length - 1] })
  const create = useRegistryMutation(createRegisteredModel)
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new search starts at page one
  useEffect(() => setTokens([]), [q])
  useEffect(() => {
    const t = setTimeout(() => (q ?? '') !== draft && patchQuery({ q: draft }), 250)
    return () => clearTimeout(t)
  }, [draft, q])
  const list = models.data?.registered_models ?? []
  const next = models.data?.next_page_token
  return (
    <div className="page">
      <PageHeader
        title="Registered models"
        docTitle="Models"
        actions={
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            Create model
          </button>
        }
      />
      <div className="toolbar">
        <input
          className="input grow"
          type="search"
          placeholder="Search models by name"
          aria-label="Search models"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
      </div>
      {models.error ? (
        <ErrorBanner error={models.error} title="Could not load models" />
      ) : models.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <EmptyState title={q ? 'No models match' : 'No registered models'}>
          Register a model from a run's artifacts or with mlflow.register_model().
        </EmptyState>
      ) : (
        <ModelsTable models={list} />
      )}
      <div className="pager">
        <button
          type="button"
          className="button small"
          disabled={tokens.length === 0}
          onClick={() => setTokens(tokens.slice(0, -1))}
        >
          ← Previous
        </button>
        <span className="muted small">Page {tokens.length + 1}</span>
        <button
          type="button"
          className="button small"
          disabled={!next}
          onClick={() => next && setTokens([...tokens, next])}
        >
          Next →
        </button>
      </div>
      {creating && (
        <PromptDialog
          title="Create model"
          fields={[{ name: 'name', label: 'Name' }]}
          submitLabel="Create"
          onSubmit={async (v) => {
            const res = await create.mutateAsync([v.name!.trim()])
            navigate(`/models/${seg(res.registered_model.name)}`)
          }}
          onClose={() => setCreating(false)}
        />
      )}
    </div>
  )
}

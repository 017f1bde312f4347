/** `/experiments`: searchable, paginated experiment list with create / rename / delete / restore. */
import type { ViewType } from '@carnet/protocol'
import { useEffect, useState } from 'react'
import { EmptyState, Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { PageHeader } from '../../components/ui/page-header.tsx'
import { PromptDialog } from '../../components/ui/prompt-dialog.tsx'
import {
  createExperiment,
  useExperimentMutation,
} from '../../features/experiments/api/experiment-mutations.ts'
import { useSearchExperiments } from '../../features/experiments/api/search-experiments.ts'
import { ExperimentsTable } from '../../features/experiments/components/experiments-table.tsx'
import { navigate } from '../../lib/router.tsx'
import { patchQuery, useUrlParam } from '../../lib/url-state.ts'

const SORTS: Record<string, string> = {
  recent: 'last_update_time DESC',
  created: 'creation_time DESC',
  name: 'name ASC',
}

export function ExperimentsPage() {
  const [q] = useUrlParam('q')
  const [view] = useUrlParam('view')
  const [sort] = useUrlParam('sort')
  const [draft, setDraft] = useState(q ?? '')
  const [tokens, setTokens] = useState<string[]>([])
  const [creating, setCreating] = useState(false)
  const viewType: ViewType = view === 'deleted' ? 'DELETED_ONLY' : 'ACTIVE_ONLY'
  const query = useSearchExperiments({
    search: q,
    viewType,
    orderBy: SORTS[sort ?? 'recent'],
    pageToken: tokens[tokens.length - 1],
  })
  const create = useExperimentMutation(createExperiment)
  // a new search starts from the first page
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the query changes
  useEffect(() => setTokens([]), [q, view, sort])
  // typing filters after a short pause; the filter lives in the URL
  useEffect(() => {
    const t = setTimeout(() => {
      if ((q ?? '') !== draft) patchQuery({ q: draft })
    }, 250)
    return () => clearTimeout(t)
  }, [draft, q])

  const experiments = query.data?.experiments ?? []
  const next = query.data?.next_page_token
  return (
    <div className="page">
      <PageHeader
        title="Experiments"
        docTitle="Experiments"
        actions={
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            Create experiment
          </button>
        }
      />
      <div className="toolbar">
        <input
          className="input grow"
          type="search"
          placeholder="Search experiments by name"
          aria-label="Search experiments"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <select
          className="input"
          aria-label="Sort experiments"
          value={sort ?? 'recent'}
          onChange={(e) =>
            patchQuery({ sort: e.target.value === 'recent' ? undefined : e.target.value })
          }
        >
          <option value="recent">Last modified</option>
          <option value="created">Created</option>
          <option value="name">Name</option>
        </select>
        <div className="segmented">
          <button
            type="button"
            className={view !== 'deleted' ? 'active' : ''}
            onClick={() => patchQuery({ view: undefined })}
          >
            Active
          </button>
          <button
            type="button"
            className={view === 'deleted' ? 'active' : ''}
            onClick={() => patchQuery({ view: 'deleted' })}
          >
            Deleted
          </button>
        </div>
      </div>
      {query.error ? (
        <ErrorBanner error={query.error} title="Could not load experiments" />
      ) : query.isPending ? (
        <Loading />
      ) : experiments.length === 0 ? (
        <EmptyState title={q ? 'No experiments match' : 'No experiments yet'}>
          {q ? 'Try another search.' : 'Create one, or log a run with the mlflow client.'}
        </EmptyState>
      ) : (
        <ExperimentsTable experiments={experiments} />
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
          title="Create experiment"
          fields={[{ name: 'name', label: 'Name', placeholder: 'my-experiment' }]}
          submitLabel="Create"
          onSubmit={async (v) => {
            const res = await create.mutateAsync([v.name!.trim()])
            navigate(`/experiments/${res.experiment_id}`)
          }}
          onClose={() => setCreating(false)}
        />
      )}
    </div>
  )
}

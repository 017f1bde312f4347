/** `/experiments/:id/runs/:runId[/model-metrics|/artifacts[/path]]` and `/runs/:runId`. */
import { lazy, Suspense, useEffect, useState } from 'react'
import { ConfirmDialog } from '../../components/ui/confirm-dialog.tsx'
import { Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { PageHeader } from '../../components/ui/page-header.tsx'
import { PromptDialog } from '../../components/ui/prompt-dialog.tsx'
import { Tabs } from '../../components/ui/tabs.tsx'
import { useExperiment } from '../../features/experiments/api/get-experiment.ts'
import { useRun } from '../../features/runs/api/get-run.ts'
import {
  deleteRun,
  renameRun,
  restoreRun,
  useRunMutation,
} from '../../features/runs/api/run-mutations.ts'
import { RunOverview } from '../../features/runs/components/run-overview.tsx'
import { StatusDot } from '../../features/runs/components/runs-table-cells.tsx'
import { navigate } from '../../lib/router.tsx'

const RunCharts = lazy(() => import('./run-charts.tsx').then((m) => ({ default: m.RunCharts })))
const RunArtifacts = lazy(() =>
  import('./run-artifacts.tsx').then((m) => ({ default: m.RunArtifacts })),
)

interface RunPageProps {
  experimentId: string
  runId: string
  tab: string
  artifactPath?: string
}

export function RunPage({ experimentId, runId, tab, artifactPath }: RunPageProps) {
  const run = useRun(runId)
  const experiment = useExperiment(experimentId)
  const [dialog, setDialog] = useState<'rename' | 'delete'>()
  const rename = useRunMutation(renameRun)
  const remove = useRunMutation(deleteRun)
  const restore = useRunMutation(restoreRun)
  if (run.error) return <ErrorBanner error={run.error} title="Could not load the run" />
  if (!run.data) return <Loading label="Loading run…" />
  const r = run.data
  const name = r.info.run_name || runId
  const base = `/experiments/${experimentId}/runs/${runId}`
  const active = tab === 'model-metrics' || tab === 'artifacts' ? tab : 'overview'
  const deleted = r.info.lifecycle_stage === 'deleted'
  return (
    <div className="page run-page">
      <PageHeader
        title={
          <>
            {name} <StatusDot status={r.info.status} />
            {deleted && <span className="badge danger">deleted</span>}
          </>
        }
        docTitle={`Run ${name}`}
        crumbs={[
          { label: 'Experiments', to: '/experiments' },
          {
            label: experiment.data?.name ?? `Experiment ${experimentId}`,
            to: `/experiments/${experimentId}`,
          },
        ]}
        actions={
          <>
            <button
              type="button"
              className="button small"
              disabled={deleted}
              onClick={() => setDialog('rename')}
            >
              Rename
            </button>
            {deleted ? (
              <button
                type="button"
                className="button small"
                onClick={() => restore.mutate([runId])}
              >
                Restore
              </button>
            ) : (
              <button
                type="button"
                className="button small danger"
                onClick={() => setDialog('delete')}
              >
                Delete
              </button>
            )}
          </>
        }
      />
      <Tabs
        active={active}
        tabs={[
          { id: 'overview', label: 'Overview', to: base },
          { id: 'model-metrics', label: 'Metric charts', to: `${base}/model-metrics` },
          { id: 'artifacts', label: 'Artifacts', to: `${base}/artifacts` },
        ]}
      />
      <Suspense fallback={<Loading />}>
        {active === 'overview' && <RunOverview run={r} experimentName={experiment.data?.name} />}
        {active === 'model-metrics' && <RunCharts run={r} />}
        {active === 'artifacts' && <RunArtifacts run={r} path={artifactPath ?? ''} />}
      </Suspense>
      {dialog === 'rename' && (
        <PromptDialog
          title="Rename run"
          fields={[{ name: 'name', label: 'New name', initial: name }]}
          submitLabel="Rename"
          onSubmit={(v) => rename.mutateAsync([runId, v.name!.trim()])}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete run"
          message={`Delete run "${name}"? It can be restored from the experiment's deleted runs.`}
          confirmLabel="Delete"
          danger
          onConfirm={() => remove.mutateAsync([runId])}
          onClose={() => setDialog(undefined)}
        />
      )}
    </div>
  )
}

/** `/runs/:runId`: looks up the run's experiment, then shows the canonical URL. */
export function RunRedirect({ runId }: { runId: string }) {
  const run = useRun(runId)
  useEffect(() => {
    if (run.data)
      navigate(`/experiments/${run.data.info.experiment_id}/runs/${runId}`, { replace: true })
  }, [run.data, runId])
  if (run.error) return <ErrorBanner error={run.error} title="Could not load the run" />
  return <Loading label="Loading run…" />
}

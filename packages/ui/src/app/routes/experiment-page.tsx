/** `/experiments/:id[/charts|/models]`: runs table, charts of those runs, logged models. */
import { lazy, Suspense, useMemo } from 'react'
import { Loading } from '../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../components/ui/error-banner.tsx'
import { Tabs } from '../../components/ui/tabs.tsx'
import { useExperiment } from '../../features/experiments/api/get-experiment.ts'
import { ExperimentHeader } from '../../features/experiments/components/experiment-header.tsx'
import { RunsToolbar } from '../../features/runs/components/runs-toolbar.tsx'
import { RunsView } from '../../features/runs/components/runs-view.tsx'
import { useRunsView } from '../../features/runs/hooks/use-runs-view.ts'
import { useLocation } from '../../lib/router.tsx'

const ExperimentCharts = lazy(() =>
  import('./experiment-charts.tsx').then((m) => ({ default: m.ExperimentCharts })),
)
const LoggedModelsList = lazy(() =>
  import('../../features/logged-models/components/logged-models-list.tsx').then((m) => ({
    default: m.LoggedModelsList,
  })),
)

export function ExperimentPage({ experimentId, tab }: { experimentId: string; tab: string }) {
  const experiment = useExperiment(experimentId)
  const ids = useMemo(() => [experimentId], [experimentId])
  const view = useRunsView(ids)
  const { query } = useLocation()
  const qs = query.toString()
  const suffix = qs ? `?${qs}` : ''
  const base = `/experiments/${experimentId}`
  const active = tab === 'charts' || tab === 'models' ? tab : 'runs'
  return (
    <div className="page experiment-page">
      {experiment.error ? (
        <ErrorBanner error={experiment.error} title="Could not load the experiment" />
      ) : experiment.data ? (
        <ExperimentHeader experiment={experiment.data} />
      ) : (
        <div className="page-header-placeholder" />
      )}
      <Tabs
        active={active}
        tabs={[
          { id: 'runs', label: 'Runs', to: `${base}${suffix}` },
          { id: 'charts', label: 'Charts', to: `${base}/charts${suffix}` },
          { id: 'models', label: 'Models', to: `${base}/models` },
        ]}
      />
      {active !== 'models' && (
        <RunsToolbar view={view} experimentName={experiment.data?.name ?? ''} />
      )}
      <Suspense fallback={<Loading />}>
        {active === 'runs' && <RunsView view={view} experimentId={experimentId} />}
        {active === 'charts' && <ExperimentCharts view={view} />}
        {active === 'models' && <LoggedModelsList experimentId={experimentId} />}
      </Suspense>
    </div>
  )
}

/** Route table (hash paths, MLflow's URL shapes) → pages; heavy pages load on demand. */
import { lazy, type ReactNode, Suspense, useEffect } from 'react'
import { EmptyState, Loading } from '../components/ui/empty-state.tsx'
import { Link, matchPath, navigate, useLocation } from '../lib/router.tsx'
import { Layout } from './layout.tsx'
import { ErrorBoundary } from './provider.tsx'
import { ExperimentPage } from './routes/experiment-page.tsx'
import { ExperimentsPage } from './routes/experiments-page.tsx'

const RunPage = lazy(() => import('./routes/run-page.tsx').then((m) => ({ default: m.RunPage })))
const RunRedirect = lazy(() =>
  import('./routes/run-page.tsx').then((m) => ({ default: m.RunRedirect })),
)
const ComparePage = lazy(() =>
  import('./routes/compare-page.tsx').then((m) => ({ default: m.ComparePage })),
)
const ModelsPage = lazy(() =>
  import('./routes/models-page.tsx').then((m) => ({ default: m.ModelsPage })),
)
const ModelPage = lazy(() =>
  import('./routes/model-page.tsx').then((m) => ({ default: m.ModelPage })),
)
const ModelVersionPage = lazy(() =>
  import('./routes/model-version-page.tsx').then((m) => ({ default: m.ModelVersionPage })),
)
const LoggedModelPage = lazy(() =>
  import('./routes/logged-model-page.tsx').then((m) => ({ default: m.LoggedModelPage })),
)

type P = Record<string, string>
interface Route {
  pattern: string
  section: string
  render: (p: P) => ReactNode
}

const ROUTES: Route[] = [
  { pattern: '/experiments', section: 'experiments', render: () => <ExperimentsPage /> },
  {
    pattern: '/experiments/:id/runs/:runId',
    section: 'experiments',
    render: (p) => <RunPage experimentId={p.id!} runId={p.runId!} tab="overview" />,
  },
  {
    pattern: '/experiments/:id/runs/:runId/:tab',
    section: 'experiments',
    render: (p) => <RunPage experimentId={p.id!} runId={p.runId!} tab={p.tab!} />,
  },
  {
    pattern: '/experiments/:id/runs/:runId/artifacts/*',
    section: 'experiments',
    render: (p) => (
      <RunPage experimentId={p.id!} runId={p.runId!} tab="artifacts" artifactPath={p['*']} />
    ),
  },
  {
    pattern: '/experiments/:id/models/:modelId',
    section: 'experiments',
    render: (p) => <LoggedModelPage experimentId={p.id!} modelId={p.modelId!} />,
  },
  {
    pattern: '/experiments/:id',
    section: 'experiments',
    render: (p) => <ExperimentPage experimentId={p.id!} tab="runs" />,
  },
  {
    pattern: '/experiments/:id/:tab',
    section: 'experiments',
    render: (p) => <ExperimentPage experimentId={p.id!} tab={p.tab!} />,
  },
  {
    pattern: '/runs/:runId',
    section: 'experiments',
    render: (p) => <RunRedirect runId={p.runId!} />,
  },
  { pattern: '/compare-runs', section: 'experiments', render: () => <ComparePage /> },
  { pattern: '/models', section: 'models', render: () => <ModelsPage /> },
  {
    pattern: '/models/:name/versions/:version',
    section: 'models',
    render: (p) => <ModelVersionPage name={p.name!} version={p.version!} />,
  },
  { pattern: '/models/:name', section: 'models', render: (p) => <ModelPage name={p.name!} /> },
]

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to])
  return null
}

export function AppRouter() {
  const { path } = useLocation()
  if (path === '/' || path === '') return <Redirect to="/experiments" />
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path)
    if (!params) continue
    return (
      <Layout section={route.section}>
        <ErrorBoundary resetKey={path}>
          <Suspense fallback={<Loading />}>{route.render(params)}</Suspense>
        </ErrorBoundary>
      </Layout>
    )
  }
  return (
    <Layout section="">
      <EmptyState title="Page not found">
        Nothing lives at <code>{path}</code>. <Link to="/experiments">Go to experiments</Link>
      </EmptyState>
    </Layout>
  )
}

/** The run's Artifacts tab: browser with previews; model folders offer "Register model". */
import type { Run } from '@carnet/protocol'
import { useMemo } from 'react'
import { runArtifactSource } from '../../features/artifacts/api/artifact-source.ts'
import { ArtifactBrowser } from '../../features/artifacts/components/artifact-browser.tsx'
import { RegisterModelButton } from '../../features/registry/components/register-model-dialog.tsx'
import { navigate } from '../../lib/router.tsx'

export function RunArtifacts({ run, path }: { run: Run; path: string }) {
  const { run_id: runId, experiment_id: experimentId, artifact_uri: uri } = run.info
  const source = useMemo(() => runArtifactSource(runId, uri), [runId, uri])
  const base = `/experiments/${experimentId}/runs/${runId}/artifacts`
  return (
    <ArtifactBrowser
      source={source}
      path={path}
      onNavigate={(p) =>
        navigate(p ? `${base}/${p.split('/').map(encodeURIComponent).join('/')}` : base, {
          replace: true,
        })
      }
      modelActions={(dir) => (
        <RegisterModelButton
          source={uri ? `${uri}/${dir}`.replace(/\/$/, '') : `runs:/${runId}/${dir}`}
          runId={runId}
        />
      )}
    />
  )
}

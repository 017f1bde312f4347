import { MlflowError } from '@carnet/protocol'
import type { TrackingStore } from '../store/tracking-store.ts'
import type { RouteDef } from './router.ts'
import { runId } from './run-routes.ts'

/** Endpoints MLflow serves to its web UI only (ajax-api), kept for UI and tool compatibility. */
export function uiRoutes(store: TrackingStore): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/mlflow/metrics/get-history-bulk',
      handler: async (f) => {
        const runIds = f.stringList('run_id')
        if (runIds.length === 0) runId(f)
        if (runIds.length > 100) {
          throw MlflowError.invalidParameter(
            `GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received ${runIds.length} run_ids.`,
          )
        }
        const key = f.string('metric_key', { required: true })
        const maxResults = Math.min(f.int('max_results') ?? 25000, 25000)
        const metrics = []
        for (const id of [...runIds].sort()) {
          const page = await store.getMetricHistory(id, key, undefined, undefined)
          metrics.push(...page.items.map((m) => ({ ...m, run_id: id })))
          if (metrics.length >= maxResults) break
        }
        return { metrics: metrics.slice(0, maxResults) }
      },
    },
  ]
}

/** Logged models (MLflow 3): search per experiment, get one. */
import { useQuery } from '@tanstack/react-query'
import { apiGet, apiSend } from '../../../lib/api-client.ts'
import type { LoggedModel } from '../../../types/registry.ts'

export const useLoggedModels = (experimentId: string, pageToken?: string) =>
  useQuery({
    queryKey: ['logged-models', experimentId, pageToken ?? null],
    queryFn: ({ signal }) =>
      apiSend<{ models?: LoggedModel[]; next_page_token?: string }>(
        'POST',
        'logged-models/search',
        { experiment_ids: [experimentId], max_results: 100, page_token: pageToken },
        signal,
      ),
  })

export const useLoggedModel = (modelId: string) =>
  useQuery({
    queryKey: ['logged-model', modelId],
    enabled: Boolean(modelId),
    queryFn: ({ signal }) =>
      apiGet<{ model: LoggedModel }>(
        `logged-models/${encodeURIComponent(modelId)}`,
        {},
        signal,
      ).then((r) => r.model),
  })

/** Registered versions of a logged model, from its `mlflow.modelVersions` tag (JSON list). */
export function registrations(model: LoggedModel): { name: string; version: string }[] {
  const seen = new Set<string>()
  return allRegistrations(model).filter((r) => {
    const key = `${r.name}/${r.version}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function allRegistrations(model: LoggedModel): { name: string; version: string }[] {
  if (model.info.registrations?.length) return model.info.registrations
  const tag = model.info.tags?.find((t) => t.key === 'mlflow.modelVersions')?.value
  if (!tag) return []
  try {
    const parsed = JSON.parse(tag) as { name: string; version: string | number }[]
    return parsed.map((r) => ({ name: r.name, version: String(r.version) }))
  } catch {
    return []
  }
}

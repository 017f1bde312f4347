/** Model versions: all versions of a model, one version (with aliases). */
import { useQuery } from '@tanstack/react-query'
import { apiGet } from '../../../lib/api-client.ts'
import type { ModelVersion } from '../../../types/registry.ts'

export const useModelVersions = (name: string) =>
  useQuery({
    queryKey: ['model-versions', name],
    queryFn: ({ signal }) =>
      apiGet<{ model_versions?: ModelVersion[] }>(
        'model-versions/search',
        {
          filter: `name = '${name.replace(/'/g, "''")}'`,
          max_results: 10000,
          order_by: ['version_number DESC'],
        },
        signal,
      ).then((r) => r.model_versions ?? []),
  })

export const useModelVersion = (name: string, version: string) =>
  useQuery({
    queryKey: ['model-version', name, version],
    queryFn: ({ signal }) =>
      apiGet<{ model_version: ModelVersion }>('model-versions/get', { name, version }, signal).then(
        (r) => r.model_version,
      ),
  })

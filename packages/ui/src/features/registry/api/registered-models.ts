/** Registered models: search (paged), get. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { apiGet } from '../../../lib/api-client.ts'
import type { RegisteredModel } from '../../../types/registry.ts'

export interface ModelsQuery {
  search?: string
  pageToken?: string
  orderBy?: string
}

export const searchRegisteredModelsOptions = (q: ModelsQuery) =>
  queryOptions({
    queryKey: ['registered-models', q],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => {
      const text = q.search?.trim()
      return apiGet<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
        'registered-models/search',
        {
          filter: text ? `name ILIKE '%${text.replace(/'/g, "''")}%'` : undefined,
          max_results: 50,
          page_token: q.pageToken,
          order_by: q.orderBy ? [q.orderBy] : undefined,
        },
        signal,
      )
    },
  })

export const useRegisteredModels = (q: ModelsQuery) => useQuery(searchRegisteredModelsOptions(q))

export const useRegisteredModel = (name: string) =>
  useQuery({
    queryKey: ['registered-model', name],
    queryFn: ({ signal }) =>
      apiGet<{ registered_model: RegisteredModel }>('registered-models/get', { name }, signal).then(
        (r) => r.registered_model,
      ),
  })

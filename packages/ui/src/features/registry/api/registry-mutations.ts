/** Registry writes (MLflow's methods per RPC: PATCH updates, DELETE with JSON bodies). */
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { ApiError, apiSend } from '../../../lib/api-client.ts'
import type { ModelVersion, RegisteredModel } from '../../../types/registry.ts'

export const createRegisteredModel = (name: string) =>
  apiSend<{ registered_model: RegisteredModel }>('POST', 'registered-models/create', { name })
export const renameRegisteredModel = (name: string, newName: string) =>
  apiSend('POST', 'registered-models/rename', { name, new_name: newName })
export const updateModelDescription = (name: string, description: string) =>
  apiSend('PATCH', 'registered-models/update', { name, description })
export const deleteRegisteredModel = (name: string) =>
  apiSend('DELETE', 'registered-models/delete', { name })
export const setModelTag = (name: string, key: string, value: string) =>
  apiSend('POST', 'registered-models/set-tag', { name, key, value })
export const deleteModelTag = (name: string, key: string) =>
  apiSend('DELETE', 'registered-models/delete-tag', { name, key })
export const setAlias = (name: string, alias: string, version: string) =>
  apiSend('POST', 'registered-models/alias', { name, alias, version })
export const deleteAlias = (name: string, alias: string) =>
  apiSend('DELETE', 'registered-models/alias', { name, alias })
export const updateVersionDescription = (name: string, version: string, description: string) =>
  apiSend('PATCH', 'model-versions/update', { name, version, description })
export const transitionStage = (
  name: string,
  version: string,
  stage: string,
  archiveExisting: boolean,
) =>
  apiSend<{ model_version: ModelVersion }>('POST', 'model-versions/transition-stage', {
    name,
    version,
    stage,
    archive_existing_versions: archiveExisting,
  })
export const setVersionTag = (name: string, version: string, key: string, value: string) =>
  apiSend('POST', 'model-versions/set-tag', { name, version, key, value })
export const deleteVersionTag = (name: string, version: string, key: string) =>
  apiSend('DELETE', 'model-versions/delete-tag', { name, version, key })
export const deleteModelVersion = (name: string, version: string) =>
  apiSend('DELETE', 'model-versions/delete', { name, version })

/** Registers `source` as a new version of `name`, creating the model first when it is new. */
export async function registerModel(input: {
  name: string
  source: string
  runId?: string
  modelId?: string
}) {
  try {
    await createRegisteredModel(input.name)
  } catch (e) {
    // mlflow-compat: an existing model is fine (the client does the same)
    if (
      !(
        e instanceof ApiError &&
        (e.code === 'RESOURCE_ALREADY_EXISTS' || e.code === 'ALREADY_EXISTS')
      )
    )
      throw e
  }
  return apiSend<{ model_version: ModelVersion }>('POST', 'model-versions/create', {
    name: input.name,
    source: input.source,
    run_id: input.runId,
    model_id: input.modelId,
  })
}

export function useRegistryMutation<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (args: A) => fn(...args),
    onSettled: async () => {
      await Promise.all(
        [
          'registered-models',
          'registered-model',
          'model-versions',
          'model-version',
          'logged-models',
          'logged-model',
        ].map((k) => client.invalidateQueries({ queryKey: [k] })),
      )
    },
  })
}

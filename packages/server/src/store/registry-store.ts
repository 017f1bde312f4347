import type { KeyValue, ModelVersion, RegisteredModel } from '@carnet/protocol'
import type { Page } from './tracking-store.ts'

export interface CreateRegisteredModelInput {
  name: string
  tags: KeyValue[]
  /** As sent; MLflow stores the proto default `''` when the field is absent. */
  description: string
}

export interface CreateModelVersionInput {
  name: string
  source: string
  /** undefined when the request did not carry the field (MLflow's HasField), '' when it was empty. */
  runId?: string | undefined
  modelId?: string | undefined
  runLink: string
  description: string
  tags: KeyValue[]
}

export interface RegistrySearchQuery {
  filter?: string | undefined
  maxResults: number
  orderBy: string[]
  pageToken?: string | undefined
}

/**
 * The model registry (MLflow's ModelRegistry AbstractStore). Versions and names come as sent on the
 * wire (strings); every method throws MlflowError with MLflow's codes for domain failures.
 */
export interface RegistryStore {
  createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel>
  getRegisteredModel(name: string): Promise<RegisteredModel>
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>
  deleteRegisteredModel(name: string): Promise<void>
  searchRegisteredModels(query: RegistrySearchQuery): Promise<Page<RegisteredModel>>
  getLatestVersions(name: string, stages: string[]): Promise<ModelVersion[]>
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void>
  deleteRegisteredModelTag(name: string, key: string): Promise<void>

  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>
  getModelVersion(name: string, version: string): Promise<ModelVersion>
  /** `description` undefined clears it (MLflow stores NULL when the field is absent). */
  updateModelVersion(
    name: string,
    version: string,
    description: string | undefined,
  ): Promise<ModelVersion>
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>
  deleteModelVersion(name: string, version: string): Promise<void>
  getModelVersionDownloadUri(name: string, version: string): Promise<string>
  searchModelVersions(query: RegistrySearchQuery): Promise<Page<ModelVersion>>
  setModelVersionTag(name: string, version: string, tag: KeyValue): Promise<void>
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>

  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>
}

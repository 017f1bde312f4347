/** Model registry and MLflow 3 logged-model wire entities (model_registry.proto, service.proto). */
import type { KeyValue, Metric } from './entities.ts'

/** Stages a model version can be moved to; `Deleted_Internal` is internal and never on the wire. */
export type ModelVersionStage = 'None' | 'Staging' | 'Production' | 'Archived'
export const MODEL_VERSION_STAGES: readonly ModelVersionStage[] = [
  'None',
  'Staging',
  'Production',
  'Archived',
]

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY'

export interface RegisteredModelAlias {
  alias: string
  /** The version number as a string, as the proto declares it. */
  version: string
}

export interface ModelVersion {
  name: string
  version: string
  creation_timestamp: number
  last_updated_timestamp?: number
  user_id?: string
  current_stage?: string
  description?: string
  source?: string
  run_id?: string
  status?: ModelVersionStatus
  status_message?: string
  tags?: KeyValue[]
  run_link?: string
  aliases?: string[]
}

export interface RegisteredModel {
  name: string
  creation_timestamp?: number
  last_updated_timestamp?: number
  user_id?: string
  description?: string
  latest_versions?: ModelVersion[]
  tags?: KeyValue[]
  aliases?: RegisteredModelAlias[]
}

export type LoggedModelStatus =
  | 'LOGGED_MODEL_STATUS_UNSPECIFIED'
  | 'LOGGED_MODEL_PENDING'
  | 'LOGGED_MODEL_READY'
  | 'LOGGED_MODEL_UPLOAD_FAILED'

/** The proto numbers, which is also what `logged_models.status` stores. */
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
]

export interface LoggedModelInfo {
  model_id: string
  experiment_id: string
  name: string
  creation_timestamp_ms: number
  last_updated_timestamp_ms: number
  artifact_uri: string
  status: LoggedModelStatus
  model_type?: string
  source_run_id?: string
  status_message?: string
  tags?: KeyValue[]
}

export interface LoggedModelData {
  params?: KeyValue[]
  metrics?: Metric[]
}

export interface LoggedModel {
  info: LoggedModelInfo
  data: LoggedModelData
}

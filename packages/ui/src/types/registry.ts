/** Model registry and logged-model wire shapes (contract §2.5); move to @carnet/protocol when it has them. */
import type { KeyValue, Metric } from '@carnet/protocol'

export type Stage = 'None' | 'Staging' | 'Production' | 'Archived'
export const STAGES: readonly Stage[] = ['None', 'Staging', 'Production', 'Archived']

export interface ModelVersion {
  name: string
  version: string
  creation_timestamp?: number
  last_updated_timestamp?: number
  user_id?: string
  current_stage?: Stage | string
  description?: string
  source?: string
  run_id?: string
  status?: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY' | string
  status_message?: string
  tags?: KeyValue[]
  run_link?: string
  aliases?: string[]
  model_id?: string
}

export interface RegisteredModel {
  name: string
  creation_timestamp?: number
  last_updated_timestamp?: number
  user_id?: string
  description?: string
  latest_versions?: ModelVersion[]
  tags?: KeyValue[]
  aliases?: { alias: string; version: string }[]
}

export interface LoggedModel {
  info: {
    model_id: string
    experiment_id: string
    name: string
    creation_timestamp_ms?: number
    last_updated_timestamp_ms?: number
    artifact_uri?: string
    status?: string
    model_type?: string
    source_run_id?: string
    status_message?: string
    tags?: KeyValue[]
    registrations?: { name: string; version: string }[]
  }
  data?: { params?: KeyValue[]; metrics?: Metric[] }
}

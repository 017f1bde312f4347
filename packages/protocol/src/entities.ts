/** MLflow wire entities as the server emits them: snake_case, int64 as JSON numbers. */

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'
export type LifecycleStage = 'active' | 'deleted'

export const RUN_STATUSES: readonly RunStatus[] = [
  'RUNNING',
  'SCHEDULED',
  'FINISHED',
  'FAILED',
  'KILLED',
]
/** Proto enum numbers, accepted on input in place of names. */
export const RUN_STATUS_BY_NUMBER: Record<number, RunStatus> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
}
export const VIEW_TYPE_BY_NUMBER: Record<number, ViewType> = {
  1: 'ACTIVE_ONLY',
  2: 'DELETED_ONLY',
  3: 'ALL',
}

export interface KeyValue {
  key: string
  value: string
}

export interface Experiment {
  experiment_id: string
  name: string
  artifact_location?: string
  lifecycle_stage: LifecycleStage
  last_update_time?: number
  creation_time?: number
  tags?: KeyValue[]
  /** MLflow 3.10+ workspaces; always `default` here. */
  workspace?: string
}

/** A double on the wire: finite numbers as numbers, NaN and infinities as strings. */
export type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity'

export interface Metric {
  key: string
  value: WireDouble
  timestamp: number
  step: number
  dataset_name?: string
  dataset_digest?: string
  model_id?: string
  run_id?: string
}

export interface RunInfo {
  run_id: string
  run_uuid: string
  run_name: string
  experiment_id: string
  user_id: string
  status: RunStatus
  start_time: number
  end_time?: number
  artifact_uri?: string
  lifecycle_stage: LifecycleStage
}

export interface RunData {
  metrics?: Metric[]
  params?: KeyValue[]
  tags?: KeyValue[]
}

export interface Dataset {
  name: string
  digest: string
  source_type: string
  source: string
  schema?: string
  profile?: string
}

export interface DatasetInput {
  tags?: KeyValue[]
  dataset: Dataset
}

export interface RunInputs {
  dataset_inputs?: DatasetInput[]
  model_inputs?: { model_id: string }[]
}

export interface RunOutputs {
  model_outputs?: { model_id: string; step: number }[]
}

export interface Run {
  info: RunInfo
  data: RunData
  inputs: RunInputs
  outputs?: RunOutputs
}

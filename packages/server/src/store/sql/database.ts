import type { Generated } from 'kysely'

/** Rows of MLflow's tables, as Carnet reads and writes them (column names are MLflow's). */
export interface ExperimentsTable {
  experiment_id: Generated<number>
  name: string
  artifact_location: string | null
  lifecycle_stage: string | null
  creation_time: number | null
  last_update_time: number | null
  workspace: Generated<string>
}

export interface KeyValueRow {
  key: string
  value: string | null
}

export interface ExperimentTagsTable extends KeyValueRow {
  experiment_id: number
}

export interface RunsTable {
  run_uuid: string
  name: string | null
  source_type: string | null
  source_name: string | null
  entry_point_name: string | null
  user_id: string | null
  status: string | null
  start_time: number | null
  end_time: number | null
  source_version: string | null
  lifecycle_stage: string | null
  artifact_uri: string | null
  experiment_id: number | null
  deleted_time: number | null
}

export interface MetricsTable {
  key: string
  value: number
  timestamp: number
  run_uuid: string
  step: number
  is_nan: boolean | number
}

export interface LatestMetricsTable {
  key: string
  value: number
  timestamp: number | null
  step: number
  is_nan: boolean | number
  run_uuid: string
}

export interface ParamsTable {
  key: string
  value: string
  run_uuid: string
}

export interface TagsTable {
  key: string
  value: string | null
  run_uuid: string
}

export interface DatasetsTable {
  dataset_uuid: string
  experiment_id: number
  name: string
  digest: string
  dataset_source_type: string
  dataset_source: string
  dataset_schema: string | null
  dataset_profile: string | null
}

export interface InputsTable {
  input_uuid: string
  source_type: string
  source_id: string
  destination_type: string
  destination_id: string
  step: Generated<number>
}

export interface InputTagsTable {
  input_uuid: string
  name: string
  value: string
}

export interface LoggedModelMetricsTable {
  model_id: string
  metric_name: string
  metric_timestamp_ms: number
  metric_step: number
  metric_value: number | null
  experiment_id: number
  run_id: string
  dataset_uuid: string | null
  dataset_name: string | null
  dataset_digest: string | null
}

export interface RegisteredModelsTable {
  name: string
  creation_time: number | null
  last_updated_time: number | null
  description: string | null
  workspace: Generated<string>
}

export interface ModelVersionsTable {
  name: string
  version: number
  creation_time: number | null
  last_updated_time: number | null
  description: string | null
  user_id: string | null
  current_stage: string | null
  source: string | null
  run_id: string | null
  status: string | null
  status_message: string | null
  run_link: string | null
  storage_location: string | null
  workspace: Generated<string>
}

export interface RegisteredModelTagsTable {
  key: string
  value: string | null
  name: string
  workspace: Generated<string>
}

export interface ModelVersionTagsTable {
  key: string
  value: string | null
  name: string
  version: number
  workspace: Generated<string>
}

export interface RegisteredModelAliasesTable {
  alias: string
  version: number
  name: string
  workspace: Generated<string>
}

export interface LoggedModelsTable {
  model_id: string
  experiment_id: number
  name: string
  artifact_location: string
  creation_timestamp_ms: number
  last_updated_timestamp_ms: number
  status: number
  lifecycle_stage: string | null
  model_type: string | null
  source_run_id: string | null
  status_message: string | null
}

export interface LoggedModelParamsTable {
  model_id: string
  experiment_id: number
  param_key: string
  param_value: string
}

export interface LoggedModelTagsTable {
  model_id: string
  experiment_id: number
  tag_key: string
  tag_value: string
}

export interface AlembicVersionTable {
  version_num: string
}

export interface Database {
  experiments: ExperimentsTable
  experiment_tags: ExperimentTagsTable
  runs: RunsTable
  metrics: MetricsTable
  latest_metrics: LatestMetricsTable
  params: ParamsTable
  tags: TagsTable
  datasets: DatasetsTable
  inputs: InputsTable
  input_tags: InputTagsTable
  logged_model_metrics: LoggedModelMetricsTable
  registered_models: RegisteredModelsTable
  model_versions: ModelVersionsTable
  registered_model_tags: RegisteredModelTagsTable
  model_version_tags: ModelVersionTagsTable
  registered_model_aliases: RegisteredModelAliasesTable
  logged_models: LoggedModelsTable
  logged_model_params: LoggedModelParamsTable
  logged_model_tags: LoggedModelTagsTable
  alembic_version: AlembicVersionTable
}

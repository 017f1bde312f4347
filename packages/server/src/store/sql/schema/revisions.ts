// MLflow's alembic chain (mlflow/store/db_migrations/versions of MLflow 3.17.2), read by down_revision.

/** The MLflow release whose schema Carnet creates and shares. */
export const MLFLOW_SCHEMA_RELEASE = '3.17.2'

/** Alembic head of MLflow 3.17.2 (add job executor persistence model). */
export const SCHEMA_HEAD_REVISION = 'dc11669786a5'

/** Every earlier revision of the chain, oldest first: a database at one of these needs `mlflow db upgrade`. */
export const OLDER_MLFLOW_REVISIONS: readonly string[] = [
  '451aebb31d03', // add metric step
  '90e64c465722', // migrate user column to tags
  '181f10493468', // allow nulls for metric values
  'df50e92ffc5e', // Add Experiment Tags Table
  '7ac759974ad8', // Update run tags with larger limit
  '89d4b8295536', // create latest metrics table
  '2b4d017a5e9b', // add model registry tables to db
  'cfd24bdc0731', // Update run status constraint with killed
  '0a8213491aaa', // drop_duplicate_killed_constraint
  '728d730b5ebd', // add registered model tags table
  '27a6a02d2cf1', // add model version tags table
  '84291f40a231', // add run_link to model_version
  'a8c4a736bde6', // allow nulls for run_id
  '39d1c3be5f05', // add_is_nan_constraint_for_metrics_tables_if_necessary
  'c48cb773bb87', // reset_default_value_for_is_nan_in_metrics_table_for_mysql
  'bd07f7e963c5', // create index on run_uuid
  '0c779009ac13', // add deleted_time field to runs table
  'cc1f77228345', // change param value length to 500
  '97727af70f4d', // Add creation_time and last_update_time to experiments table
  '3500859a5d39', // Add Model Aliases table
  '7f2a7d5fae7d', // add datasets inputs input_tags tables
  '2d6e25af4d3e', // increase max param val length from 500 to 8000
  'acf3f17fdcc7', // add storage location field to model versions
  '867495a8f9d4', // add trace tables
  '5b0e9adcef9c', // add cascade deletion to trace tables foreign keys
  '4465047574b1', // increase max dataset schema size
  'f5a4f2784254', // increase run tag value limit to 8000
  '0584bdc529eb', // add cascading deletion to datasets from experiments
  '400f98739977', // add logged model tables
  '6953534de441', // add step to inputs table
  'bda7b8c39065', // increase_model_version_tag_value_limit
  'cbc13b556ace', // add V3 trace schema columns
  '770bee3ae1dd', // add assessments table
  'a1b2c3d4e5f6', // add spans table
  'de4033877273', // create entity_associations table
  '1a0cddfcaa16', // Add webhooks and webhook_events tables
  '534353b11cbc', // add scorer tables
  '71994744cf8e', // add evaluation datasets
  '3da73c924c2f', // add outputs to dataset record
  'bf29a5ff90ea', // add jobs table
  '1bd49d398cd23', // add secrets tables
  'b7c8d9e0f1a2', // add trace metrics table
  '5d2d30f0abce', // update job table
  'c9d4e5f6a7b8', // add routing strategy to endpoints and linkage type to mappings
  '2c33131f4dae', // add online_scoring_configs table
  'd3e4f5a6b7c8', // add display_name to endpoint_bindings
  'd0e1f2a3b4c5', // add experiment_id and usage_tracking to endpoints table
  'c8d9e0f1a2b3', // add span metrics table and dimension attributes column
  '1b5f0d9ad7c1', // Add workspace columns and catalog table
  'e1f2a3b4c5d6', // add budget_policies table
  '76601a5f987d', // add issues table
  'c3d6457b6d8a', // add status_details column to jobs table
  'a5b4c3d2e1f0', // add composite index on metrics (run_uuid, key, step)
  'ae8bbe7743c9', // add guardrails and guardrail_configs tables
  '7d34483879f0', // Add indexes for relationship loading after workspace PK migration
  'da6fb0208061', // add trace archival workspace columns
  '89d3d66ed43f', // add label_schemas table
  'b7e4c1a90f23', // add review_queue tables
  'a8b9c0d1e2f3', // add MCP server registry tables
  'c1d2e3f4a5b6', // add span experiment and start time index
  'c3d9e7f1a2b4', // add target_value to budget_policies
  '6f8d9c3b2a1e', // Add ON DELETE CASCADE to `trace_info.experiment_id`.
  '1971f2d9a75b', // add trace archival candidate index
  '17e22815139b', // increase experiment tag value limit to 20000
  'b7e2c1a4d9f3', // add creator column to jobs
  '75868b020152', // add sql trace analytics schema
]

import type { KeyValue, LoggedModel, LoggedModelStatus } from '@carnet/protocol'
import type { Page } from './tracking-store.ts'

export interface CreateLoggedModelInput {
  experimentId: string
  /** Absent or empty: a generated `<adjective>-<animal>-<n>` name. */
  name?: string | undefined
  /** As sent; MLflow stores the proto default `''` when absent. */
  modelType: string
  sourceRunId: string
  params: KeyValue[]
  tags: KeyValue[]
}

export interface LoggedModelDatasetFilter {
  datasetName: string
  datasetDigest?: string | undefined
}

export interface LoggedModelOrderBy {
  fieldName: string
  ascending: boolean
  datasetName?: string | undefined
  datasetDigest?: string | undefined
}

export interface SearchLoggedModelsQuery {
  experimentIds: string[]
  filter?: string | undefined
  datasets: LoggedModelDatasetFilter[]
  /** undefined or 0: MLflow's server default of 100. */
  maxResults?: number | undefined
  orderBy: LoggedModelOrderBy[]
  pageToken?: string | undefined
}

/** MLflow 3 logged models (the LoggedModel part of MLflow's tracking AbstractStore). */
export interface LoggedModelStore {
  createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel>
  getLoggedModel(modelId: string, allowDeleted?: boolean): Promise<LoggedModel>
  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel>
  deleteLoggedModel(modelId: string): Promise<void>
  setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void>
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>
  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void>
  searchLoggedModels(query: SearchLoggedModelsQuery): Promise<Page<LoggedModel>>
}

import type {
  DatasetInput,
  Experiment,
  KeyValue,
  Run,
  RunInfo,
  RunStatus,
  ViewType,
} from '@carnet/protocol'

/** A metric point as logged; NaN and infinities are plain JS numbers here. */
export interface MetricInput {
  key: string
  value: number
  timestamp: number
  step: number
  model_id?: string | undefined
  dataset_name?: string | undefined
  dataset_digest?: string | undefined
}

/** A stored metric point; value is already in wire form. */
export interface MetricPoint {
  key: string
  value: number | 'NaN'
  timestamp: number
  step: number
  run_id?: string
}

export interface Page<T> {
  items: T[]
  nextPageToken?: string | undefined
}

export interface SearchRunsQuery {
  experimentIds: string[]
  filter?: string | undefined
  viewType: ViewType
  maxResults: number
  orderBy: string[]
  pageToken?: string | undefined
}

export interface SearchExperimentsQuery {
  filter?: string | undefined
  viewType: ViewType
  maxResults: number
  orderBy: string[]
  pageToken?: string | undefined
}

export interface CreateRunInput {
  experimentId: string
  userId?: string | undefined
  runName?: string | undefined
  startTime?: number | undefined
  tags: KeyValue[]
}

export interface UpdateRunInput {
  runId: string
  status?: RunStatus | undefined
  endTime?: number | undefined
  runName?: string | undefined
}

export interface BatchInput {
  metrics: MetricInput[]
  params: KeyValue[]
  tags: KeyValue[]
}

export interface HistoryIntervalQuery {
  runIds: string[]
  metricKey: string
  startStep?: number | undefined
  endStep?: number | undefined
  maxResults: number
}

/**
 * The tracking store, MLflow's AbstractStore in Carnet's terms. Every method throws MlflowError
 * (RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE, RESOURCE_ALREADY_EXISTS, …) for domain failures.
 */
export interface TrackingStore {
  createExperiment(
    name: string,
    artifactLocation: string | undefined,
    tags: KeyValue[],
  ): Promise<string>
  getExperiment(experimentId: string): Promise<Experiment>
  getExperimentByName(name: string): Promise<Experiment>
  searchExperiments(query: SearchExperimentsQuery): Promise<Page<Experiment>>
  renameExperiment(experimentId: string, newName: string): Promise<void>
  deleteExperiment(experimentId: string): Promise<void>
  restoreExperiment(experimentId: string): Promise<void>
  setExperimentTag(experimentId: string, tag: KeyValue): Promise<void>
  deleteExperimentTag(experimentId: string, key: string): Promise<void>

  createRun(input: CreateRunInput): Promise<Run>
  getRun(runId: string): Promise<Run>
  updateRun(input: UpdateRunInput): Promise<RunInfo>
  deleteRun(runId: string): Promise<void>
  restoreRun(runId: string): Promise<void>
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>>
  /** `single` marks a one-entity RPC (log-metric, log-parameter, set-tag) for MLflow's error wording. */
  logBatch(runId: string, batch: BatchInput, options?: { single?: boolean }): Promise<void>
  deleteTag(runId: string, key: string): Promise<void>
  logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void>
  logOutputs(runId: string, models: { model_id: string; step: number }[]): Promise<void>

  getMetricHistory(
    runId: string,
    key: string,
    maxResults: number | undefined,
    pageToken: string | undefined,
  ): Promise<Page<MetricPoint>>
  getMetricHistoryBulkInterval(query: HistoryIntervalQuery): Promise<MetricPoint[]>

  close(): Promise<void>
}

import type { DatasetInput, Experiment, KeyValue, Run, RunInfo } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { sql } from 'kysely'
import {
  type ArtifactRoots,
  extraRootsFromEnv,
  validateArtifactLocation,
} from '../../artifacts/artifact-location.ts'
import type {
  BatchInput,
  CreateRunInput,
  HistoryIntervalQuery,
  MetricPoint,
  Page,
  SearchExperimentsQuery,
  SearchRunsQuery,
  TrackingStore,
  UpdateRunInput,
} from '../tracking-store.ts'
import { normalizeBatch, normalizeRunTag } from '../validate-batch.ts'
import { checkLength, LIMITS, validateExperimentName, validateKey } from '../validation.ts'
import { type SqlContext, translateDriverError } from './context.ts'
import { openDatabase } from './dialects/open-database.ts'
import type { OpenDatabase } from './dialects/sql-dialect.ts'
import * as experiments from './experiments.ts'
import * as logging from './logging.ts'
import * as history from './metric-history.ts'
import * as interval from './metric-interval.ts'
import * as metrics from './metrics.ts'
import { ensureSchema } from './migrate.ts'
import * as runs from './runs.ts'
import * as search from './search.ts'
import { SeriesCache, seriesCacheBytesFromEnv } from './series-cache.ts'
import { upsertRows } from './upsert.ts'
import { WriteQueue } from './write-queue.ts'

const MAX_ATTEMPTS = 8

export interface SqlTrackingStoreOptions {
  uri: string
  defaultArtifactRoot: string
  /** The proxy destination, one of the roots client-supplied artifact locations may point into. */
  artifactsDestination?: string | undefined
  poolSize?: number
  sqliteSynchronous?: 'NORMAL' | 'FULL'
  /** Bytes of metric series kept for charts (default CARNET_SERIES_CACHE_MB, 64 MiB; 0 = off). */
  seriesCacheBytes?: number
}

/** The tracking store over SQLite, PostgreSQL or MySQL: a facade over per-entity query modules. */
export class SqlTrackingStore implements TrackingStore {
  readonly #open: OpenDatabase
  readonly #ctx: SqlContext
  readonly #readCtx: SqlContext
  readonly #queue: WriteQueue | undefined
  readonly #series: SeriesCache
  #artifactRoots: ArtifactRoots

  private constructor(open: OpenDatabase, defaultArtifactRoot: string, seriesCacheBytes: number) {
    this.#open = open
    this.#series = new SeriesCache({
      maxBytes: seriesCacheBytes,
      externalVersion: open.dataVersion,
    })
    this.#ctx = { db: open.db, dialect: open.dialect, defaultArtifactRoot }
    this.#artifactRoots = { defaultArtifactRoot, extraRoots: extraRootsFromEnv(process.env) }
    this.#readCtx = { ...this.#ctx, db: open.readDb }
    if (open.dialect.name === 'sqlite') {
      this.#queue = new WriteQueue((body) => open.db.transaction().execute(body))
    }
  }

  /** Connects, creates or verifies the schema, and makes sure the Default experiment exists. */
  static async open(options: SqlTrackingStoreOptions): Promise<SqlTrackingStore> {
    const open = openDatabase(options.uri, {
      poolSize: options.poolSize,
      sqliteSynchronous: options.sqliteSynchronous,
    })
    try {
      await ensureSchema(open)
      const store = new SqlTrackingStore(
        open,
        options.defaultArtifactRoot,
        options.seriesCacheBytes ?? seriesCacheBytesFromEnv(process.env),
      )
      store.#artifactRoots.artifactsDestination = options.artifactsDestination
      await store.#ensureDefaultExperiment()
      return store
    } catch (error) {
      await open.close().catch(() => {})
      throw error
    }
  }

  /** The connection and dialect, shared with the other SQL stores (registry, logged models). */
  get context(): SqlContext {
    return this.#ctx
  }

  /** The same for reads outside transactions (a second connection on SQLite). */
  get readContext(): SqlContext {
    return this.#readCtx
  }

  async #ensureDefaultExperiment(): Promise<void> {
    const found = await experiments.findExperimentRow(
      this.#ctx.db,
      experiments.DEFAULT_EXPERIMENT_ID,
    )
    if (found) return
    await this.#write(async (ctx) => {
      // MySQL would otherwise read an explicit 0 as "next auto-increment value".
      if (ctx.dialect.name === 'mysql') {
        await sql`SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')`.execute(
          ctx.db,
        )
      }
      await experiments.insertExperiment(ctx, {
        name: 'Default',
        artifactLocation: undefined,
        tags: [],
        id: 0,
      })
    })
  }

  /**
   * Runs a write in one transaction (grouped with concurrent writes on SQLite), again on a
   * deadlock, so concurrent writers all succeed.
   */
  async #write<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    if (this.#queue) {
      try {
        return await this.#queue.run((trx) => fn({ ...this.#ctx, db: trx }))
      } catch (error) {
        throw translateDriverError(error, this.#ctx.dialect)
      }
    }
    return this.#retrying(() =>
      this.#open.db.transaction().execute((trx) => fn({ ...this.#ctx, db: trx })),
    )
  }

  /**
   * A write that is a single statement, atomic by itself (PostgreSQL and MySQL): no transaction
   * around it, so it costs one round trip; again on a deadlock.
   */
  #writeStatement<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    return this.#retrying(() => fn(this.#ctx))
  }

  async #retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work()
      } catch (error) {
        if (attempt < MAX_ATTEMPTS && this.#ctx.dialect.isRetryable(error)) {
          await new Promise((done) => setTimeout(done, attempt * 5 * Math.random()))
          continue
        }
        throw translateDriverError(error, this.#ctx.dialect)
      }
    }
  }

  async #read<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#readCtx)
    } catch (error) {
      throw translateDriverError(error, this.#ctx.dialect)
    }
  }

  async createExperiment(
    name: string,
    artifactLocation: string | undefined,
    tags: KeyValue[],
  ): Promise<string> {
    validateExperimentName(name)
    for (const tag of tags) checkExperimentTag(tag)
    // Artifact roots are server-owned: a client-supplied location is validated, never trusted.
    if (artifactLocation) {
      artifactLocation = await validateArtifactLocation(artifactLocation, this.#artifactRoots)
    }
    try {
      return await this.#write((ctx) =>
        experiments.insertExperiment(ctx, { name, artifactLocation, tags }),
      )
    } catch (error) {
      if (isDuplicate(error, this.#ctx)) {
        // mlflow-compat
        throw new MlflowError(
          'RESOURCE_ALREADY_EXISTS',
          `Experiment(name=${name}) already exists. Error: name must be unique`,
        )
      }
      throw error
    }
  }

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.#read(async (ctx) => {
      const row = await experiments.getExperimentRow(ctx.db, experimentId)
      const [experiment] = await experiments.hydrateExperiments(ctx.db, [row])
      return experiment!
    })
  }

  getExperimentByName(name: string): Promise<Experiment> {
    return this.#read(async (ctx) => {
      const rows = await ctx.db
        .selectFrom('experiments')
        .selectAll()
        .where('name', '=', name)
        .execute()
      // MySQL's default collation ignores case; names are case-sensitive.
      const row = rows.find((r) => r.name === name)
      // mlflow-compat
      if (!row) throw MlflowError.notFound(`Could not find experiment with name '${name}'`)
      const [experiment] = await experiments.hydrateExperiments(ctx.db, [row])
      return experiment!
    })
  }

  searchExperiments(query: SearchExperimentsQuery): Promise<Page<Experiment>> {
    return this.#read((ctx) => search.searchExperiments(ctx, query))
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName)
    try {
      await this.#write(async (ctx) => {
        const row = await experiments.getExperimentRow(ctx.db, experimentId)
        if (row.lifecycle_stage !== 'active') {
          // mlflow-compat
          throw new MlflowError('INVALID_STATE', 'Cannot rename a non-active experiment.')
        }
        await ctx.db
          .updateTable('experiments')
          .set({ name: newName, last_update_time: Date.now() })
          .where('experiment_id', '=', row.experiment_id)
          .execute()
      })
    } catch (error) {
      if (isDuplicate(error, this.#ctx)) {
        throw new MlflowError(
          'BAD_REQUEST', // mlflow-compat: MLflow surfaces the integrity error
          `Experiment(name=${newName}) already exists.`,
        )
      }
      throw error
    }
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.#write((ctx) => experiments.setExperimentLifecycle(ctx, experimentId, 'deleted'))
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return this.#write((ctx) => experiments.setExperimentLifecycle(ctx, experimentId, 'active'))
  }

  async setExperimentTag(experimentId: string, tag: KeyValue): Promise<void> {
    checkExperimentTag(tag)
    await this.#write(async (ctx) => {
      const row = await experiments.getActiveExperimentRow(ctx.db, experimentId)
      await upsertRows(ctx, 'experiment_tags', [{ ...tag, experiment_id: row.experiment_id }], {
        keys: ['key', 'experiment_id'],
        update: ['value'],
      })
    })
  }

  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.#write(async (ctx) => {
      const row = await experiments.getActiveExperimentRow(ctx.db, experimentId)
      const result = await ctx.db
        .deleteFrom('experiment_tags')
        .where('experiment_id', '=', row.experiment_id)
        .where('key', '=', key)
        .executeTakeFirst()
      if (Number(result.numDeletedRows) === 0) {
        // mlflow-compat
        throw MlflowError.notFound(`No tag with name: ${key} in experiment with id ${experimentId}`)
      }
    })
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    const tags = input.tags.map((t, i) => normalizeRunTag(t, `tags[${i}].key`))
    return this.#write((ctx) => runs.createRun(ctx, { ...input, tags }))
  }

  getRun(runId: string): Promise<Run> {
    return this.#read((ctx) => runs.getRun(ctx.db, runId))
  }

  updateRun(input: UpdateRunInput): Promise<RunInfo> {
    return this.#write((ctx) => runs.updateRun(ctx, input))
  }

  deleteRun(runId: string): Promise<void> {
    return this.#write((ctx) => runs.setRunLifecycle(ctx, runId, 'deleted'))
  }

  restoreRun(runId: string): Promise<void> {
    return this.#write((ctx) => runs.setRunLifecycle(ctx, runId, 'active'))
  }

  searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return this.#read((ctx) => search.searchRuns(ctx, query))
  }

  async logBatch(
    runId: string,
    batch: BatchInput,
    options: { single?: boolean } = {},
  ): Promise<void> {
    const normalized = normalizeBatch(batch, options.single)
    try {
      return await this.#logBatch(runId, normalized, options.single)
    } finally {
      // Settled (committed, or failed perhaps after committing): cached series must not hide it.
      if (normalized.metrics.length > 0) {
        this.#series.invalidate(
          runId,
          normalized.metrics.map((m) => m.key),
        )
      }
    }
  }

  /** Metrics alone (log-metric, most log-batch calls) are one statement on PostgreSQL. */
  #logBatch(runId: string, batch: BatchInput, single: boolean | undefined): Promise<void> {
    if (this.#ctx.dialect.name === 'postgres' && logging.isMetricsOnly(batch)) {
      return this.#writeStatement((ctx) =>
        metrics.logMetricsInOneStatement(ctx, runId, batch.metrics),
      )
    }
    return this.#write((ctx) => logging.logBatch(ctx, runId, batch, single))
  }

  deleteTag(runId: string, key: string): Promise<void> {
    return this.#write((ctx) => logging.deleteTag(ctx, runId, key))
  }

  async logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void> {
    return this.#write((ctx) => logging.logInputs(ctx, runId, datasets, modelIds))
  }

  logOutputs(runId: string, models: { model_id: string; step: number }[]): Promise<void> {
    return this.#write((ctx) => logging.logOutputs(ctx, runId, models))
  }

  getMetricHistory(
    runId: string,
    key: string,
    maxResults: number | undefined,
    pageToken: string | undefined,
  ): Promise<Page<MetricPoint>> {
    return this.#read((ctx) =>
      history.getMetricHistory(ctx.db, ctx.dialect.name, runId, key, maxResults, pageToken),
    )
  }

  async getMetricHistoryBulkInterval(query: HistoryIntervalQuery): Promise<MetricPoint[]> {
    interval.checkIntervalQuery(query)
    return this.#read((ctx) => interval.getMetricHistoryBulkInterval(ctx, query, this.#series))
  }

  close(): Promise<void> {
    return this.#open.close()
  }
}

function checkExperimentTag(tag: KeyValue): void {
  validateKey(tag.key)
  checkLength(tag.key, LIMITS.entityKey, 'key')
  checkLength(tag.value, LIMITS.experimentTagValue, 'value')
}

function isDuplicate(error: unknown, ctx: SqlContext): boolean {
  const cause = error instanceof MlflowError ? error.cause : error
  return ctx.dialect.isUniqueViolation(cause)
}

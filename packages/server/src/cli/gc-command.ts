import { resolve } from 'node:path'
import { MlflowError } from '@carnet/protocol'
import { extraRootsFromEnv, resolveLocalRoot } from '../artifacts/artifact-location.ts'
import { ArtifactStorage } from '../artifacts/resolve-artifact-repository.ts'
import { DEFAULTS, defaultArtifactRootFor } from '../config.ts'
import type { Executor } from '../store/sql/context.ts'
import { openDatabase } from '../store/sql/dialects/open-database.ts'
import {
  deletedExperiments,
  deletedRunIds,
  findExperiments,
  findRuns,
  type GcExperimentRow,
  loggedModelsOf,
  purgeExperiment,
  purgeLoggedModel,
  purgeRun,
  runsOfExperiments,
  traceArtifactLocations,
} from '../store/sql/gc.ts'
import { ensureSchema } from '../store/sql/migrate.ts'
import { parseArgs } from './args.ts'

export const GC_USAGE = `Usage: carnet gc [OPTIONS]

Permanently deletes runs, logged models and experiments in the deleted lifecycle stage, with
their artifacts (the flags of mlflow gc).

  --backend-store-uri URI        the store to clean (default sqlite:///mlflow.db)
  --artifacts-destination URI    where the server stores proxied artifacts (default ./mlartifacts)
  --default-artifact-root URI    the server's root for non-proxied artifacts, if it has one
  --older-than 1d2h3m4s          only what was deleted longer ago than this
  --run-ids a,b                  only these runs (they must be deleted)
  --experiment-ids 1,2           only these experiments, with all their runs (must be deleted)
  --logged-model-ids m-1,m-2     only these logged models (must be deleted)`

export interface GcOptions {
  backendStoreUri: string
  artifactsDestination: string
  defaultArtifactRoot: string
  olderThan?: string | undefined
  runIds?: string[] | undefined
  experimentIds?: string[] | undefined
  loggedModelIds?: string[] | undefined
}

const KNOWN = new Set([
  'backend-store-uri',
  'artifacts-destination',
  'default-artifact-root',
  'older-than',
  'run-ids',
  'experiment-ids',
  'logged-model-ids',
  'tracking-uri',
])

export function parseGcArgs(argv: readonly string[], env: NodeJS.ProcessEnv): GcOptions {
  const { positionals, options } = parseArgs(argv, new Set())
  if (positionals.length > 0) throw new Error(`Unexpected argument '${positionals[0]}'`)
  for (const name of options.keys()) {
    if (!KNOWN.has(name)) throw new Error(`No such option: --${name}`)
  }
  const text = (name: string) => {
    const value = options.get(name)
    return typeof value === 'string' ? value : undefined
  }
  const list = (name: string) => {
    const value = text(name)
    return value
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : undefined
  }
  const destination =
    text('artifacts-destination') ??
    env['MLFLOW_ARTIFACTS_DESTINATION'] ??
    DEFAULTS.artifactsDestination
  return {
    backendStoreUri:
      text('backend-store-uri') ?? env['MLFLOW_BACKEND_STORE_URI'] ?? DEFAULTS.backendStoreUri,
    artifactsDestination: /^[a-z][a-z0-9+.-]*:/i.test(destination)
      ? destination
      : resolve(destination),
    defaultArtifactRoot: resolveLocalRoot(
      text('default-artifact-root') ??
        env['MLFLOW_DEFAULT_ARTIFACT_ROOT'] ??
        defaultArtifactRootFor(false, undefined),
    ),
    olderThan: text('older-than'),
    runIds: list('run-ids'),
    experimentIds: list('experiment-ids'),
    loggedModelIds: list('logged-model-ids'),
  }
}

/** MLflow's `#d#h#m#s` durations (floats allowed), in milliseconds. */
export function parseOlderThan(text: string): number {
  const match = /^(?:([.\d]+?)d)?(?:([.\d]+?)h)?(?:([.\d]+?)m)?(?:([.\d]+?)s)?$/.exec(text)
  const parts = match?.slice(1).map((part) => (part === undefined ? 0 : Number(part)))
  if (!match || !parts || parts.some((part) => !Number.isFinite(part))) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Could not parse any time information from '${text}'. Examples of valid strings: '8h', '2d8h5m20s', '2m4s'`,
    )
  }
  const [days, hours, minutes, seconds] = parts as [number, number, number, number]
  return Math.trunc((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000)
}

export interface GcReport {
  runs: string[]
  loggedModels: string[]
  experiments: string[]
  warnings: string[]
}

const unique = <T>(values: readonly T[]) => [...new Set(values)]

/**
 * `mlflow gc`: everything requested is checked first (exists, deleted, old enough), so a bad id
 * stops the command before anything is removed. Then each run, logged model and experiment goes
 * in its own transaction, artifacts first. Artifacts are only ever deleted inside the server's
 * configured roots, and never a whole root.
 */
export async function runGc(
  options: GcOptions,
  log: (line: string) => void = (line) => console.log(line),
  env: NodeJS.ProcessEnv = process.env,
): Promise<GcReport> {
  const report: GcReport = { runs: [], loggedModels: [], experiments: [], warnings: [] }
  const now = Date.now()
  const delta = options.olderThan !== undefined ? parseOlderThan(options.olderThan) : 0
  const open = openDatabase(options.backendStoreUri)
  const storage = new ArtifactStorage({
    artifactsDestination: options.artifactsDestination,
    defaultArtifactRoot: options.defaultArtifactRoot,
    serveArtifacts: true,
    extraRoots: extraRootsFromEnv(env),
    env,
  })
  const inTransaction = (work: (db: Executor) => Promise<void>) =>
    open.db.transaction().execute(work)

  const deleteArtifacts = async (uri: string | null | undefined, what: string) => {
    if (!uri) return
    try {
      const located = await storage.locate(uri)
      if (located.base === '') {
        throw new Error('it is the root of an artifact store')
      }
      await located.repo.delete(located.base)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      const warning = `Could not delete the artifacts of ${what} at '${uri}': ${reason}. The gc continues; delete them by hand if needed.`
      report.warnings.push(warning)
      console.error(warning)
    }
  }

  try {
    await ensureSchema(open)
    const db = open.db

    // Experiments first: their runs join the run list.
    let experiments: GcExperimentRow[]
    if (options.experimentIds) {
      const ids = options.experimentIds.map((id) => {
        if (!/^\d+$/.test(id)) throw MlflowError.invalidParameter(`Invalid experiment ID: '${id}'`)
        return Number(id)
      })
      experiments = await findExperiments(db, unique(ids))
      const found = new Set(experiments.map((row) => row.experiment_id))
      const missing = ids.find((id) => !found.has(id))
      // mlflow-compat
      if (missing !== undefined)
        throw MlflowError.notFound(`No Experiment with id=${missing} exists`)
      const active = experiments.filter((row) => row.lifecycle_stage !== 'deleted')
      if (active.length > 0) {
        throw MlflowError.invalidParameter(
          `Experiments [${active.map((row) => `'${row.experiment_id}'`).join(', ')}] are not in the deleted lifecycle stage. Only experiments in the deleted lifecycle stage can be hard-deleted.`,
        )
      }
      if (options.olderThan !== undefined) {
        const recent = experiments.filter(
          (row) => row.last_update_time === null || row.last_update_time >= now - delta,
        )
        if (recent.length > 0) {
          throw MlflowError.invalidParameter(
            `Experiments [${recent.map((row) => `'${row.experiment_id}'`).join(', ')}] are not older than the required age. Only experiments older than ${options.olderThan} can be deleted.`,
          )
        }
      }
    } else {
      experiments = await deletedExperiments(
        db,
        options.olderThan !== undefined ? now - delta : undefined,
      )
    }
    const experimentIds = experiments.map((row) => row.experiment_id)

    const deletedOlder = new Set(await deletedRunIds(db, delta, now))
    const requested = unique(options.runIds ?? [...deletedOlder])
    const requestedRows = await findRuns(db, requested)
    const byId = new Map(requestedRows.map((row) => [row.run_uuid, row]))
    for (const runId of requested) {
      const row = byId.get(runId)
      // mlflow-compat
      if (!row) throw MlflowError.notFound(`Run with id=${runId} not found`)
      if (row.lifecycle_stage !== 'deleted') {
        throw MlflowError.invalidParameter(
          `Run ${runId} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`,
        )
      }
      if (options.olderThan !== undefined && !deletedOlder.has(runId)) {
        throw MlflowError.invalidParameter(
          `Run ${runId} is not older than the required age. Only runs older than ${options.olderThan} can be deleted.`,
        )
      }
    }
    const experimentRuns = await findRuns(db, await runsOfExperiments(db, experimentIds))
    for (const row of experimentRuns) byId.set(row.run_uuid, row)

    let models = await loggedModelsOf(
      db,
      options.loggedModelIds
        ? { modelIds: options.loggedModelIds }
        : { deletedBefore: now - delta },
    )
    if (options.loggedModelIds) {
      const found = new Set(models.map((model) => model.model_id))
      const missing = options.loggedModelIds.find((id) => !found.has(id))
      // mlflow-compat
      if (missing) throw MlflowError.notFound(`Logged model with ID '${missing}' not found.`)
      for (const model of models) {
        if (model.lifecycle_stage !== 'deleted') {
          throw MlflowError.invalidParameter(
            `Logged model ${model.model_id} is not in \`deleted\` lifecycle stage. Only logged models in \`deleted\` lifecycle stage can be deleted.`,
          )
        }
        if (options.olderThan !== undefined && model.last_updated_timestamp_ms > now - delta) {
          throw MlflowError.invalidParameter(
            `Logged model ${model.model_id} is not older than the required age. Only logged models older than ${options.olderThan} can be deleted.`,
          )
        }
      }
    }
    models = [...models, ...(await loggedModelsOf(db, { experimentIds }))]

    for (const runId of unique([...requested, ...experimentRuns.map((row) => row.run_uuid)])) {
      await deleteArtifacts(byId.get(runId)?.artifact_uri, `run ${runId}`)
      await inTransaction((trx) => purgeRun(trx, runId))
      report.runs.push(runId)
      log(`Run with ID ${runId} has been permanently deleted.`)
    }

    const purgedModels = new Set<string>()
    for (const model of models) {
      if (purgedModels.has(model.model_id)) continue
      purgedModels.add(model.model_id)
      await deleteArtifacts(model.artifact_location, `logged model ${model.model_id}`)
      await inTransaction((trx) => purgeLoggedModel(trx, model.model_id))
      report.loggedModels.push(model.model_id)
      log(`Logged model with ID ${model.model_id} has been permanently deleted.`)
    }

    for (const experiment of experiments) {
      const id = experiment.experiment_id
      for (const location of await traceArtifactLocations(db, id)) {
        await deleteArtifacts(location, `a trace of experiment ${id}`)
      }
      // A location the server derived (`<root>/<id>`) belongs to this experiment alone: remove it
      // whole, so a reused id (SQLite) never inherits old files. A client-chosen one may be shared.
      const location = experiment.artifact_location?.replace(/\/+$/, '')
      if (location?.endsWith(`/${id}`)) {
        await deleteArtifacts(location, `experiment ${id}`)
      }
      await inTransaction((trx) => purgeExperiment(trx, id))
      report.experiments.push(String(id))
      log(`Experiment with ID ${id} has been permanently deleted.`)
    }
    return report
  } finally {
    await storage.close()
    await open.close()
  }
}

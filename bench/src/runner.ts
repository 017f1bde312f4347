// Orchestration: seed (once, cached), floors, then each workload on each server, one server at a
// time, interleaved (A B, B A, ...), with the correctness gate before timing.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { type Answers, compareAnswers, type Verdict } from './compare.ts'
import { type Backend, postgresBackend, sqliteBackend } from './db.ts'
import type { Ctx, Measurement, OwnServersCtx, Workload } from './harness.ts'
import { isEndpointMissing } from './harness.ts'
import { Api, HttpError } from './http.ts'
import { loadAverage } from './proc.ts'
import {
  type DatasetName,
  FULL_SCALE,
  goldenName,
  QUICK_SCALE,
  type Scale,
  seedDataset,
  seedRegistry,
} from './seed.ts'
import {
  defaultPaths,
  mlflowAvailable,
  type Paths,
  type ServerKind,
  startServer,
} from './servers.ts'
import { log as defaultLog } from './util.ts'
import { W6, W11, W12 } from './workloads/other.ts'
import { W3_10K, W3_100K, W4, W8, W10 } from './workloads/read.ts'
import { W1, W2, W7 } from './workloads/write.ts'

export const ALL_WORKLOADS: Workload[] = [W1, W2, W3_10K, W3_100K, W4, W6, W7, W8, W10, W11, W12]
export const WORKLOAD_IDS = ['W1', 'W2', 'W3', 'W4', 'W6', 'W7', 'W8', 'W10', 'W11', 'W12']

export interface BenchOptions {
  root: string
  backend: 'sqlite' | 'postgres'
  workloads: string[]
  servers: ServerKind[]
  quick: boolean
  repeat: number
  pin: boolean
  floors: boolean
  reseed: boolean
  pgUrl: string
  /** Skip the 100k-run search data set (W3 on 10k only). */
  skip100k?: boolean
  s100kSteps?: number
  carnetProfileDir?: string
  /** Scratch folder for databases, logs and artifacts (default bench/.work). */
  workDir?: string
  log?: (message: string) => void
}

export interface GateResult {
  workload: string
  verdict: Verdict | undefined
  note: string
}

export interface BenchReport {
  options: BenchOptions
  rows: Measurement[]
  gates: GateResult[]
  startedAt: Date
  finishedAt: Date
  environment: Record<string, string>
}

function scaleFor(options: BenchOptions): Scale {
  const base = options.quick ? QUICK_SCALE : FULL_SCALE
  if (!options.s100kSteps) return base
  return { ...base, s100k: { ...base.s100k, steps: options.s100kSteps } }
}

export function selectWorkloads(ids: string[], skip100k = false): Workload[] {
  const wanted = new Set(ids.map((s) => s.trim().toUpperCase()))
  return ALL_WORKLOADS.filter((w) => wanted.has(w.id) && !(skip100k && w === W3_100K))
}

/** A golden database per data set and backend, seeded through Carnet (registry through mlflow if Carnet has no registry yet). */
async function ensureGolden(
  backend: Backend,
  dataset: DatasetName,
  scale: Scale,
  paths: Paths,
  reseed: boolean,
  log: (m: string) => void,
): Promise<string> {
  const golden = goldenName(dataset, scale)
  if (!reseed && (await backend.isSeeded(golden))) return golden
  log(`seeding ${dataset} (${golden}) on ${backend.kind} through Carnet ...`)
  const db = await backend.prepareGolden(golden)
  const artifacts = join(paths.workDir, 'seed-artifacts')
  const start = (kind: ServerKind) =>
    startServer({ kind, backendUri: db.uri, artifactsDir: artifacts, paths, label: `seed-${kind}` })
  let server = await start('carnet')
  let api = new Api(server.url, 8)
  try {
    if (dataset === 'registry') {
      await seedDataset(api, 'base', scale)
      let registryOn: Api = api
      try {
        await api.get('/api/2.0/mlflow/registered-models/search', { max_results: 1 })
      } catch (error) {
        if (!isEndpointMissing(error)) throw error
        if (!mlflowAvailable(paths))
          throw new Error('Carnet has no registry endpoints and mlflow is not installed')
        log(
          'Carnet has no registry endpoints yet: seeding the registry through mlflow server on the same database',
        )
        await api.close()
        await server.stop()
        server = await start('mlflow')
        api = new Api(server.url, 8)
        registryOn = api
      }
      await seedRegistry(registryOn, scale, 4)
    } else {
      await seedDataset(api, dataset, scale)
    }
  } finally {
    await api.close()
    await server.stop()
    rmSync(artifacts, { recursive: true, force: true })
  }
  await backend.markSeeded(golden)
  return golden
}

function environment(options: BenchOptions): Record<string, string> {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim()
    } catch {
      return '?'
    }
  }
  const paths = defaultPaths(options.root)
  return {
    node: process.version,
    cpus: sh('nproc', ['--all']),
    cpuModel: sh('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]),
    kernel: sh('uname', ['-r']),
    mlflow: mlflowAvailable(paths)
      ? sh(join(paths.root, '.venv', 'bin', 'python'), [
          '-c',
          'import mlflow; print(mlflow.__version__)',
        ])
      : 'not installed',
    carnetCommit: sh('git', ['-C', options.root, 'rev-parse', '--short', 'HEAD']),
    carnetDirty:
      sh('git', ['-C', options.root, 'status', '--porcelain', 'packages/server']).length > 0
        ? 'yes (uncommitted server changes)'
        : 'no',
    loadBefore: loadAverage(),
    pinning: options.pin ? 'servers on CPU 1, driver on CPU 0 (taskset)' : 'none',
    mlflowWorkers: 'mlflow server default: uvicorn, 4 worker processes (--workers default 4)',
  }
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? defaultLog
  const startedAt = new Date()
  const paths = {
    ...defaultPaths(options.root),
    ...(options.workDir ? { workDir: options.workDir } : {}),
  }
  const scale = scaleFor(options)
  const serverCpus = options.pin ? '1' : undefined
  if (options.pin) {
    try {
      execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' })
    } catch {
      log('taskset failed: running unpinned')
    }
  }
  const backend =
    options.backend === 'sqlite'
      ? sqliteBackend(join(paths.workDir, 'data'), join(paths.workDir, 'run'))
      : postgresBackend(options.pgUrl)
  const env = environment(options)
  env['database'] = await backend.describe()
  const servers = options.servers.filter((s) => s !== 'mlflow' || mlflowAvailable(paths))
  if (servers.length < options.servers.length) log('mlflow is not installed: running Carnet only')
  const rows: Measurement[] = []
  const gates: GateResult[] = []
  const goldens = new Map<DatasetName, string>()
  const golden = async (d: DatasetName) => {
    let g = goldens.get(d)
    if (!g) {
      g = await ensureGolden(backend, d, scale, paths, options.reseed, log)
      goldens.set(d, g)
    }
    return g
  }
  try {
    for (const workload of selectWorkloads(options.workloads, options.skip100k)) {
      log(
        `${workload.id} ${workload.title} [${options.backend}${options.quick ? ', quick' : ''}] load ${loadAverage()}`,
      )
      const dataset = workload.dataset === 'empty' ? 'base' : workload.dataset
      const g = await golden(dataset)
      if (options.floors && workload.floor) {
        const db = await backend.copyOf(g, `floor-${workload.id}`)
        try {
          rows.push(
            ...(await workload.floor({
              backend,
              db,
              scale,
              quick: options.quick,
              paths,
              serverCpus,
              log,
            })),
          )
        } catch (error) {
          log(`  floor of ${workload.id} failed: ${error instanceof Error ? error.stack : error}`)
        } finally {
          await db.dispose()
        }
      }
      if (workload.ownServers) {
        const shared: OwnServersCtx = {
          backend,
          paths,
          scale,
          quick: options.quick,
          serverCpus,
          golden: (d) => goldens.get(d) ?? g,
          log,
        }
        for (let rep = 0; rep < options.repeat; rep++) {
          for (const kind of rep % 2 === 0 ? servers : [...servers].reverse()) {
            rows.push(...(await workload.ownServers(kind, shared)))
          }
        }
        continue
      }
      const answers = new Map<ServerKind, Answers>()
      let gate: GateResult | undefined
      const missing = new Set<ServerKind>()
      for (let rep = 0; rep < options.repeat; rep++) {
        const order = rep % 2 === 0 ? servers : [...servers].reverse()
        for (const kind of order) {
          if (missing.has(kind)) continue
          const label = `${workload.id}-${kind}`
          const db = await backend.copyOf(g, label.toLowerCase())
          const artifactsDir = join(paths.workDir, `art-${label}-${process.pid}`)
          let server: Awaited<ReturnType<typeof startServer>>
          try {
            server = await startServer({
              kind,
              backendUri: db.uri,
              artifactsDir,
              paths,
              cpus: serverCpus,
              label,
              nodeArgs:
                kind === 'carnet' && options.carnetProfileDir
                  ? [
                      '--cpu-prof',
                      `--cpu-prof-dir=${options.carnetProfileDir}`,
                      `--cpu-prof-name=${workload.id}-${workload.dataset}-${options.backend}-${Date.now()}.cpuprofile`,
                    ]
                  : undefined,
            })
          } catch (error) {
            // a server that does not start is a row, not the end of the suite
            await db.dispose()
            log(`  ${kind} did not start: ${error instanceof Error ? error.message : error}`)
            rows.push(
              skippedRow(
                workload,
                kind,
                `failed: did not start (${error instanceof Error ? error.message : error})`.slice(
                  0,
                  200,
                ),
              ),
            )
            missing.add(kind)
            continue
          }
          const api = new Api(server.url, 64)
          const ctx: Ctx = {
            kind,
            backend,
            db,
            server,
            api,
            scale,
            quick: options.quick,
            paths,
            serverCpus,
            log,
          }
          try {
            if (rep === 0 && workload.check) {
              try {
                // one retry on a transport error (a uvicorn worker restarting under load)
                const check = workload.check
                answers.set(
                  kind,
                  await check(ctx).catch((e: unknown) =>
                    e instanceof HttpError ? Promise.reject(e) : check(ctx),
                  ),
                )
              } catch (error) {
                if (isEndpointMissing(error)) {
                  missing.add(kind)
                  rows.push(skippedRow(workload, kind, 'skipped: endpoint missing'))
                  log(`  ${kind}: endpoint missing, skipped`)
                  continue
                }
                const message = String(error instanceof Error ? error.message : error)
                log(`  ${kind}: check failed: ${message}`)
                answers.set(kind, { checkFailed: message })
              }
              const c = answers.get('carnet')
              const m = answers.get('mlflow')
              if (c && m && 'checkFailed' in m && !('checkFailed' in c)) {
                // mlflow could not answer (e.g. a uvicorn worker killed under load): nothing to
                // compare against; rule-based comparators still validate Carnet's answer alone
                const verdict = workload.comparators
                  ? compareAnswers(c, c, workload.comparators)
                  : undefined
                gate = {
                  workload: workload.id,
                  verdict,
                  note: `not compared: mlflow failed to answer the check (${String(m['checkFailed']).slice(0, 120)})${verdict ? (verdict.ok ? '; carnet answer valid' : '; CARNET ANSWER INVALID') : ''}`,
                }
                log(`  gate ${workload.id}: ${gate.note}`)
              } else if (c && m) {
                const verdict = compareAnswers(c, m, workload.comparators)
                gate = {
                  workload: workload.id,
                  verdict,
                  note: verdict.ok
                    ? `answers agree${verdict.tolerated.length ? ` (${verdict.tolerated.length} known differences)` : ''}`
                    : 'ANSWERS DIFFER',
                }
                log(
                  `  gate ${workload.id}: ${gate.note}${verdict.ok ? '' : `\n    ${verdict.differences.join('\n    ')}`}`,
                )
              } else if (c && !servers.includes('mlflow') && workload.comparators) {
                // Carnet alone: custom comparators still validate Carnet's answer against the seeded truth
                const verdict = compareAnswers(c, c, workload.comparators)
                gate = {
                  workload: workload.id,
                  verdict,
                  note: verdict.ok
                    ? 'carnet answer valid (no mlflow run)'
                    : 'CARNET ANSWER INVALID',
                }
              }
            }
            const measured = await workload.run(ctx)
            log(
              `  ${kind} rep ${rep + 1}: ${measured.map((m) => `${m.variant}: ${summary(m)}`).join(' | ')}`,
            )
            rows.push(...measured)
          } catch (error) {
            if (isEndpointMissing(error)) {
              missing.add(kind)
              rows.push(skippedRow(workload, kind, 'skipped: endpoint missing'))
            } else {
              log(`  ${kind} failed: ${error instanceof Error ? error.stack : error}`)
              rows.push(
                skippedRow(
                  workload,
                  kind,
                  `failed: ${error instanceof Error ? error.message : error}`.slice(0, 200),
                ),
              )
            }
          } finally {
            await api.close()
            await server.stop()
            await db.dispose()
            rmSync(artifactsDir, { recursive: true, force: true })
          }
        }
      }
      if (gate) gates.push(gate)
      else if (workload.check)
        gates.push({
          workload: workload.id,
          verdict: undefined,
          note: 'not compared (one server only)',
        })
      if (
        gate &&
        ((gate.verdict && !gate.verdict.ok) ||
          (!gate.verdict && !gate.note.startsWith('not compared')))
      ) {
        for (const r of rows)
          if (r.workload === workload.id && r.server === 'carnet')
            r.status = 'WRONG ANSWER (gate failed)'
      }
    }
  } finally {
    await backend.close()
  }
  env['loadAfter'] = loadAverage()
  return { options, rows, gates, startedAt, finishedAt: new Date(), environment: env }
}

function skippedRow(workload: Workload, kind: ServerKind, status: string): Measurement {
  return {
    workload: workload.id,
    variant: '(all)',
    server: kind,
    unit: '',
    throughput: Number.NaN,
    p50: Number.NaN,
    p95: Number.NaN,
    p99: Number.NaN,
    cpu: Number.NaN,
    dbCpu: Number.NaN,
    peakRssMb: Number.NaN,
    rssGrowthMb: Number.NaN,
    requests: 0,
    errors: 0,
    elapsedS: 0,
    score: Number.NaN,
    higherIsBetter: true,
    status,
  }
}

function summary(m: Measurement): string {
  return m.higherIsBetter ? `${m.throughput.toFixed(1)} ${m.unit}` : `p50 ${m.p50.toFixed(2)} ms`
}

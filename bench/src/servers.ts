// Starting and stopping the servers under test: Carnet, `mlflow server`, and the no-DB floor servers.
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { nowMs, sleep } from './util.ts'

export type ServerKind = 'carnet' | 'mlflow'

export interface Paths {
  root: string
  carnetBin: string
  mlflowBin: string
  workDir: string
}

export interface StartOptions {
  kind: ServerKind
  backendUri: string
  artifactsDir: string
  paths: Paths
  /** CPU list for taskset, e.g. "1"; undefined = no pinning. */
  cpus?: string
  /** Extra env (e.g. CARNET_SQLITE_SYNCHRONOUS). */
  env?: Record<string, string>
  /** Extra node arguments for Carnet, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[]
  label: string
  timeoutS?: number
}

export interface RunningServer {
  kind: ServerKind
  url: string
  port: number
  pid: number
  /** Milliseconds from spawn to the first 200 on /health. */
  startMs: number
  stop(): Promise<void>
  logFile: string
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })
}

function healthy(port: number, path = '/health'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

function command(options: StartOptions, port: number): { file: string; args: string[] } {
  // SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the mlflow venv ships psycopg2
  const uri =
    options.kind === 'mlflow'
      ? options.backendUri.replace(/^postgres(ql)?:\/\//, 'postgresql+psycopg2://')
      : options.backendUri
  const common = [
    'server',
    '--backend-store-uri',
    uri,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--artifacts-destination',
    options.artifactsDir,
  ]
  const base =
    options.kind === 'carnet'
      ? {
          file: process.execPath,
          args: [...(options.nodeArgs ?? []), options.paths.carnetBin, ...common],
        }
      : { file: options.paths.mlflowBin, args: common }
  if (!options.cpus) return base
  return { file: 'taskset', args: ['-c', options.cpus, base.file, ...base.args] }
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const port = await freePort()
  const { file, args } = command(options, port)
  mkdirSync(options.paths.workDir, { recursive: true })
  const logFile = join(options.paths.workDir, 'logs', `${options.label}-${process.pid}.log`)
  mkdirSync(join(options.paths.workDir, 'logs'), { recursive: true })
  const out = createWriteStream(logFile)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    MLFLOW_TRACKING_URI: undefined,
    NODE_ENV: 'production',
    ...options.env,
  }
  delete env['NODE_OPTIONS']
  const t0 = nowMs()
  const child = spawn(file, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.pipe(out)
  child.stderr!.pipe(out)
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const timeout = (options.timeoutS ?? 180) * 1000
  for (;;) {
    if (exited) throw new Error(`${options.label} exited during start-up; see ${logFile}`)
    if (await healthy(port)) break
    if (nowMs() - t0 > timeout) {
      await killTree(child)
      throw new Error(`${options.label} did not answer /health within ${timeout / 1000} s`)
    }
    await sleep(10)
  }
  const startMs = nowMs() - t0
  return {
    kind: options.kind,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    startMs,
    logFile,
    stop: () => killTree(child),
  }
}

/** Stops a server we started and every process in its group (uvicorn workers included). */
export async function killTree(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {
    return
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }, 15_000)
  await done
  clearTimeout(timer)
  // give orphaned workers of the group a moment, then make sure none is left
  await sleep(200)
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // group empty
  }
}

/** Starts a Node script (floor servers) pinned like the servers under test. */
export async function startNodeScript(
  script: string,
  args: string[],
  options: { cpus?: string; label: string; workDir: string; env?: Record<string, string> },
): Promise<RunningServer> {
  const port = await freePort()
  const file = options.cpus ? 'taskset' : process.execPath
  const allArgs = options.cpus
    ? ['-c', options.cpus, process.execPath, script, String(port), ...args]
    : [script, String(port), ...args]
  mkdirSync(options.workDir, { recursive: true })
  const logFile = join(options.workDir, 'logs', `${options.label}-${process.pid}.log`)
  mkdirSync(join(options.workDir, 'logs'), { recursive: true })
  const out = createWriteStream(logFile)
  const t0 = nowMs()
  const child = spawn(file, allArgs, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  })
  child.stdout!.pipe(out)
  child.stderr!.pipe(out)
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.label} exited; see ${logFile}`)
    if (await healthy(port)) break
    if (nowMs() - t0 > 30_000) throw new Error(`${options.label} did not start`)
    await sleep(10)
  }
  return {
    kind: 'carnet',
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    startMs: nowMs() - t0,
    logFile,
    stop: () => killTree(child),
  }
}

export function defaultPaths(root: string): Paths {
  const mlflowBin = process.env['BENCH_MLFLOW_BIN'] ?? join(root, '.venv', 'bin', 'mlflow')
  return {
    root,
    carnetBin: join(root, 'packages', 'server', 'bin', 'carnet.mjs'),
    mlflowBin,
    workDir: join(root, 'bench', '.work'),
  }
}

export function mlflowAvailable(paths: Paths): boolean {
  return existsSync(paths.mlflowBin)
}

/**
 * The UI end-to-end harness: a live `carnet server` on a fresh SQLite database, seeded with the
 * official mlflow client, and Debian's Chromium driven by playwright-core.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const CHROMIUM = process.env['CARNET_CHROMIUM'] ?? '/usr/bin/chromium'
export const PYTHON = join(ROOT, '.venv/bin/python')
export const SHOTS = join(ROOT, 'e2e/ui/screenshots')

/** Seeded ids printed by seed.py. */
export interface Seed {
  errors: Record<string, string>
  experiment_id: string
  empty_experiment_id: string
  run_ids: Record<string, string>
  parent_run_id: string
  child_run_ids: string[]
  artifact_run_id: string
  model_name: string
  model_runs: { run_id: string; model_id: string }[]
  model_folder_run_id: string
}

function newestMtime(dir: string): number {
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path))
    else newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/** Rebuilds a bundle when it is missing or older than its sources (a fresh clone builds on install). */
export function ensureBuilt(workspace: string, output: string, sources: string[]): void {
  const out = join(ROOT, output)
  const stale =
    !existsSync(out) || sources.some((s) => newestMtime(join(ROOT, s)) > statSync(out).mtimeMs)
  if (!stale) return
  console.error(`[ui e2e] building ${workspace} (bundle missing or older than its sources)`)
  execFileSync('npm', ['run', 'build', '--workspace', workspace], { cwd: ROOT, stdio: 'inherit' })
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => done(port))
    })
  })
}

export interface Server {
  url: string
  dir: string
  stop(): Promise<void>
}

export async function startServer(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-ui-'))
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'packages/server/bin/carnet.mjs'),
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'm.db')}`,
      '--port',
      String(port),
      '--artifacts-destination',
      join(dir, 'artifacts'),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString()
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`carnet server exited early:\n${log}`)
    try {
      if ((await fetch(`${url}/health`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`carnet server did not start:\n${log}`)
    await new Promise((r) => setTimeout(r, 150))
  }
  return {
    url,
    dir,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((r) => setTimeout(r, 200))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function seed(url: string): Seed {
  const out = execFileSync(PYTHON, [join(ROOT, 'e2e/ui/seed.py'), url], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 170_000,
  })
  const last = out.trim().split('\n').pop() ?? '{}'
  return JSON.parse(last) as Seed
}

export async function launchBrowser(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'carnet-chromium-'))
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  ctx.on('close', () => {
    // Chromium may still be flushing its profile; a leftover temp folder is harmless.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 3 })
    } catch {}
  })
  return ctx
}

/** A page that records console errors and uncaught exceptions. */
export async function openPage(ctx: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} @ ${m.location().url}`)
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.url()}`)
  })
  return { page, errors }
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}

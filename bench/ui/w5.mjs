#!/usr/bin/env node
/**
 * W5 — UI first paint (shared/reference/performance.md §6.2): a 10k-run experiment (S10k) served
 * by `carnet server`, opened in Debian's Chromium through playwright-core. Measures time to the
 * first runs-table row (cold profile and warm cache), time to the first chart, long tasks while
 * scrolling the table and while opening 1,000 metric keys, requests/bytes, and JS size (gzip).
 *
 *   node bench/ui/w5.mjs [--runs 10000] [--steps 10] [--reseed] [--repeat 5]
 *
 * Seeded databases are cached in bench/.work/ui/. Results: stdout and bench/ui/results/.
 */
import { execFileSync, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { seedK1000, seedS10k } from './seed-s10k.mjs'

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const RUNS = Number(opt('runs', 10_000))
const STEPS = Number(opt('steps', 10))
const REPEAT = Number(opt('repeat', 5))
const RESEED = args.includes('--reseed')
const CHROMIUM = process.env.CARNET_CHROMIUM ?? '/usr/bin/chromium'
const WORK = join(ROOT, 'bench/.work/ui')
const log = (...a) => console.error('[w5]', ...a)

async function freePort() {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => done(port))
    })
  })
}

async function startServer(db, artifacts) {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'packages/server/bin/carnet.mjs'),
      'server',
      '--backend-store-uri',
      `sqlite:///${db}`,
      '--port',
      String(port),
      '--artifacts-destination',
      artifacts,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop: () => child.kill('SIGTERM') }
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('server did not start')
}

function jsSizes() {
  const dir = join(ROOT, 'packages/ui/dist/static-files')
  const html = readFileSync(join(ROOT, 'packages/ui/dist/index.html'), 'utf8')
  let total = 0
  let initial = 0
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.js') && !f.endsWith('.css')) continue
    const gz = gzipSync(readFileSync(join(dir, f))).length
    if (f.endsWith('.js')) total += gz
    if (html.includes(f)) initial += gz
  }
  return { totalJsGzipKB: total / 1024, initialGzipKB: initial / 1024 }
}

const INIT = () => {
  window.__w5 = { longtasks: [], firstRow: null, firstChart: null }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        window.__w5.longtasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
  } catch {}
  const check = () => {
    const w = window.__w5
    if (!w.firstRow && document.querySelector('.rt-row')) w.firstRow = performance.now()
    if (!w.firstChart && document.querySelector('.line-chart canvas'))
      w.firstChart = performance.now()
  }
  new MutationObserver(check).observe(document, { childList: true, subtree: true })
}

async function browser() {
  const profile = mkdtempSync(join(tmpdir(), 'w5-profile-'))
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
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

async function until(page, field, timeout = 30_000) {
  await page.waitForFunction((f) => window.__w5?.[f] !== null, field, { timeout, polling: 16 })
  return page.evaluate((f) => window.__w5[f], field)
}

/** Opens `route` in a page of `ctx` and returns ms to `field`, plus requests and bytes. */
async function open(ctx, url, route, field) {
  const page = await ctx.newPage()
  await page.addInitScript(INIT)
  const requests = []
  page.on('requestfinished', (r) => requests.push(r))
  await page.goto(`${url}/#${route}`)
  const ms = await until(page, field)
  let bytes = 0
  for (const r of requests)
    bytes += (await r.sizes().catch(() => ({ responseBodySize: 0 }))).responseBodySize
  return { page, ms, requests: requests.length, bytes }
}

/** Long tasks while `action` runs. */
async function longTasksDuring(page, action) {
  await page.evaluate(() => {
    window.__w5.longtasks = []
  })
  await action()
  const tasks = await page.evaluate(() => window.__w5.longtasks)
  return {
    count: tasks.length,
    maxMs: Math.max(0, ...tasks.map((t) => t.duration)),
    totalMs: tasks.reduce((a, t) => a + t.duration, 0),
  }
}

async function scrollSteps(page, selector, { dx = 0, dy = 0, steps, every = 100 }) {
  for (let i = 0; i < steps; i++) {
    await page.evaluate(
      ({ s, dx, dy }) => {
        const el = document.querySelector(s)
        if (el) {
          el.scrollTop += dy
          el.scrollLeft += dx
        }
      },
      { s: selector, dx, dy },
    )
    await page.waitForTimeout(every)
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`)
  if (!existsSync(join(ROOT, 'packages/ui/dist/index.html')) || args.includes('--build')) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  }
  mkdirSync(WORK, { recursive: true })
  const db = join(WORK, `s${RUNS}-${STEPS}.db`)
  const metaFile = join(WORK, `s${RUNS}-${STEPS}.json`)
  if (RESEED || !existsSync(metaFile)) {
    for (const f of [db, `${db}-wal`, `${db}-shm`, metaFile]) rmSync(f, { force: true })
    const srv = await startServer(db, join(WORK, 'artifacts'))
    log(`seeding S${RUNS} and K1000 through the REST API…`)
    const t0 = Date.now()
    const s10k = await seedS10k(srv.url, RUNS, STEPS, log)
    const k1000 = await seedK1000(srv.url)
    srv.stop()
    writeFileSync(metaFile, JSON.stringify({ s10k, k1000 }))
    log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
    await new Promise((r) => setTimeout(r, 500))
  }
  const { s10k, k1000 } = JSON.parse(readFileSync(metaFile, 'utf8'))
  const srv = await startServer(db, join(WORK, 'artifacts'))
  const results = {}
  try {
    // cold: a fresh profile each time (no HTTP cache), first row of the runs table
    const cold = []
    let coldNet
    for (let i = 0; i < REPEAT; i++) {
      const ctx = await browser()
      const r = await open(ctx, srv.url, `/experiments/${s10k}`, 'firstRow')
      cold.push(r.ms)
      coldNet = { requests: r.requests, kB: r.bytes / 1024 }
      await ctx.close()
    }
    // warm: same profile, bundles cached
    const ctx = await browser()
    await (await open(ctx, srv.url, `/experiments/${s10k}`, 'firstRow')).page.close()
    const warm = []
    for (let i = 0; i < REPEAT; i++) {
      const r = await open(ctx, srv.url, `/experiments/${s10k}`, 'firstRow')
      warm.push(r.ms)
      await r.page.close()
    }
    // first chart (warm) and cold
    const chartWarm = []
    for (let i = 0; i < REPEAT; i++) {
      const r = await open(ctx, srv.url, `/experiments/${s10k}/charts`, 'firstChart')
      chartWarm.push(r.ms)
      await r.page.close()
    }
    const coldCtx = await browser()
    const chartCold = (await open(coldCtx, srv.url, `/experiments/${s10k}/charts`, 'firstChart')).ms
    await coldCtx.close()
    // long tasks: page load, then scrolling 10k rows (loads pages of 500) and sideways
    const table = await open(ctx, srv.url, `/experiments/${s10k}`, 'firstRow')
    const loadTasks = await table.page.evaluate(() => window.__w5.longtasks)
    const scrollV = await longTasksDuring(table.page, () =>
      scrollSteps(table.page, '.rt-scroll', { dy: 2400, steps: 150, every: 60 }),
    )
    const loaded = await table.page.locator('.table-status').textContent()
    const scrollH = await longTasksDuring(table.page, () =>
      scrollSteps(table.page, '.rt-scroll', { dx: 300, steps: 20, every: 60 }),
    )
    await table.page.close()
    // 1,000 metric keys: open the charts tab, then scroll the chart grid
    const wide = await open(ctx, srv.url, `/experiments/${k1000}/charts`, 'firstChart')
    const wideOpen = await wide.page.evaluate(() => window.__w5.longtasks)
    const wideScroll = await longTasksDuring(wide.page, () =>
      scrollSteps(wide.page, '.chart-grid', { dy: 1500, steps: 80, every: 60 }),
    )
    const chartCount = await wide.page.locator('.chart-grid').getAttribute('data-count')
    await wide.page.close()
    const wideTable = await open(ctx, srv.url, `/experiments/${k1000}`, 'firstRow')
    const wideTableTasks = await wideTable.page.evaluate(() => window.__w5.longtasks)
    await ctx.close()
    const maxOf = (ts) => Math.max(0, ...ts.map((t) => t.duration))
    Object.assign(results, {
      runs: RUNS,
      firstRowColdMs: median(cold),
      firstRowColdAll: cold.map(Math.round),
      firstRowWarmMs: median(warm),
      firstRowWarmAll: warm.map(Math.round),
      firstChartWarmMs: median(chartWarm),
      firstChartColdMs: chartCold,
      coldRequests: coldNet.requests,
      coldTransferKB: coldNet.kB,
      longTaskMaxLoadMs: maxOf(loadTasks),
      longTaskMaxScrollTableMs: Math.max(scrollV.maxMs, scrollH.maxMs),
      longTaskScrollTable: { vertical: scrollV, horizontal: scrollH, afterScroll: loaded },
      chartKeys: Number(chartCount),
      longTaskMaxOpen1000KeysMs: maxOf(wideOpen),
      longTaskMaxScroll1000KeysMs: wideScroll.maxMs,
      longTaskMaxTable1000KeysMs: maxOf(wideTableTasks),
      ...jsSizes(),
    })
  } finally {
    srv.stop()
  }
  const r = results
  const f = (v) => (typeof v === 'number' ? v.toFixed(0) : v)
  const lines = [
    `# W5 — UI first paint (${new Date().toISOString().slice(0, 10)}, ${RUNS} runs, median of ${REPEAT})`,
    '',
    '| measure | result | target |',
    '|---|---|---|',
    `| first runs-table row, cold profile | ${f(r.firstRowColdMs)} ms (${r.firstRowColdAll.join(', ')}) | ≤ 800 ms |`,
    `| first runs-table row, warm cache | ${f(r.firstRowWarmMs)} ms (${r.firstRowWarmAll.join(', ')}) | ≤ 300 ms |`,
    `| first chart drawn, warm / cold | ${f(r.firstChartWarmMs)} / ${f(r.firstChartColdMs)} ms | ≤ 1,500 ms |`,
    `| longest task: page load | ${f(r.longTaskMaxLoadMs)} ms | ≤ 200 ms |`,
    `| longest task: scrolling the 10k table (down + sideways) | ${f(r.longTaskMaxScrollTableMs)} ms | ≤ 200 ms |`,
    `| longest task: opening ${r.chartKeys} metric keys (charts tab) | ${f(r.longTaskMaxOpen1000KeysMs)} ms | ≤ 200 ms |`,
    `| longest task: scrolling ${r.chartKeys} chart cards | ${f(r.longTaskMaxScroll1000KeysMs)} ms | ≤ 200 ms |`,
    `| longest task: runs table with ${r.chartKeys} metric keys | ${f(r.longTaskMaxTable1000KeysMs)} ms | ≤ 200 ms |`,
    `| JS, all chunks (gzip) | ${r.totalJsGzipKB.toFixed(1)} KB | ≤ 400 KB |`,
    `| JS + CSS loaded first (gzip) | ${r.initialGzipKB.toFixed(1)} KB | |`,
    `| cold load: requests / bytes | ${r.coldRequests} / ${r.coldTransferKB.toFixed(0)} KB | |`,
    '',
    `After scrolling: ${r.longTaskScrollTable.afterScroll}`,
  ]
  console.log(lines.join('\n'))
  const out = join(ROOT, 'bench/ui/results')
  mkdirSync(out, { recursive: true })
  writeFileSync(
    join(out, `w5-${new Date().toISOString().slice(0, 10)}.md`),
    `${lines.join('\n')}\n\n\`\`\`json\n${JSON.stringify(r, null, 2)}\n\`\`\`\n`,
  )
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})

/**
 * The web UI in a real browser (Debian's Chromium via playwright-core) against a live
 * `carnet server` seeded by the official mlflow client. Every page must open without console
 * errors or failed requests; screenshots land in e2e/ui/screenshots/.
 * CARNET_SKIP_BROWSER=1 skips the suite; otherwise a missing Chromium or Python fails it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  CHROMIUM,
  ensureBuilt,
  launchBrowser,
  openPage,
  PYTHON,
  type Seed,
  type Server,
  seed,
  shot,
  startServer,
} from './harness.ts'

const SKIP = process.env['CARNET_SKIP_BROWSER'] === '1' || process.env['CARNET_SKIP_PYTHON'] === '1'
if (SKIP)
  console.error('!! UI end-to-end tests SKIPPED (CARNET_SKIP_BROWSER or CARNET_SKIP_PYTHON is set)')

describe.skipIf(SKIP)('web UI', () => {
  let server: Server
  let ctx: BrowserContext
  let data: Seed
  const pages: Page[] = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CARNET_SKIP_BROWSER=1.`,
      )
    }
    if (!existsSync(PYTHON))
      throw new Error(`No mlflow venv at ${PYTHON}: run scripts/test.sh once to build it.`)
    ensureBuilt('@carnet/server', 'packages/server/dist/cli.js', [
      'packages/server/src',
      'packages/protocol/src',
    ])
    ensureBuilt('@carnet/ui', 'packages/ui/dist/index.html', [
      'packages/ui/src',
      'packages/ui/index.html',
    ])
    server = await startServer()
    data = seed(server.url)
    ctx = await launchBrowser()
  })

  afterAll(async () => {
    await ctx?.close()
    await server?.stop()
  })

  // a failed test leaves a picture of its last page (not committed: written to the temp dir)
  afterEach(async (context) => {
    const last = pages[pages.length - 1]
    if (context.task.result?.state === 'fail' && last && !last.isClosed()) {
      const path = join(tmpdir(), `carnet-ui-failed-${context.task.name.replace(/\W+/g, '-')}.png`)
      await last.screenshot({ path }).catch(() => undefined)
      console.error(`[ui e2e] failure screenshot: ${path}`)
    }
    for (const page of pages.splice(0)) await page.close().catch(() => undefined)
  })

  /** Opens a hash route in a new tab; `errors` collects console errors and failed requests. */
  async function visit(route: string) {
    const opened = await openPage(ctx)
    pages.push(opened.page)
    await opened.page.goto(`${server.url}/#${route}`)
    return opened
  }
  function expectClean(errors: string[], allow?: RegExp) {
    expect(errors.filter((e) => !allow?.test(e))).toEqual([])
  }
  function seeded(...parts: string[]) {
    for (const part of parts) expect(data.errors[part], `seeding "${part}" failed`).toBeUndefined()
  }
  const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 })
  const text = async (loc: Locator) => (await loc.first().textContent())?.trim() ?? ''
  const rows = (page: Page) => page.locator('.rt-row')
  const runNames = (page: Page) => page.locator('.rt-row .run-link').allTextContents()
  const runsPage = () => `/experiments/${data.experiment_id}`

  test('experiments list: search, create, rename, delete, restore', async () => {
    seeded('experiments')
    const { page, errors } = await visit('/experiments')
    await page.getByRole('link', { name: 'ui-demo', exact: true }).waitFor()
    await shot(page, '01-experiments')
    await page.getByLabel('Search experiments').fill('extra')
    await poll(() => page.locator('.experiments-table tbody tr').count()).toBe(3)
    await page.getByLabel('Search experiments').fill('')
    await page.getByRole('button', { name: 'Create experiment' }).click()
    await page.getByLabel('Name').fill('ui-created')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.locator('.page-title', { hasText: 'ui-created' }).waitFor()
    await page.goto(`${server.url}/#/experiments?q=ui-created`)
    const row = page.locator('tr', { hasText: 'ui-created' })
    await row.getByRole('button', { name: 'Rename' }).click()
    await page.getByLabel('New name').fill('ui-created-2')
    await page.getByRole('button', { name: 'Rename', exact: true }).last().click()
    await page.goto(`${server.url}/#/experiments?q=ui-created-2`)
    await page
      .locator('tr', { hasText: 'ui-created-2' })
      .getByRole('button', { name: 'Delete' })
      .click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('button', { name: 'Deleted' }).click()
    await page
      .locator('tr', { hasText: 'ui-created-2' })
      .getByRole('button', { name: 'Restore' })
      .click()
    await poll(() => page.locator('tr', { hasText: 'ui-created-2' }).count()).toBe(0)
    expectClean(errors)
  })

  test('runs table: rows, sorting, nested runs, keyboard', async () => {
    seeded('runs', 'nested')
    const { page, errors } = await visit(runsPage())
    await poll(() => rows(page).count()).toBeGreaterThanOrEqual(13)
    await shot(page, '02-runs-table')
    await page.locator('.header-button[title^="metrics.accuracy"]').click()
    await poll(() => page.url()).toContain('sort=-metrics.accuracy')
    await poll(async () => (await runNames(page))[0]).toMatch(/lr0\.1-s3$/)
    await page.locator('.header-button[title^="metrics.accuracy"]').click()
    await poll(async () => (await runNames(page))[0]).toMatch(/lr0\.01-s2$/)
    // nested runs: children hidden until the parent is expanded
    expect(await runNames(page)).not.toContain('hpo-child-0')
    await page.getByRole('button', { name: 'Expand 3 child runs' }).click()
    await poll(() => runNames(page)).toContain('hpo-child-0')
    // keyboard: focus the grid, move down, select with Space, open with Enter
    await page.getByRole('grid', { name: 'Runs' }).focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press(' ')
    await poll(() => page.url()).toContain('sel=')
    await page.keyboard.press('Enter')
    await page.locator('.run-page').waitFor()
    expectClean(errors)
  })

  test('filter: search language, autocomplete, inline errors, URL state', async () => {
    const { page, errors } = await visit(runsPage())
    await poll(() => rows(page).count()).toBeGreaterThan(10)
    const box = page.getByLabel('Filter runs')
    await box.fill('params.optim')
    await page.getByRole('option', { name: 'params.optimizer' }).waitFor()
    await box.press('Tab')
    await poll(() => box.inputValue()).toMatch('params.optimizer ')
    await box.pressSequentially("= 'sgd' and metrics.accuracy > 0.95")
    await box.press('Enter')
    await poll(() => rows(page).count()).toBe(3)
    await box.fill("(params.optimizer = 'sgd' OR params.lr = '0.1') AND NOT tags.team = 'blue'")
    await box.press('Enter')
    await poll(() => rows(page).count()).toBe(5)
    await page.reload()
    await poll(() => page.getByLabel('Filter runs').inputValue()).toMatch(/NOT tags\.team/)
    await poll(() => rows(page).count()).toBe(5)
    await page.getByLabel('Filter runs').fill('metrics.accuracy >>> 1')
    await page.getByLabel('Filter runs').press('Enter')
    await page.locator('#filter-error').waitFor()
    expect(await page.locator('#filter-error').textContent()).toMatch(/\S/)
    await shot(page, '03-filter-error')
    expectClean(errors, /400|Bad Request/)
  })

  test('columns, grouping, aggregates and CSV', async () => {
    const { page, errors } = await visit(runsPage())
    await poll(() => rows(page).count()).toBeGreaterThan(10)
    await page.getByRole('button', { name: /^Columns/ }).click()
    const picker = page.getByRole('dialog', { name: 'Choose columns' })
    await picker.getByLabel('f1').uncheck()
    await picker.getByLabel('team').check()
    await picker.getByRole('button', { name: 'Done' }).click()
    await poll(() => page.url()).toContain('cols=')
    expect(await page.locator('.header-button[title^="metrics.f1"]').count()).toBe(0)
    // the new column is last: scroll the grid to it (columns are virtualized)
    await page.getByRole('grid', { name: 'Runs' }).evaluate((el) => {
      el.scrollLeft = el.scrollWidth
    })
    await page.locator('.header-button[title^="tags.team"]').waitFor()
    await page.getByLabel('Value of loss').selectOption('min')
    await poll(() => page.url()).toContain('agg=')
    await page.getByLabel('Group by').selectOption('params.optimizer')
    await poll(() => page.locator('.rt-row.group').count()).toBe(3)
    await shot(page, '04-grouped')
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download CSV' }).click()
    const csv = readFileSync((await (await download).path()) ?? '', 'utf8')
    expect(csv.split('\n')[0]).toContain('tags.team')
    expect(csv.split('\n').length).toBeGreaterThan(10)
    expectClean(errors)
  })

  test('charts: sampled history, x-axis, log scale, zoom, group bands', async () => {
    const { page, errors } = await visit(`${runsPage()}/charts`)
    const history = page.waitForResponse((r) => r.url().includes('get-history-bulk-interval'))
    await page.locator('.chart-card', { hasText: 'loss' }).locator('canvas').first().waitFor()
    expect((await history).status()).toBe(200)
    await shot(page, '05-charts')
    await page.getByLabel('X-axis').selectOption('relative')
    await page.getByLabel('Log scale').check()
    await page.getByLabel('X-axis').selectOption('step')
    const card = page.locator('.chart-card', { hasText: 'accuracy' }).locator('.line-chart')
    const box = await card.boundingBox()
    if (!box) throw new Error('no chart')
    const refined = page.waitForRequest((r) => r.url().includes('start_step='))
    await page.mouse.move(box.x + box.width * 0.3, box.y + 50)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.6, box.y + 60, { steps: 4 })
    await page.mouse.up()
    await refined
    await page.goto(`${server.url}/#${runsPage()}/charts?group=params.optimizer`)
    await page.locator('.chart-card', { hasText: 'loss' }).locator('canvas').first().waitFor()
    await page.waitForTimeout(500)
    await shot(page, '06-group-charts')
    expectClean(errors)
  })

  test('run page: details, tags, description, charts, reload', async () => {
    const runId = data.run_ids['adam-lr0.01-s1']!
    const { page, errors } = await visit(`${runsPage()}/runs/${runId}`)
    await page.getByText(runId).first().waitFor()
    await page.getByRole('region', { name: 'Parameters' }).getByText('optimizer').waitFor()
    await shot(page, '07-run')
    await page.getByLabel('Tag key').fill('reviewed')
    await page.getByLabel('Tag value').fill('yes')
    await page.getByRole('button', { name: 'Add tag' }).click()
    await page.locator('.tag-chip', { hasText: 'reviewed' }).waitFor()
    await page
      .getByRole('region', { name: 'Description' })
      .getByRole('button', { name: 'Edit' })
      .click()
    await page.getByLabel('Description (Markdown)').fill('Baseline with **adam**')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('.markdown strong', { hasText: 'adam' }).waitFor()
    await page.getByRole('link', { name: 'Metric charts' }).click()
    await page.locator('.chart-card canvas').first().waitFor()
    await page.reload()
    await page.locator('.chart-card canvas').first().waitFor()
    expectClean(errors)
  })

  test('artifacts: image, text, json, csv, html, pdf previews', async () => {
    seeded('artifacts')
    const { page, errors } = await visit(`${runsPage()}/runs/${data.artifact_run_id}/artifacts`)
    await page.getByRole('treeitem', { name: /plot\.png/ }).click()
    await expect
      .poll(() =>
        page
          .locator('.preview-image')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBe(64)
    await shot(page, '08-artifact-image')
    await page.getByRole('treeitem', { name: /config\.json/ }).click()
    await poll(() => text(page.locator('.preview-text'))).toContain('"layers"')
    await page.getByRole('treeitem', { name: /notes\.txt/ }).click()
    await poll(() => text(page.locator('.preview-text'))).toContain('line two')
    await page.getByRole('treeitem', { name: 'data', exact: true }).click()
    await page.getByRole('treeitem', { name: /sample\.csv/ }).click()
    await poll(() => text(page.locator('.preview-table'))).toContain('dog')
    await shot(page, '09-artifact-csv')
    await page.getByRole('treeitem', { name: /report\.html/ }).click()
    const frame = page.locator('iframe.preview-frame')
    await poll(() => frame.getAttribute('sandbox')).toBe('allow-scripts')
    await poll(() => text(page.frameLocator('iframe.preview-frame').locator('h1'))).toBe('Report')
    await page.getByRole('treeitem', { name: /report\.pdf/ }).click()
    await poll(() => page.locator('iframe[title="PDF preview"]').getAttribute('src')).toMatch(
      /^blob:/,
    )
    expectClean(errors)
  })

  test('register a model from a run folder', async () => {
    seeded('model_folder')
    const { page, errors } = await visit(
      `${runsPage()}/runs/${data.model_folder_run_id}/artifacts/tree_model`,
    )
    await page.getByRole('button', { name: 'Register model' }).click()
    await page.getByLabel('Model name (existing or new)').fill('ui-folder-model')
    await page.getByRole('button', { name: 'Register', exact: true }).click()
    await page.getByRole('link', { name: 'ui-folder-model version 1' }).click()
    await page.locator('.page-title', { hasText: 'ui-folder-model version 1' }).waitFor()
    expectClean(errors)
  })

  test('compare runs with differences only', async () => {
    const { page, errors } = await visit(runsPage())
    await poll(() => rows(page).count()).toBeGreaterThan(10)
    await page.getByLabel('Select run adam-lr0.01-s1').check()
    await page.getByLabel('Select run sgd-lr0.1-s2').check()
    await page.getByRole('button', { name: 'Compare' }).click()
    await page.getByText('Comparing 2 runs').waitFor()
    const params = page.getByRole('region', { name: 'Parameters' })
    await poll(() => params.locator('tr', { hasText: 'epochs' }).count()).toBe(1)
    await page.getByLabel('Show differences only').check()
    await poll(() => params.locator('tr', { hasText: 'epochs' }).count()).toBe(0)
    await poll(() => params.locator('tr', { hasText: 'optimizer' }).count()).toBe(1)
    await page.locator('svg[aria-label^="Parallel coordinates"]').waitFor()
    await page.locator('.compare-charts canvas').first().waitFor()
    await shot(page, '10-compare')
    expectClean(errors)
  })

  test('model registry: list, model, version, stage transition by clicking, aliases', async () => {
    seeded('model')
    const { page, errors } = await visit('/models')
    await page.getByRole('link', { name: 'ui-demo-model' }).click()
    await poll(() => page.locator('.versions-table tbody tr').count()).toBe(2)
    await shot(page, '11-model')
    await page.getByRole('link', { name: 'Version 1', exact: true }).click()
    await poll(() => text(page.getByTestId('current-stage'))).toBe('Staging')
    await page.getByLabel('Transition stage').selectOption('Production')
    await page.getByLabel(/Archive the versions/).check()
    await page.getByRole('button', { name: 'OK' }).click()
    await poll(() => text(page.getByTestId('current-stage'))).toBe('Production')
    await page.getByLabel('New alias').fill('candidate')
    await page.getByRole('button', { name: 'Add alias' }).click()
    await page.locator('.alias-chip', { hasText: '@candidate' }).waitFor()
    await page.getByRole('region', { name: 'Schema inputs' }).waitFor()
    await shot(page, '12-model-version')
    expectClean(errors)
  })

  test('logged models list and page', async () => {
    seeded('model')
    const { page, errors } = await visit(`${runsPage()}/models`)
    await page.getByRole('link', { name: 'model', exact: true }).first().click()
    await page.getByRole('treeitem', { name: /MLmodel/ }).click()
    await poll(() => text(page.locator('.preview-text'))).toContain('flavors')
    await shot(page, '13-logged-model')
    expectClean(errors)
  })

  test('dark mode, server errors, history-style links', async () => {
    const { page, errors } = await visit(runsPage())
    await poll(() => rows(page).count()).toBeGreaterThan(10)
    await page.getByRole('button', { name: 'Switch to dark mode' }).click()
    await poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark')
    await shot(page, '14-dark-runs')
    await page.reload()
    await poll(() => page.locator('html').getAttribute('data-theme')).toMatch('dark')
    await page.getByRole('button', { name: 'Switch to light mode' }).click()
    await page.goto(`${server.url}/experiments/${data.experiment_id}`)
    await poll(() => page.url()).toContain(`/#/experiments/${data.experiment_id}`)
    await poll(() => rows(page).count()).toBeGreaterThan(10)
    expectClean(errors)
    const missing = await visit('/experiments/987654')
    await poll(() => text(missing.page.getByRole('alert'))).toContain('987654')
  })
})

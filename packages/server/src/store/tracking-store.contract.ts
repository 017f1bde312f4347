import { MlflowError } from '@carnet/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MetricInput, TrackingStore } from './tracking-store.ts'

/** Expects a promise to fail with an MlflowError of this code (and optionally a message part). */
export async function expectCode(work: Promise<unknown>, code: string, message?: string | RegExp) {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MlflowError)
  expect((error as MlflowError).code).toBe(code)
  if (message) expect((error as MlflowError).message).toMatch(message)
}

const metric = (key: string, value: number, step = 0, timestamp = 1000): MetricInput => ({
  key,
  value,
  step,
  timestamp,
})

/** The tracking-store behaviour every backend must show; run once per dialect (and over HTTP). */
export interface ContractOptions {
  /** MySQL's default collation makes MLflow's unique name index case-insensitive. */
  caseInsensitiveNames?: boolean
}

export function describeTrackingStore(
  name: string,
  open: () => Promise<TrackingStore>,
  options: ContractOptions = {},
): void {
  describe(`tracking store: ${name}`, () => {
    let store: TrackingStore
    let seq = 0
    const unique = (prefix: string) => `${prefix}-${Date.now()}-${seq++}`

    beforeAll(async () => {
      store = await open()
    })
    afterAll(async () => {
      await store?.close()
    })

    const newRun = async (experimentId?: string) => {
      const exp = experimentId ?? (await store.createExperiment(unique('exp'), undefined, []))
      const run = await store.createRun({ experimentId: exp, tags: [], startTime: 1 })
      return { experimentId: exp, runId: run.info.run_id }
    }

    it('has the Default experiment 0', async () => {
      const experiment = await store.getExperiment('0')
      expect(experiment.name).toBe('Default')
      expect(experiment.lifecycle_stage).toBe('active')
    })

    it('creates, reads, renames, tags, deletes and restores experiments', async () => {
      const name = unique('exp')
      const id = await store.createExperiment(name, undefined, [{ key: 'team', value: 'risk' }])
      const experiment = await store.getExperiment(id)
      expect(experiment).toMatchObject({
        name,
        lifecycle_stage: 'active',
        tags: [{ key: 'team', value: 'risk' }],
      })
      expect(experiment.artifact_location).toMatch(new RegExp(`/${id}$`))
      expect((await store.getExperimentByName(name)).experiment_id).toBe(id)
      await expectCode(
        store.createExperiment(name, undefined, []),
        'RESOURCE_ALREADY_EXISTS',
        /already exists/,
      )
      await store.renameExperiment(id, `${name}-renamed`)
      expect((await store.getExperiment(id)).name).toBe(`${name}-renamed`)
      await store.setExperimentTag(id, { key: 'team', value: 'ops' })
      expect((await store.getExperiment(id)).tags).toEqual([{ key: 'team', value: 'ops' }])
      await store.deleteExperimentTag(id, 'team')
      await expectCode(store.deleteExperimentTag(id, 'team'), 'RESOURCE_DOES_NOT_EXIST')
      const { runId } = await newRun(id)
      await store.deleteExperiment(id)
      expect((await store.getExperiment(id)).lifecycle_stage).toBe('deleted')
      expect((await store.getRun(runId)).info.lifecycle_stage).toBe('deleted')
      await expectCode(
        store.createRun({ experimentId: id, tags: [] }),
        'INVALID_PARAMETER_VALUE',
        /active/,
      )
      await expectCode(store.renameExperiment(id, unique('x')), 'INVALID_STATE')
      await store.restoreExperiment(id)
      expect((await store.getRun(runId)).info.lifecycle_stage).toBe('active')
    })

    it('keeps deleted experiment names reserved and names case-sensitive', async () => {
      const name = unique('Case')
      const id = await store.createExperiment(name, undefined, [])
      await store.deleteExperiment(id)
      await expectCode(store.createExperiment(name, undefined, []), 'RESOURCE_ALREADY_EXISTS')
      if (!options.caseInsensitiveNames) {
        const lower = await store.createExperiment(name.toLowerCase(), undefined, [])
        expect(lower).not.toBe(id)
      }
      await expectCode(store.getExperimentByName(unique('missing')), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('rejects bad experiment ids and names', async () => {
      await expectCode(store.getExperiment('abc'), 'INVALID_PARAMETER_VALUE', /valid integer/)
      await expectCode(store.getExperiment('987654321'), 'RESOURCE_DOES_NOT_EXIST')
      await expectCode(store.createExperiment('', undefined, []), 'INVALID_PARAMETER_VALUE')
    })

    it('creates runs with names, tags and artifact URIs', async () => {
      const experimentId = await store.createExperiment(unique('exp'), undefined, [])
      const run = await store.createRun({
        experimentId,
        runName: 'first',
        userId: 'ana',
        startTime: 42,
        tags: [{ key: 'k', value: 'v' }],
      })
      expect(run.info).toMatchObject({
        run_name: 'first',
        status: 'RUNNING',
        start_time: 42,
        user_id: 'ana',
      })
      expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/)
      expect(run.info.artifact_uri).toMatch(
        new RegExp(`/${experimentId}/${run.info.run_id}/artifacts$`),
      )
      expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'first' })
      const generated = await store.createRun({ experimentId, tags: [] })
      expect(generated.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/)
      await expectCode(
        store.createRun({
          experimentId,
          runName: 'a',
          tags: [{ key: 'mlflow.runName', value: 'b' }],
        }),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('updates, renames, deletes and restores runs', async () => {
      const { runId } = await newRun()
      const info = await store.updateRun({
        runId,
        status: 'FINISHED',
        endTime: 99,
        runName: 'renamed',
      })
      expect(info).toMatchObject({ status: 'FINISHED', end_time: 99, run_name: 'renamed' })
      const run = await store.getRun(runId)
      expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'renamed' })
      await store.logBatch(runId, {
        metrics: [],
        params: [],
        tags: [{ key: 'mlflow.runName', value: 'by-tag' }],
      })
      expect((await store.getRun(runId)).info.run_name).toBe('by-tag')
      await store.deleteRun(runId)
      await expectCode(
        store.logBatch(runId, { metrics: [metric('m', 1)], params: [], tags: [] }),
        'INVALID_PARAMETER_VALUE',
        /must be in the 'active' state/,
      )
      await store.restoreRun(runId)
      await store.logBatch(runId, { metrics: [metric('m', 1)], params: [], tags: [] })
      await expectCode(
        store.getRun('0123456789abcdef0123456789abcdef'),
        'RESOURCE_DOES_NOT_EXIST',
        /not found/,
      )
    })

    it('keeps params immutable and validates keys', async () => {
      const { runId } = await newRun()
      await store.logBatch(runId, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] })
      await store.logBatch(runId, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] })
      await expectCode(
        store.logBatch(runId, { metrics: [], params: [{ key: 'lr', value: '0.2' }], tags: [] }),
        'INVALID_PARAMETER_VALUE',
        /Changing param values is not allowed/,
      )
      await expectCode(
        store.logBatch(runId, { metrics: [], params: [{ key: '../x', value: '1' }], tags: [] }),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(
        store.logBatch(runId, { metrics: [], params: [{ key: 'a*b', value: '1' }], tags: [] }),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(
        store.logBatch(runId, {
          metrics: [],
          params: [{ key: 'k'.repeat(251), value: '1' }],
          tags: [],
        }),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('writes nothing from a partially invalid batch', async () => {
      const { runId } = await newRun()
      await store.logBatch(runId, { metrics: [], params: [{ key: 'fixed', value: '1' }], tags: [] })
      await expectCode(
        store.logBatch(runId, {
          metrics: [metric('m', 1)],
          params: [
            { key: 'new', value: 'x' },
            { key: 'fixed', value: '2' },
          ],
          tags: [{ key: 't', value: 'v' }],
        }),
        'INVALID_PARAMETER_VALUE',
      )
      const run = await store.getRun(runId)
      expect(run.data.metrics).toBeUndefined()
      expect(run.data.params).toEqual([{ key: 'fixed', value: '1' }])
      expect(run.data.tags?.map((t) => t.key)).toEqual(['mlflow.runName'])
      const tooMany = Array.from({ length: 1001 }, (_, i) => metric('m', i, i))
      await expectCode(
        store.logBatch(runId, { metrics: tooMany, params: [], tags: [] }),
        'INVALID_PARAMETER_VALUE',
        /at most 1000 metrics/,
      )
    })

    it('stores NaN and infinities as MLflow SQL stores do, and tracks latest metrics', async () => {
      const { runId } = await newRun()
      await store.logBatch(runId, {
        metrics: [
          metric('nan', Number.NaN),
          metric('inf', Number.POSITIVE_INFINITY),
          metric('ninf', Number.NEGATIVE_INFINITY),
          metric('loss', 5, 2, 10),
          metric('loss', 1, 1, 20),
          metric('loss', 3, 2, 5),
          metric('loss', 3, 2, 5),
        ],
        params: [],
        tags: [],
      })
      const run = await store.getRun(runId)
      const byKey = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m]))
      expect(byKey.nan?.value).toBe('NaN')
      expect(byKey.inf?.value).toBe(1.7976931348623157e308)
      expect(byKey.ninf?.value).toBe(-1.7976931348623157e308)
      expect(byKey.loss).toMatchObject({ value: 5, step: 2, timestamp: 10 })
      const history = await store.getMetricHistory(runId, 'loss', undefined, undefined)
      expect(history.items.map((m) => [m.timestamp, m.value])).toEqual([
        [5, 3],
        [10, 5],
        [20, 1],
      ])
    })

    it('pages metric history', async () => {
      const { runId } = await newRun()
      const points = Array.from({ length: 250 }, (_, i) => metric('m', i, i, 1000 + i))
      await store.logBatch(runId, { metrics: points, params: [], tags: [] })
      const seen: number[] = []
      let token: string | undefined
      do {
        const page = await store.getMetricHistory(runId, 'm', 100, token)
        seen.push(...page.items.map((p) => p.step))
        token = page.nextPageToken
      } while (token)
      expect(seen).toEqual(points.map((p) => p.step))
      await expectCode(
        store.getMetricHistory(runId, 'm', 10, 'not-a-token!'),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('samples long histories and keeps spikes', async () => {
      const { runId } = await newRun()
      const points = Array.from({ length: 1000 }, (_, i) =>
        metric('s', i === 777 ? 1e6 : i % 7, i, i),
      )
      for (let i = 0; i < points.length; i += 500) {
        await store.logBatch(runId, { metrics: points.slice(i, i + 500), params: [], tags: [] })
      }
      const sample = await store.getMetricHistoryBulkInterval({
        runIds: [runId],
        metricKey: 's',
        maxResults: 100,
      })
      expect(sample.length).toBeLessThanOrEqual(120)
      expect(sample.some((p) => p.step === 777 && p.value === 1e6)).toBe(true)
      expect(sample[0]?.step).toBe(0)
      expect(sample.at(-1)?.step).toBe(999)
      expect(sample.every((p) => p.run_id === runId)).toBe(true)
    })

    it('records dataset and model inputs', async () => {
      const { runId } = await newRun()
      const dataset = {
        name: 'loans',
        digest: 'abc123',
        source_type: 'local',
        source: '{"uri": "x"}',
        schema: '{}',
      }
      await store.logInputs(
        runId,
        [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
        ['m-1'],
      )
      await store.logInputs(runId, [{ dataset }], [])
      const run = await store.getRun(runId)
      expect(run.inputs.dataset_inputs).toEqual([
        { dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] },
      ])
      expect(run.inputs.model_inputs).toEqual([{ model_id: 'm-1' }])
    })

    it('searches runs with filters, order and pages', async () => {
      const experimentId = await store.createExperiment(unique('search'), undefined, [])
      const ids: string[] = []
      for (let i = 0; i < 12; i++) {
        const run = await store.createRun({
          experimentId,
          runName: `run-${i}`,
          startTime: 1000 + i,
          tags: [],
        })
        ids.push(run.info.run_id)
        await store.logBatch(run.info.run_id, {
          metrics: i % 4 === 3 ? [] : [metric('acc', i / 10)],
          params: [{ key: 'model', value: i % 2 ? 'Tree' : 'linear' }],
          tags: [{ key: 'seed', value: String(i % 3) }],
        })
      }
      const search = (
        filter?: string,
        orderBy: string[] = [],
        maxResults = 100,
        pageToken?: string,
      ) =>
        store.searchRuns({
          experimentIds: [experimentId],
          filter,
          orderBy,
          maxResults,
          pageToken,
          viewType: 'ACTIVE_ONLY',
        })
      const names = async (filter?: string, orderBy: string[] = []) =>
        (await search(filter, orderBy)).items.map((r) => r.info.run_name)

      expect(await names()).toEqual(Array.from({ length: 12 }, (_, i) => `run-${11 - i}`))
      expect(await names('metrics.acc > 0.85')).toEqual(['run-10', 'run-9'])
      expect(await names("params.model = 'Tree' and metrics.acc >= 0.5")).toEqual([
        'run-9',
        'run-5',
      ])
      expect(await names("params.model LIKE 'tree'")).toEqual([])
      expect((await names("params.model ILIKE 'tree'")).length).toBe(6)
      expect(await names("tags.seed = '0' AND attributes.run_name != 'run-0'")).toEqual([
        'run-9',
        'run-6',
        'run-3',
      ])
      expect(await names(`attributes.run_id IN ('${ids[2]}', '${ids[4]}')`)).toEqual([
        'run-4',
        'run-2',
      ])
      expect(await names("params.missing IS NULL and run_name LIKE 'run-1%'")).toEqual([
        'run-11',
        'run-10',
        'run-1',
      ])
      expect(await names('attributes.start_time < 1002')).toEqual(['run-1', 'run-0'])
      // Carnet extensions: OR, NOT, parentheses.
      expect(
        await names("run_name = 'run-1' OR (metrics.acc > 0.95 AND NOT params.model = 'Tree')"),
      ).toEqual(['run-10', 'run-1'])
      const byAcc = await names(undefined, ['metrics.acc DESC'])
      expect(byAcc.slice(0, 3)).toEqual(['run-10', 'run-9', 'run-8'])
      expect(byAcc.slice(-3)).toEqual(['run-11', 'run-7', 'run-3'])
      expect((await names(undefined, ['metrics.acc ASC']))[0]).toBe('run-0')

      const paged: string[] = []
      let token: string | undefined
      do {
        const page = await search(undefined, ['params.model ASC'], 5, token)
        paged.push(...page.items.map((r) => r.info.run_id))
        token = page.nextPageToken
      } while (token)
      expect(new Set(paged).size).toBe(12)

      await store.deleteRun(ids[0]!)
      const deleted = await store.searchRuns({
        experimentIds: [experimentId],
        orderBy: [],
        maxResults: 100,
        viewType: 'DELETED_ONLY',
      })
      expect(deleted.items.map((r) => r.info.run_id)).toEqual([ids[0]])
      const all = await store.searchRuns({
        experimentIds: [experimentId],
        orderBy: [],
        maxResults: 100,
        viewType: 'ALL',
      })
      expect(all.items).toHaveLength(12)
      await expectCode(search('metrics.acc > '), 'INVALID_PARAMETER_VALUE')
      await expectCode(search("metrics.acc = 'x'"), 'INVALID_PARAMETER_VALUE')
      await expectCode(search('foo.bar = 1'), 'INVALID_PARAMETER_VALUE')
      await expectCode(search(undefined, [], 50001), 'INVALID_PARAMETER_VALUE')
    })

    it('pages runs in the order of one full search, through ties, NaN and missing values', async () => {
      const experimentId = await store.createExperiment(unique('pages'), undefined, [])
      for (let i = 0; i < 17; i++) {
        const run = await store.createRun({ experimentId, startTime: 1000 + (i % 3), tags: [] })
        await store.logBatch(run.info.run_id, {
          metrics: i % 5 === 4 ? [] : [metric('acc', [0.5, 0.25, Number.NaN, 0.5][i % 4]!)],
          params: i % 3 === 2 ? [] : [{ key: 'p', value: i % 3 ? 'b' : 'a' }],
          tags: [],
        })
      }
      const cases: [string[], string | undefined][] = [
        [[], undefined],
        [['metrics.acc DESC'], undefined],
        [['metrics.acc DESC'], 'metrics.acc > 0.1'],
        [['params.p ASC', 'metrics.acc ASC'], "params.p != 'c'"],
        [['attributes.start_time ASC'], undefined],
      ]
      for (const [orderBy, filter] of cases) {
        const query = {
          experimentIds: [experimentId],
          filter,
          orderBy,
          viewType: 'ACTIVE_ONLY' as const,
        }
        const ids = (page: { items: { info: { run_id: string } }[] }) =>
          page.items.map((r) => r.info.run_id)
        const full = ids(await store.searchRuns({ ...query, maxResults: 100 }))
        const paged: string[] = []
        let token: string | undefined
        do {
          const page = await store.searchRuns({ ...query, maxResults: 3, pageToken: token })
          paged.push(...ids(page))
          token = page.nextPageToken
        } while (token && paged.length <= full.length)
        expect(paged).toEqual(full)
        // MLflow's offset tokens keep working.
        const offset = Buffer.from('{"offset": 4}').toString('base64')
        const rest = await store.searchRuns({ ...query, maxResults: 2, pageToken: offset })
        expect(ids(rest)).toEqual(full.slice(4, 6))
      }
    })

    it('searches experiments by name and tags', async () => {
      const prefix = unique('find')
      const a = await store.createExperiment(`${prefix}-alpha`, undefined, [
        { key: 'kind', value: 'credit' },
      ])
      const b = await store.createExperiment(`${prefix}-beta`, undefined, [])
      const search = async (filter: string, orderBy: string[] = []) =>
        (
          await store.searchExperiments({
            filter,
            orderBy,
            maxResults: 100,
            viewType: 'ACTIVE_ONLY',
          })
        ).items.map((e) => e.experiment_id)
      expect(await search(`name LIKE '${prefix}%'`, ['name DESC'])).toEqual([b, a])
      expect(await search(`name LIKE '${prefix}%' AND tags.kind = 'credit'`)).toEqual([a])
      expect(await search(`name ILIKE '${prefix.toUpperCase()}%' AND tags.kind IS NULL`)).toEqual([
        b,
      ])
      await store.deleteExperiment(b)
      expect(await search(`name LIKE '${prefix}%'`)).toEqual([a])
    })

    it('never loses acknowledged writes from 16 concurrent writers', async () => {
      const experimentId = await store.createExperiment(unique('load'), undefined, [])
      const runs = await Promise.all(Array.from({ length: 16 }, () => newRun(experimentId)))
      await Promise.all(
        runs.map(async ({ runId }, w) => {
          for (let b = 0; b < 10; b++) {
            const metrics = Array.from({ length: 50 }, (_, i) => metric('m', w, b * 50 + i, b))
            await store.logBatch(runId, {
              metrics,
              params: [{ key: `p${b}`, value: String(w) }],
              tags: [],
            })
          }
        }),
      )
      for (const { runId } of runs) {
        const history = await store.getMetricHistory(runId, 'm', undefined, undefined)
        expect(history.items).toHaveLength(500)
        expect((await store.getRun(runId)).data.params).toHaveLength(10)
      }
    })
  })
}

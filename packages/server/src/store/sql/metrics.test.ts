import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectCode } from '../tracking-store.contract.ts'
import type { MetricInput } from '../tracking-store.ts'
import { SqlLoggedModelStore } from './logged-models/sql-logged-model-store.ts'
import { SqlTrackingStore } from './sql-tracking-store.ts'
import { createTestDatabase, type TestDatabase, testDialects } from './test-databases.ts'

const databases: TestDatabase[] = []

afterAll(async () => {
  for (const database of databases) await database.drop()
})

const point = (key: string, value: number, step: number, timestamp: number): MetricInput => ({
  key,
  value,
  step,
  timestamp,
})

for (const dialect of testDialects()) {
  describe(`metric writes: ${dialect}`, () => {
    let store: SqlTrackingStore
    let experimentId: string

    beforeAll(async () => {
      const database = await createTestDatabase(dialect)
      databases.push(database)
      store = await SqlTrackingStore.open({
        uri: database.uri,
        defaultArtifactRoot: 'mlflow-artifacts:/',
      })
      experimentId = await store.createExperiment(`metrics-${process.pid}`, undefined, [])
    })
    afterAll(async () => {
      await store?.close()
    })

    const newRun = async () =>
      (await store.createRun({ experimentId, tags: [], startTime: 1 })).info.run_id
    const logOne = (runId: string, m: MetricInput) =>
      store.logBatch(runId, { metrics: [m], params: [], tags: [] }, { single: true })
    const latest = async (runId: string, key: string) =>
      (await store.getRun(runId)).data.metrics?.find((m) => m.key === key)

    it('keeps the latest point by (step, timestamp, value), the first of equal ones', async () => {
      const runId = await newRun()
      await logOne(runId, point('m', 5, 3, 100))
      await logOne(runId, point('m', 9, 2, 900)) // lower step: not latest
      expect(await latest(runId, 'm')).toMatchObject({ value: 5, step: 3, timestamp: 100 })
      await logOne(runId, point('m', 1, 3, 101)) // same step, later
      expect(await latest(runId, 'm')).toMatchObject({ value: 1, step: 3, timestamp: 101 })
      await logOne(runId, point('m', 2, 3, 101)) // same step and time, greater value
      expect(await latest(runId, 'm')).toMatchObject({ value: 2, step: 3, timestamp: 101 })
      await logOne(runId, point('m', -1, 3, 101))
      expect(await latest(runId, 'm')).toMatchObject({ value: 2 })

      // mlflow-compat: NaN is stored as 0, so it ties with a real 0 and the first one stays.
      await logOne(runId, point('z', Number.NaN, 1, 1))
      await logOne(runId, point('z', 0, 1, 1))
      expect((await latest(runId, 'z'))?.value).toBe('NaN')
      await logOne(runId, point('y', 0, 1, 1))
      await logOne(runId, point('y', Number.NaN, 1, 1))
      expect((await latest(runId, 'y'))?.value).toBe(0)

      // The same rule within one batch, and against the stored row.
      await store.logBatch(runId, {
        metrics: [
          point('b', 0, 1, 1),
          point('b', Number.NaN, 1, 1),
          point('c', Number.NaN, 4, 4),
          point('c', 7, 4, 3),
          point('c', 0, 4, 4),
        ],
        params: [],
        tags: [],
      })
      expect((await latest(runId, 'b'))?.value).toBe(0)
      expect(await latest(runId, 'c')).toMatchObject({ value: 'NaN', step: 4, timestamp: 4 })
      const history = await store.getMetricHistory(runId, 'c', undefined, undefined)
      expect(history.items).toHaveLength(3)
    })

    it('refuses writes to missing and deleted runs as MLflow does, writing nothing', async () => {
      const missing = '0123456789abcdef0123456789abcdef'
      await expectCode(
        logOne(missing, point('m', 1, 0, 1)),
        'RESOURCE_DOES_NOT_EXIST',
        `Run with id=${missing} not found`,
      )
      await expectCode(
        store.logBatch(missing, { metrics: [point('m', 1, 0, 1)], params: [], tags: [] }),
        'RESOURCE_DOES_NOT_EXIST',
        `Run with id=${missing} not found`,
      )
      const runId = await newRun()
      await store.deleteRun(runId)
      const message = `The run ${runId} must be in the 'active' state. Current state is deleted.`
      await expectCode(logOne(runId, point('m', 1, 0, 1)), 'INVALID_PARAMETER_VALUE', message)
      await expectCode(
        store.logBatch(runId, {
          metrics: [point('m', 1, 0, 1), point('n', 2, 0, 1)],
          params: [{ key: 'p', value: '1' }],
          tags: [],
        }),
        'INVALID_PARAMETER_VALUE',
        message,
      )
      await store.restoreRun(runId)
      const run = await store.getRun(runId)
      expect(run.data.metrics).toBeUndefined()
      expect(run.data.params).toBeUndefined()
      expect((await store.getMetricHistory(runId, 'm', undefined, undefined)).items).toEqual([])
    })

    it('stores values exactly and ignores repeated points', async () => {
      const runId = await newRun()
      const bits = new DataView(new ArrayBuffer(8))
      const values = [0.1 + 0.2, 5e-324, 2.2250738585072014e-308, 1 / 3, -123456.789e-200, 1e21]
      for (let i = 0; values.length < 300; i++) {
        bits.setUint32(0, (i * 2654435761) >>> 0)
        bits.setUint32(4, (i * 40503 + 12345) >>> 0)
        const x = bits.getFloat64(0)
        if (Number.isFinite(x)) values.push(x)
      }
      const metrics = values.map((v, i) => point('x', v, i, 1000 + i))
      await store.logBatch(runId, { metrics, params: [], tags: [] })
      await store.logBatch(runId, { metrics: metrics.slice(0, 10), params: [], tags: [] })
      const history = await store.getMetricHistory(runId, 'x', undefined, undefined)
      expect(history.items.map((m) => m.value)).toEqual(values)
      expect(await latest(runId, 'x')).toMatchObject({ value: values.at(-1), step: 299 })
    })

    it('also writes metrics linked to a logged model, once per key', async () => {
      const runId = await newRun()
      const models = new SqlLoggedModelStore(store.context, store.readContext)
      const model = await models.createLoggedModel({
        experimentId,
        name: 'm',
        modelType: '',
        sourceRunId: runId,
        params: [],
        tags: [],
      })
      const id = model.info.model_id
      await store.logBatch(runId, {
        metrics: [
          { ...point('acc', 0.5, 0, 1), model_id: id },
          { ...point('acc', 0.6, 0, 1), model_id: id },
          { ...point('acc', 0.7, 1, 2), model_id: id },
        ],
        params: [],
        tags: [],
      })
      const linked = (await models.getLoggedModel(id)).data.metrics ?? []
      expect(linked.map((m) => [m.step, m.value])).toEqual([
        [0, 0.6],
        [1, 0.7],
      ])
      expect(await latest(runId, 'acc')).toMatchObject({ value: 0.7, step: 1 })
      expect((await store.getMetricHistory(runId, 'acc', undefined, undefined)).items).toHaveLength(
        3,
      )
    })

    it('advances latest metrics right under concurrent writers', async () => {
      const runId = await newRun()
      const steps = Array.from({ length: 60 }, (_, i) => (i * 37) % 60)
      await Promise.all([
        ...steps.map((s) => logOne(runId, point('m', s / 10, s, 5000))),
        ...[0, 1, 2, 3].map((w) =>
          store.logBatch(runId, {
            metrics: Array.from({ length: 20 }, (_, k) => point(`k${k}`, w, w, 1)),
            params: [],
            tags: [],
          }),
        ),
      ])
      expect(await latest(runId, 'm')).toMatchObject({ value: 5.9, step: 59 })
      for (let k = 0; k < 20; k++) {
        expect(await latest(runId, `k${k}`)).toMatchObject({ value: 3, step: 3 })
      }
      expect((await store.getMetricHistory(runId, 'm', undefined, undefined)).items).toHaveLength(
        60,
      )
    })
  })
}

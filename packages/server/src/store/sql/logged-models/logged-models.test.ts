import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchLoggedModelsQuery } from '../../logged-model-store.ts'
import { expectCode } from '../../tracking-store.contract.ts'
import { SqlTrackingStore } from '../sql-tracking-store.ts'
import { createTestDatabase, type TestDatabase, testDialects } from '../test-databases.ts'
import { SqlLoggedModelStore } from './sql-logged-model-store.ts'

const databases: TestDatabase[] = []

afterAll(async () => {
  for (const database of databases) await database.drop()
})

for (const dialect of testDialects()) {
  describe(`logged models: ${dialect}`, () => {
    let tracking: SqlTrackingStore
    let store: SqlLoggedModelStore
    let seq = 0
    const unique = (prefix: string) => `${prefix}-${process.pid}-${seq++}`

    beforeAll(async () => {
      const database = await createTestDatabase(dialect)
      databases.push(database)
      tracking = await SqlTrackingStore.open({
        uri: database.uri,
        defaultArtifactRoot: 'mlflow-artifacts:/',
      })
      store = new SqlLoggedModelStore(tracking.context, tracking.readContext)
    })
    afterAll(async () => {
      await tracking?.close()
    })

    const setup = async () => {
      const experimentId = await tracking.createExperiment(unique('exp'), undefined, [])
      const run = await tracking.createRun({ experimentId, tags: [], startTime: 1 })
      return { experimentId, runId: run.info.run_id }
    }

    const create = (experimentId: string, name?: string, extra: { runId?: string } = {}) =>
      store.createLoggedModel({
        experimentId,
        name,
        modelType: '',
        sourceRunId: extra.runId ?? '',
        params: [],
        tags: [],
      })

    it('creates, finalizes, tags and soft-deletes models', async () => {
      const { experimentId, runId } = await setup()
      const model = await store.createLoggedModel({
        experimentId,
        name: 'clf',
        modelType: 'sklearn',
        sourceRunId: runId,
        params: [{ key: 'alpha', value: '0.5' }],
        tags: [{ key: 't', value: 'v' }],
      })
      const id = model.info.model_id
      expect(id).toMatch(/^m-[0-9a-f]{32}$/)
      expect(model.info).toMatchObject({
        experiment_id: experimentId,
        name: 'clf',
        artifact_uri: `mlflow-artifacts:/${experimentId}/models/${id}/artifacts`,
        status: 'LOGGED_MODEL_PENDING',
        model_type: 'sklearn',
        source_run_id: runId,
        tags: [{ key: 't', value: 'v' }],
      })
      expect(model.data).toEqual({ params: [{ key: 'alpha', value: '0.5' }] })
      const unnamed = await create(experimentId)
      expect(unnamed.info.name).toMatch(/^[a-z]+-[a-z]+-\d+$/)
      expect(unnamed.info).toMatchObject({ model_type: '', source_run_id: '' })
      expect(unnamed.data).toEqual({})

      const ready = await store.finalizeLoggedModel(id, 'LOGGED_MODEL_READY')
      expect(ready.info.status).toBe('LOGGED_MODEL_READY')
      expect(ready.info.last_updated_timestamp_ms).toBeGreaterThanOrEqual(
        ready.info.creation_timestamp_ms,
      )

      await store.setLoggedModelTags(id, [
        { key: 'x', value: '1' },
        { key: 'x', value: '2' },
      ])
      await store.logLoggedModelParams(id, [{ key: 'beta', value: '1' }])
      await expectCode(store.logLoggedModelParams(id, [{ key: 'beta', value: '2' }]), 'BAD_REQUEST')
      await store.deleteLoggedModelTag(id, 't')
      await expectCode(
        store.deleteLoggedModelTag(id, 't'),
        'RESOURCE_DOES_NOT_EXIST',
        `No tag with key 't' found for model with ID '${id}'.`,
      )
      const read = await store.getLoggedModel(id)
      expect(read.info.tags).toEqual([{ key: 'x', value: '2' }])
      expect(read.data.params).toEqual([
        { key: 'alpha', value: '0.5' },
        { key: 'beta', value: '1' },
      ])

      await store.deleteLoggedModel(id)
      await expectCode(
        store.getLoggedModel(id),
        'RESOURCE_DOES_NOT_EXIST',
        `Logged model with ID '${id}' not found.`,
      )
      expect((await store.getLoggedModel(id, true)).info.model_id).toBe(id)
      await store.deleteLoggedModel(id)
      await expectCode(store.deleteLoggedModel('m-nothere'), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('validates names and experiments', async () => {
      const { experimentId } = await setup()
      await expectCode(
        create(experimentId, 'a.b'),
        'INVALID_PARAMETER_VALUE',
        "Invalid model name ('a.b')",
      )
      await expectCode(create('987654'), 'RESOURCE_DOES_NOT_EXIST')
      await tracking.deleteExperiment(experimentId)
      await expectCode(
        create(experimentId, 'x'),
        'INVALID_PARAMETER_VALUE',
        "must be in the 'active' state",
      )
    })

    it('links metrics by model id and searches them', async () => {
      const { experimentId, runId } = await setup()
      const a = (await create(experimentId, 'a', { runId })).info.model_id
      const b = (await create(experimentId, 'b', { runId })).info.model_id
      const c = (await create(experimentId, 'c')).info.model_id
      await store.logLoggedModelParams(a, [{ key: 'lr', value: '0.1' }])
      await store.setLoggedModelTags(b, [{ key: 'stage', value: 'Candidate' }])
      await store.finalizeLoggedModel(b, 'LOGGED_MODEL_READY')
      await tracking.logBatch(runId, {
        params: [],
        tags: [],
        metrics: [
          {
            key: 'acc',
            value: 0.7,
            timestamp: 1,
            step: 0,
            model_id: a,
            dataset_name: 'ds',
            dataset_digest: 'd1',
          },
          {
            key: 'acc',
            value: 0.9,
            timestamp: 2,
            step: 0,
            model_id: a,
            dataset_name: 'ds',
            dataset_digest: 'd1',
          },
          { key: 'acc', value: 0.8, timestamp: 1, step: 0, model_id: b },
        ],
      })
      const withMetrics = await store.getLoggedModel(a)
      expect(withMetrics.data.metrics).toEqual([
        {
          key: 'acc',
          value: 0.7,
          timestamp: 1,
          step: 0,
          model_id: a,
          dataset_name: 'ds',
          dataset_digest: 'd1',
          run_id: runId,
        },
        {
          key: 'acc',
          value: 0.9,
          timestamp: 2,
          step: 0,
          model_id: a,
          dataset_name: 'ds',
          dataset_digest: 'd1',
          run_id: runId,
        },
      ])
      const search = (query: Partial<SearchLoggedModelsQuery>) =>
        store.searchLoggedModels({
          experimentIds: [experimentId],
          datasets: [],
          orderBy: [],
          ...query,
        })
      const names = async (query: Partial<SearchLoggedModelsQuery>) =>
        (await search(query)).items.map((m) => m.info.name)
      // Newest first by default; the three were created in order a, b, c (ids break ties).
      expect((await names({})).sort()).toEqual(['a', 'b', 'c'])
      expect(await names({ filter: 'metrics.acc > 0.85' })).toEqual(['a'])
      expect(await names({ filter: "params.lr = '0.1'" })).toEqual(['a'])
      expect(await names({ filter: "tags.stage LIKE 'Cand%'" })).toEqual(['b'])
      expect(await names({ filter: "tags.stage LIKE 'cand%'" })).toEqual([])
      expect(await names({ filter: "tags.stage ILIKE 'cand%'" })).toEqual(['b'])
      expect(await names({ filter: "status = 'LOGGED_MODEL_READY'" })).toEqual(['b'])
      expect((await names({ filter: "name IN ('a', 'c')" })).sort()).toEqual(['a', 'c'])
      expect(await names({ filter: `source_run_id = '${runId}' AND name != 'a'` })).toEqual(['b'])
      // Any logged value counts (MLflow matches metric rows, not the latest value).
      expect(
        (await names({ filter: 'creation_timestamp > 0 AND metrics.acc < 0.85' })).sort(),
      ).toEqual(['a', 'b'])
      expect(await names({ datasets: [{ datasetName: 'ds' }] })).toEqual(['a'])
      expect(await names({ datasets: [{ datasetName: 'ds', datasetDigest: 'other' }] })).toEqual([])
      expect(
        await names({
          filter: 'metrics.acc > 0.5',
          datasets: [{ datasetName: 'ds', datasetDigest: 'd1' }],
        }),
      ).toEqual(['a'])
      expect(await names({ orderBy: [{ fieldName: 'metrics.acc', ascending: false }] })).toEqual([
        'a',
        'b',
        'c',
      ])
      expect(await names({ orderBy: [{ fieldName: 'metrics.acc', ascending: true }] })).toEqual([
        'b',
        'a',
        'c',
      ])
      expect(await names({ orderBy: [{ fieldName: 'name', ascending: false }] })).toEqual([
        'c',
        'b',
        'a',
      ])

      const first = await search({
        maxResults: 2,
        orderBy: [{ fieldName: 'name', ascending: true }],
      })
      expect(first.items.map((m) => m.info.name)).toEqual(['a', 'b'])
      const rest = await search({
        maxResults: 2,
        orderBy: [{ fieldName: 'name', ascending: true }],
        pageToken: first.nextPageToken,
      })
      expect(rest.items.map((m) => m.info.name)).toEqual(['c'])
      expect(rest.nextPageToken).toBeUndefined()
      await expectCode(
        search({ maxResults: 2, pageToken: first.nextPageToken }),
        'INVALID_PARAMETER_VALUE',
        'Order by in the page token does not match the requested order by.',
      )
      await expectCode(
        search({ filter: "tag.t = 'x'" }),
        'INVALID_PARAMETER_VALUE',
        "Invalid entity type: 'tag'",
      )
      await expectCode(
        search({ filter: "bogus = 'x'" }),
        'INVALID_PARAMETER_VALUE',
        "Invalid attribute key 'bogus'",
      )
      await expectCode(
        search({ filter: "metrics.acc LIKE 'x'" }),
        'INVALID_PARAMETER_VALUE',
        'Invalid comparison operator',
      )
      await expectCode(
        search({ orderBy: [{ fieldName: 'params.lr', ascending: true }] }),
        'INVALID_PARAMETER_VALUE',
        'Only metrics are supported.',
      )
      await expectCode(
        search({ orderBy: [{ fieldName: 'bogus', ascending: true }] }),
        'INVALID_PARAMETER_VALUE',
        'Invalid order by field name: bogus',
      )
      await expectCode(search({ experimentIds: [] }), 'INVALID_PARAMETER_VALUE')

      await store.deleteLoggedModel(c)
      expect((await names({})).sort()).toEqual(['a', 'b'])
    })
  })
}

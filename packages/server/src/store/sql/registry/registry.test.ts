import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectCode } from '../../tracking-store.contract.ts'
import { SqlLoggedModelStore } from '../logged-models/sql-logged-model-store.ts'
import { SqlTrackingStore } from '../sql-tracking-store.ts'
import { createTestDatabase, type TestDatabase, testDialects } from '../test-databases.ts'
import { SqlRegistryStore } from './sql-registry-store.ts'

const databases: TestDatabase[] = []

afterAll(async () => {
  for (const database of databases) await database.drop()
})

for (const dialect of testDialects()) {
  describe(`model registry: ${dialect}`, () => {
    let tracking: SqlTrackingStore
    let registry: SqlRegistryStore
    let models: SqlLoggedModelStore
    let seq = 0
    const unique = (prefix: string) => `${prefix}-${process.pid}-${seq++}`

    beforeAll(async () => {
      const database = await createTestDatabase(dialect)
      databases.push(database)
      tracking = await SqlTrackingStore.open({
        uri: database.uri,
        defaultArtifactRoot: 'mlflow-artifacts:/',
      })
      registry = new SqlRegistryStore(tracking.context, { readContext: tracking.readContext })
      models = new SqlLoggedModelStore(tracking.context, tracking.readContext)
    })
    afterAll(async () => {
      await tracking?.close()
    })

    const newRun = async () => {
      const experimentId = await tracking.createExperiment(unique('exp'), undefined, [])
      const run = await tracking.createRun({ experimentId, tags: [], startTime: 1 })
      return { experimentId, runId: run.info.run_id, root: run.info.artifact_uri! }
    }

    const newModel = async (tags: { key: string; value: string }[] = []) => {
      const name = unique('model')
      await registry.createRegisteredModel({ name, tags, description: '' })
      return name
    }

    /** Registers a version from a run's own artifacts (the legacy runs:/ flow). */
    const register = async (name: string, run?: { runId: string; root: string }) => {
      const r = run ?? (await newRun())
      return registry.createModelVersion({
        name,
        source: `${r.root}/model`,
        runId: r.runId,
        runLink: '',
        description: '',
        tags: [],
      })
    }

    it('creates, reads, describes and deletes registered models', async () => {
      const name = unique('rm')
      const created = await registry.createRegisteredModel({
        name,
        tags: [
          { key: 'team', value: 'a' },
          { key: 'team', value: 'b' },
        ],
        description: 'first',
      })
      expect(created).toMatchObject({
        name,
        description: 'first',
        tags: [{ key: 'team', value: 'b' }],
      })
      expect(created.creation_timestamp).toBe(created.last_updated_timestamp)
      expect(created.latest_versions).toBeUndefined()
      await expectCode(
        registry.createRegisteredModel({ name, tags: [], description: '' }),
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${name}) already exists.`,
      )
      const updated = await registry.updateRegisteredModel(name, 'second')
      expect(updated.description).toBe('second')
      expect((await registry.updateRegisteredModel(name, '')).description).toBeUndefined()
      await registry.deleteRegisteredModel(name)
      await expectCode(
        registry.getRegisteredModel(name),
        'RESOURCE_DOES_NOT_EXIST',
        `Registered Model with name=${name} not found`,
      )
      await expectCode(registry.deleteRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('validates names the way MLflow does', async () => {
      await expectCode(
        registry.createRegisteredModel({ name: ' ', tags: [], description: '' }),
        'INVALID_PARAMETER_VALUE',
        "Missing value for required parameter 'name'.",
      )
      await expectCode(
        registry.createRegisteredModel({ name: 'a/b', tags: [], description: '' }),
        'INVALID_PARAMETER_VALUE',
        "Names cannot contain '/' or ':'",
      )
      await expectCode(
        registry.createRegisteredModel({ name: '..', tags: [], description: '' }),
        'INVALID_PARAMETER_VALUE',
        'must not resolve to other names',
      )
      await expectCode(
        registry.createRegisteredModel({
          name: unique('t'),
          tags: [{ key: '', value: 'x' }],
          description: '',
        }),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('numbers versions per model, never reusing a deleted number', async () => {
      const name = await newModel()
      const run = await newRun()
      const v1 = await register(name, run)
      expect(v1).toMatchObject({
        name,
        version: '1',
        current_stage: 'None',
        status: 'READY',
        run_id: run.runId,
        source: `${run.root}/model`,
        description: '',
        run_link: '',
      })
      expect(v1.user_id).toBeUndefined()
      expect((await register(name, run)).version).toBe('2')
      await registry.deleteModelVersion(name, '2')
      await expectCode(
        registry.getModelVersion(name, '2'),
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=2) not found`,
      )
      expect((await register(name, run)).version).toBe('3')
      expect((await register(await newModel(), run)).version).toBe('1')
      await expectCode(
        registry.getModelVersion(name, 'x'),
        'INVALID_PARAMETER_VALUE',
        "Parameter 'version' must be an integer, got 'x'.",
      )
      await expectCode(
        registry.createModelVersion({
          name: unique('missing'),
          source: `${run.root}/model`,
          runId: run.runId,
          runLink: '',
          description: '',
          tags: [],
        }),
        'RESOURCE_DOES_NOT_EXIST',
      )
    })

    it('moves versions between stages, archiving the others on request', async () => {
      const name = await newModel()
      const run = await newRun()
      for (let i = 0; i < 3; i++) await register(name, run)
      await registry.transitionModelVersionStage(name, '1', 'production', false)
      await registry.transitionModelVersionStage(name, '2', 'Production', false)
      let latest = await registry.getLatestVersions(name, ['PRODUCTION'])
      expect(latest.map((v) => v.version)).toEqual(['2'])
      expect((await registry.getModelVersion(name, '1')).current_stage).toBe('Production')
      const moved = await registry.transitionModelVersionStage(name, '3', 'Production', true)
      expect(moved.current_stage).toBe('Production')
      expect((await registry.getModelVersion(name, '1')).current_stage).toBe('Archived')
      expect((await registry.getModelVersion(name, '2')).current_stage).toBe('Archived')
      latest = await registry.getLatestVersions(name, [])
      expect(latest.map((v) => [v.version, v.current_stage])).toEqual([
        ['2', 'Archived'],
        ['3', 'Production'],
      ])
      const model = await registry.getRegisteredModel(name)
      expect(model.latest_versions?.map((v) => v.version)).toEqual(['2', '3'])
      expect(model.latest_versions?.[0]?.aliases).toBeUndefined()
      await expectCode(
        registry.transitionModelVersionStage(name, '1', 'Archived', true),
        'INVALID_PARAMETER_VALUE',
        "because 'Archived' is not an Active stage",
      )
      await expectCode(
        registry.transitionModelVersionStage(name, '1', 'bogus', false),
        'INVALID_PARAMETER_VALUE',
        'Invalid Model Version stage: bogus. Value must be one of None, Staging, Production, Archived.',
      )
      await expectCode(registry.getLatestVersions(name, ['bad']), 'INVALID_PARAMETER_VALUE')
    })

    it('keeps aliases, tags and descriptions on versions', async () => {
      const name = await newModel()
      const run = await newRun()
      await register(name, run)
      await register(name, run)
      await registry.setRegisteredModelAlias(name, 'champion', '1')
      await registry.setRegisteredModelAlias(name, 'champion', '2')
      await registry.setRegisteredModelAlias(name, 'challenger', '1')
      expect((await registry.getModelVersionByAlias(name, 'champion')).aliases).toEqual([
        'champion',
      ])
      expect((await registry.getModelVersion(name, '1')).aliases).toEqual(['challenger'])
      expect((await registry.getRegisteredModel(name)).aliases).toEqual([
        { alias: 'challenger', version: '1' },
        { alias: 'champion', version: '2' },
      ])
      expect((await registry.getModelVersionByAlias(name, 'LATEST')).version).toBe('2')
      await expectCode(
        registry.getModelVersionByAlias(name, 'nope'),
        'INVALID_PARAMETER_VALUE',
        'Registered model alias nope not found.',
      )
      await expectCode(
        registry.setRegisteredModelAlias(name, 'latest', '1'),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(registry.setRegisteredModelAlias(name, 'v3', '1'), 'INVALID_PARAMETER_VALUE')
      await expectCode(
        registry.setRegisteredModelAlias(name, 'a b', '1'),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(registry.setRegisteredModelAlias(name, 'x', '9'), 'RESOURCE_DOES_NOT_EXIST')
      await registry.deleteRegisteredModelAlias(name, 'nope')
      await registry.deleteModelVersion(name, '1')
      expect((await registry.getRegisteredModel(name)).aliases).toEqual([
        { alias: 'champion', version: '2' },
      ])

      await registry.setModelVersionTag(name, '2', { key: 'k', value: 'v' })
      await registry.setModelVersionTag(name, '2', { key: 'k', value: 'w' })
      await registry.setRegisteredModelTag(name, { key: 'rk', value: 'rv' })
      const updated = await registry.updateModelVersion(name, '2', 'about')
      expect(updated).toMatchObject({ description: 'about', tags: [{ key: 'k', value: 'w' }] })
      expect((await registry.updateModelVersion(name, '2', undefined)).description).toBeUndefined()
      await registry.deleteModelVersionTag(name, '2', 'k')
      await registry.deleteModelVersionTag(name, '2', 'k')
      await registry.deleteRegisteredModelTag(name, 'rk')
      await registry.deleteRegisteredModelTag(name, 'rk')
      expect((await registry.getModelVersion(name, '2')).tags).toBeUndefined()
      expect((await registry.getRegisteredModel(name)).tags).toBeUndefined()
      await expectCode(
        registry.setModelVersionTag(name, '1', { key: 'k', value: 'v' }),
        'RESOURCE_DOES_NOT_EXIST',
      )
    })

    it('renames a model with its versions, tags and aliases', async () => {
      const name = await newModel([{ key: 't', value: '1' }])
      await register(name)
      await registry.setRegisteredModelAlias(name, 'prod', '1')
      const newName = unique('renamed')
      const renamed = await registry.renameRegisteredModel(name, newName)
      expect(renamed).toMatchObject({ name: newName, tags: [{ key: 't', value: '1' }] })
      expect((await registry.getModelVersionByAlias(newName, 'prod')).name).toBe(newName)
      await expectCode(registry.getRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST')
      const other = await newModel()
      await expectCode(
        registry.renameRegisteredModel(newName, other),
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${other}) already exists.`,
      )
      await registry.deleteRegisteredModel(newName)
      expect(
        (
          await registry.searchModelVersions({
            filter: `name = '${newName}'`,
            maxResults: 10,
            orderBy: [],
          })
        ).items,
      ).toEqual([])
    })

    it('refuses sources outside the run, logged model or server roots', async () => {
      const name = await newModel()
      const run = await newRun()
      const other = await newRun()
      const create = (source: string, ids: { runId?: string; modelId?: string } = {}) =>
        registry.createModelVersion({
          name,
          source,
          runLink: '',
          description: '',
          tags: [],
          ...ids,
        })
      await expectCode(
        create('/etc/passwd', { runId: run.runId }),
        'INVALID_PARAMETER_VALUE',
        'local path',
      )
      await expectCode(create('file:///etc'), 'INVALID_PARAMETER_VALUE')
      await expectCode(
        create(`${other.root}/model`, { runId: run.runId }),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(create(`${other.root}/model`), 'INVALID_PARAMETER_VALUE')
      await expectCode(
        create(`${run.root}/../../x`, { runId: run.runId }),
        'INVALID_PARAMETER_VALUE',
        'relative path',
      )
      await expectCode(
        create(`${run.root}/%252e%252e/x`, { runId: run.runId }),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(create('s3://bucket/model'), 'INVALID_PARAMETER_VALUE')
      await expectCode(
        create('http://evil.example/model'),
        'INVALID_PARAMETER_VALUE',
        "'source' cannot use the 'http' scheme",
      )
      await expectCode(
        create(`runs:/${other.runId}/model`, { runId: run.runId }),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(
        create('s3://bucket/model', { runId: 'f'.repeat(32) }),
        'INVALID_PARAMETER_VALUE',
      )
      expect((await create(`runs:/${run.runId}/model`, { runId: run.runId })).version).toBe('1')
      // The server's own root is accepted outside every experiment's location, never above one.
      await expectCode(
        create(`mlflow-artifacts:/${run.experimentId}/shared`),
        'INVALID_PARAMETER_VALUE',
      )
      await expectCode(create('mlflow-artifacts:/'), 'INVALID_PARAMETER_VALUE')
      expect((await create('mlflow-artifacts:/shared/model')).version).toBe('2')
      // Prompts use MLflow's placeholder sources only.
      const prompt = (source: string) =>
        registry.createModelVersion({
          name,
          source,
          runLink: '',
          description: '',
          tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }],
        })
      await expectCode(prompt('s3://x/y'), 'INVALID_PARAMETER_VALUE', 'Invalid prompt source')
      expect((await prompt('dummy-source')).source).toBe('dummy-source')
    })

    it('registers logged models and resolves models:/ sources', async () => {
      const run = await newRun()
      const model = await models.createLoggedModel({
        experimentId: run.experimentId,
        name: 'clf',
        modelType: '',
        sourceRunId: run.runId,
        params: [],
        tags: [],
      })
      const modelId = model.info.model_id
      const name = await newModel()
      const v1 = await registry.createModelVersion({
        name,
        source: `models:/${modelId}`,
        modelId,
        runLink: '',
        description: '',
        tags: [],
      })
      expect(v1).toMatchObject({ version: '1', source: `models:/${modelId}`, run_id: run.runId })
      expect(await registry.getModelVersionDownloadUri(name, '1')).toBe(model.info.artifact_uri)
      await expectCode(
        registry.createModelVersion({
          name,
          source: `models:/${modelId}`,
          runLink: '',
          description: '',
          tags: [],
        }),
        'INVALID_PARAMETER_VALUE',
        'The model_id request parameter must identify the resource that contains the source.',
      )
      await registry.setRegisteredModelAlias(name, 'champ', '1')
      const copy = await newModel()
      const v = await registry.createModelVersion({
        name: copy,
        source: `models:/${name}@champ`,
        runLink: '',
        description: '',
        tags: [],
      })
      expect(v).toMatchObject({ source: `models:/${name}/1`, run_id: run.runId })
      expect(await registry.getModelVersionDownloadUri(copy, '1')).toBe(model.info.artifact_uri)
      await registry.createModelVersion({
        name,
        source: `${model.info.artifact_uri}/sub`,
        modelId,
        runLink: '',
        description: '',
        tags: [],
      })
      const tagged = await models.getLoggedModel(modelId)
      expect(tagged.info.tags).toEqual([
        {
          key: 'mlflow.modelVersions',
          value: `[{"name": "${name}", "version": 1}, {"name": "${name}", "version": 2}]`,
        },
      ])
    })

    it('searches registered models with filters, order and pages', async () => {
      const prefix = unique('srm')
      for (const [suffix, team] of [
        ['Alpha', 'red'],
        ['alpha2', 'blue'],
        ['beta', 'red'],
      ] as const) {
        await registry.createRegisteredModel({
          name: `${prefix}-${suffix}`,
          tags: [{ key: 'team', value: team }],
          description: '',
        })
      }
      await registry.createRegisteredModel({
        name: `${prefix}-prompt`,
        tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }],
        description: '',
      })
      const names = async (filter: string, orderBy: string[] = []) =>
        (await registry.searchRegisteredModels({ filter, maxResults: 100, orderBy })).items.map(
          (m) => m.name.slice(prefix.length + 1),
        )
      expect(await names(`name LIKE '${prefix}-%'`)).toEqual(['Alpha', 'alpha2', 'beta'])
      expect(await names(`name LIKE '${prefix}-a%'`)).toEqual(['alpha2'])
      expect(await names(`name ILIKE '${prefix}-a%'`)).toEqual(['Alpha', 'alpha2'])
      expect(await names(`name = '${prefix}-alpha'`)).toEqual([])
      expect(await names(`name IN ('${prefix}-Alpha', '${prefix}-beta')`)).toEqual([
        'Alpha',
        'beta',
      ])
      expect(await names(`name LIKE '${prefix}-%' AND tags.team = 'red'`)).toEqual([
        'Alpha',
        'beta',
      ])
      expect(await names(`name LIKE '${prefix}-%' AND tags.team != 'red'`)).toEqual(['alpha2'])
      expect(await names(`name LIKE '${prefix}-%'`, ['name DESC'])).toEqual([
        'beta',
        'alpha2',
        'Alpha',
      ])
      expect(
        await names(`name LIKE '${prefix}-%' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`),
      ).toEqual(['prompt'])
      expect(
        await names(`name LIKE '${prefix}-%' AND tags.\`mlflow.prompt.is_prompt\` = 'false'`),
      ).toEqual(['Alpha', 'alpha2', 'beta'])
      const first = await registry.searchRegisteredModels({
        filter: `name LIKE '${prefix}-%'`,
        maxResults: 2,
        orderBy: [],
      })
      expect(first.items).toHaveLength(2)
      const second = await registry.searchRegisteredModels({
        filter: `name LIKE '${prefix}-%'`,
        maxResults: 2,
        orderBy: [],
        pageToken: first.nextPageToken,
      })
      expect(second.items.map((m) => m.name)).toEqual([`${prefix}-beta`])
      expect(second.nextPageToken).toBeUndefined()
      await expectCode(
        names('description = "x"'),
        'INVALID_PARAMETER_VALUE',
        "Invalid attribute key 'description'",
      )
      await expectCode(
        names("name > 'a'"),
        'INVALID_PARAMETER_VALUE',
        'Invalid comparator for attribute: >',
      )
      await expectCode(
        names("name = 'a'", ['name', 'name DESC']),
        'INVALID_PARAMETER_VALUE',
        'duplicate',
      )
      await expectCode(
        names("name = 'a'", ['bogus']),
        'INVALID_PARAMETER_VALUE',
        "Invalid order by key 'bogus'",
      )
      await expectCode(
        registry.searchRegisteredModels({ maxResults: 1001, orderBy: [] }),
        'INVALID_PARAMETER_VALUE',
      )
    })

    it('searches model versions with filters, default order and pages', async () => {
      const name = await newModel()
      const run = await newRun()
      for (let i = 0; i < 3; i++) await register(name, run)
      await registry.setModelVersionTag(name, '2', { key: 'k', value: 'v' })
      const versions = async (filter: string, orderBy: string[] = []) =>
        (await registry.searchModelVersions({ filter, maxResults: 100, orderBy })).items.map(
          (v) => v.version,
        )
      // The tag update does not touch the version, so the default order is by update time, then number.
      expect(await versions(`name = '${name}'`, ['version_number ASC'])).toEqual(['1', '2', '3'])
      expect(
        await versions(`name = '${name}' AND version_number > 1`, ['version_number DESC']),
      ).toEqual(['3', '2'])
      expect(await versions(`name = '${name}' AND version_number = '2'`)).toEqual(['2'])
      expect(await versions(`name = '${name}' AND tags.k = 'v'`)).toEqual(['2'])
      expect(
        await versions(`run_id = '${run.runId}' AND name = '${name}'`, ['version_number']),
      ).toEqual(['1', '2', '3'])
      expect(
        await versions(`source_path = '${run.root}/model' AND name = '${name}'`, [
          'version_number',
        ]),
      ).toEqual(['1', '2', '3'])
      expect(
        await versions(`name = '${name}' AND run_id IN ('${run.runId}')`, ['version_number']),
      ).toEqual(['1', '2', '3'])
      const page = await registry.searchModelVersions({
        filter: `name = '${name}'`,
        maxResults: 2,
        orderBy: [],
      })
      expect(page.items).toHaveLength(2)
      expect(page.items[0]?.aliases).toBeUndefined()
      expect(page.nextPageToken).toBeDefined()
      await expectCode(
        versions('version_number = 1.5'),
        'INVALID_PARAMETER_VALUE',
        "Invalid value for numeric attribute 'version_number': 1.5",
      )
      await expectCode(
        versions("source_path IN ('a')"),
        'INVALID_PARAMETER_VALUE',
        'support comparison with a list',
      )
      await expectCode(versions("name = 'a'", ['source_path']), 'INVALID_PARAMETER_VALUE')
      await expectCode(
        registry.searchModelVersions({ maxResults: 0, orderBy: [] }),
        'INVALID_PARAMETER_VALUE',
      )
    })
  })
}

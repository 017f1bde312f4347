import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArtifactStorage } from '../artifacts/resolve-artifact-repository.ts'
import { validatePathIsSafe } from '../artifacts/safe-path.ts'
import {
  createBucket,
  S3_TEST_ENV,
  skipS3,
  startS3Server,
  type TestS3Server,
} from '../artifacts/test-s3-server.ts'
import { SqlTrackingStore } from '../store/sql/sql-tracking-store.ts'
import { type GcOptions, parseGcArgs, parseOlderThan, runGc } from './gc-command.ts'

async function writeArtifacts(storage: ArtifactStorage, rootUri: string, files: string[]) {
  const located = await storage.locate(rootUri)
  for (const file of files) {
    const path = validatePathIsSafe(`${located.base}/${file}`)
    await located.repo.write(path, Readable.from([Buffer.from(file)]), { size: file.length })
  }
}

async function listAll(storage: ArtifactStorage, rootUri: string): Promise<string[]> {
  const located = await storage.locate(rootUri)
  return (await located.repo.list(located.base)).map((entry) => entry.path)
}

function setup(destination: (dir: string) => string, env: NodeJS.ProcessEnv = process.env) {
  const ctx = {} as {
    dir: string
    store: SqlTrackingStore
    storage: ArtifactStorage
    options: GcOptions
  }
  beforeAll(async () => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'carnet-gc-'))
    const uri = `sqlite:///${join(ctx.dir, 'db.sqlite')}`
    const artifactsDestination = destination(ctx.dir)
    ctx.store = await SqlTrackingStore.open({
      uri,
      defaultArtifactRoot: 'mlflow-artifacts:/',
      artifactsDestination,
    })
    ctx.storage = new ArtifactStorage({
      artifactsDestination,
      defaultArtifactRoot: 'mlflow-artifacts:/',
      serveArtifacts: true,
      env,
    })
    ctx.options = {
      backendStoreUri: uri,
      artifactsDestination,
      defaultArtifactRoot: 'mlflow-artifacts:/',
    }
  })
  afterAll(async () => {
    await ctx.storage?.close()
    await ctx.store?.close()
    rmSync(ctx.dir, { recursive: true, force: true })
  })
  return ctx
}

const quiet = () => {}

describe('carnet gc on local disk', () => {
  const ctx = setup((dir) => join(dir, 'mlartifacts'))

  it('purges deleted runs with their artifacts and keeps active ones', async () => {
    const experimentId = await ctx.store.createExperiment('gc-local', undefined, [])
    const doomed = await ctx.store.createRun({ experimentId, tags: [] })
    const kept = await ctx.store.createRun({ experimentId, tags: [] })
    await writeArtifacts(ctx.storage, doomed.info.artifact_uri!, ['a.txt', 'dir/b.txt'])
    await writeArtifacts(ctx.storage, kept.info.artifact_uri!, ['c.txt'])
    await ctx.store.logBatch(doomed.info.run_id, {
      metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
      params: [],
      tags: [],
    })
    await ctx.store.deleteRun(doomed.info.run_id)

    // Too recent for --older-than 1d: asking for it by id is an error, nothing is removed.
    await expect(
      runGc({ ...ctx.options, olderThan: '1d', runIds: [doomed.info.run_id] }, quiet),
    ).rejects.toThrow('is not older than the required age')
    // An active run cannot be purged.
    await expect(runGc({ ...ctx.options, runIds: [kept.info.run_id] }, quiet)).rejects.toThrow(
      'is not in `deleted` lifecycle stage',
    )
    await expect(runGc({ ...ctx.options, runIds: ['nope'] }, quiet)).rejects.toThrow(
      'Run with id=nope not found',
    )
    expect(await listAll(ctx.storage, doomed.info.artifact_uri!)).toHaveLength(2)

    const lines: string[] = []
    const report = await runGc(ctx.options, (line) => lines.push(line))
    expect(report.runs).toEqual([doomed.info.run_id])
    expect(lines).toEqual([`Run with ID ${doomed.info.run_id} has been permanently deleted.`])
    expect(await listAll(ctx.storage, doomed.info.artifact_uri!)).toEqual([])
    await expect(ctx.store.getRun(doomed.info.run_id)).rejects.toThrow('not found')
    expect(await listAll(ctx.storage, kept.info.artifact_uri!)).toHaveLength(1)
    expect((await ctx.store.getRun(kept.info.run_id)).info.lifecycle_stage).toBe('active')
  })

  it('purges a deleted experiment with its runs and artifact directory; the name is free again', async () => {
    const experimentId = await ctx.store.createExperiment('gc-exp', undefined, [])
    const run = await ctx.store.createRun({ experimentId, tags: [] })
    await writeArtifacts(ctx.storage, run.info.artifact_uri!, ['model/MLmodel'])
    await writeArtifacts(ctx.storage, `mlflow-artifacts:/${experimentId}/models/m-1/artifacts`, [
      'x',
    ])
    await ctx.store.deleteExperiment(experimentId)

    await expect(
      runGc({ ...ctx.options, experimentIds: [experimentId], olderThan: '1h' }, quiet),
    ).rejects.toThrow('are not older than the required age')
    const report = await runGc({ ...ctx.options, experimentIds: [experimentId] }, quiet)
    expect(report.experiments).toEqual([experimentId])
    expect(report.runs).toEqual([run.info.run_id])
    expect(existsSync(join(ctx.dir, 'mlartifacts', experimentId))).toBe(false)
    await expect(ctx.store.getExperiment(experimentId)).rejects.toThrow('No Experiment')
    // SQLite may hand the same id out again: the new experiment must start empty.
    const reused = await ctx.store.createExperiment('gc-exp', undefined, [])
    expect(await listAll(ctx.storage, `mlflow-artifacts:/${reused}`)).toEqual([])
  })

  it('refuses to purge active experiments', async () => {
    const experimentId = await ctx.store.createExperiment('gc-active', undefined, [])
    await expect(runGc({ ...ctx.options, experimentIds: [experimentId] }, quiet)).rejects.toThrow(
      'are not in the deleted lifecycle stage',
    )
  })

  it('never deletes outside the configured roots or a whole root, but still purges the rows', async () => {
    const experimentId = await ctx.store.createExperiment('gc-tampered', undefined, [])
    const outside = mkdtempSync(join(tmpdir(), 'carnet-gc-outside-'))
    const tampered = await ctx.store.createRun({ experimentId, tags: [] })
    const rooted = await ctx.store.createRun({ experimentId, tags: [] })
    const db = ctx.store.context.db
    await sql`UPDATE runs SET artifact_uri = ${outside} WHERE run_uuid = ${tampered.info.run_id}`.execute(
      db,
    )
    await sql`UPDATE runs SET artifact_uri = 'mlflow-artifacts:/' WHERE run_uuid = ${rooted.info.run_id}`.execute(
      db,
    )
    await ctx.store.deleteRun(tampered.info.run_id)
    await ctx.store.deleteRun(rooted.info.run_id)
    const report = await runGc(
      { ...ctx.options, runIds: [tampered.info.run_id, rooted.info.run_id] },
      quiet,
    )
    expect(report.runs).toHaveLength(2)
    expect(report.warnings).toHaveLength(2)
    expect(existsSync(outside)).toBe(true)
    expect(readdirSync(join(ctx.dir, 'mlartifacts')).length).toBeGreaterThan(0)
    rmSync(outside, { recursive: true, force: true })
  })
})

describe.skipIf(skipS3)('carnet gc on S3', () => {
  let s3: TestS3Server
  const env: NodeJS.ProcessEnv = { ...process.env, ...S3_TEST_ENV }
  const saved = { ...process.env }

  // Registered before setup(): the store and storage must see the endpoint.
  beforeAll(async () => {
    s3 = await startS3Server()
    Object.assign(env, s3.env)
    Object.assign(process.env, s3.env)
    await createBucket(s3, 'carnet-gc')
  })
  afterAll(async () => {
    for (const key of Object.keys(s3?.env ?? {})) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
    await s3?.stop()
  })
  const ctx = setup(() => 's3://carnet-gc/store', env)

  it('deletes a purged run’s objects in the bucket', async () => {
    const experimentId = await ctx.store.createExperiment('gc-s3', undefined, [])
    const run = await ctx.store.createRun({ experimentId, tags: [] })
    const other = await ctx.store.createRun({ experimentId, tags: [] })
    const files = Array.from({ length: 30 }, (_, i) => `d${i % 3}/f${i}.txt`)
    await writeArtifacts(ctx.storage, run.info.artifact_uri!, files)
    await writeArtifacts(ctx.storage, other.info.artifact_uri!, ['keep.txt'])
    await ctx.store.deleteRun(run.info.run_id)
    const report = await runGc(ctx.options, quiet)
    expect(report.runs).toEqual([run.info.run_id])
    expect(await listAll(ctx.storage, run.info.artifact_uri!)).toEqual([])
    expect(await listAll(ctx.storage, other.info.artifact_uri!)).toHaveLength(1)
  })
})

describe('gc arguments', () => {
  it('parses MLflow durations', () => {
    expect(parseOlderThan('1d2h3m4s')).toBe(((24 + 2) * 3600 + 3 * 60 + 4) * 1000)
    expect(parseOlderThan('1.5h')).toBe(5400 * 1000)
    expect(parseOlderThan('30m')).toBe(1800 * 1000)
    expect(() => parseOlderThan('yesterday')).toThrow(
      "Could not parse any time information from 'yesterday'",
    )
  })

  it('reads mlflow gc flags and environment', () => {
    const options = parseGcArgs(
      ['--backend-store-uri', 'sqlite:///x.db', '--run-ids', 'a,b', '--older-than', '2d'],
      { MLFLOW_ARTIFACTS_DESTINATION: 's3://bucket/root' },
    )
    expect(options).toMatchObject({
      backendStoreUri: 'sqlite:///x.db',
      artifactsDestination: 's3://bucket/root',
      runIds: ['a', 'b'],
      olderThan: '2d',
    })
    expect(() => parseGcArgs(['--bogus', 'x'], {})).toThrow('No such option: --bogus')
  })
})

import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { purgeExperiment, purgeRun } from './gc.ts'
import { SqlTrackingStore } from './sql-tracking-store.ts'
import { createTestDatabase, type TestDatabase, testDialects } from './test-databases.ts'

describe.each(testDialects())('gc purge on %s', (dialect) => {
  let database: TestDatabase
  let store: SqlTrackingStore

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    store = await SqlTrackingStore.open({
      uri: database.uri,
      defaultArtifactRoot: 'mlflow-artifacts:/',
    })
  })
  afterAll(async () => {
    await store?.close()
    await database?.drop()
  })

  const db = () => store.context.db
  const count = async (table: string, column: string, value: string | number) => {
    const { rows } = await sql<{ n: number | string }>`
      SELECT count(*) AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value}`.execute(
      db(),
    )
    return Number(rows[0]!.n)
  }
  const inTx = (
    work: Parameters<typeof purgeRun>[0] extends infer E ? (db: E) => Promise<void> : never,
  ) => db().transaction().execute(work)

  /** An experiment with a run holding every kind of dependent row MLflow's schema has. */
  async function populated(name: string) {
    const experimentId = await store.createExperiment(name, undefined, [
      { key: 'team', value: 'a' },
    ])
    const exp = Number(experimentId)
    const run = await store.createRun({ experimentId, tags: [{ key: 't', value: 'v' }] })
    const runId = run.info.run_id
    await store.logBatch(runId, {
      metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'k', value: 'v' }],
    })
    await store.logInputs(
      runId,
      [
        {
          dataset: { name: 'd', digest: `dg${exp}`, source_type: 'local', source: 's' },
          tags: [{ key: 'mlflow.data.context', value: 'train' }],
        },
      ],
      [],
    )
    const model = `m-${exp.toString(16).padStart(8, '0')}`
    const yes = store.context.dialect.bool(true)
    await sql`INSERT INTO logged_models (model_id, experiment_id, name, artifact_location,
      creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, source_run_id)
      VALUES (${model}, ${exp}, 'model', ${`mlflow-artifacts:/${exp}/models/${model}/artifacts`},
      1, 1, 1, 'active', ${runId})`.execute(db())
    await sql`INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value)
      VALUES (${model}, ${exp}, 'p', 'v')`.execute(db())
    await sql`INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value)
      VALUES (${model}, ${exp}, 't', 'v')`.execute(db())
    await sql`INSERT INTO logged_model_metrics (model_id, metric_name, metric_timestamp_ms,
      metric_step, metric_value, experiment_id, run_id)
      VALUES (${model}, 'acc', 1, 0, 0.9, ${exp}, ${runId})`.execute(db())
    await store.logOutputs(runId, [{ model_id: model, step: 0 }])
    const trace = `tr-${runId}`
    await sql`INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, status)
      VALUES (${trace}, ${exp}, 1, 'OK')`.execute(db())
    await sql`INSERT INTO trace_tags (${sql.ref('key')}, value, request_id)
      VALUES ('mlflow.artifactLocation', 'x', ${trace})`.execute(db())
    await sql`INSERT INTO spans (trace_id, experiment_id, span_id, status, start_time_unix_nano,
      end_time_unix_nano, content) VALUES (${trace}, ${exp}, 's1', 'OK', 1, 2, '{}')`.execute(db())
    await sql`INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value,
      created_timestamp, last_updated_timestamp, source_type, valid, run_id, experiment_id)
      VALUES (${`a-${runId}`}, ${trace}, 'q', 'feedback', '1', 1, 1, 'HUMAN', ${yes}, ${runId},
      ${exp})`.execute(db())
    const scorer = `sc-${runId.slice(0, 20)}`
    await sql`INSERT INTO scorers (experiment_id, scorer_name, scorer_id)
      VALUES (${exp}, 'scorer', ${scorer})`.execute(db())
    await sql`INSERT INTO scorer_versions (scorer_id, scorer_version, serialized_scorer)
      VALUES (${scorer}, 1, '{}')`.execute(db())
    await sql`INSERT INTO issues (issue_id, experiment_id, name, description, status,
      created_timestamp, last_updated_timestamp, source_run_id)
      VALUES (${`i-${runId}`}, ${exp}, 'issue', 'd', 'open', 1, 1, ${runId})`.execute(db())
    return { experimentId, exp, runId, model, trace, scorer }
  }

  it('purges an experiment with every dependent row, and its name can be reused', async () => {
    const a = await populated('gc-purged')
    const b = await populated('gc-kept')
    await store.deleteExperiment(a.experimentId)
    await inTx((trx) => purgeExperiment(trx, a.exp))

    for (const [table, column, value] of [
      ['experiments', 'experiment_id', a.exp],
      ['experiment_tags', 'experiment_id', a.exp],
      ['runs', 'experiment_id', a.exp],
      ['metrics', 'run_uuid', a.runId],
      ['latest_metrics', 'run_uuid', a.runId],
      ['params', 'run_uuid', a.runId],
      ['tags', 'run_uuid', a.runId],
      ['inputs', 'destination_id', a.runId],
      ['inputs', 'source_id', a.runId],
      ['datasets', 'experiment_id', a.exp],
      ['logged_models', 'experiment_id', a.exp],
      ['logged_model_params', 'model_id', a.model],
      ['logged_model_tags', 'model_id', a.model],
      ['logged_model_metrics', 'model_id', a.model],
      ['trace_info', 'experiment_id', a.exp],
      ['trace_tags', 'request_id', a.trace],
      ['spans', 'trace_id', a.trace],
      ['assessments', 'trace_id', a.trace],
      ['scorers', 'experiment_id', a.exp],
      ['scorer_versions', 'scorer_id', a.scorer],
      ['issues', 'experiment_id', a.exp],
    ] as const) {
      expect(await count(table, column, value), `${table}.${column}`).toBe(0)
    }
    // The other experiment is untouched.
    expect(await count('runs', 'experiment_id', b.exp)).toBe(1)
    expect(await count('metrics', 'run_uuid', b.runId)).toBe(1)
    expect(await count('logged_model_metrics', 'model_id', b.model)).toBe(1)
    expect(await count('spans', 'trace_id', b.trace)).toBe(1)
    // A purged experiment's name is free again.
    const reused = await store.createExperiment('gc-purged', undefined, [])
    expect(reused).not.toBe(a.experimentId)
  })

  it('purges one run and keeps what merely pointed at it', async () => {
    const c = await populated('gc-run')
    await store.deleteRun(c.runId)
    await inTx((trx) => purgeRun(trx, c.runId))
    for (const [table, column] of [
      ['runs', 'run_uuid'],
      ['metrics', 'run_uuid'],
      ['latest_metrics', 'run_uuid'],
      ['params', 'run_uuid'],
      ['tags', 'run_uuid'],
      ['inputs', 'destination_id'],
      ['inputs', 'source_id'],
      ['logged_model_metrics', 'run_id'],
      ['issues', 'source_run_id'],
    ] as const) {
      expect(await count(table, column, c.runId), `${table}.${column}`).toBe(0)
    }
    expect(await count('issues', 'experiment_id', c.exp)).toBe(1)
    expect(await count('logged_models', 'model_id', c.model)).toBe(1)
    expect(await count('experiments', 'experiment_id', c.exp)).toBe(1)
  })

  it('refuses to purge an experiment whose scorer a gateway guardrail uses', async () => {
    const d = await populated('gc-guarded')
    await sql`INSERT INTO guardrails (guardrail_id, name, scorer_id, scorer_version, stage, action,
      created_at, last_updated_at) VALUES ('g-1', 'g', ${d.scorer}, 1, 'PRE', 'BLOCK', 1, 1)`.execute(
      db(),
    )
    await store.deleteExperiment(d.experimentId)
    await expect(inTx((trx) => purgeExperiment(trx, d.exp))).rejects.toThrow('guardrails')
    expect(await count('experiments', 'experiment_id', d.exp)).toBe(1)
    expect(await count('runs', 'experiment_id', d.exp)).toBe(1)
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '@carnet/server/src/http/app.ts'
import { SqlTrackingStore } from '@carnet/server/src/store/sql/sql-tracking-store.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Wire-level behaviour of the HTTP layer: prefixes, request decoding, error bodies and statuses.
let server: Server
let store: SqlTrackingStore
let base: string
const dir = mkdtempSync(join(tmpdir(), 'carnet-wire-'))

beforeAll(async () => {
  store = await SqlTrackingStore.open({
    uri: `sqlite:///${join(dir, 'wire.db')}`,
    defaultArtifactRoot: 'mlflow-artifacts:/',
  })
  server = createServer(
    createApp({ store, config: { maxRequestBytes: 1024 * 1024 }, log: () => {} }),
  )
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((done) => server.close(done))
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const post = (
  path: string,
  body: string,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
) => fetch(`${base}${path}`, { method: 'POST', body, headers })

async function expectError(response: Response, status: number, code: string, message?: RegExp) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/application\/json/)
  const body = (await response.json()) as { error_code: string; message: string }
  expect(body.error_code).toBe(code)
  if (message) expect(body.message).toMatch(message)
}

describe('HTTP wire', () => {
  it('answers health and version', async () => {
    expect(await (await fetch(`${base}/health`)).text()).toBe('OK')
    expect(await (await fetch(`${base}/version`)).text()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('serves every RPC under /api/2.0 and /ajax-api/2.0', async () => {
    for (const prefix of ['/api/2.0', '/ajax-api/2.0']) {
      const response = await fetch(`${base}${prefix}/mlflow/experiments/get?experiment_id=0`)
      expect(response.status).toBe(200)
      expect(((await response.json()) as { experiment: { name: string } }).experiment.name).toBe(
        'Default',
      )
    }
  })

  it('answers unknown routes and wrong methods with an MLflow error body', async () => {
    await expectError(await fetch(`${base}/api/2.0/mlflow/nope`), 404, 'ENDPOINT_NOT_FOUND')
    await expectError(
      await fetch(`${base}/api/2.0/mlflow/experiments/create`),
      405,
      'ENDPOINT_NOT_FOUND',
    )
  })

  it('validates content type, JSON and required fields', async () => {
    await expectError(
      await post('/api/2.0/mlflow/experiments/create', '{"name":"x"}', {}),
      400,
      'INVALID_PARAMETER_VALUE',
      /Content-Type/,
    )
    await expectError(
      await post('/api/2.0/mlflow/experiments/create', '{"name":', undefined),
      400,
      'INVALID_PARAMETER_VALUE',
      /Missing value for required parameter 'name'/,
    )
    await expectError(
      await post('/api/2.0/mlflow/experiments/create', '{}'),
      400,
      'INVALID_PARAMETER_VALUE',
      /Missing value for required parameter 'name'/,
    )
    await expectError(
      await post('/api/2.0/mlflow/experiments/create', '{"name": {"a": 1}}'),
      400,
      'INVALID_PARAMETER_VALUE',
      /Value was of type 'dict'/,
    )
    await expectError(
      await post('/api/2.0/mlflow/experiments/create', '[1]'),
      400,
      'INVALID_PARAMETER_VALUE',
    )
    await expectError(
      await post('/api/2.0/mlflow/runs/log-batch', '{"run_id": "abc", "metrics": [{"key": "m"}]}'),
      400,
      'INVALID_PARAMETER_VALUE',
      /metrics\[0\]\.value/,
    )
    await expectError(
      await fetch(`${base}/api/2.0/mlflow/runs/get?run_id=missing`),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    )
  })

  it('refuses oversized bodies with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) })
    await expectError(
      await post('/api/2.0/mlflow/experiments/create', big),
      413,
      'INVALID_PARAMETER_VALUE',
      /maximum size/,
    )
  })

  it('decodes repeated query keys, camelCase fields and NaN values', async () => {
    const created = (await (
      await post('/api/2.0/mlflow/experiments/create', '{"name":"wire"}')
    ).json()) as { experiment_id: string }
    const run = (await (
      await post(
        '/api/2.0/mlflow/runs/create',
        JSON.stringify({ experimentId: created.experiment_id }),
      )
    ).json()) as {
      run: { info: { run_id: string } }
    }
    const runId = run.run.info.run_id
    const logged = await post(
      '/api/2.0/mlflow/runs/log-metric',
      JSON.stringify({ run_id: runId, key: 'm', value: 'NaN', timestamp: '5' }),
    )
    expect(logged.status).toBe(200)
    expect(await logged.json()).toEqual({})
    const history = (await (
      await fetch(`${base}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m`)
    ).json()) as {
      metrics: { value: unknown; timestamp: unknown; step: unknown }[]
    }
    expect(history.metrics).toEqual([{ key: 'm', value: 'NaN', timestamp: 5, step: 0 }])
    const search = await fetch(
      `${base}/api/2.0/mlflow/experiments/search?max_results=10&order_by=name%20ASC&order_by=experiment_id%20DESC`,
    )
    const names = ((await search.json()) as { experiments: { name: string }[] }).experiments.map(
      (e) => e.name,
    )
    expect(names).toEqual(['Default', 'wire'])
    await expectError(
      await fetch(`${base}/api/2.0/mlflow/experiments/search?max_results=abc`),
      400,
      'INVALID_PARAMETER_VALUE',
    )
  })
})

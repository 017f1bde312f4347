import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compareAnswers, normalize } from '../bench/src/compare.ts'
import { aggregate, csv, textTable } from '../bench/src/report.ts'
import { runBench } from '../bench/src/runner.ts'

// The benchmark suite in quick mode against Carnet alone: proves the drivers, the floors, the
// report and the correctness gate still work. No timing is asserted.
const work = mkdtempSync(join(tmpdir(), 'carnet-bench-quick-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('bench quick mode', () => {
  it('compares a known-good pair of answers and catches a wrong one', () => {
    // what mlflow sends for runs/get vs what Carnet sends: other key order, params order,
    // an empty list omitted, a server-made id
    const mlflow = {
      run: {
        info: { run_id: 'aaa', status: 'FINISHED', start_time: 1 },
        data: {
          params: [
            { key: 'lr', value: '0.1' },
            { key: 'batch', value: '32' },
          ],
          metrics: [{ key: 'acc', value: 0.5, timestamp: 10, step: 2 }],
          tags: [],
        },
      },
    }
    const carnet = {
      run: {
        data: {
          metrics: [{ step: 2, timestamp: 10, value: 0.5, key: 'acc' }],
          params: [
            { key: 'batch', value: '32' },
            { key: 'lr', value: '0.1' },
          ],
        },
        info: { status: 'FINISHED', run_id: 'bbb', start_time: 2 },
      },
    }
    const mask = { mask: ['run_id', 'start_time'] }
    expect(compareAnswers({ a: normalize(carnet, mask) }, { a: normalize(mlflow, mask) }).ok).toBe(
      true,
    )
    const wrong = structuredClone(carnet)
    wrong.run.data.metrics[0]!.value = 0.6
    const verdict = compareAnswers({ a: normalize(wrong, mask) }, { a: normalize(mlflow, mask) })
    expect(verdict.ok).toBe(false)
    expect(verdict.differences.join()).toMatch(/value/)
  })

  it('runs the drivers against Carnet and produces well-formed results', {
    timeout: 120_000,
  }, async () => {
    const report = await runBench({
      root: resolve(import.meta.dirname, '..'),
      backend: 'sqlite',
      workloads: ['W1', 'W3', 'W8', 'W10'],
      servers: ['carnet'],
      quick: true,
      repeat: 1,
      pin: false,
      floors: true,
      reseed: false,
      skip100k: true,
      pgUrl: '',
      workDir: work,
      log: () => {},
    })
    const rows = aggregate(report.rows)
    const carnet = rows.filter((r) => r.server === 'carnet')
    expect(new Set(carnet.map((r) => r.workload))).toEqual(new Set(['W1', 'W3', 'W8', 'W10']))
    for (const r of carnet) {
      expect(r.status, `${r.workload} ${r.variant}`).toBe('ok')
      expect(r.requests).toBeGreaterThan(0)
      expect(Number.isFinite(r.score) && r.score > 0).toBe(true)
      // derived rows (e.g. cold start) carry no CPU figure; measured ones never go negative
      expect(Number.isNaN(r.cpu) || r.cpu >= 0).toBe(true)
      expect(Number.isNaN(r.peakRssMb) || r.peakRssMb > 10).toBe(true)
    }
    // floors were measured and Carnet got an efficiency figure against them
    expect(rows.some((r) => r.server === 'floor' && r.workload === 'W1')).toBe(true)
    expect(carnet.find((r) => r.workload === 'W1')?.efficiency).toBeGreaterThan(0)
    // the chart answer was checked against the seeded series (spikes kept, values real)
    expect(report.gates.find((g) => g.workload === 'W8')?.verdict?.ok).toBe(true)
    expect(textTable(rows)).toMatch(/W10/)
    expect(csv(rows).split('\n').length).toBe(rows.length + 1)
  })
})

/**
 * Seeds the W5 data sets straight through the REST API (fast, no Python):
 *  S10k  — 1 experiment, 10,000 runs × (20 params incl. `model`, 10 metrics × `steps` steps, 5 tags);
 *          steps = 10 gives the reference's "1M metric rows"
 *  K1000 — 1 experiment, 5 runs × 1,000 metric keys × 5 steps (the "1,000 metric keys" case)
 */

const MODELS = ['resnet', 'vit', 'mlp', 'cnn', 'lstm']

async function call(base, rpc, body) {
  const res = await fetch(`${base}/api/2.0/mlflow/${rpc}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${rpc}: ${res.status} ${text.slice(0, 300)}`)
  return text ? JSON.parse(text) : {}
}

async function pool(count, concurrency, work) {
  let next = 0
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await work(i)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

export async function seedS10k(base, runs = 10_000, steps = 10, log = () => {}) {
  const { experiment_id: eid } = await call(base, 'experiments/create', { name: `w5-s${runs}` })
  const t0 = Date.now()
  await pool(runs, 16, async (i) => {
    const start = 1_700_000_000_000 + i * 1000
    const { run } = await call(base, 'runs/create', {
      experiment_id: eid,
      run_name: `run-${i}`,
      start_time: start,
      tags: [
        { key: 'team', value: ['red', 'blue', 'green'][i % 3] },
        { key: 'mlflow.user', value: 'bench' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'stage', value: i % 2 ? 'dev' : 'prod' },
        { key: 'seed', value: String(i % 7) },
      ],
    })
    const id = run.info.run_id
    const params = [{ key: 'model', value: MODELS[i % 5] }]
    for (let p = 1; p < 20; p++) params.push({ key: `p${p}`, value: String((i * p) % 97) })
    const metrics = []
    for (let m = 0; m < 10; m++) {
      for (let s = 0; s < steps; s++) {
        metrics.push({
          key: `m${m}`,
          value: Math.exp(-s / (20 + m)) + ((i + s) % 13) / 100,
          timestamp: start + s * 100,
          step: s,
        })
      }
    }
    await call(base, 'runs/log-batch', { run_id: id, params, metrics: metrics.slice(0, 900) })
    for (let at = 900; at < metrics.length; at += 1000) {
      await call(base, 'runs/log-batch', { run_id: id, metrics: metrics.slice(at, at + 1000) })
    }
    await call(base, 'runs/update', { run_id: id, status: 'FINISHED', end_time: start + 60_000 })
    if (i % 1000 === 999) log(`  seeded ${i + 1} runs (${((Date.now() - t0) / 1000).toFixed(0)} s)`)
  })
  return eid
}

export async function seedK1000(base) {
  const { experiment_id: eid } = await call(base, 'experiments/create', { name: 'w5-k1000' })
  for (let r = 0; r < 5; r++) {
    const { run } = await call(base, 'runs/create', {
      experiment_id: eid,
      run_name: `wide-${r}`,
      start_time: Date.now(),
    })
    const metrics = []
    for (let k = 0; k < 1000; k++) {
      for (let s = 0; s < 5; s++)
        metrics.push({
          key: `layer_${String(k).padStart(4, '0')}/grad_norm`,
          value: Math.random() + k / 1000,
          timestamp: Date.now(),
          step: s,
        })
    }
    for (let i = 0; i < metrics.length; i += 1000) {
      await call(base, 'runs/log-batch', {
        run_id: run.info.run_id,
        metrics: metrics.slice(i, i + 1000),
      })
    }
  }
  return eid
}

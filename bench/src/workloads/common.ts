import { fileURLToPath } from 'node:url'
import type { Ctx, FloorCtx, Measurement, MeasureSpec } from '../harness.ts'
import { E, measure } from '../harness.ts'
import { Api } from '../http.ts'
import { startNodeScript } from '../servers.ts'

export const FLOOR_SERVER = fileURLToPath(new URL('../floor-server.mjs', import.meta.url))

/** Full-size or quick-size parameter. */
export const q = <T>(ctx: { quick: boolean }, full: T, quick: T): T => (ctx.quick ? quick : full)

export async function experimentId(api: Api, name: string): Promise<string> {
  const r = await api.get<{ experiment: { experiment_id: string } }>(
    `${E}/experiments/get-by-name`,
    { experiment_name: name },
  )
  return r.experiment.experiment_id
}

export async function runIdByName(api: Api, expId: string, name: string): Promise<string> {
  const r = await api.post<{ runs?: { info: { run_id: string } }[] }>(`${E}/runs/search`, {
    experiment_ids: [expId],
    filter: `attributes.run_name = '${name}'`,
    max_results: 1,
  })
  const id = r.runs?.[0]?.info.run_id
  if (!id) throw new Error(`run ${name} not found in experiment ${expId}`)
  return id
}

export async function createExperiment(api: Api, name: string): Promise<string> {
  const r = await api.post<{ experiment_id: string }>(`${E}/experiments/create`, { name })
  return r.experiment_id
}

export async function createRun(
  api: Api,
  expId: string,
  name: string,
  startTime = 1_700_000_000_000,
) {
  const r = await api.post<{ run: { info: { run_id: string } } }>(`${E}/runs/create`, {
    experiment_id: expId,
    user_id: 'bench',
    run_name: name,
    start_time: startTime,
  })
  return r.run.info.run_id
}

/** Measures a load against a no-DB node:http floor server pinned like the servers under test. */
export async function httpFloor(
  fctx: FloorCtx,
  mode: 'http' | 'static',
  args: string[],
  spec: (api: Api) => MeasureSpec,
  connections = 64,
): Promise<Measurement> {
  const server = await startNodeScript(FLOOR_SERVER, [mode, ...args], {
    cpus: fctx.serverCpus,
    label: `floor-${mode}`,
    workDir: fctx.paths.workDir,
  })
  const api = new Api(server.url, connections)
  try {
    return await measure({ kind: 'floor', pid: server.pid }, spec(api))
  } finally {
    await api.close()
    await server.stop()
  }
}

/** Keys that differ between servers for data written during the check (ids and clocks). */
export const WRITE_MASK = [
  'run_id',
  'run_uuid',
  'experiment_id',
  'artifact_uri',
  'start_time',
  'end_time',
  'creation_time',
  'last_update_time',
  'artifact_location',
  'user_id',
  'next_page_token',
]

export type { Ctx }

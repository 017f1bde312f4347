import type { KeyValue } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import { pyRepr } from '../../search/py-format.ts'
import type { SqlContext } from './context.ts'
import { upsertRows } from './upsert.ts'

const RUN_NAME_TAG = 'mlflow.runName'

/** Upserts run tags; the run-name tag also renames the run, as in MLflow. */
export async function upsertTags(ctx: SqlContext, runId: string, tags: KeyValue[]): Promise<void> {
  if (tags.length === 0) return
  const last = new Map<string, string>()
  for (const tag of tags) last.set(tag.key, tag.value)
  await upsertRows(
    ctx,
    'tags',
    [...last].map(([key, value]) => ({ key, value, run_uuid: runId })),
    { keys: ['key', 'run_uuid'], update: ['value'] },
  )
  const runName = last.get(RUN_NAME_TAG)
  if (runName !== undefined) {
    await ctx.db.updateTable('runs').set({ name: runName }).where('run_uuid', '=', runId).execute()
  }
}

/** Inserts params; re-logging the same value is a no-op, a different value is refused. */
export async function insertParams(
  ctx: SqlContext,
  runId: string,
  params: KeyValue[],
  single = false,
): Promise<void> {
  if (params.length === 0) return
  const existing = await ctx.db
    .selectFrom('params')
    .select(['key', 'value'])
    .where('run_uuid', '=', runId)
    .where(
      'key',
      'in',
      params.map((p) => p.key),
    )
    .execute()
  const stored = new Map(existing.map((p) => [p.key, p.value]))
  const fresh: KeyValue[] = []
  const changed: { key: string; old: string; value: string }[] = []
  for (const param of params) {
    const old = stored.get(param.key)
    if (old === undefined) fresh.push(param)
    else if (old !== param.value) changed.push({ key: param.key, old, value: param.value })
  }
  const first = changed[0]
  if (first && single) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Changing param values is not allowed. Param with key='${first.key}' was already logged with value='${first.old}' for run ID='${runId}'. Attempted logging new value '${first.value}'.`,
    )
  }
  if (first) {
    // mlflow-compat: log-batch lists every conflict as a Python list of dicts.
    const list = changed
      .map(
        (c) =>
          `{'key': ${pyRepr(c.key)}, 'old_value': ${pyRepr(c.old)}, 'new_value': ${pyRepr(c.value)}}`,
      )
      .join(', ')
    throw MlflowError.invalidParameter(
      `Changing param values is not allowed. Params were already logged='[${list}]' for run ID='${runId}'.`,
    )
  }
  if (fresh.length > 0) {
    await ctx.db
      .insertInto('params')
      .values(fresh.map((p) => ({ key: p.key, value: p.value, run_uuid: runId })))
      .execute()
  }
}

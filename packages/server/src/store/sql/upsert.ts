import { type Insertable, sql } from 'kysely'
import type { SqlContext } from './context.ts'
import type { Database } from './database.ts'

/** INSERT … ON CONFLICT/DUPLICATE KEY UPDATE, written once for the three dialects. */
export async function upsertRows<T extends keyof Database & string>(
  ctx: SqlContext,
  table: T,
  rows: Insertable<Database[T]>[],
  conflict: { keys: string[]; update: string[] },
): Promise<void> {
  if (rows.length === 0) return
  const insert = ctx.db.insertInto(table).values(rows as never)
  if (ctx.dialect.name === 'mysql') {
    const set = Object.fromEntries(conflict.update.map((c) => [c, sql`VALUES(${sql.ref(c)})`]))
    await insert.onDuplicateKeyUpdate(set as never).execute()
    return
  }
  const set = Object.fromEntries(conflict.update.map((c) => [c, sql.ref(`excluded.${c}`)]))
  await insert
    .onConflict((oc) => oc.columns(conflict.keys as never).doUpdateSet(set as never))
    .execute()
}

/** INSERT that silently skips rows whose primary key already exists. */
export async function insertIgnoringDuplicates<T extends keyof Database & string>(
  ctx: SqlContext,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return
  const insert = ctx.db.insertInto(table).values(rows as never)
  if (ctx.dialect.name === 'postgres') await insert.onConflict((oc) => oc.doNothing()).execute()
  else await insert.orIgnore().execute()
}

import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Executor } from './context.ts'
import { WriteQueue } from './write-queue.ts'

describe('WriteQueue', () => {
  it('groups concurrent writes into one commit and isolates a failing one', async () => {
    const db = new Kysely<{ t: { v: number } }>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    })
    await sql`CREATE TABLE t (v INTEGER PRIMARY KEY)`.execute(db)
    let transactions = 0
    const queue = new WriteQueue(async (body) => {
      transactions++
      await db.transaction().execute((trx) => body(trx as unknown as Executor))
    })
    const insert = (v: number) =>
      queue.run((trx) => sql`INSERT INTO t (v) VALUES (${v})`.execute(trx))
    const results = await Promise.allSettled([insert(1), insert(2), insert(1), insert(3)])
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ])
    const rows = await sql<{ v: number }>`SELECT v FROM t ORDER BY v`.execute(db)
    expect(rows.rows.map((r) => r.v)).toEqual([1, 2, 3])
    // The first write opens a transaction; the three that arrived meanwhile share the next one.
    expect(transactions).toBeLessThanOrEqual(2)
    await db.destroy()
  })

  it('groups writes that arrive in separate callbacks of one event-loop turn', async () => {
    const db = new Kysely<{ t: { v: number } }>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    })
    await sql`CREATE TABLE t (v INTEGER PRIMARY KEY)`.execute(db)
    let transactions = 0
    const queue = new WriteQueue(async (body) => {
      transactions++
      await db.transaction().execute((trx) => body(trx as unknown as Executor))
    })
    // Like requests read from several sockets: each callback queues its write and returns.
    const writes = [1, 2, 3, 4].map(
      (v) =>
        new Promise((done, fail) =>
          setImmediate(() => {
            queue.run((trx) => sql`INSERT INTO t (v) VALUES (${v})`.execute(trx)).then(done, fail)
          }),
        ),
    )
    await Promise.all(writes)
    expect(transactions).toBe(1)
    await db.destroy()
  })

  it('fails every write of a group whose commit fails', async () => {
    const queue = new WriteQueue(async () => {
      throw new Error('disk full')
    })
    const results = await Promise.allSettled([queue.run(async () => 1), queue.run(async () => 2)])
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
  })
})

// Direct database access for the floor probes: the same tables and durability the servers use,
// without HTTP, ORM or query builder.
import type { Backend, DbCopy } from './db.ts'

export interface Probe {
  kind: 'sqlite' | 'postgres'
  /** Rows as arrays. SQL uses `?` placeholders on both engines. */
  all(sql: string, params?: unknown[]): Promise<unknown[][]>
  run(sql: string, params?: unknown[]): Promise<void>
  tx(fn: () => Promise<void>): Promise<void>
  close(): Promise<void>
}

export async function openProbe(backend: Backend, db: DbCopy): Promise<Probe> {
  if (backend.kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const native = new Database(db.sqlitePath!)
    native.pragma('journal_mode = WAL')
    native.pragma(`synchronous = ${process.env['CARNET_SQLITE_SYNCHRONOUS'] ?? 'NORMAL'}`)
    const cache = new Map<string, ReturnType<typeof native.prepare<unknown[]>>>()
    const stmt = (sql: string) => {
      let s = cache.get(sql)
      if (!s) {
        s = native.prepare<unknown[]>(sql)
        cache.set(sql, s)
      }
      return s
    }
    return {
      kind: 'sqlite',
      all: async (sql, params = []) =>
        stmt(sql)
          .raw(true)
          .all(...(params as unknown[])) as unknown[][],
      run: async (sql, params = []) => {
        stmt(sql).run(...(params as unknown[]))
      },
      tx: async (fn) => {
        native.exec('BEGIN IMMEDIATE')
        try {
          await fn()
          native.exec('COMMIT')
        } catch (error) {
          native.exec('ROLLBACK')
          throw error
        }
      },
      close: async () => {
        native.close()
      },
    }
  }
  const { default: pg } = await import('pg')
  const url = new URL(db.uri.replace(/^postgresql:/, 'postgres:'))
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  const toPg = (sql: string) => {
    let n = 0
    return sql.replace(/\?/g, () => `$${++n}`)
  }
  return {
    kind: 'postgres',
    all: async (sql, params = []) =>
      (await client.query({ text: toPg(sql), values: params, rowMode: 'array' }))
        .rows as unknown[][],
    run: async (sql, params = []) => void (await client.query(toPg(sql), params)),
    tx: async (fn) => {
      await client.query('BEGIN')
      try {
        await fn()
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      }
    },
    close: () => client.end(),
  }
}

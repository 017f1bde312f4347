import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import type { Database } from '../database.ts'
import type { OpenDatabase, SqlDialect } from './sql-dialect.ts'
import { cachingStatements } from './statement-cache.ts'

const errorCode = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  isRetryable: (error) => /^SQLITE_BUSY/.test(errorCode(error)),
  bool: (value) => (value ? 1 : 0),
  isUniqueViolation: (error) => /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(errorCode(error)),
  isUnavailable: (error) => /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR)/.test(errorCode(error)),
  // case_sensitive_like is on for every connection, so LIKE is case-sensitive like MLflow's.
  equals: (column, value) => sql<boolean>`${column} = ${value}`,
  like: (column, pattern) => sql<boolean>`${column} LIKE ${pattern}`,
  ilike: (column, pattern) => sql<boolean>`lower(${column}) LIKE lower(${pattern})`,
}

/**
 * Opens a SQLite file in WAL mode. better-sqlite3 is synchronous and Node runs one request at a time
 * on it, so this process is the single writer; busy_timeout covers other processes on the same file.
 */
export function openSqlite(path: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  const native = new BetterSqlite3(path)
  native.pragma('journal_mode = WAL')
  // WAL + NORMAL survives a process crash with every acknowledged write; FULL also survives power loss.
  native.pragma(`synchronous = ${synchronous}`)
  native.pragma('busy_timeout = 20000')
  native.pragma('foreign_keys = ON')
  native.pragma('case_sensitive_like = true')
  // Checkpoint every ~40 MB of WAL instead of 4 MB: checkpoints run inside a committing request.
  native.pragma('wal_autocheckpoint = 10000')
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(native) }),
  })
  // Inside a transaction the value is as of the transaction's snapshot, which may predate another
  // process's commit: then wait (Kysely's connection lock) for the transaction to end.
  const dataVersion = async (): Promise<number> => {
    if (!native.inTransaction) return native.pragma('data_version', { simple: true }) as number
    const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(db)
    return Number(rows[0]!.data_version)
  }
  if (path === ':memory:')
    return { db, readDb: db, dialect: SQLITE_DIALECT, dataVersion, close: () => db.destroy() }
  // WAL lets this connection read the last committed state while the writer holds a transaction.
  const reader = new BetterSqlite3(path)
  reader.pragma('busy_timeout = 20000')
  reader.pragma('case_sensitive_like = true')
  reader.pragma('query_only = true')
  const readDb = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(reader) }),
  })
  return {
    db,
    readDb,
    dialect: SQLITE_DIALECT,
    dataVersion,
    close: async () => {
      await readDb.destroy()
      await db.destroy()
    },
  }
}

import { parseDatabaseUri } from './database-uri.ts'
import { openMysql } from './mysql.ts'
import { openPostgres } from './postgres.ts'
import type { OpenDatabase } from './sql-dialect.ts'
import { openSqlite } from './sqlite.ts'

/** Opens a connection pool for a backend store URI. Connects lazily: call `checkConnection` next. */
export interface OpenOptions {
  poolSize?: number
  sqliteSynchronous?: 'NORMAL' | 'FULL'
}

export function openDatabase(uri: string, options: OpenOptions = {}): OpenDatabase {
  const poolSize = options.poolSize ?? 10
  const target = parseDatabaseUri(uri)
  switch (target.kind) {
    case 'sqlite':
      return openSqlite(target.path, options.sqliteSynchronous)
    case 'postgres':
      return openPostgres(target, poolSize)
    case 'mysql':
      return openMysql(target, poolSize)
  }
}

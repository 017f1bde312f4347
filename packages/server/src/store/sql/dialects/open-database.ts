import { parseDatabaseUri } from './database-uri.ts'
import { openMysql } from './mysql.ts'
import { openPostgres } from './postgres.ts'
import type { OpenDatabase } from './sql-dialect.ts'
import { openSqlite } from './sqlite.ts'

/** Opens a connection pool for a backend store URI. Connects lazily: call `checkConnection` next. */
export function openDatabase(uri: string, poolSize = 10): OpenDatabase {
  const target = parseDatabaseUri(uri)
  switch (target.kind) {
    case 'sqlite':
      return openSqlite(target.path)
    case 'postgres':
      return openPostgres(target, poolSize)
    case 'mysql':
      return openMysql(target, poolSize)
  }
}

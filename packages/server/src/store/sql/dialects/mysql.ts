import { Kysely, MysqlDialect, sql } from 'kysely'
import { createPool } from 'mysql2'
import type { Database } from '../database.ts'
import type { DatabaseTarget } from './database-uri.ts'
import type { OpenDatabase, SqlDialect } from './sql-dialect.ts'

type ServerTarget = Exclude<DatabaseTarget, { kind: 'sqlite' }>

const field = (error: unknown, name: string): string =>
  typeof error === 'object' && error !== null && name in error
    ? String((error as Record<string, unknown>)[name])
    : ''

export const MYSQL_DIALECT: SqlDialect = {
  name: 'mysql',
  isRetryable: (error) => /^ER_LOCK_(DEADLOCK|WAIT_TIMEOUT)$/.test(field(error, 'code')),
  bool: (value) => (value ? 1 : 0),
  isUniqueViolation: (error) => field(error, 'code') === 'ER_DUP_ENTRY',
  isUnavailable: (error) =>
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|PROTOCOL_CONNECTION_LOST|ER_LOCK_WAIT_TIMEOUT|ER_LOCK_DEADLOCK)$/.test(
      field(error, 'code'),
    ),
  // Default collations ignore case; the plain comparison keeps the index, BINARY makes it exact.
  equals: (column, value) => sql<boolean>`(${column} = ${value} AND BINARY ${column} = ${value})`,
  like: (column, pattern) =>
    sql<boolean>`(${column} LIKE ${pattern} AND BINARY ${column} LIKE ${pattern})`,
  ilike: (column, pattern) => sql<boolean>`lower(${column}) LIKE lower(${pattern})`,
}

export function openMysql(target: ServerTarget, poolSize: number): OpenDatabase {
  const pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password ?? '',
    database: target.database,
    connectionLimit: poolSize,
    charset: target.options['charset'] ?? 'utf8mb4',
    // Parse SQL as MLflow's driver does (mysql2 turns IGNORE_SPACE on by default).
    flags: ['-IGNORE_SPACE'],
    supportBigNumbers: true,
    bigNumberStrings: false,
    // BIGINT values are ms timestamps and steps: numbers, like the other backends return them.
    typeCast: (fieldInfo, next) => {
      if (fieldInfo.type === 'LONGLONG') {
        const text = fieldInfo.string()
        return text === null ? null : Number(text)
      }
      // mysql2's own float parser can be off in the last digits; Number() is exact.
      if (fieldInfo.type === 'DOUBLE' || fieldInfo.type === 'FLOAT') {
        const text = fieldInfo.string()
        return text === null ? null : Number(text)
      }
      if (fieldInfo.type === 'NEWDECIMAL') {
        const text = fieldInfo.string()
        return text === null ? null : Number(text)
      }
      return next()
    },
  })
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) })
  return { db, readDb: db, dialect: MYSQL_DIALECT, close: () => db.destroy() }
}

import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database } from '../database.ts'
import type { DatabaseTarget } from './database-uri.ts'
import type { OpenDatabase, SqlDialect } from './sql-dialect.ts'

type ServerTarget = Exclude<DatabaseTarget, { kind: 'sqlite' }>

const errorCode = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  isRetryable: (error) => errorCode(error) === '40001' || errorCode(error) === '40P01',
  bool: (value) => value,
  isUniqueViolation: (error) => errorCode(error) === '23505',
  isUnavailable: (error) =>
    /^(08|57P|53)/.test(errorCode(error)) ||
    /^E(CONNREFUSED|CONNRESET|TIMEDOUT)$/.test(errorCode(error)),
  equals: (column, value) => sql<boolean>`${column} = ${value}`,
  like: (column, pattern) => sql<boolean>`${column} LIKE ${pattern}`,
  ilike: (column, pattern) => sql<boolean>`${column} ILIKE ${pattern}`,
}

/**
 * Starts a statement that each connection should parse and plan once (a named prepared statement)
 * instead of on every call; for hot statements whose text is the same on every call.
 */
export const PREPARED = '/* carnet:prepared */ '

const statementNames = new Map<string, string>()

class PreparingClient extends pg.Client {
  // Kysely calls query(sql, parameters); marked statements go out with a name, which pg parses
  // once per connection.
  override query(...args: unknown[]): never {
    const [text, values] = args
    const query = super.query as (...a: unknown[]) => never
    if (args.length === 2 && typeof text === 'string' && text.startsWith(PREPARED)) {
      let name = statementNames.get(text)
      if (!name) {
        name = `carnet_${statementNames.size + 1}`
        statementNames.set(text, name)
      }
      return query.call(this, { name, text, values })
    }
    return query.apply(this, args)
  }
}

// BIGINT columns hold millisecond timestamps and steps, which fit a double exactly.
const INT8_OID = 20
const parseInt8 = (value: string) => Number(value)

export function openPostgres(target: ServerTarget, poolSize: number): OpenDatabase {
  const pool = new pg.Pool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    max: poolSize,
    Client: PreparingClient,
    ssl: sslOption(target.options['sslmode']),
    options: target.options['options'],
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? parseInt8
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  })
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { db, readDb: db, dialect: POSTGRES_DIALECT, close: () => db.destroy() }
}

function sslOption(mode: string | undefined): pg.PoolConfig['ssl'] {
  if (!mode || mode === 'disable' || mode === 'allow' || mode === 'prefer') return undefined
  return { rejectUnauthorized: mode === 'verify-full' || mode === 'verify-ca' }
}

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import type { DialectName } from './dialects/sql-dialect.ts'

/**
 * The backends DB tests run against: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set, MySQL
 * when TEST_MYSQL_URL is set; TEST_DIALECTS=sqlite,postgres narrows the list.
 */
export function testDialects(): DialectName[] {
  const available: DialectName[] = ['sqlite']
  if (process.env.TEST_POSTGRES_URL) available.push('postgres')
  if (process.env.TEST_MYSQL_URL) available.push('mysql')
  const only = process.env.TEST_DIALECTS
  if (!only) return available
  const wanted = new Set(only.split(',').map((name) => name.trim()))
  return available.filter((name) => wanted.has(name))
}

export interface TestDatabase {
  dialect: DialectName
  /** A backend store URI for Carnet (sqlite:////abs.db, postgres://…/db, mysql://…/db). */
  uri: string
  /** Drops the database (or deletes the SQLite file's directory). */
  drop(): Promise<void>
}

function adminUrl(dialect: 'postgres' | 'mysql'): URL {
  const name = dialect === 'postgres' ? 'TEST_POSTGRES_URL' : 'TEST_MYSQL_URL'
  const value = process.env[name]
  if (!value)
    throw new Error(`${name} is not set, so there is no ${dialect} server to test against`)
  return new URL(value)
}

function databaseUri(admin: URL, database: string): string {
  const url = new URL(admin.href)
  url.pathname = `/${database}`
  return url.href
}

/** A fresh, empty database on the backend, with a unique name so concurrent runs do not collide. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `carnet_t_${randomBytes(6).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-test-'))
    return {
      dialect,
      uri: `sqlite:///${join(dir, `${name}.db`)}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const admin = adminUrl(dialect)
  if (dialect === 'postgres') {
    await withPostgres(admin, (client) => client.query(`CREATE DATABASE "${name}"`))
    return {
      dialect,
      uri: databaseUri(admin, name),
      // FORCE ends connections a test left open (PostgreSQL 13+).
      drop: () =>
        withPostgres(admin, (client) =>
          client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
        ),
    }
  }
  await withMysql(admin, (conn) => conn.query(`CREATE DATABASE \`${name}\``))
  return {
    dialect,
    uri: databaseUri(admin, name),
    drop: () => withMysql(admin, (conn) => conn.query(`DROP DATABASE IF EXISTS \`${name}\``)),
  }
}

async function withPostgres(
  admin: URL,
  fn: (client: pg.Client) => Promise<unknown>,
): Promise<void> {
  const client = new pg.Client({ connectionString: admin.href })
  await client.connect()
  try {
    await fn(client)
  } finally {
    await client.end()
  }
}

async function withMysql(
  admin: URL,
  fn: (conn: mysql.Connection) => Promise<unknown>,
): Promise<void> {
  const conn = await mysql.createConnection(admin.href)
  try {
    await fn(conn)
  } finally {
    await conn.end()
  }
}

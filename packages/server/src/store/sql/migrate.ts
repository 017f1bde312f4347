import { MlflowError } from '@carnet/protocol'
import { type Kysely, sql } from 'kysely'
import type { Database } from './database.ts'
import type { DialectName, OpenDatabase } from './dialects/sql-dialect.ts'
import { MYSQL_DDL } from './schema/mysql-ddl.ts'
import { POSTGRES_DDL } from './schema/postgres-ddl.ts'
import {
  MLFLOW_SCHEMA_RELEASE,
  OLDER_MLFLOW_REVISIONS,
  SCHEMA_HEAD_REVISION,
} from './schema/revisions.ts'
import { SQLITE_DDL } from './schema/sqlite-ddl.ts'

type Db = Kysely<Database>
type SchemaState =
  | { kind: 'empty' }
  | { kind: 'stamped'; revisions: string[] }
  | { kind: 'unstamped'; tables: string[] }

/** Advisory lock key for schema creation on PostgreSQL ('carnet' in ASCII). */
const SCHEMA_LOCK_KEY = 0x636172_6e6574

const DDL: Record<DialectName, string> = {
  sqlite: SQLITE_DDL,
  postgres: POSTGRES_DDL,
  mysql: MYSQL_DDL,
}

/**
 * Splits a schema file into statements. Convention of schema/*.sql: statements are separated by
 * blank lines, each ends with `;` on its last line, and `--` lines before a statement are comments.
 * The final `;` is dropped (SQLite stores trigger text without it; MySQL takes one statement).
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = []
  for (const block of text.split(/\r?\n[ \t]*\r?\n/)) {
    const lines = block.split(/\r?\n/)
    while (lines.length > 0 && /^\s*(--.*)?$/.test(lines[0]!)) lines.shift()
    const statement = lines.join('\n').trim()
    if (statement === '') continue
    if (!statement.endsWith(';')) {
      throw new Error(`Schema statement does not end with ';': ${statement.slice(0, 80)}`)
    }
    statements.push(statement.slice(0, -1))
  }
  return statements
}

/** The DDL (and seed rows) that give an empty database MLflow's schema at SCHEMA_HEAD_REVISION. */
export function schemaStatements(dialect: DialectName): string[] {
  return splitStatements(DDL[dialect])
}

/** Names of the tables a list of statements creates, in creation order. */
function createdTables(statements: string[]): string[] {
  const names: string[] = []
  for (const statement of statements) {
    const match = /^CREATE TABLE (?:IF NOT EXISTS )?[`"]?(\w+)/i.exec(statement)
    if (match) names.push(match[1]!.toLowerCase())
  }
  return names
}

/**
 * Creates MLflow's schema on a database without MLflow tables ('created'), accepts one stamped with
 * the head revision ('current'), and refuses anything else with a one-line INVALID_STATE error.
 */
export function ensureSchema(open: OpenDatabase): Promise<'created' | 'current'> {
  return ensureSchemaFrom(open, schemaStatements(open.dialect.name))
}

/** ensureSchema with explicit statements, so tests can make creation fail half-way. */
export async function ensureSchemaFrom(
  open: OpenDatabase,
  statements: string[],
): Promise<'created' | 'current'> {
  const tables = createdTables(statements)
  const state = await inspectSchema(open.db, open.dialect.name, tables)
  if (state.kind !== 'empty') return checkState(state)
  const created = await createSchema(open, statements, tables)
  return created === true ? 'created' : checkState(created)
}

const TABLES_QUERY: Record<DialectName, string> = {
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'",
  postgres: 'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()',
  mysql: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
}

async function listTables(db: Db, dialect: DialectName): Promise<string[]> {
  const { rows } = await sql.raw<{ name: string }>(TABLES_QUERY[dialect]).execute(db)
  return rows.map((row) => row.name.toLowerCase())
}

async function inspectSchema(
  db: Db,
  dialect: DialectName,
  mlflowTables: string[],
): Promise<SchemaState> {
  const present = new Set(await listTables(db, dialect))
  const found = mlflowTables.filter((name) => present.has(name))
  if (found.length === 0) return { kind: 'empty' }
  if (!present.has('alembic_version')) return { kind: 'unstamped', tables: found }
  const { rows } = await sql<{
    version_num: string
  }>`SELECT version_num FROM alembic_version`.execute(db)
  return { kind: 'stamped', revisions: rows.map((row) => row.version_num) }
}

const refuse = (message: string) => new MlflowError('INVALID_STATE', message)

function checkState(state: Exclude<SchemaState, { kind: 'empty' }>): 'current' {
  const expected = `MLflow ${MLFLOW_SCHEMA_RELEASE}'s schema (alembic head ${SCHEMA_HEAD_REVISION})`
  if (state.kind === 'unstamped') {
    const sample = state.tables.slice(0, 3).join(', ')
    throw refuse(
      `The database has MLflow tables (${sample}${state.tables.length > 3 ? ', …' : ''}) but no alembic_version table, so its schema revision is unknown; Carnet opens only an empty database or one at ${expected}.`,
    )
  }
  const [revision, ...others] = state.revisions
  if (revision === undefined || others.length > 0) {
    const found = revision === undefined ? 'no revision' : state.revisions.join(', ')
    throw refuse(
      `The database's alembic_version table holds ${found} instead of one revision, so its schema revision is unknown; Carnet opens only an empty database or one at ${expected}.`,
    )
  }
  if (revision === SCHEMA_HEAD_REVISION) return 'current'
  if (OLDER_MLFLOW_REVISIONS.includes(revision)) {
    throw refuse(
      `The database is at an older MLflow schema revision ${revision}; back it up and upgrade it with \`mlflow db upgrade <database_uri>\` using MLflow ${MLFLOW_SCHEMA_RELEASE} (head ${SCHEMA_HEAD_REVISION}) before Carnet can open it.`,
    )
  }
  throw refuse(
    `The database is at MLflow schema revision ${revision}, which Carnet does not know (perhaps a newer MLflow release); Carnet opens only ${expected}.`,
  )
}

/** Checks that creation left every table and the head stamp; MySQL needs this before it can undo. */
async function verifyCreated(db: Db, dialect: DialectName, tables: string[]): Promise<void> {
  const present = new Set(await listTables(db, dialect))
  const missing = tables.filter((name) => !present.has(name))
  if (missing.length > 0) throw new Error(`tables missing after creation: ${missing.join(', ')}`)
  const state = await inspectSchema(db, dialect, tables)
  if (state.kind !== 'stamped' || state.revisions.join() !== SCHEMA_HEAD_REVISION) {
    throw new Error('alembic_version is not stamped with the head revision after creation')
  }
}

const creationFailed = (error: unknown) =>
  new MlflowError(
    'INTERNAL_ERROR',
    `Could not create the MLflow ${MLFLOW_SCHEMA_RELEASE} schema on the empty database: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  )

/**
 * Runs the DDL under a lock and re-inspects first, so concurrent starts on one empty database create
 * the schema once. Returns true when it created it, or the state another process left.
 */
async function createSchema(
  open: OpenDatabase,
  statements: string[],
  tables: string[],
): Promise<true | Exclude<SchemaState, { kind: 'empty' }>> {
  const dialect = open.dialect.name
  const run = async (db: Db) => {
    for (const statement of statements) await sql.raw(statement).execute(db)
    await verifyCreated(db, dialect, tables)
  }
  if (dialect === 'postgres') {
    // PostgreSQL DDL is transactional: a failure rolls everything back.
    return open.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(SCHEMA_LOCK_KEY)})`.execute(trx)
      const state = await inspectSchema(trx, dialect, tables)
      if (state.kind !== 'empty') return state
      await run(trx).catch((error: unknown) => {
        throw creationFailed(error)
      })
      return true as const
    })
  }
  return open.db.connection().execute(async (conn) => {
    if (dialect === 'sqlite') {
      // SQLite DDL is transactional too; IMMEDIATE takes the write lock before re-inspecting.
      await sql`BEGIN IMMEDIATE`.execute(conn)
      try {
        const state = await inspectSchema(conn, dialect, tables)
        if (state.kind !== 'empty') {
          await sql`ROLLBACK`.execute(conn)
          return state
        }
        await run(conn)
        await sql`COMMIT`.execute(conn)
        return true as const
      } catch (error) {
        await sql`ROLLBACK`.execute(conn).catch(() => {})
        throw creationFailed(error)
      }
    }
    // MySQL commits each DDL statement: serialize with a named lock, and undo a failed creation.
    const lockName = sql`LEFT(CONCAT('carnet.schema.', DATABASE()), 64)`
    const { rows } = await sql<{
      locked: number | null
    }>`SELECT GET_LOCK(${lockName}, 120) AS locked`.execute(conn)
    if (Number(rows[0]?.locked) !== 1) {
      throw new MlflowError(
        'TEMPORARILY_UNAVAILABLE',
        'Timed out waiting for another process to create the MLflow schema on this database.',
      )
    }
    try {
      const state = await inspectSchema(conn, dialect, tables)
      if (state.kind !== 'empty') return state
      // mysql2 connects with the IGNORE_SPACE flag, MLflow's drivers do not, and a trigger keeps the
      // sql_mode it was created under: create it under the server's mode, as MLflow does.
      await sql`SET @carnet_sql_mode = @@SESSION.sql_mode`.execute(conn)
      await sql`SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',IGNORE_SPACE,', ','))`.execute(
        conn,
      )
      try {
        await run(conn)
      } catch (error) {
        // Reverse creation order drops referencing tables first; triggers go with their tables.
        for (const name of [...tables].reverse()) {
          await sql`DROP TABLE IF EXISTS ${sql.id(name)}`.execute(conn).catch(() => {})
        }
        throw creationFailed(error)
      } finally {
        await sql`SET SESSION sql_mode = @carnet_sql_mode`.execute(conn).catch(() => {})
      }
      return true as const
    } finally {
      await sql`SELECT RELEASE_LOCK(${lockName})`.execute(conn).catch(() => {})
    }
  })
}

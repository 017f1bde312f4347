import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { MlflowError } from '@carnet/protocol'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './database.ts'
import { openDatabase } from './dialects/open-database.ts'
import type { DialectName, OpenDatabase } from './dialects/sql-dialect.ts'
import { ensureSchema, ensureSchemaFrom, schemaStatements } from './migrate.ts'
import { MYSQL_DDL } from './schema/mysql-ddl.ts'
import { POSTGRES_DDL } from './schema/postgres-ddl.ts'
import { OLDER_MLFLOW_REVISIONS, SCHEMA_HEAD_REVISION } from './schema/revisions.ts'
import { SQLITE_DDL } from './schema/sqlite-ddl.ts'
import { createTestDatabase, type TestDatabase, testDialects } from './test-databases.ts'

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url))
const MLFLOW = join(REPO, '.venv', 'bin', 'mlflow')
const PYTHON = join(REPO, '.venv', 'bin', 'python')
const SKIP_PYTHON = process.env.CARNET_SKIP_PYTHON === '1'
const run = promisify(execFile)

type Db = Kysely<Database>
type Row = Record<string, unknown>

/** SQLAlchemy needs the driver in the scheme; Carnet's test URIs name only the backend. */
function mlflowUri(uri: string): string {
  return uri
    .replace(/^postgres(ql)?:\/\//, 'postgresql+psycopg2://')
    .replace(/^mysql:\/\//, 'mysql+pymysql://')
}

async function mlflowDbUpgrade(uri: string): Promise<void> {
  if (!existsSync(MLFLOW)) {
    throw new Error(
      `${MLFLOW} is missing: create the venv with MLflow 3.17.2, or set CARNET_SKIP_PYTHON=1`,
    )
  }
  await run(MLFLOW, ['db', 'upgrade', mlflowUri(uri)], {
    timeout: 150_000,
    env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' },
  })
}

// MLflow's own store must open a Carnet-made database (it checks tables and the alembic head) and
// write to it through its ORM.
const MLFLOW_STORE_SCRIPT = `
import sys
from mlflow.entities import Metric, Param, RunTag
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
store = SqlAlchemyStore(sys.argv[1], sys.argv[2])
experiment_id = store.create_experiment("made-by-carnet")
run = store.create_run(experiment_id, "user", 0, [], "run")
store.log_batch(run.info.run_id, [Metric("m", 1.5, 0, 3)], [Param("p", "v")], [RunTag("t", "v")])
assert store.get_experiment("0").name == "Default"
print("ok", experiment_id, run.info.run_id)
`

type MlflowOutcome = { open: OpenDatabase; stdout: string } | { error: unknown }

/** Settles instead of rejecting, so the failure is reported by its test, not as unhandled. */
async function mlflowWritesCarnetDatabase(database: {
  uri: string
  open: OpenDatabase
}): Promise<MlflowOutcome> {
  const artifacts = mkdtempSync(join(tmpdir(), 'carnet-artifacts-'))
  try {
    if ((await ensureSchema(database.open)) !== 'created') throw new Error('schema not created')
    const { stdout } = await run(
      PYTHON,
      ['-c', MLFLOW_STORE_SCRIPT, mlflowUri(database.uri), artifacts],
      {
        timeout: 150_000,
        env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' },
      },
    )
    return { open: database.open, stdout }
  } catch (error) {
    return { error }
  } finally {
    rmSync(artifacts, { recursive: true, force: true })
  }
}

const rowsOf = async <T extends Row = Row>(db: Db, query: ReturnType<typeof sql>) =>
  (await query.execute(db)).rows as T[]

/** One line per fact, so a mismatch prints as the lines only one side has. */
const fact = (kind: string, ...parts: unknown[]) =>
  [kind, ...parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))].join(
    ' | ',
  )

const sortedRow = (row: Row) =>
  JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))))

async function tableRows(db: Db, table: string): Promise<string[]> {
  const rows = await rowsOf(db, sql`SELECT * FROM ${sql.id(table)}`)
  return rows.map((row) => fact('row', table, sortedRow(row)))
}

/** Splits at commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const items: string[] = []
  let depth = 0
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === "'" || char === '"' || char === '`') quote = char
    else if (char === '(') depth++
    else if (char === ')') depth--
    else if (char === ',' && depth === 0) {
      items.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  items.push(text.slice(start).trim())
  return items
}

/**
 * MLflow orders the constraints and keys inside CREATE TABLE in Python set order, which changes
 * from run to run (hash randomization): compare columns in order and the rest as a sorted set.
 */
function normalizeCreateTable(text: string): string {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (!/^CREATE TABLE/i.test(text) || open < 0) return text
  const items = splitTopLevel(text.slice(open + 1, close))
  const isKey = (item: string) =>
    /^(CONSTRAINT|CHECK|FOREIGN KEY|PRIMARY KEY|UNIQUE|KEY|INDEX)\b/i.test(item)
  const columns = items.filter((item) => !isKey(item))
  const keys = items.filter(isKey).sort()
  return `${text.slice(0, open + 1)}\n  ${[...columns, ...keys].join(',\n  ')}\n${text.slice(close)}`
}

/** Auto-index numbers follow constraint order inside CREATE TABLE, which varies like it. */
const autoIndexName = (name: string) => name.replace(/^(sqlite_autoindex_.*_)\d+$/, '$1N')

async function sqliteFacts(db: Db): Promise<string[]> {
  const facts: string[] = []
  const master = await rowsOf<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    db,
    sql`SELECT type, name, tbl_name, sql FROM sqlite_master`,
  )
  for (const entry of master) {
    // The stored CREATE text carries the check constraints, which no pragma reports.
    const text = entry.sql === null ? '(implicit)' : normalizeCreateTable(entry.sql)
    facts.push(fact(entry.type, entry.tbl_name, autoIndexName(entry.name), text))
    if (entry.type !== 'table') continue
    const table = entry.name
    for (const column of await rowsOf(db, sql`SELECT * FROM pragma_table_xinfo(${table})`)) {
      facts.push(fact('column', table, column))
    }
    // seq (creation order) varies with MLflow's set order; the index itself must not.
    for (const { seq: _seq, name, ...index } of await rowsOf<{ seq: number; name: string }>(
      db,
      sql`SELECT * FROM pragma_index_list(${table})`,
    )) {
      const columns = await rowsOf(
        db,
        sql`SELECT seqno, name, "desc", coll FROM pragma_index_xinfo(${name}) WHERE key = 1`,
      )
      facts.push(fact('index', table, autoIndexName(name), index, columns))
    }
    const keys = new Map<number, Row[]>()
    for (const { id, ...part } of await rowsOf<{ id: number }>(
      db,
      sql`SELECT * FROM pragma_foreign_key_list(${table}) ORDER BY id, seq`,
    )) {
      keys.set(id, [...(keys.get(id) ?? []), part])
    }
    for (const parts of keys.values()) facts.push(fact('foreign key', table, parts))
    facts.push(...(await tableRows(db, table)))
  }
  return facts
}

async function postgresFacts(db: Db): Promise<string[]> {
  const facts: string[] = []
  const ns = sql`current_schema()::regnamespace`
  const relations = await rowsOf<{ name: string; kind: string }>(
    db,
    sql`SELECT relname AS name, relkind AS kind, relpersistence, reloptions FROM pg_class
        WHERE relnamespace = ${ns} AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
  )
  for (const relation of relations) facts.push(fact('relation', relation))
  // Rank, not attnum: MLflow's migrations drop columns, which leaves gaps in attnum.
  for (const column of await rowsOf(
    db,
    sql`SELECT c.relname AS table, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) AS position,
          a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
          pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity,
          a.attgenerated AS generated, co.collname AS collation
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE c.relnamespace = ${ns} AND c.relkind IN ('r', 'p') AND a.attnum > 0
          AND NOT a.attisdropped`,
  )) {
    facts.push(fact('column', column))
  }
  for (const constraint of await rowsOf(
    db,
    sql`SELECT c.relname AS table, k.conname AS name, k.contype AS type,
          pg_get_constraintdef(k.oid) AS definition, k.condeferrable, k.convalidated
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        WHERE k.connamespace = ${ns}`,
  )) {
    facts.push(fact('constraint', constraint))
  }
  for (const index of await rowsOf(
    db,
    sql`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()`,
  )) {
    facts.push(fact('index', index))
  }
  for (const sequence of await rowsOf(
    db,
    sql`SELECT sequencename, data_type::text, start_value::text, min_value::text,
          max_value::text, increment_by::text, cycle, cache_size::text, last_value::text
        FROM pg_sequences WHERE schemaname = current_schema()`,
  )) {
    facts.push(fact('sequence', sequence))
  }
  for (const owned of await rowsOf(
    db,
    sql`SELECT s.relname AS sequence, t.relname AS table, a.attname AS column, d.deptype
        FROM pg_depend d
        JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND s.relnamespace = ${ns}`,
  )) {
    facts.push(fact('sequence owner', owned))
  }
  for (const trigger of await rowsOf(
    db,
    sql`SELECT c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition,
          t.tgenabled AS enabled
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND c.relnamespace = ${ns}`,
  )) {
    facts.push(fact('trigger', trigger))
  }
  for (const fn of await rowsOf(
    db,
    sql`SELECT proname, pg_get_functiondef(oid) AS definition FROM pg_proc WHERE pronamespace = ${ns}`,
  )) {
    facts.push(fact('function', fn))
  }
  for (const relation of relations.filter((r) => r.kind === 'r' || r.kind === 'p')) {
    facts.push(...(await tableRows(db, relation.name)))
  }
  return facts
}

async function mysqlFacts(db: Db): Promise<string[]> {
  const facts: string[] = []
  // Every information_schema column is aliased: MySQL 8 labels unaliased ones in upper case.
  const tables = await rowsOf<{ name: string }>(
    db,
    sql`SELECT table_name AS name, table_type AS type, engine AS engine,
          table_collation AS collation, row_format AS row_format, create_options AS options
        FROM information_schema.tables WHERE table_schema = DATABASE()`,
  )
  for (const table of tables) {
    facts.push(fact('table', table))
    const [shown] = await rowsOf(db, sql`SHOW CREATE TABLE ${sql.id(table.name)}`)
    const ddl = String(shown?.['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '')
    facts.push(fact('create table', table.name, normalizeCreateTable(ddl)))
    facts.push(...(await tableRows(db, table.name)))
  }
  for (const column of await rowsOf(
    db,
    sql`SELECT table_name AS tbl, column_name AS name, ordinal_position AS position,
          column_type AS type, is_nullable AS nullable, column_default AS dflt, extra AS extra,
          generation_expression AS generated, character_set_name AS charset,
          collation_name AS collation, column_key AS col_key
        FROM information_schema.columns WHERE table_schema = DATABASE()`,
  )) {
    facts.push(fact('column', column))
  }
  for (const part of await rowsOf(
    db,
    sql`SELECT table_name AS tbl, index_name AS idx, non_unique AS non_unique,
          seq_in_index AS seq, column_name AS col, sub_part AS sub_part, collation AS ord,
          index_type AS type, nullable AS nullable
        FROM information_schema.statistics WHERE table_schema = DATABASE()`,
  )) {
    facts.push(fact('index column', part))
  }
  for (const constraint of await rowsOf(
    db,
    sql`SELECT table_name AS tbl, constraint_name AS name, constraint_type AS type
        FROM information_schema.table_constraints WHERE constraint_schema = DATABASE()`,
  )) {
    facts.push(fact('constraint', constraint))
  }
  for (const key of await rowsOf(
    db,
    sql`SELECT table_name AS tbl, constraint_name AS name, column_name AS col,
          ordinal_position AS position, referenced_table_name AS ref_table,
          referenced_column_name AS ref_col
        FROM information_schema.key_column_usage WHERE constraint_schema = DATABASE()`,
  )) {
    facts.push(fact('key column', key))
  }
  for (const rule of await rowsOf(
    db,
    sql`SELECT table_name AS tbl, constraint_name AS name, referenced_table_name AS ref_table,
          update_rule AS on_update, delete_rule AS on_delete, match_option AS match_option
        FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()`,
  )) {
    facts.push(fact('foreign key', rule))
  }
  // MariaDB adds TABLE_NAME and LEVEL columns here, MySQL has neither: take whatever is present.
  for (const check of await rowsOf(
    db,
    sql`SELECT * FROM information_schema.check_constraints WHERE constraint_schema = DATABASE()`,
  )) {
    const { CONSTRAINT_CATALOG: _catalog, CONSTRAINT_SCHEMA: _schema, ...rest } = check
    facts.push(fact('check', sortedRow(rest)))
  }
  for (const trigger of await rowsOf(
    db,
    sql`SELECT trigger_name AS name, event_manipulation AS event, event_object_table AS tbl,
          action_timing AS timing, action_orientation AS orientation, action_order AS action_order,
          action_statement AS action, sql_mode AS sql_mode
        FROM information_schema.triggers WHERE trigger_schema = DATABASE()`,
  )) {
    facts.push(fact('trigger', trigger))
  }
  return facts
}

/** Everything the schema consists of, plus every row, as sorted lines. */
async function describeSchema(open: OpenDatabase): Promise<string[]> {
  const byDialect = { sqlite: sqliteFacts, postgres: postgresFacts, mysql: mysqlFacts }
  return (await byDialect[open.dialect.name](open.db)).sort()
}

function expectSameLines(mlflow: string[], carnet: string[]): void {
  const inMlflow = new Set(mlflow)
  const inCarnet = new Set(carnet)
  expect({
    onlyInMlflow: mlflow.filter((line) => !inCarnet.has(line)),
    onlyInCarnet: carnet.filter((line) => !inMlflow.has(line)),
  }).toEqual({ onlyInMlflow: [], onlyInCarnet: [] })
  expect(carnet).toEqual(mlflow)
}

async function tableNames(open: OpenDatabase): Promise<string[]> {
  const queries = {
    sqlite: sql`SELECT name FROM sqlite_master WHERE type = 'table'`,
    postgres: sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`,
    mysql: sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`,
  }
  const rows = await rowsOf<{ name: string }>(open.db, queries[open.dialect.name])
  return rows.map((row) => row.name).sort()
}

async function refusal(open: OpenDatabase): Promise<MlflowError> {
  const error = await ensureSchema(open).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(MlflowError)
  expect((error as MlflowError).code).toBe('INVALID_STATE')
  expect((error as MlflowError).message).not.toContain('\n')
  return error as MlflowError
}

describe('schema modules', () => {
  it('are generated from the current .sql files', () => {
    const modules: Record<DialectName, string> = {
      sqlite: SQLITE_DDL,
      postgres: POSTGRES_DDL,
      mysql: MYSQL_DDL,
    }
    for (const [dialect, text] of Object.entries(modules)) {
      const file = fileURLToPath(new URL(`./schema/${dialect}.sql`, import.meta.url))
      expect(text, `run scripts/generate-schema-modules.mjs after editing ${dialect}.sql`).toBe(
        readFileSync(file, 'utf8'),
      )
    }
  })

  it('split into statements that create the tables and stamp the head', () => {
    for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
      const statements = schemaStatements(dialect)
      const creates = statements.filter((s) => /^CREATE TABLE/i.test(s))
      expect(creates.length, dialect).toBeGreaterThan(60)
      expect(statements.some((s) => s.endsWith(';'))).toBe(false)
      expect(statements).toContain(
        `INSERT INTO alembic_version (version_num) VALUES ('${SCHEMA_HEAD_REVISION}')`,
      )
    }
    expect(OLDER_MLFLOW_REVISIONS).not.toContain(SCHEMA_HEAD_REVISION)
    expect(new Set(OLDER_MLFLOW_REVISIONS).size).toBe(OLDER_MLFLOW_REVISIONS.length)
  })
})

describe.each(testDialects())('schema on %s', (dialect) => {
  const databases: TestDatabase[] = []
  const opened: OpenDatabase[] = []
  let carnet: OpenDatabase
  let created: string
  let mlflow: OpenDatabase | undefined
  let mlflowOnCarnet: Promise<MlflowOutcome> | undefined

  const freshDatabase = async (): Promise<{ uri: string; open: OpenDatabase }> => {
    const database = await createTestDatabase(dialect)
    databases.push(database)
    const open = openDatabase(database.uri, { poolSize: 2 })
    opened.push(open)
    return { uri: database.uri, open }
  }

  beforeAll(async () => {
    carnet = (await freshDatabase()).open
    created = await ensureSchema(carnet)
    if (SKIP_PYTHON) return
    // Both Python runs take seconds: let MLflow write to a Carnet-made database meanwhile.
    mlflowOnCarnet = mlflowWritesCarnetDatabase(await freshDatabase())
    const reference = await freshDatabase()
    await mlflowDbUpgrade(reference.uri)
    mlflow = reference.open
    await mlflowOnCarnet
  })

  afterAll(async () => {
    for (const open of opened) await open.close().catch(() => {})
    for (const database of databases) await database.drop()
  })

  it('creates the schema on an empty database', async () => {
    expect(created).toBe('created')
    expect((await tableNames(carnet)).length).toBeGreaterThan(60)
  })

  it.skipIf(SKIP_PYTHON)('creates exactly what `mlflow db upgrade` creates', async () => {
    const [expected, actual] = await Promise.all([describeSchema(mlflow!), describeSchema(carnet)])
    expectSameLines(expected, actual)
  })

  it.skipIf(SKIP_PYTHON)('opens a database created by `mlflow db upgrade`', async () => {
    expect(await ensureSchema(mlflow!)).toBe('current')
  })

  it.skipIf(SKIP_PYTHON)('makes a database that MLflow 3.17.2 opens and writes', async () => {
    const outcome = await mlflowOnCarnet!
    if ('error' in outcome) throw outcome.error
    expect(outcome.stdout).toMatch(/^ok 1 [0-9a-f]{32}$/m)
    expect(await ensureSchema(outcome.open)).toBe('current')
  })

  it('is idempotent', async () => {
    expect(await ensureSchema(carnet)).toBe('current')
  })

  it('refuses an older MLflow revision and an unknown one', async () => {
    const setRevision = (revision: string) =>
      sql`UPDATE alembic_version SET version_num = ${revision}`.execute(carnet.db)
    const older = OLDER_MLFLOW_REVISIONS.at(-1)!
    try {
      await setRevision(older)
      const error = await refusal(carnet)
      expect(error.message).toContain(`older MLflow schema revision ${older}`)
      expect(error.message).toContain('mlflow db upgrade')
      expect(error.message).toContain('3.17.2')
      expect(error.message).toContain(SCHEMA_HEAD_REVISION)

      await setRevision('0123456789ab')
      expect((await refusal(carnet)).message).toContain(
        'revision 0123456789ab, which Carnet does not know',
      )
    } finally {
      await setRevision(SCHEMA_HEAD_REVISION)
    }
    expect(await ensureSchema(carnet)).toBe('current')
  })

  it('refuses MLflow tables without alembic_version', async () => {
    const { open } = await freshDatabase()
    await sql`CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY)`.execute(
      open.db,
    )
    expect((await refusal(open)).message).toContain('no alembic_version table')
  })

  it('leaves no table behind when creation fails half-way', async () => {
    const { open } = await freshDatabase()
    const statements = schemaStatements(dialect)
    const broken = [
      ...statements.slice(0, 12),
      'CREATE TABLE carnet_broken (',
      ...statements.slice(12),
    ]
    await expect(ensureSchemaFrom(open, broken)).rejects.toThrow(/Could not create the MLflow/)
    expect(await tableNames(open)).toEqual([])
    expect(await ensureSchema(open)).toBe('created')
  })
})

// Database copies: one seeded "golden" database per data set, and a fresh copy of it for every
// server start (a file copy for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL), so both
// servers read identical data.
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'

export type BackendKind = 'sqlite' | 'postgres'

export interface DbCopy {
  uri: string
  /** SQLite file path, for floor probes that open the same file. */
  sqlitePath?: string
  /** PostgreSQL database name, for CPU accounting of its backends and floor probes. */
  pgDatabase?: string
  dispose(): Promise<void>
}

export interface Backend {
  kind: BackendKind
  /** Connection settings for PostgreSQL (admin connection to the `postgres` database). */
  pgAdminUrl?: string
  isSeeded(golden: string): Promise<boolean>
  /** A database to seed into (empty; the seeding server creates the schema). */
  prepareGolden(golden: string): Promise<DbCopy>
  markSeeded(golden: string): Promise<void>
  /** A fresh copy of a seeded golden database. */
  copyOf(golden: string, label: string): Promise<DbCopy>
  /** A brand-new empty database (no schema). */
  empty(label: string): Promise<DbCopy>
  describe(): Promise<string>
  close(): Promise<void>
}

export function sqliteBackend(dataDir: string, runDir: string): Backend {
  mkdirSync(dataDir, { recursive: true })
  mkdirSync(runDir, { recursive: true })
  const goldenPath = (g: string) => join(dataDir, `${g}.db`)
  const remove = (p: string) => {
    for (const s of ['', '-wal', '-shm', '-journal']) rmSync(p + s, { force: true })
  }
  return {
    kind: 'sqlite',
    isSeeded: async (g) => existsSync(`${goldenPath(g)}.ok`) && existsSync(goldenPath(g)),
    prepareGolden: async (g) => {
      const p = goldenPath(g)
      remove(p)
      rmSync(`${p}.ok`, { force: true })
      return { uri: `sqlite:///${p}`, sqlitePath: p, dispose: async () => {} }
    },
    markSeeded: async (g) => {
      // fold the WAL into the main file so a plain file copy is complete
      const { default: Database } = await import('better-sqlite3')
      const db = new Database(goldenPath(g))
      db.pragma('wal_checkpoint(TRUNCATE)')
      db.close()
      writeFileSync(`${goldenPath(g)}.ok`, new Date().toISOString())
    },
    copyOf: async (g, label) => {
      const p = join(runDir, `${label}-${process.pid}.db`)
      remove(p)
      copyFileSync(goldenPath(g), p)
      if (existsSync(`${goldenPath(g)}-wal`)) copyFileSync(`${goldenPath(g)}-wal`, `${p}-wal`)
      return { uri: `sqlite:///${p}`, sqlitePath: p, dispose: async () => remove(p) }
    },
    empty: async (label) => {
      const p = join(runDir, `${label}-${process.pid}.db`)
      remove(p)
      return { uri: `sqlite:///${p}`, sqlitePath: p, dispose: async () => remove(p) }
    },
    describe: async () => {
      const { default: Database } = await import('better-sqlite3')
      const db = new Database(':memory:')
      const v = db.prepare('SELECT sqlite_version() AS v').get() as { v: string }
      db.close()
      return `SQLite ${v.v} (Carnet: WAL, synchronous=${process.env['CARNET_SQLITE_SYNCHRONOUS'] ?? 'NORMAL'}; mlflow: the same file, so WAL too (journal_mode is stored in the file), with SQLite's default synchronous=FULL)`
    },
    close: async () => {},
  }
}

export function postgresBackend(adminUrl: string): Backend {
  const admin = new pg.Client({ connectionString: adminUrl })
  let connected: Promise<void> | undefined
  const q = async (text: string, values?: unknown[]) => {
    connected ??= admin.connect().then(() => undefined)
    await connected
    return admin.query(text, values)
  }
  const base = new URL(adminUrl)
  const uriFor = (db: string) => {
    const u = new URL(base.toString())
    u.pathname = `/${db}`
    return u.toString().replace(/^postgres:/, 'postgresql:')
  }
  const goldenName = (g: string) => `carnet_bench_g_${g}`.toLowerCase().replace(/[^a-z0-9_]/g, '_')
  const runName = (l: string) =>
    `carnet_bench_r_${l}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_')
  const drop = (db: string) => q(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`)
  const analyze = async (db: string) => {
    const c = new pg.Client({ connectionString: uriFor(db) })
    await c.connect()
    await c.query('ANALYZE')
    await c.end()
  }
  return {
    kind: 'postgres',
    pgAdminUrl: adminUrl,
    isSeeded: async (g) => {
      const r = await q(
        `SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`,
        [goldenName(g)],
      )
      return r.rows[0]?.c === 'seeded'
    },
    prepareGolden: async (g) => {
      const db = goldenName(g)
      await drop(db)
      await q(`CREATE DATABASE "${db}"`)
      return { uri: uriFor(db), pgDatabase: db, dispose: async () => {} }
    },
    markSeeded: async (g) => {
      await analyze(goldenName(g))
      await q(`COMMENT ON DATABASE "${goldenName(g)}" IS 'seeded'`)
    },
    copyOf: async (g, label) => {
      const db = runName(label)
      await drop(db)
      await q(`CREATE DATABASE "${db}" TEMPLATE "${goldenName(g)}"`)
      await analyze(db)
      return { uri: uriFor(db), pgDatabase: db, dispose: async () => void (await drop(db)) }
    },
    empty: async (label) => {
      const db = runName(label)
      await drop(db)
      await q(`CREATE DATABASE "${db}"`)
      return { uri: uriFor(db), pgDatabase: db, dispose: async () => void (await drop(db)) }
    },
    describe: async () => {
      const v = await q('SHOW server_version')
      const sb = await q('SHOW shared_buffers')
      const sc = await q('SHOW synchronous_commit')
      return `PostgreSQL ${v.rows[0].server_version} (shared_buffers=${sb.rows[0].shared_buffers}, synchronous_commit=${sc.rows[0].synchronous_commit})`
    },
    close: async () => {
      if (connected) await admin.end()
    },
  }
}

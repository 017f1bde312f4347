import type { Expression, Kysely, RawBuilder, SqlBool } from 'kysely'
import type { Database } from '../database.ts'

export type DialectName = 'sqlite' | 'postgres' | 'mysql'

/** Everything that differs between SQLite, PostgreSQL and MySQL lives behind this interface. */
export interface SqlDialect {
  readonly name: DialectName
  /** True when a driver error is a primary-key or unique violation. */
  isUniqueViolation(error: unknown): boolean
  /** True when the error means the database cannot be reached or is busy (answered as 503). */
  isUnavailable(error: unknown): boolean
  /** True for deadlocks and serialization failures: the transaction can simply run again. */
  isRetryable(error: unknown): boolean
  /** A boolean as the driver binds it (SQLite and MySQL store 0/1). */
  bool(value: boolean): boolean | number
  /** Case-sensitive string equality (MySQL compares case-insensitively by default). */
  equals(column: Expression<unknown>, value: string): RawBuilder<SqlBool>
  /** Case-sensitive LIKE. */
  like(column: Expression<unknown>, pattern: string): RawBuilder<SqlBool>
  /** Case-insensitive LIKE. */
  ilike(column: Expression<unknown>, pattern: string): RawBuilder<SqlBool>
}

export interface OpenDatabase {
  db: Kysely<Database>
  /** For reads outside transactions: SQLite's second connection reads while a write is open. */
  readDb: Kysely<Database>
  dialect: SqlDialect
  /**
   * SQLite: `PRAGMA data_version` of the connection Carnet writes through (read outside any
   * transaction), which changes only when another connection (another process) commits. Absent on
   * servers, which have no such counter.
   */
  dataVersion?: () => Promise<number>
  close(): Promise<void>
}

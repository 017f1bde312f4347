import { MlflowError } from '@carnet/protocol'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from './database.ts'
import type { SqlDialect } from './dialects/sql-dialect.ts'

export type Executor = Kysely<Database> | Transaction<Database>

/** What every per-entity query function needs: an executor (maybe a transaction) and the dialect. */
export interface SqlContext {
  db: Executor
  dialect: SqlDialect
  /** Root for new experiments' artifacts, e.g. `mlflow-artifacts:/` or `/data/artifacts`. */
  defaultArtifactRoot: string
}

export const nowMs = (): number => Date.now()

/**
 * Driver errors become MLflow errors once, here (as MLflow maps SQLAlchemy errors):
 * unreachable or busy database ⇒ TEMPORARILY_UNAVAILABLE, constraint and data errors ⇒ BAD_REQUEST.
 */
export function translateDriverError(error: unknown, dialect: SqlDialect): unknown {
  if (error instanceof MlflowError) return error
  if (dialect.isUnavailable(error)) {
    return new MlflowError('TEMPORARILY_UNAVAILABLE', `Database unavailable: ${messageOf(error)}`, {
      cause: error,
    })
  }
  if (isDataError(error)) return new MlflowError('BAD_REQUEST', messageOf(error), { cause: error })
  return error
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

// Constraint violations and values that do not fit a column, per driver.
function isDataError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false
  const code = String(error.code)
  return (
    code.startsWith('SQLITE_CONSTRAINT') ||
    /^2[23]/.test(code) || // PostgreSQL classes 22 (data) and 23 (integrity)
    /^ER_(DATA_TOO_LONG|DUP_ENTRY|NO_REFERENCED_ROW|ROW_IS_REFERENCED|TRUNCATED|WARN_DATA|BAD_NULL|CHECK_CONSTRAINT)/.test(
      code,
    )
  )
}

export function assertFound<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw MlflowError.notFound(message)
  return value
}

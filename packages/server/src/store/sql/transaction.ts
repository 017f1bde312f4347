import { type SqlContext, translateDriverError } from './context.ts'

const MAX_ATTEMPTS = 8

/**
 * Runs `fn` in one transaction over the context's connection; deadlocks and serialization failures
 * run it again, and driver errors leave as MLflow errors (what SqlTrackingStore does for its writes,
 * shared by the registry and logged-model stores).
 */
export async function inTransaction<T>(
  ctx: SqlContext,
  fn: (ctx: SqlContext) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction().execute((trx) => fn({ ...ctx, db: trx }))
    } catch (error) {
      if (attempt < MAX_ATTEMPTS && ctx.dialect.isRetryable(error)) {
        await new Promise((done) => setTimeout(done, attempt * 5 * Math.random()))
        continue
      }
      throw translateDriverError(error, ctx.dialect)
    }
  }
}

/** A read outside a transaction, with driver errors translated. */
export async function withReads<T>(
  ctx: SqlContext,
  fn: (ctx: SqlContext) => Promise<T>,
): Promise<T> {
  try {
    return await fn(ctx)
  } catch (error) {
    throw translateDriverError(error, ctx.dialect)
  }
}

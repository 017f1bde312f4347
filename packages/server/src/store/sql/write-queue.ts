import { sql } from 'kysely'
import type { Executor } from './context.ts'

interface Pending {
  work: (db: Executor) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type RunTransaction = (body: (trx: Executor) => Promise<void>) => Promise<void>

/**
 * SQLite's single writer with group commit: writes that arrive while a transaction is open wait,
 * then run together in the next transaction, each inside its own savepoint. A failing write rolls
 * back to its savepoint alone; a failing commit fails the whole group, which is then not
 * acknowledged. One commit serves many requests.
 */
export class WriteQueue {
  readonly #runTransaction: RunTransaction
  #pending: Pending[] = []
  #draining = false

  constructor(runTransaction: RunTransaction) {
    this.#runTransaction = runTransaction
  }

  run<T>(work: (db: Executor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!this.#draining) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#draining = true
    try {
      while (this.#pending.length > 0) {
        const group = this.#pending
        this.#pending = []
        await this.#commitGroup(group)
      }
    } finally {
      this.#draining = false
    }
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    try {
      await this.#runTransaction(async (trx) => {
        for (const item of group) {
          await sql`SAVEPOINT carnet_write`.execute(trx)
          try {
            const value = await item.work(trx)
            await sql`RELEASE carnet_write`.execute(trx)
            outcomes.push({ ok: true, value })
          } catch (error) {
            await sql`ROLLBACK TO carnet_write`.execute(trx)
            await sql`RELEASE carnet_write`.execute(trx)
            outcomes.push({ ok: false, error })
          }
        }
      })
    } catch (error) {
      for (const item of group) item.reject(error)
      return
    }
    group.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else item.reject(outcome.error)
    })
  }
}

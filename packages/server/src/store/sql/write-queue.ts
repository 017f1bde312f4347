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
 * then run together in the next transaction, each inside its own savepoint (a write alone needs
 * none). A failing write rolls back to its savepoint alone; a failing commit fails the whole
 * group, which is then not acknowledged. One commit serves many requests.
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
      if (!this.#draining) {
        this.#draining = true
        setImmediate(this.#drain)
      }
    })
  }

  /**
   * Commits what is pending as one group, then comes back after the event loop has had its turn.
   * better-sqlite3 never waits on I/O, so a transaction runs to its commit in microtasks: without
   * this yield, requests that arrived meanwhile would not be read until it had committed, and every
   * group would hold one write.
   */
  readonly #drain = async (): Promise<void> => {
    const group = this.#pending
    this.#pending = []
    try {
      await this.#commitGroup(group)
    } finally {
      if (this.#pending.length > 0) setImmediate(this.#drain)
      else this.#draining = false
    }
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    if (group.length === 1) return this.#commitAlone(group[0]!)
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

  /** A write alone needs no savepoint: its transaction is its own, rolled back if it fails. */
  async #commitAlone(item: Pending): Promise<void> {
    let value: unknown
    try {
      await this.#runTransaction(async (trx) => {
        value = await item.work(trx)
      })
    } catch (error) {
      item.reject(error)
      return
    }
    item.resolve(value)
  }
}

import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { cachingStatements } from './statement-cache.ts'

describe('cachingStatements', () => {
  let native: BetterSqlite3.Database
  afterEach(() => {
    if (native.open) native.close()
  })

  it('hands out the same prepared statement for the same SQL', () => {
    native = new BetterSqlite3(':memory:')
    const db = cachingStatements(native)
    const a = db.prepare('SELECT 1 AS x')
    expect(db.prepare('SELECT 1 AS x')).toBe(a)
    expect(db.prepare('SELECT 2 AS x')).not.toBe(a)
  })

  it('prepares a fresh statement while the cached one is still iterating', () => {
    native = new BetterSqlite3(':memory:')
    native.exec('CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3)')
    const db = cachingStatements(native)
    const sql = 'SELECT v FROM t ORDER BY v'
    const outer = db.prepare(sql) as unknown as BetterSqlite3.Statement
    const seen: number[] = []
    for (const row of outer.iterate() as Iterable<{ v: number }>) {
      const inner = db.prepare(sql)
      expect(inner).not.toBe(outer)
      seen.push(row.v, (inner.all([]) as { v: number }[]).length)
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3])
  })

  it('evicts the least recently used statement beyond its capacity', () => {
    native = new BetterSqlite3(':memory:')
    const db = cachingStatements(native, 2)
    const one = db.prepare('SELECT 1')
    const two = db.prepare('SELECT 2')
    expect(db.prepare('SELECT 1')).toBe(one) // now most recently used
    db.prepare('SELECT 3') // evicts SELECT 2
    expect(db.prepare('SELECT 1')).toBe(one)
    expect(db.prepare('SELECT 2')).not.toBe(two)
  })

  it('sees schema changes made after a statement was cached', () => {
    native = new BetterSqlite3(':memory:')
    native.exec('CREATE TABLE t (a INTEGER)')
    const db = cachingStatements(native)
    db.prepare('INSERT INTO t (a) VALUES (?)').run([1])
    native.exec('ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7')
    expect(db.prepare('SELECT * FROM t').all([])).toEqual([{ a: 1, b: 7 }])
  })
})

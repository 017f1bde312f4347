import type { SqliteDatabase, SqliteStatement } from 'kysely'

interface Preparer {
  prepare(sql: string): SqliteStatement & { busy?: boolean }
  close(): unknown
}

/**
 * Kysely's SQLite driver prepares every query again; compiling the SQL costs more than running
 * most of Carnet's statements. This keeps the most recently used statements per connection.
 * A statement still being iterated (busy) is never handed out twice: a fresh one is prepared.
 */
export function cachingStatements(native: Preparer, capacity = 512): SqliteDatabase {
  const cache = new Map<string, SqliteStatement & { busy?: boolean }>()
  return {
    close: () => {
      cache.clear()
      native.close()
    },
    prepare(sql: string) {
      const hit = cache.get(sql)
      if (hit && !hit.busy) {
        // Re-insert to mark it most recently used (Map keeps insertion order).
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      const statement = native.prepare(sql)
      if (!hit) {
        cache.set(sql, statement)
        if (cache.size > capacity) cache.delete(cache.keys().next().value as string)
      }
      return statement
    },
  }
}

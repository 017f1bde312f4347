/**
 * Whole metric series (one run, one key) kept in memory for the chart endpoint
 * (get-history-bulk-interval): a chart of runs with 100k points each is sampled from typed arrays
 * instead of read again from the database on every request. Bounded by bytes, least recently used
 * out first; 0 bytes turns it off.
 *
 * Freshness rules (nothing a writer got acknowledged may be hidden by a cached series):
 * - Writes through this store: SqlTrackingStore calls `invalidate(runId, keys)` once a metric write
 *   has settled (committed or failed), before it answers. Every code path that writes the metrics
 *   table in-process must do the same. A load that was under way while an invalidation of its
 *   series happened is served to its own request but not kept.
 * - Writes by other processes (another Carnet, `mlflow server`, `mlflow gc`, a client writing the
 *   database directly), checked on every request before cached series are used:
 *   - SQLite: `PRAGMA data_version` on the connection Carnet writes through changes only when
 *     another connection commits. When it has changed since a series was last checked, the
 *     series is kept only if its latest_metrics row and its number of points are unchanged;
 *     metrics rows are only ever inserted (duplicates ignored) or deleted with their run, so this
 *     is exact for MLflow-shaped writers.
 *   - PostgreSQL and MySQL: the series' latest_metrics row (step, timestamp, value) is compared on
 *     every request (one query for all runs). Appended points and purged runs change it; a point
 *     another process adds below the latest (step, timestamp, value), which leaves the row as it
 *     was, is not seen until the series leaves the cache or is written again through this process.
 *     Counting points on every request would cost about as much as reading them (see
 *     docs/compatibility.md).
 */

export interface Series {
  readonly length: number
  /** Sorted by step, then timestamp, then value. */
  readonly steps: Float64Array
  readonly timestamps: Float64Array
  readonly values: Float64Array
  readonly nan: Uint8Array
  /** True when no two points share a step. */
  readonly uniqueSteps: boolean
  /**
   * Per block of `SERIES_BLOCK` points, the index of its first lowest and first highest non-NaN
   * value (-1 when it has none), so a range's extremes are found without visiting every point.
   */
  readonly blockLow: Int32Array
  readonly blockHigh: Int32Array
  /** Recent samples of a long series (charts ask the same again), by window and size. */
  readonly samples: Map<string, Int32Array>
}

export const SERIES_BLOCK = 32
/** Samples remembered per series, and the length from which a series remembers any. */
export const SAMPLE_SLOTS = 4
export const SAMPLED_FROM = 4096
const MAX_SAMPLE_BYTES = SAMPLE_SLOTS * 2500 * 4

const seriesBytes = (s: Series): number =>
  s.steps.byteLength +
  s.timestamps.byteLength +
  s.values.byteLength +
  s.nan.byteLength +
  s.blockLow.byteLength +
  s.blockHigh.byteLength +
  (s.length >= SAMPLED_FROM ? MAX_SAMPLE_BYTES : 0)

/** A latest_metrics row, or null when the series has none. */
export type LatestRow = { step: number; timestamp: number; value: number; isNan: boolean } | null

/** What a series is checked against: its latest_metrics row and its point count at load time. */
export interface SeriesToken {
  latest: LatestRow
  count: number
}

export interface CachedSeries {
  readonly series: Series
  readonly token: SeriesToken
  /** The external data version the series was last known current at (SQLite only). */
  verifiedAt: number | undefined
  readonly bytes: number
}

/** A load in flight; `stale` is set when its series is invalidated before it lands. */
export interface LoadTicket {
  readonly id: string
  readonly version: number | undefined
  stale: boolean
}

export interface SeriesCacheOptions {
  maxBytes: number
  /**
   * A number that changes whenever another connection or process commits to the database (SQLite's
   * `PRAGMA data_version` on the connection Carnet writes through); absent when there is none.
   */
  externalVersion?: (() => number | Promise<number>) | undefined
}

const ENTRY_OVERHEAD = 512

export const DEFAULT_SERIES_CACHE_MB = 64

/** CARNET_SERIES_CACHE_MB: the cache's size in MiB (default 64, 0 disables it). */
export function seriesCacheBytesFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env['CARNET_SERIES_CACHE_MB']
  const mb = raw === undefined || raw.trim() === '' ? DEFAULT_SERIES_CACHE_MB : Number(raw)
  if (!Number.isFinite(mb) || mb < 0) {
    throw new Error(`CARNET_SERIES_CACHE_MB must be a number of MiB ≥ 0, not '${raw}'`)
  }
  return Math.floor(mb * 1024 * 1024)
}

const idOf = (runId: string, key: string) => `${runId}\u0000${key}`

export class SeriesCache {
  readonly #maxBytes: number
  readonly #externalVersion: (() => number | Promise<number>) | undefined
  /** Insertion order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<string, CachedSeries>()
  readonly #loads = new Set<LoadTicket>()
  #bytes = 0
  #unknownVersion = -1

  constructor(options: SeriesCacheOptions) {
    this.#maxBytes = Math.max(0, options.maxBytes)
    this.#externalVersion = options.externalVersion
  }

  get enabled(): boolean {
    return this.#maxBytes > 0
  }

  /** True when other processes' commits are seen through a data version (exact checks). */
  get tracksExternalVersion(): boolean {
    return this.#externalVersion !== undefined
  }

  get bytes(): number {
    return this.#bytes
  }

  get size(): number {
    return this.#entries.size
  }

  /** The external data version now; read it before any query whose result is checked with it. */
  async version(): Promise<number | undefined> {
    if (!this.enabled || !this.#externalVersion) return undefined
    try {
      return await this.#externalVersion()
    } catch {
      // Unknown: a number no entry was verified at, so every series gets checked.
      return --this.#unknownVersion
    }
  }

  get(runId: string, key: string): CachedSeries | undefined {
    const id = idOf(runId, key)
    const entry = this.#entries.get(id)
    if (entry) {
      this.#entries.delete(id)
      this.#entries.set(id, entry)
    }
    return entry
  }

  /** Drops one entry, if it is still the one given. */
  drop(runId: string, key: string, entry: CachedSeries): void {
    const id = idOf(runId, key)
    if (this.#entries.get(id) !== entry) return
    this.#entries.delete(id)
    this.#bytes -= entry.bytes
  }

  /** Registers a load; call before its first query. */
  beginLoad(runId: string, key: string, version: number | undefined): LoadTicket {
    const ticket: LoadTicket = { id: idOf(runId, key), version, stale: false }
    if (this.enabled) this.#loads.add(ticket)
    return ticket
  }

  /** Ends a load: keeps its series unless it was invalidated meanwhile or does not fit. */
  endLoad(ticket: LoadTicket, result?: { series: Series; token: SeriesToken }): void {
    if (!this.#loads.delete(ticket) || ticket.stale || !result) return
    const bytes = seriesBytes(result.series) + ENTRY_OVERHEAD
    if (bytes > this.#maxBytes) return
    const previous = this.#entries.get(ticket.id)
    if (previous) {
      this.#entries.delete(ticket.id)
      this.#bytes -= previous.bytes
    }
    this.#entries.set(ticket.id, {
      series: result.series,
      token: result.token,
      verifiedAt: ticket.version,
      bytes,
    })
    this.#bytes += bytes
    for (const [id, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break
      this.#entries.delete(id)
      this.#bytes -= entry.bytes
    }
  }

  /** Forgets a run's series (of these keys, or all of them); call after its metrics changed. */
  invalidate(runId: string, keys?: Iterable<string>): void {
    if (!this.enabled) return
    const ids = keys === undefined ? undefined : new Set([...keys].map((key) => idOf(runId, key)))
    const prefix = idOf(runId, '')
    const hit = (id: string) => (ids ? ids.has(id) : id.startsWith(prefix))
    for (const ticket of this.#loads) if (hit(ticket.id)) ticket.stale = true
    if (ids) {
      for (const id of ids) {
        const entry = this.#entries.get(id)
        if (!entry) continue
        this.#entries.delete(id)
        this.#bytes -= entry.bytes
      }
      return
    }
    for (const [id, entry] of this.#entries) {
      if (!id.startsWith(prefix)) continue
      this.#entries.delete(id)
      this.#bytes -= entry.bytes
    }
  }

  /** Forgets everything (and keeps no load under way). */
  clear(): void {
    for (const ticket of this.#loads) ticket.stale = true
    this.#entries.clear()
    this.#bytes = 0
  }
}

// Server CPU seconds and resident memory from /proc, summed over a process tree (mlflow's
// uvicorn workers are children of the `mlflow server` process) and, for PostgreSQL, over the
// database backends serving the bench database.
import { readdirSync, readFileSync } from 'node:fs'

const TICK = 100 // USER_HZ on Linux

interface ProcStat {
  pid: number
  ppid: number
  cpuSeconds: number
  rssKb: number
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = text.lastIndexOf(')')
    const fields = text.slice(close + 2).split(' ')
    // fields[0] is state (field 3); utime is field 14, stime 15, rss 24 (pages)
    const ppid = Number(fields[1])
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    const rssPages = Number(fields[21])
    return { pid, ppid, cpuSeconds: (utime + stime) / TICK, rssKb: rssPages * 4 }
  } catch {
    return undefined
  }
}

function allPids(): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (Number.isInteger(pid) && pid > 0) out.push(pid)
  }
  return out
}

/** The pid and all its descendants. */
export function processTree(root: number): ProcStat[] {
  const stats: ProcStat[] = []
  for (const pid of allPids()) {
    const s = readStat(pid)
    if (s) stats.push(s)
  }
  const children = new Map<number, ProcStat[]>()
  for (const s of stats) {
    const list = children.get(s.ppid)
    if (list) list.push(s)
    else children.set(s.ppid, [s])
  }
  const out: ProcStat[] = []
  const rootStat = stats.find((s) => s.pid === root)
  if (!rootStat) return out
  const queue = [rootStat]
  while (queue.length > 0) {
    const s = queue.shift()!
    out.push(s)
    for (const c of children.get(s.pid) ?? []) queue.push(c)
  }
  return out
}

/** PostgreSQL backends connected to one database (process title `postgres: user db ...`). */
export function postgresBackends(database: string): ProcStat[] {
  const out: ProcStat[] = []
  for (const pid of allPids()) {
    let cmd: string
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    // process title: `postgres: [cluster: ]user database host(port) state`
    const title = /^postgres: (?:\S+: )?\S+ (\S+) /.exec(cmd.replace(/\0/g, ' '))
    if (title?.[1] !== database) continue
    const s = readStat(pid)
    if (s) out.push(s)
  }
  return out
}

export interface Usage {
  /** CPU seconds of the server process tree during the window. */
  serverCpu: number
  /** CPU seconds of the database backends (PostgreSQL) during the window. */
  dbCpu: number
  /** Largest sum of RSS over the tree seen during the window, MB. */
  peakRssMb: number
  /** RSS at the start of the window, MB. */
  startRssMb: number
  endRssMb: number
}

/** Samples a server's tree (and its DB backends) every `intervalMs` until stopped. */
export class UsageMeter {
  readonly #root: number
  readonly #pgDatabase: string | undefined
  readonly #cpuStart = new Map<number, number>()
  readonly #cpuLast = new Map<number, number>()
  readonly #dbStart = new Map<number, number>()
  readonly #dbLast = new Map<number, number>()
  #peakKb = 0
  #startKb = 0
  #lastKb = 0
  #timer: NodeJS.Timeout | undefined
  #ticks = 0

  constructor(root: number, pgDatabase?: string) {
    this.#root = root
    this.#pgDatabase = pgDatabase
  }

  start(intervalMs = 100): this {
    const tree = processTree(this.#root)
    for (const s of tree) this.#cpuStart.set(s.pid, s.cpuSeconds)
    this.#startKb = tree.reduce((a, s) => a + s.rssKb, 0)
    if (this.#pgDatabase) {
      for (const s of postgresBackends(this.#pgDatabase)) this.#dbStart.set(s.pid, s.cpuSeconds)
    }
    this.#sample()
    this.#timer = setInterval(() => this.#sample(), intervalMs)
    this.#timer.unref()
    return this
  }

  #sample(): void {
    const tree = processTree(this.#root)
    let kb = 0
    for (const s of tree) {
      kb += s.rssKb
      this.#cpuLast.set(s.pid, s.cpuSeconds)
    }
    this.#lastKb = kb
    if (kb > this.#peakKb) this.#peakKb = kb
    // backends come and go with the pool; look for them every 5th sample
    if (this.#pgDatabase && this.#ticks++ % 5 === 0) {
      for (const s of postgresBackends(this.#pgDatabase)) this.#dbLast.set(s.pid, s.cpuSeconds)
    }
  }

  stop(): Usage {
    if (this.#timer) clearInterval(this.#timer)
    this.#ticks = 0
    this.#sample()
    let cpu = 0
    for (const [pid, last] of this.#cpuLast) cpu += last - (this.#cpuStart.get(pid) ?? 0)
    let dbCpu = 0
    for (const [pid, last] of this.#dbLast) dbCpu += last - (this.#dbStart.get(pid) ?? 0)
    return {
      serverCpu: cpu,
      dbCpu,
      peakRssMb: this.#peakKb / 1024,
      startRssMb: this.#startKb / 1024,
      endRssMb: this.#lastKb / 1024,
    }
  }
}

export function treeRssMb(root: number): number {
  return processTree(root).reduce((a, s) => a + s.rssKb, 0) / 1024
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  } catch {
    return '?'
  }
}

// One table per run: the median repetition of each (workload, variant, server), the ratio
// Carnet / MLflow and Carnet's efficiency against the floor measured in the same run.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Measurement } from './harness.ts'
import type { BenchReport } from './runner.ts'
import { fmt } from './util.ts'

export interface TableRow extends Measurement {
  reps: number
  /** How many times better Carnet is than MLflow on the score (throughput, or latency), >1 = faster. */
  ratio?: number
  /** Carnet's score as a fraction of the floor's (1 = at the floor). */
  efficiency?: number
}

const SERVER_ORDER = { carnet: 0, mlflow: 1, floor: 2 } as const

/** Median repetition per (workload, variant, server), by score. */
export function aggregate(rows: readonly Measurement[]): TableRow[] {
  const groups = new Map<string, Measurement[]>()
  for (const r of rows) {
    const k = `${r.workload}\u0000${r.variant}\u0000${r.server}`
    const list = groups.get(k) ?? []
    list.push(r)
    groups.set(k, list)
  }
  const out: TableRow[] = []
  for (const list of groups.values()) {
    const valid = list.filter((r) => Number.isFinite(r.score))
    const pool = valid.length > 0 ? valid : list
    const sorted = [...pool].sort((a, b) => a.score - b.score)
    const mid = sorted[Math.floor((sorted.length - 1) / 2)]!
    const bad = list.find((r) => r.status !== 'ok')
    out.push({ ...mid, status: bad ? bad.status : mid.status, reps: list.length })
  }
  const ratio = (a: TableRow, b: TableRow) =>
    a.higherIsBetter ? a.score / b.score : b.score / a.score
  for (const r of out) {
    if (r.server !== 'carnet' || !Number.isFinite(r.score)) continue
    const same = (s: string) =>
      out.find((x) => x.workload === r.workload && x.variant === r.variant && x.server === s)
    const m = same('mlflow')
    const f = same('floor')
    const ok = r.status === 'ok'
    if (ok && m && Number.isFinite(m.score) && m.score > 0) r.ratio = ratio(r, m)
    if (ok && f && Number.isFinite(f.score) && f.score > 0) r.efficiency = ratio(r, f)
  }
  const order = (w: string) => Number(w.replace(/\D/g, '')) || 0
  out.sort(
    (a, b) =>
      order(a.workload) - order(b.workload) ||
      firstIndex(rows, a) - firstIndex(rows, b) ||
      SERVER_ORDER[a.server] - SERVER_ORDER[b.server],
  )
  return out
}

function firstIndex(rows: readonly Measurement[], r: Measurement): number {
  return rows.findIndex((x) => x.workload === r.workload && x.variant === r.variant)
}

const HEAD = [
  'workload',
  'variant',
  'server',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'throughput',
  'unit',
  'server CPU s',
  'DB CPU s',
  'peak RSS MB',
  'Carnet/MLflow',
  'vs floor',
  'status',
]

function cells(r: TableRow): string[] {
  return [
    r.workload,
    r.variant,
    r.server,
    fmt(r.p50, 2),
    fmt(r.p95, 2),
    fmt(r.p99, 2),
    fmt(r.throughput),
    r.unit,
    fmt(r.cpu, 2),
    fmt(r.dbCpu, 2),
    fmt(r.peakRssMb, 0),
    r.ratio !== undefined ? `${r.ratio.toFixed(1)}x` : '',
    r.efficiency !== undefined ? `${(r.efficiency * 100).toFixed(0)}%` : '',
    r.status === 'ok' ? (r.note ?? 'ok') : `${r.status}${r.note ? `; ${r.note}` : ''}`,
  ]
}

export function textTable(rows: TableRow[]): string {
  const data = rows.map(cells).map((c) => c.map((x, i) => (i === 13 ? x.slice(0, 70) : x)))
  const widths = HEAD.map((h, i) => Math.max(h.length, ...data.map((d) => d[i]!.length)))
  const line = (c: string[]) =>
    c.map((x, i) => (i >= 3 && i <= 12 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ')
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...data.map(line)].join('\n')
}

export function markdown(report: BenchReport, rows: TableRow[]): string {
  const o = report.options
  const lines = [
    `# Carnet vs mlflow server: ${o.backend}${o.quick ? ' (quick mode)' : ''}, ${report.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`npm run bench -- --backend ${o.backend} --workloads ${o.workloads.join(',')}${o.quick ? ' --quick' : ''} --repeat ${o.repeat}\``,
    `Duration: ${((report.finishedAt.getTime() - report.startedAt.getTime()) / 60000).toFixed(1)} min`,
    '',
    '| setting | value |',
    '|---|---|',
    ...Object.entries(report.environment).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '/')} |`),
    '',
    "Ratio = how many times better Carnet is on the row's score (throughput, or p50 latency / time / memory where",
    'lower is better). "vs floor" = Carnet\'s score as a share of the floor measured in this run (100% = at the floor).',
    'Each row is the median of the repetitions by score.',
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${cells(r)
          .map((c) => c.replace(/\|/g, '/'))
          .join(' | ')} |`,
    ),
    '',
    '## Correctness gate',
    '',
    ...report.gates.map(
      (g) =>
        `- ${g.workload}: ${g.note}${g.verdict && !g.verdict.ok ? `\n  - ${g.verdict.differences.slice(0, 10).join('\n  - ')}` : g.verdict ? ` (${g.verdict.checks} checks)` : ''}${g.verdict?.tolerated.length ? `\n  - known difference, not failing (${g.verdict.tolerated.length}x), e.g. ${g.verdict.tolerated[0]}` : ''}`,
    ),
    '',
  ]
  return lines.join('\n')
}

export function csv(rows: TableRow[]): string {
  const head = [
    'workload',
    'variant',
    'server',
    'p50_ms',
    'p95_ms',
    'p99_ms',
    'throughput',
    'unit',
    'server_cpu_s',
    'db_cpu_s',
    'peak_rss_mb',
    'rss_growth_mb',
    'requests',
    'errors',
    'elapsed_s',
    'reps',
    'ratio_carnet_over_mlflow',
    'efficiency_vs_floor',
    'status',
    'note',
  ]
  const esc = (v: unknown) => {
    const s = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v)
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return [
    head.join(','),
    ...rows.map((r) =>
      [
        r.workload,
        r.variant,
        r.server,
        r.p50,
        r.p95,
        r.p99,
        r.throughput,
        r.unit,
        r.cpu,
        r.dbCpu,
        r.peakRssMb,
        r.rssGrowthMb,
        r.requests,
        r.errors,
        r.elapsedS,
        r.reps,
        r.ratio,
        r.efficiency,
        r.status,
        r.note,
      ]
        .map(esc)
        .join(','),
    ),
  ].join('\n')
}

export function writeResults(
  report: BenchReport,
  rows: TableRow[],
  dir: string,
): { md: string; csv: string } {
  mkdirSync(dir, { recursive: true })
  const stamp = report.startedAt.toISOString().slice(0, 10)
  let base = join(dir, `${stamp}-${report.options.backend}${report.options.quick ? '-quick' : ''}`)
  // a second run on the same day keeps the first one's files
  if (existsSync(`${base}.md`))
    base += `-${report.startedAt.toISOString().slice(11, 16).replace(':', '')}`
  writeFileSync(`${base}.md`, markdown(report, rows))
  writeFileSync(`${base}.csv`, `${csv(rows)}\n`)
  return { md: `${base}.md`, csv: `${base}.csv` }
}

// `npm run bench -- --backend sqlite|postgres --workloads W1,W3 [--quick] [--repeat N] ...`
import { execFileSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aggregate, textTable, writeResults } from './report.ts'
import { type BenchOptions, runBench, WORKLOAD_IDS } from './runner.ts'
import type { ServerKind } from './servers.ts'
import { log } from './util.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

const HELP = `Usage: npm run bench -- [options]

  --backend sqlite|postgres|sqlite,postgres   database engine (default sqlite)
  --workloads W1,W2,...    subset of ${WORKLOAD_IDS.join(',')} (default all)
  --servers carnet,mlflow  servers to run (default both; carnet alone if mlflow is missing)
  --quick                  small data, few iterations (CI smoke test)
  --repeat N               repetitions per server, interleaved (default 3, quick 1)
  --no-pin                 do not pin servers to CPU 1 and the driver to CPU 0
  --no-floor               skip the floor probes
  --no-build               do not rebuild the Carnet bundle first
  --skip-100k              W3 on the 10k-run data set only
  --s100k-steps N          history depth of the 100k-run data set (default 10)
  --reseed                 rebuild the cached seeded databases
  --pg-url URL             admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
  --out DIR                results folder (default bench/results, quick: bench/.work/results)
  --carnet-profile DIR     write V8 CPU profiles of Carnet (one per server start) to DIR`

export function parseCli(
  argv: string[],
): BenchOptions & { out?: string; build: boolean; backends: ('sqlite' | 'postgres')[] } {
  const flags = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`)
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined]
    const next = argv[i + 1]
    if (inline !== undefined) flags.set(name, inline)
    else if (next !== undefined && !next.startsWith('--')) {
      flags.set(name, next)
      i++
    } else flags.set(name, true)
  }
  if (flags.has('help')) {
    console.log(HELP)
    process.exit(0)
  }
  const str = (n: string) =>
    typeof flags.get(n) === 'string' ? (flags.get(n) as string) : undefined
  const quick = flags.has('quick')
  const backends = (str('backend') ?? 'sqlite').split(',').map((b) => {
    if (b !== 'sqlite' && b !== 'postgres')
      throw new Error(`--backend must be sqlite or postgres, not ${b}`)
    return b
  })
  const workloads = (str('workloads') ?? WORKLOAD_IDS.join(','))
    .split(',')
    .map((w) => w.trim().toUpperCase())
  for (const w of workloads) if (!WORKLOAD_IDS.includes(w)) throw new Error(`unknown workload ${w}`)
  const servers = (str('servers') ?? 'carnet,mlflow').split(',') as ServerKind[]
  return {
    root: ROOT,
    backend: backends[0]!,
    backends,
    workloads,
    servers,
    quick,
    repeat: Number(str('repeat') ?? (quick ? 1 : 3)),
    pin: !flags.has('no-pin'),
    floors: !flags.has('no-floor'),
    build: !flags.has('no-build'),
    reseed: flags.has('reseed'),
    skip100k: flags.has('skip-100k'),
    s100kSteps: str('s100k-steps') ? Number(str('s100k-steps')) : undefined,
    pgUrl:
      str('pg-url') ?? process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    out: str('out'),
    carnetProfileDir: str('carnet-profile') ? resolve(str('carnet-profile')!) : undefined,
  }
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2))
  if (options.build) {
    log('building the Carnet server bundle')
    execFileSync('npm', ['run', 'build', '--workspace', '@carnet/server'], {
      cwd: ROOT,
      stdio: 'inherit',
    })
  }
  for (const backend of options.backends) {
    const report = await runBench({ ...options, backend })
    const rows = aggregate(report.rows)
    console.log(
      `\n${backend}${options.quick ? ' (quick)' : ''}: load ${report.environment['loadBefore']} -> ${report.environment['loadAfter']}`,
    )
    console.log(textTable(rows))
    for (const g of report.gates) console.log(`gate ${g.workload}: ${g.note}`)
    const dir = options.out
      ? resolve(options.out)
      : join(ROOT, 'bench', options.quick ? '.work/results' : 'results')
    const files = writeResults(report, rows, dir)
    console.log(`\nresults: ${files.md}\n         ${files.csv}`)
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.stack : error)
    process.exit(1)
  })
}

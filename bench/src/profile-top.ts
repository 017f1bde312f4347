// Summarises a V8 .cpuprofile (from `--carnet-profile DIR`): self and inclusive time per function.
// Usage: npx tsx bench/src/profile-top.ts FILE.cpuprofile [N]
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
  children?: number[]
}

export function summarize(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[]
    samples: number[]
    timeDeltas: number[]
    startTime: number
    endTime: number
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const hits = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    hits.set(id, (hits.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...hits.values()].reduce((a, b) => a + b, 0)
  const label = (n: Node) => {
    const url = n.callFrame.url.replace(/^.*\/(node_modules\/|packages\/|dist\/)/, '$1')
    return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`
  }
  const self = new Map<string, number>()
  const incl = new Map<string, number>()
  for (const [id, t] of hits) {
    const n = byId.get(id)!
    self.set(label(n), (self.get(label(n)) ?? 0) + t)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!)
      if (seen.has(l)) continue
      seen.add(l)
      incl.set(l, (incl.get(l) ?? 0) + t)
    }
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`
  const idle = self.get('(idle) :0') ?? 0
  const lines = [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled, idle ${pct(idle)}`,
    'self:',
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([l, t]) => `  ${pct(t)}  ${l}`),
    'inclusive:',
    ...[...incl]
      .sort((a, b) => b[1] - a[1])
      .filter(([l]) => !l.startsWith('(root)'))
      .slice(0, top)
      .map(([l, t]) => `  ${pct(t)}  ${l}`),
  ]
  return lines.join('\n')
}

if (process.argv[2]) console.log(summarize(process.argv[2], Number(process.argv[3] ?? 25)))

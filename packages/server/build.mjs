// Bundles the CLI into dist/cli.js so `carnet` starts without a TypeScript loader.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  alias: { '@carnet/protocol': '../protocol/src/index.ts' },
  sourcemap: true,
  logLevel: 'warning',
})

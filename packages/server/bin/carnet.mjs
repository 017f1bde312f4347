#!/usr/bin/env node
// The `carnet` command: runs the bundled CLI, or the TypeScript sources when no bundle was built.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
if (existsSync(bundle)) {
  await import(bundle)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
}

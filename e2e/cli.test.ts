import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// The CLI from its TypeScript sources, as users run `carnet …`.
const MAIN = new URL('../packages/server/src/cli/main.ts', import.meta.url).pathname
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
const dir = mkdtempSync(join(tmpdir(), 'carnet-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function carnet(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: dir,
  })
  return { code: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const port = (server.address() as { port: number }).port
  await new Promise((done) => server.close(done))
  return port
}

describe('carnet CLI', () => {
  it.each([
    [['server', '--backend-store-uri', 'foo://x'], /unsupported scheme 'foo'/],
    [['server', '--backend-store-uri', 'sqlite://relative.db'], /three slashes/],
    [
      ['server', '--backend-store-uri', 'postgresql://u:secret@127.0.0.1:1/x'],
      /cannot open the backend store postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: ECONNREFUSED/,
    ],
    [['server', '--bogus'], /No such option: --bogus/],
    [['server', '--port', 'abc'], /Invalid port/],
  ])('refuses %j with one clear line', (args, message) => {
    const result = carnet(...args)
    expect(result.code).toBe(1)
    expect(result.stderr.split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(/secret/)
  })

  it('creates and then checks a schema with db upgrade', () => {
    const uri = `sqlite:///${join(dir, 'up.db')}`
    expect(carnet('db', 'upgrade', uri)).toMatchObject({ code: 0, stderr: 'Created the schema.' })
    expect(carnet('db', 'upgrade', uri)).toMatchObject({
      code: 0,
      stderr: 'The schema is up to date.',
    })
  })

  it('serves on the given port with a relative SQLite URI, and refuses a taken port', async () => {
    const port = await freePort()
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        MAIN,
        'server',
        '--backend-store-uri',
        'sqlite:///rel/m.db',
        '--port',
        String(port),
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    try {
      let healthy = false
      for (let i = 0; i < 100 && !healthy; i++) {
        healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        )
        if (!healthy) await new Promise((done) => setTimeout(done, 200))
      }
      expect(healthy).toBe(true)
      const taken = carnet(
        'server',
        '--backend-store-uri',
        'sqlite:///other.db',
        '--port',
        String(port),
      )
      expect(taken.code).toBe(1)
      expect(taken.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/)
    } finally {
      child.kill('SIGTERM')
    }
  })
})

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Router } from './router.ts'
import { mountStaticUi, safeFile } from './static-ui.ts'

const dir = mkdtempSync(join(tmpdir(), 'carnet-static-ui-'))
let server: Server
let base = ''

beforeAll(async () => {
  mkdirSync(join(dir, 'static-files'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Carnet</title>')
  writeFileSync(join(dir, 'static-files', 'index-abc123.js'), 'console.log(1)')
  writeFileSync(join(dir, 'static-files', 'index-abc123.css'), 'body{}')
  writeFileSync(join(tmpdir(), 'carnet-secret.txt'), 'secret')
  const router = new Router()
  mountStaticUi(router, dir)
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const match = router.match(req.method ?? 'GET', url.pathname)
    if (match.kind !== 'found' || !('raw' in match.handler)) {
      res.writeHead(404)
      res.end('api 404')
      return
    }
    void match.handler.raw(req, res, match.params, url)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((r) => server.close(r))
  rmSync(dir, { recursive: true, force: true })
})

describe('static UI', () => {
  test('index at / and for client routes, never cached stale', async () => {
    for (const path of ['/', '/experiments', '/experiments/1/runs/abc', '/models/my%20model']) {
      const res = await fetch(base + path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(await res.text()).toContain('<title>Carnet</title>')
    }
  })
  test('hashed bundles with long cache and content types; 304 on a matching ETag', async () => {
    const res = await fetch(`${base}/static-files/index-abc123.js`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(res.headers.get('cache-control')).toContain('immutable')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const css = await fetch(`${base}/static-files/index-abc123.css`)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    const again = await fetch(`${base}/static-files/index-abc123.js`, {
      headers: { 'If-None-Match': res.headers.get('etag') ?? '' },
    })
    expect(again.status).toBe(304)
  })
  test('no path traversal, no fallback for API paths or missing assets', async () => {
    expect((await fetch(`${base}/static-files/..%2F..%2Fcarnet-secret.txt`)).status).toBe(404)
    expect((await fetch(`${base}/static-files/missing.js`)).status).toBe(404)
    expect(await (await fetch(`${base}/api/2.0/mlflow/nope`)).text()).toBe('api 404')
    expect(safeFile(dir, '../carnet-secret.txt')).toBeUndefined()
    expect(safeFile(dir, '/etc/passwd')).toBeUndefined()
    expect(safeFile(dir, 'static-files')).toBeUndefined()
    expect(safeFile(dir, 'index.html')?.path).toBe(join(dir, 'index.html'))
  })
  test('routes mount even before the UI is built', () => {
    const router = new Router()
    mountStaticUi(router, join(dir, 'nope'))
    const match = router.match('GET', '/')
    expect(match.kind).toBe('found')
  })
})

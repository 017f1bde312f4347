import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { artifactRepositoryContract, put, readAll } from './artifact-repository.contract.ts'
import { LocalArtifactRepository } from './local-artifact-repository.ts'
import { validatePathIsSafe } from './safe-path.ts'

const p = (path: string) => validatePathIsSafe(path, { allowRoot: true })

artifactRepositoryContract('local disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-local-repo-'))
  return {
    repo: new LocalArtifactRepository(join(dir, 'root-created-on-demand')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

describe('LocalArtifactRepository on disk', () => {
  let dir: string
  let root: string
  let outside: string
  let repo: LocalArtifactRepository

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-local-'))
    root = join(dir, 'artifacts')
    outside = join(dir, 'outside')
    mkdirSync(root)
    mkdirSync(outside)
    writeFileSync(join(outside, 'secret.txt'), 'top secret')
    // Links planted inside the root by someone with shell access.
    symlinkSync(outside, join(root, 'escape'))
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'))
    symlinkSync(join(dir, 'nowhere'), join(root, 'dangling'))
    symlinkSync(join(dir, 'nowhere2'), join(root, 'dangling2'))
    mkdirSync(join(root, 'inside'))
    writeFileSync(join(root, 'inside', 'ok.txt'), 'fine')
    symlinkSync(join(root, 'inside'), join(root, 'alias'))
    repo = new LocalArtifactRepository(root)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses to read, write or list through a symlink that leaves the root', async () => {
    await expect(repo.read(p('escape/secret.txt'))).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
    await expect(repo.read(p('secret-link.txt'))).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
    await expect(put(repo, 'escape/planted.txt', 'x')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
    await expect(repo.list(p('escape'))).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
    expect(readdirSync(outside)).toEqual(['secret.txt'])
  })

  it('refuses to write through a dangling symlink', async () => {
    await expect(put(repo, 'dangling/x.txt', 'x')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
    // Replacing the link itself is fine: rename() swaps the link for a file, following nothing.
    await put(repo, 'dangling', 'replaced')
    expect((await readAll(repo, 'dangling')).toString()).toBe('replaced')
    expect(readdirSync(dir).sort()).toEqual(['artifacts', 'outside'])
  })

  it('hides escaping links from listings and follows links that stay inside', async () => {
    const names = (await repo.list(p(''))).map((e) => e.path)
    expect(names).toContain('alias')
    expect(names).toContain('inside')
    expect(names).not.toContain('escape')
    expect(names).not.toContain('secret-link.txt')
    expect(names).not.toContain('dangling2')
    expect((await readAll(repo, 'alias/ok.txt')).toString()).toBe('fine')
  })

  it('deleting a link removes the link, never what it points to', async () => {
    await repo.delete(p('escape'))
    expect(readdirSync(outside)).toEqual(['secret.txt'])
    expect(readdirSync(root)).not.toContain('escape')
  })

  it('hides staging files of interrupted uploads', async () => {
    writeFileSync(join(root, 'inside', '.artifact.uploading.deadbeef'), 'partial')
    expect((await repo.list(p('inside'))).map((e) => e.path)).toEqual(['inside/ok.txt'])
  })

  it('cleans its staging file when an upload fails', async () => {
    const body = Readable.from(
      (async function* () {
        yield Buffer.from('partial')
        throw new Error('boom')
      })(),
    )
    await expect(repo.write(p('inside/fail.txt'), body)).rejects.toThrow()
    expect(readdirSync(join(root, 'inside')).sort()).toEqual([
      '.artifact.uploading.deadbeef',
      'ok.txt',
    ])
  })

  it('refuses to write over a directory or below a file', async () => {
    await expect(put(repo, 'inside', 'x')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
    await expect(put(repo, 'inside/ok.txt/child.txt', 'x')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
  })

  it('treats a missing root as empty and creates it on the first write', async () => {
    const fresh = new LocalArtifactRepository(join(dir, 'fresh', 'nested'))
    expect(await fresh.list(p(''))).toEqual([])
    expect(await fresh.stat(p('a.txt'))).toBeUndefined()
    await put(fresh, 'a.txt', 'a')
    expect((await readAll(fresh, 'a.txt')).toString()).toBe('a')
  })

  it('describes itself with a file URI', () => {
    expect(repo.rootUri).toBe(`file://${root}`)
  })
})

import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { MlflowError } from '@carnet/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ArtifactRepository } from './artifact-repository.ts'
import { type SafePath, validatePathIsSafe } from './safe-path.ts'

/** What a backend's test file provides: a fresh, empty repository per suite. */
export interface ContractTarget {
  repo: ArtifactRepository
  cleanup(): Promise<void>
}

const p = (path: string): SafePath => validatePathIsSafe(path, { allowRoot: true })

export async function readAll(repo: ArtifactRepository, path: string): Promise<Buffer> {
  const { body } = await repo.read(p(path))
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function put(
  repo: ArtifactRepository,
  path: string,
  data: string | Buffer,
  withSize = true,
): Promise<void> {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data)
  await repo.write(p(path), Readable.from([buffer]), withSize ? { size: buffer.length } : {})
}

async function errorOf(work: Promise<unknown>): Promise<MlflowError> {
  try {
    await work
  } catch (error) {
    if (error instanceof MlflowError) return error
    throw error
  }
  throw new Error('expected an MlflowError')
}

/** A body that yields some bytes, then fails like a client that disconnects mid-upload. */
function failingBody(prefix: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield prefix
      throw new Error('client disconnected')
    })(),
  )
}

/**
 * The behaviour every artifact backend must share, run by each backend's test file against a real
 * store (a temporary directory, an S3-compatible server).
 */
export function artifactRepositoryContract(
  name: string,
  open: () => Promise<ContractTarget>,
): void {
  describe(`ArtifactRepository contract: ${name}`, () => {
    let target: ContractTarget
    let repo: ArtifactRepository

    beforeAll(async () => {
      target = await open()
      repo = target.repo
    })
    afterAll(async () => {
      await target?.cleanup()
    })

    it('writes, stats and reads back a file', async () => {
      await put(repo, 'w/a.txt', 'hello artifacts')
      const stat = await repo.stat(p('w/a.txt'))
      expect(stat?.size).toBe(15)
      expect(stat?.etag).toMatch(/^".+"$/)
      expect((await readAll(repo, 'w/a.txt')).toString()).toBe('hello artifacts')
    })

    it('stores an empty file', async () => {
      await put(repo, 'empty/zero.bin', '')
      expect((await repo.stat(p('empty/zero.bin')))?.size).toBe(0)
      expect((await readAll(repo, 'empty/zero.bin')).length).toBe(0)
      expect(await repo.list(p('empty'))).toEqual([
        { path: 'empty/zero.bin', isDir: false, size: 0 },
      ])
    })

    it('overwrites a file completely', async () => {
      await put(repo, 'ow/f.txt', 'a much longer first version')
      await put(repo, 'ow/f.txt', 'short')
      expect((await readAll(repo, 'ow/f.txt')).toString()).toBe('short')
    })

    it('streams a body of unknown length, larger than a part', async () => {
      const data = randomBytes(6 * 1024 * 1024 + 123)
      const chunks = []
      for (let i = 0; i < data.length; i += 64 * 1024) chunks.push(data.subarray(i, i + 64 * 1024))
      await repo.write(p('big/unknown.bin'), Readable.from(chunks))
      expect((await repo.stat(p('big/unknown.bin')))?.size).toBe(data.length)
      expect((await readAll(repo, 'big/unknown.bin')).equals(data)).toBe(true)
    })

    it('reads byte ranges', async () => {
      await put(repo, 'range/r.txt', '0123456789')
      const { body, size } = await repo.read(p('range/r.txt'), { start: 2, end: 5 })
      const chunks: Buffer[] = []
      for await (const chunk of body) chunks.push(chunk as Buffer)
      expect(Buffer.concat(chunks).toString()).toBe('2345')
      expect(size).toBe(10)
    })

    it('lists immediate children, sorted, with sizes for files only', async () => {
      await put(repo, 'tree/b.txt', 'bb')
      await put(repo, 'tree/a.txt', 'a')
      await put(repo, 'tree/sub/deep/c.txt', 'ccc')
      await put(repo, 'tree/sub/d.txt', 'dddd')
      expect(await repo.list(p('tree'))).toEqual([
        { path: 'tree/a.txt', isDir: false, size: 1 },
        { path: 'tree/b.txt', isDir: false, size: 2 },
        { path: 'tree/sub', isDir: true },
      ])
      expect(await repo.list(p('tree/sub'))).toEqual([
        { path: 'tree/sub/d.txt', isDir: false, size: 4 },
        { path: 'tree/sub/deep', isDir: true },
      ])
    })

    it('lists nothing for a file path or a missing directory', async () => {
      await put(repo, 'lf/only.txt', 'x')
      expect(await repo.list(p('lf/only.txt'))).toEqual([])
      expect(await repo.list(p('no/such/dir'))).toEqual([])
    })

    it('tells directories from files and missing paths', async () => {
      await put(repo, 'isdir/x/y.txt', 'y')
      expect(await repo.isDirectory(p('isdir/x'))).toBe(true)
      expect(await repo.isDirectory(p('isdir/x/y.txt'))).toBe(false)
      expect(await repo.isDirectory(p('isdir/missing'))).toBe(false)
      expect(await repo.stat(p('isdir/x'))).toBeUndefined()
      expect(await repo.stat(p('isdir/missing.txt'))).toBeUndefined()
    })

    it('answers RESOURCE_DOES_NOT_EXIST for a missing file and refuses to read a directory', async () => {
      const missing = await errorOf(repo.read(p('nothing/here.txt')))
      expect(missing.code).toBe('RESOURCE_DOES_NOT_EXIST')
      expect(missing.message).toBe("No such artifact: 'nothing/here.txt'")
      await put(repo, 'dirread/inner.txt', 'x')
      const dir = await errorOf(repo.read(p('dirread')))
      expect(dir.code).toBe('INVALID_PARAMETER_VALUE')
    })

    it('never shows a half-written file when the upload fails', async () => {
      await put(repo, 'atomic/keep.txt', 'old content')
      await expect(
        repo.write(p('atomic/keep.txt'), failingBody(Buffer.from('new but incomp'))),
      ).rejects.toThrow()
      expect((await readAll(repo, 'atomic/keep.txt')).toString()).toBe('old content')
      await expect(
        repo.write(p('atomic/new.txt'), failingBody(randomBytes(1024)), { size: 4096 }),
      ).rejects.toThrow()
      expect(await repo.stat(p('atomic/new.txt'))).toBeUndefined()
      expect((await repo.list(p('atomic'))).map((e) => e.path)).toEqual(['atomic/keep.txt'])
    })

    it('refuses a body shorter than its declared size', async () => {
      const error = await errorOf(
        repo.write(p('short/s.txt'), Readable.from([Buffer.from('abc')]), { size: 10 }),
      )
      expect(['INVALID_PARAMETER_VALUE', 'TEMPORARILY_UNAVAILABLE', 'INTERNAL_ERROR']).toContain(
        error.code,
      )
      expect(await repo.stat(p('short/s.txt'))).toBeUndefined()
    })

    it('reserves the staging prefix', async () => {
      const error = await errorOf(put(repo, 'res/.artifact.uploading.x', 'x'))
      expect(error.code).toBe('INVALID_PARAMETER_VALUE')
      expect(error.message).toContain('are reserved')
    })

    it('keeps unicode, spaces and odd but legal names', async () => {
      const names = [
        'résumé 1.txt',
        '日本語.json',
        'a..b',
        '....',
        'x;y.txt',
        '100%.txt',
        'plus+sign',
      ]
      for (const file of names) await put(repo, `names/${file}`, file)
      const listed = (await repo.list(p('names'))).map((e) => e.path.slice('names/'.length))
      expect(listed.sort()).toEqual([...names].sort())
      for (const file of names) {
        expect((await readAll(repo, `names/${file}`)).toString()).toBe(file)
      }
    })

    it('deletes a file, a tree, and nothing when missing; siblings with a common prefix stay', async () => {
      await put(repo, 'del/a/x.txt', 'x')
      await put(repo, 'del/a/sub/y.txt', 'y')
      await put(repo, 'del/ab.txt', 'ab')
      await put(repo, 'del/abc/z.txt', 'z')
      await put(repo, 'del/f.txt', 'f')
      await repo.delete(p('del/f.txt'))
      expect(await repo.stat(p('del/f.txt'))).toBeUndefined()
      await repo.delete(p('del/a'))
      expect(await repo.list(p('del/a'))).toEqual([])
      expect((await repo.list(p('del'))).map((e) => e.path)).toEqual(['del/ab.txt', 'del/abc'])
      await repo.delete(p('del/never/existed'))
    })

    it('deletes everything below the root', async () => {
      await put(repo, 'zz-last/a.txt', 'a')
      await repo.delete(p(''))
      expect(await repo.list(p(''))).toEqual([])
      await put(repo, 'after/wipe.txt', 'still works')
      expect((await readAll(repo, 'after/wipe.txt')).toString()).toBe('still works')
    })
  })
}

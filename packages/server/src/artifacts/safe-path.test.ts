import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { splitUri, validateArtifactLocation } from './artifact-location.ts'
import { contentDisposition, guessContentType } from './content-type.ts'
import { decodeUntilStable, percentDecode, validatePathIsSafe } from './safe-path.ts'

describe('validatePathIsSafe', () => {
  it.each([
    ['a.txt', 'a.txt'],
    ['dir/sub/file.bin', 'dir/sub/file.bin'],
    ['dir/', 'dir'],
    ['a//b', 'a/b'],
    ['./a/./b', 'a/b'],
    ['a..b', 'a..b'],
    ['....', '....'],
    ['..a/b..', '..a/b..'],
    ['x;y.txt', 'x;y.txt'],
    ['100%.txt', '100%.txt'],
    ['%zz', '%zz'],
    ['a%20b', 'a b'],
    ['plus+sign', 'plus+sign'],
    ['résumé.txt', 'résumé.txt'],
    ['%C3%A9t%C3%A9', 'été'],
    ['ﬁle.txt', 'ﬁle.txt'],
  ])('accepts %j as %j', (input, expected) => {
    expect(validatePathIsSafe(input)).toBe(expected)
  })

  it.each([
    ['..'],
    ['../etc/passwd'],
    ['a/../../b'],
    ['a/..'],
    ['/etc/passwd'],
    ['//etc/passwd'],
    ['%2e%2e/%2e%2e/etc/passwd'],
    ['%2E%2E%2Fetc%2Fpasswd'],
    ['%252e%252e%252fetc%252fpasswd'], // CVE-2023-6831: double-encoded
    ['%25252e%25252e%25252f'], // triple
    ['a/%2e%2e'],
    ['..%2f..%2fetc'],
    ['..\\..\\etc\\passwd'], // CVE-2023-2780
    ['a\\b'],
    ['%5c..%5cetc'],
    ['C:\\Windows\\win.ini'],
    ['C:/Windows/win.ini'],
    ['c:win.ini'],
    ['\\\\server\\share\\x'],
    ['file:///etc/passwd'],
    ['file://localhost/etc/passwd'],
    ['http://evil/x'],
    ['a\u0000b'],
    ['a%00b'],
    ['a\nb'],
    ['a%0d%0aSet-Cookie: x'],
    ['a\u007fb'],
    ['a#b'],
    ['a%23/../../b'],
    ['a?b'],
    ['a%3F/../x'],
    ['．．/．．/etc/passwd'], // fullwidth dots: NFKC makes them '..'
    ['a／．．／b'], // fullwidth solidus
    ['\u2025/etc'], // two-dot leader
    [''],
    ['/'],
    ['.'],
  ])('refuses %j', (input) => {
    expect(() => validatePathIsSafe(input)).toThrow('Invalid path')
  })

  it('allows the root only when asked', () => {
    expect(validatePathIsSafe('', { allowRoot: true })).toBe('')
    expect(validatePathIsSafe('.', { allowRoot: true })).toBe('')
    expect(() => validatePathIsSafe('/etc', { allowRoot: true })).toThrow('Invalid path')
  })

  it('gives up after ten layers of encoding', () => {
    let text = '..'
    for (let i = 0; i < 12; i++) text = encodeURIComponent(text).replace(/\./g, '%2E')
    expect(() => decodeUntilStable(text)).toThrow('Invalid path')
  })

  it('decodes like Python unquote', () => {
    expect(percentDecode('%E2%82%AC')).toBe('€')
    expect(percentDecode('%E2%82')).toBe('\ufffd')
    expect(percentDecode('%')).toBe('%')
    expect(percentDecode('%G1')).toBe('%G1')
    expect(percentDecode('a+b')).toBe('a+b')
  })

  it('refuses absurdly long paths', () => {
    expect(() => validatePathIsSafe('a/'.repeat(600))).toThrow('Invalid path')
  })
})

describe('validateArtifactLocation', () => {
  let dir: string
  let roots: { defaultArtifactRoot: string; artifactsDestination: string; env: NodeJS.ProcessEnv }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-loc-'))
    mkdirSync(join(dir, 'dest'))
    mkdirSync(join(dir, 'elsewhere'))
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'dest', 'link-out'))
    roots = {
      defaultArtifactRoot: 'mlflow-artifacts:/',
      artifactsDestination: join(dir, 'dest'),
      env: {},
    }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each([['s3://bucket/some/path'], ['mlflow-artifacts:/team-a'], ['gs://bucket/x']])(
    'accepts %j unchanged',
    async (location) => {
      expect(await validateArtifactLocation(location, roots)).toBe(location)
    },
  )

  it('accepts local paths inside the destination and stores them absolute', async () => {
    expect(await validateArtifactLocation(join(dir, 'dest', 'team'), roots)).toBe(
      join(dir, 'dest', 'team'),
    )
    const uri = `file://${join(dir, 'dest', 'x')}`
    expect(await validateArtifactLocation(uri, roots)).toBe(uri)
  })

  it.each([
    ['http:///?/../../../../../../etc/', "can't include a query"], // CVE-2023-6909
    ['http:///#/../../../../etc/', 'fragments or params'], // CVE-2024-1483
    ['http://host#/abc/etc/', 'fragments or params'], // CVE-2024-1594
    ['http://host/;..%2F..%2Fetc', 'fragments or params'], // CVE-2024-1593
    ['http:\\/\\/\\/#\\/..\\/..\\/etc\\/', 'fragments or params'], // CVE-2024-2928
    ['s3://bucket/x%23/y', 'fragments or params'],
    ['s3://bucket/x%253Fy', "can't include a query"],
    ['s3://bucket/a/../../b', "'..' path segments"],
    ['mlflow-artifacts:/../../etc', "'..' path segments"],
    ['runs:/abc', 'runs:/ URI'],
    ['file:///etc/', 'outside'],
    ['/etc', 'outside'],
    ['//proc/self/root', 'outside'], // CVE-2023-6977
    ['file://evil-host/etc', 'remote host'], // CVE-2023-2356
    ['C:\\Windows', 'Windows'],
    ['relative/dir', 'outside'],
    ['http://169.254.169.254/latest/meta-data', "'http' scheme"],
    ['https://evil.example/api/2.0/mlflow-artifacts/artifacts/x', "'https' scheme"],
    ['ftp://internal/x', "'ftp' scheme"],
    ['mlflow-artifacts://other-host:5001/x', "'mlflow-artifacts' scheme"],
    ['s3://bucket/a\u0000b', 'control characters'],
  ])('refuses %j', async (location, message) => {
    await expect(validateArtifactLocation(location, roots)).rejects.toThrow(message)
  })

  it('refuses a local path that escapes through a symlink', async () => {
    await expect(
      validateArtifactLocation(join(dir, 'dest', 'link-out', 'x'), roots),
    ).rejects.toThrow('outside')
  })

  it("accepts the host of the server's own root, and schemes the operator allows", async () => {
    const proxied = { ...roots, defaultArtifactRoot: 'mlflow-artifacts://artifacts.internal:5001/' }
    expect(
      await validateArtifactLocation('mlflow-artifacts://artifacts.internal:5001/team', proxied),
    ).toBe('mlflow-artifacts://artifacts.internal:5001/team')
    const allowed = { ...roots, env: { MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES: 'hdfs' } }
    expect(await validateArtifactLocation('hdfs://nn:8020/x', allowed)).toBe('hdfs://nn:8020/x')
  })

  it('limits the length like MLflow', async () => {
    await expect(
      validateArtifactLocation(`s3://bucket/${'a'.repeat(2100)}`, roots),
    ).rejects.toThrow('cannot be greater than 2048 characters')
  })

  it('splits URIs as urlparse does', () => {
    expect(splitUri('http://h:1/p?q#f')).toEqual({
      scheme: 'http',
      netloc: 'h:1',
      path: '/p',
      query: 'q',
      fragment: 'f',
    })
    expect(splitUri('//proc/self')).toMatchObject({ scheme: '', netloc: 'proc', path: '/self' })
  })
})

describe('content types and dispositions', () => {
  it.each([
    ['model.pkl', 'application/octet-stream'],
    ['MLmodel', 'text/plain'],
    ['conda.yaml', 'text/plain'],
    ['metrics.json', 'text/plain'],
    ['plot.png', 'image/png'],
    ['page.html', 'text/html'],
    ['a.svg', 'image/svg+xml'],
    ['.bashrc', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ])('%s is %s', (name, type) => {
    expect(guessContentType(name)).toBe(type)
  })

  it('never puts quotes, control characters or non-ASCII raw into the header', () => {
    expect(contentDisposition('a.txt')).toBe('attachment; filename="a.txt"')
    expect(contentDisposition('x"; filename="evil.html')).toBe(
      `attachment; filename="x; filename=evil.html"; filename*=UTF-8''x%22%3B%20filename%3D%22evil.html`,
    )
    expect(contentDisposition('été.txt')).toBe(
      `attachment; filename="ete.txt"; filename*=UTF-8''%C3%A9t%C3%A9.txt`,
    )
    expect(contentDisposition('日本')).toBe(
      `attachment; filename="download"; filename*=UTF-8''%E6%97%A5%E6%9C%AC`,
    )
  })
})

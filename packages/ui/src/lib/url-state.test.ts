import { describe, expect, test } from 'vitest'
import { matchPath, parseHref, withQuery } from './router.tsx'
import { decodeJsonList, decodeList, encodeList } from './url-state.ts'

describe('url state', () => {
  test('lists survive commas and special characters', () => {
    const values = ['metrics.a,b', 'params.x y', 'tags.mlflow.user']
    const query = new URLSearchParams()
    query.set('c', encodeList(values) ?? '')
    expect(decodeList(new URLSearchParams(query.toString()).get('c'))).toEqual(values)
    expect(encodeList([])).toBeUndefined()
  })
  test("MLflow's JSON-array compare URLs and plain lists", () => {
    expect(decodeJsonList('["a","b"]')).toEqual(['a', 'b'])
    expect(decodeJsonList('a,b')).toEqual(['a', 'b'])
    expect(decodeJsonList('[broken')).toEqual([])
  })
})

describe('hash routes', () => {
  test('match MLflow URL shapes', () => {
    expect(matchPath('/experiments/:id/runs/:runId', '/experiments/1/runs/abc')).toEqual({
      id: '1',
      runId: 'abc',
    })
    expect(matchPath('/experiments/:id', '/experiments/1/runs')).toBeUndefined()
    expect(matchPath('/models/:name', '/models/my%20model')).toEqual({ name: 'my model' })
    expect(matchPath('/r/:id/artifacts/*', '/r/1/artifacts/a/b%20c.txt')).toEqual({
      id: '1',
      '*': 'a/b c.txt',
    })
  })
  test('parse and build hrefs', () => {
    const loc = parseHref('/experiments/1?filter=a%3D1&sort=-metrics.x')
    expect(loc.path).toBe('/experiments/1')
    expect(loc.query.get('filter')).toBe('a=1')
    expect(withQuery('/x', { a: '1', b: undefined })).toBe('/x?a=1')
  })
})

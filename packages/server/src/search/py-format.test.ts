import { describe, expect, it } from 'vitest'
import { pyBytesRepr, pyJsonRepr, pyJsonStr, pyList, pyRepr, pySet, pyTuple } from './py-format.ts'

describe('python-style rendering', () => {
  it.each([
    ['abc', "'abc'"],
    ["it's", `"it's"`],
    [`it's "x"`, `'it\\'s "x"'`],
    ['a\\b', "'a\\\\b'"],
    ['a\nb\t\u0001', "'a\\nb\\t\\x01'"],
    ['été', "'été'"],
  ])('repr(%j)', (text, expected) => {
    expect(pyRepr(text)).toBe(expected)
  })

  it('renders collections', () => {
    expect(pySet(['=', '!='])).toBe("{'=', '!='}")
    expect(pyList(['a'])).toBe("['a']")
    expect(pyTuple(['a', 'b'])).toBe("('a', 'b')")
  })

  it('renders bytes', () => {
    expect(pyBytesRepr(new Uint8Array([0x61, 0x27, 0xff, 0x0a]))).toBe(`b"a'\\xff\\n"`)
    expect(pyBytesRepr(new Uint8Array([]))).toBe("b''")
  })

  it.each<[unknown, string]>([
    [{ offset: 0 }, "{'offset': 0}"],
    [[1, 'a', null, true, false], "[1, 'a', None, True, False]"],
    [1.5e-7, '1.5e-07'],
    [1e300, '1e+300'],
  ])('json repr %j', (value, expected) => {
    expect(pyJsonRepr(value)).toBe(expected)
  })

  it('str() keeps strings bare', () => {
    expect(pyJsonStr('x y')).toBe('x y')
    expect(pyJsonStr([1])).toBe('[1]')
  })
})

import { MlflowError } from '@carnet/protocol'
import { describe, expect, it } from 'vitest'
import { decodePageToken, encodePageToken } from './page-token.ts'

function messageOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(MlflowError)
    expect((error as MlflowError).code).toBe('INVALID_PARAMETER_VALUE')
    return (error as MlflowError).message
  }
  throw new Error('expected an MlflowError')
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

describe('encodePageToken', () => {
  it('encodes like Python json.dumps + base64', () => {
    expect(encodePageToken(1000)).toBe('eyJvZmZzZXQiOiAxMDAwfQ==')
    expect(Buffer.from(encodePageToken(7), 'base64').toString()).toBe('{"offset": 7}')
  })

  it.each([[0], [-1], [1.5], [Number.NaN]])('refuses offset %d', (offset) => {
    expect(() => encodePageToken(offset)).toThrow(MlflowError)
  })
})

describe('decodePageToken', () => {
  it.each<[string | undefined, number]>([
    [undefined, 0],
    ['', 0],
    ['eyJvZmZzZXQiOiAxMDAwfQ==', 1000],
    [b64('{"offset":5}'), 5],
    [b64('{"offset": "12"}'), 12],
    [b64('{"offset": 5.7}'), 5],
    [b64('{"offset": "0"}'), 0],
    [b64('{"offset": 3, "other": [1]}'), 3],
    // Python's b64decode skips characters outside the alphabet (here a newline).
    ['eyJvZmZzZXQiOiAx\nMDAwfQ==', 1000],
  ])('%j → %d', (token, offset) => {
    expect(decodePageToken(token)).toBe(offset)
  })

  it('round-trips', () => {
    for (const offset of [1, 2, 99, 1000, 50_000, 2 ** 40]) {
      expect(decodePageToken(encodePageToken(offset))).toBe(offset)
    }
  })

  it.each([
    ['abc', 'Invalid page token, could not base64-decode'],
    ['a', 'Invalid page token, could not base64-decode'],
    // Python drops the characters outside the alphabet, leaving nothing to parse.
    ['!!!!', "Invalid page token, decoded value=b''"],
    [b64('xx'), "Invalid page token, decoded value=b'xx'"],
    [b64("it's"), 'Invalid page token, decoded value=b"it\'s"'],
    ['/w==', "Invalid page token, decoded value=b'\\xff'"],
    [b64('{"offset": 0}'), "Invalid page token, parsed value={'offset': 0}"],
    [b64('{"offset": null}'), "Invalid page token, parsed value={'offset': None}"],
    [b64('{"other": 1}'), "Invalid page token, parsed value={'other': 1}"],
    [b64('{}'), 'Invalid page token, parsed value={}'],
    [b64('[1]'), 'Invalid page token, parsed value=[1]'],
    [b64('7'), 'Invalid page token, parsed value=7'],
    [b64('{"offset": -5}'), "Invalid page token, parsed value={'offset': -5}"],
    [b64('{"offset": "x"}'), 'Invalid page token, not stringable x'],
    [b64('{"offset": [1]}'), 'Invalid page token, not stringable [1]'],
    [b64('{"offset": {"a": true}}'), "Invalid page token, not stringable {'a': True}"],
  ])('rejects %j', (token, message) => {
    expect(messageOf(() => decodePageToken(token))).toBe(message)
  })
})

import { describe, expect, test } from 'vitest'
import { parseSignature } from './mlmodel.ts'

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
signature:
  inputs: '[{"type": "double", "name": "sepal length", "required": true}, {"type":
    "string", "name": "it''s", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2026-01-01 00:00:00'
`

describe('MLmodel signature', () => {
  test('reads folded single-quoted JSON', () => {
    const sig = parseSignature(MLMODEL)
    expect(sig?.inputs.map((f) => f.name)).toEqual(['sepal length', "it's"])
    expect(sig?.inputs[1]?.required).toBe(false)
    expect(sig?.outputs[0]?.type).toBe('tensor')
    expect(sig?.params).toEqual([])
  })
  test('no signature block', () => {
    expect(parseSignature('flavors: {}\n')).toBeUndefined()
  })
})

/**
 * Reads the signature out of an MLmodel file (YAML written by PyYAML). Only the `signature`
 * block is needed: its `inputs` / `outputs` are JSON strings in single quotes, possibly folded
 * over several lines.
 */

export interface SchemaField {
  name?: string
  type: string
  required?: boolean
  detail?: string
}

export interface Signature {
  inputs: SchemaField[]
  outputs: SchemaField[]
  params: SchemaField[]
}

function quotedValue(text: string, key: string): string | undefined {
  const start = new RegExp(`^\\s+${key}:\\s*'`, 'm').exec(text)
  if (!start) return undefined
  let out = ''
  for (let i = start.index + start[0].length; i < text.length; i++) {
    const c = text[i]!
    if (c === "'") {
      if (text[i + 1] === "'") {
        out += "'"
        i++
        continue
      }
      return out
    }
    if (c === '\n') {
      out += ' '
      while (text[i + 1] === ' ') i++
      continue
    }
    out += c
  }
  return undefined
}

function fields(json: string | undefined): SchemaField[] {
  if (!json) return []
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>[]
    return parsed.map((f) => ({
      name: typeof f.name === 'string' ? f.name : undefined,
      type: String(f.type ?? ''),
      required: typeof f.required === 'boolean' ? f.required : undefined,
      detail: f['tensor-spec'] ? JSON.stringify(f['tensor-spec']) : undefined,
    }))
  } catch {
    return []
  }
}

export function parseSignature(mlmodel: string): Signature | undefined {
  const at = mlmodel.search(/^signature:/m)
  if (at < 0) return undefined
  const block = mlmodel.slice(at)
  return {
    inputs: fields(quotedValue(block, 'inputs')),
    outputs: fields(quotedValue(block, 'outputs')),
    params: fields(quotedValue(block, 'params')),
  }
}

import type { IncomingMessage } from 'node:http'
import { MlflowError } from '@carnet/protocol'

/** Reads a request body up to `limit` bytes; a larger body is refused with 413 before it is buffered. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw tooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk as Buffer)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

const tooLarge = (limit: number) =>
  new MlflowError(
    'INVALID_PARAMETER_VALUE',
    `Request body exceeds the maximum size of ${limit} bytes.`,
    {
      status: 413,
    },
  )

/**
 * Parses a JSON object body. Like MLflow, a body that is not JSON reads as `{}` (so the answer names
 * the missing required field) and a JSON string holding JSON is decoded a second time.
 */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch {
    return {}
  }
  try {
    if (typeof value === 'string') value = JSON.parse(value)
  } catch {
    throw MlflowError.invalidParameter('Malformed request body: expected a JSON object.')
  }
  if (value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw MlflowError.invalidParameter('Malformed request body: expected a JSON object.')
  }
  return value as Record<string, unknown>
}

/** Query string to fields: a repeated key becomes a list. */
export function parseQuery(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of search) {
    const prior = out[key]
    if (prior === undefined) out[key] = value
    else if (Array.isArray(prior)) prior.push(value)
    else out[key] = [prior, value]
  }
  return out
}

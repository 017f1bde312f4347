import type { ServerResponse } from 'node:http'
import type { MlflowError } from '@carnet/protocol'

/**
 * A JSON body a handler serialized itself, sent as is: the parts concatenated are the JSON text.
 * For large bodies written without an object per element (metric history pages).
 */
export class JsonText {
  readonly parts: readonly string[]
  constructor(parts: readonly string[]) {
    this.parts = parts
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (body instanceof JsonText) {
    sendParts(res, status, body.parts)
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

function sendParts(res: ServerResponse, status: number, parts: readonly string[]): void {
  let length = 0
  for (const part of parts) length += Buffer.byteLength(part)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': length })
  res.cork()
  for (const part of parts) res.write(part)
  res.end()
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** The one place an MlflowError becomes an HTTP answer: `{error_code, message}` and its status. */
export function sendError(res: ServerResponse, error: MlflowError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  sendJson(res, error.httpStatus, error.toJSON())
}

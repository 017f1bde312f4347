import type { ServerResponse } from 'node:http'
import type { MlflowError } from '@carnet/protocol'

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
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

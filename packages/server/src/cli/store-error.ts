import { MlflowError } from '@carnet/protocol'
import { redact } from '../store/sql/dialects/database-uri.ts'

/** A store that cannot be opened, said in one line with the (password-free) URI and the cause. */
export function describeStoreError(error: unknown, uri: string): Error {
  if (error instanceof MlflowError) return error
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
  const text = error instanceof Error ? error.message : String(error)
  return new Error(`cannot open the backend store ${redact(uri)}: ${code ? `${code} ` : ''}${text}`)
}

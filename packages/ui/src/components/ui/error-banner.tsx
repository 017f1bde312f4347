/** Shows an error with the server's message (MLflow `{error_code, message}`). */
import { ApiError, errorMessage } from '../../lib/api-client.ts'

export function ErrorBanner({ error, title }: { error: unknown; title?: string }) {
  const code = error instanceof ApiError ? error.code : undefined
  return (
    <div className="error-banner" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <span className="error-message">{errorMessage(error)}</span>
      {code && <span className="muted small">{code}</span>}
    </div>
  )
}

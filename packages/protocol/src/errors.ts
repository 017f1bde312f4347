/** MLflow's error codes and the HTTP status its server answers with for each (mlflow/exceptions.py). */
export const HTTP_STATUS_BY_CODE = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400, // mlflow-compat: 400, not 409
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  RESOURCE_CONFLICT: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  FEATURE_DISABLED: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
} as const satisfies Record<string, number>

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE

/** The one error type: stores and handlers throw it, the HTTP layer serializes it once. */
export class MlflowError extends Error {
  override readonly name = 'MlflowError'
  readonly code: ErrorCode
  /** Overrides the status of the code table, e.g. 413 for an oversized body. */
  readonly status: number | undefined

  constructor(code: ErrorCode, message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options)
    this.code = code
    this.status = options?.status
  }

  get httpStatus(): number {
    return this.status ?? HTTP_STATUS_BY_CODE[this.code]
  }

  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.code, message: this.message }
  }

  static invalidParameter(message: string): MlflowError {
    return new MlflowError('INVALID_PARAMETER_VALUE', message)
  }

  static notFound(message: string): MlflowError {
    return new MlflowError('RESOURCE_DOES_NOT_EXIST', message)
  }
}

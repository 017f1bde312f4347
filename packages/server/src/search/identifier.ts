/** Splitting a name token into `[entity.]key`, shared by filters and order_by clauses. */
import { MlflowError } from '@carnet/protocol'
import type { NameToken } from './lexer.ts'

export interface SplitName {
  /** The text before the first dot, quotes removed; undefined when there is no dot. */
  entity: string | undefined
  /** Everything after the first dot (or the whole name), quotes removed. */
  key: string
}

/**
 * `metrics."my metric"` → (metrics, my metric); `tags.mlflow.runName` → (tags, mlflow.runName):
 * like MLflow, the name splits on its first dot only. Each part may be quoted independently.
 */
export function splitName(name: NameToken): SplitName {
  const [first, ...rest] = name.parts
  if (rest.length === 0) return { entity: undefined, key: first?.text ?? '' }
  return { entity: first?.text, key: rest.map((part) => part.text).join('.') }
}

export function invalid(message: string): MlflowError {
  return MlflowError.invalidParameter(message)
}

/**
 * Safety net for the public entry points: anything unexpected thrown while reading user input is
 * still reported as the caller's invalid parameter, never as a 500.
 */
export function guarded<T>(run: () => T, fallbackMessage: () => string): T {
  try {
    return run()
  } catch (error) {
    if (error instanceof MlflowError) throw error
    throw MlflowError.invalidParameter(fallbackMessage())
  }
}

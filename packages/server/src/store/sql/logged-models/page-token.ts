/**
 * logged-models/search page tokens: base64 of Python's `json.dumps` of
 * `{"experiment_ids", "filter_string", "order_by", "offset"}` (MLflow's
 * SearchLoggedModelsPaginationToken). A token only continues the search it came from.
 */
import { MlflowError } from '@carnet/protocol'
import { pyJsonRepr } from '../../../search/py-format.ts'
import type { LoggedModelOrderBy } from '../../logged-model-store.ts'
import { pyJsonDumps } from './py-json.ts'

interface TokenOrderBy {
  field_name: string
  ascending: boolean
  dataset_name: string | null
  dataset_digest: string | null
}

export interface SearchState {
  experimentIds: string[]
  filter: string | null
  orderBy: TokenOrderBy[] | null
}

/** The order_by as MLflow's handler passes it on (and stores it in tokens). */
export function tokenOrderBy(orderBy: LoggedModelOrderBy[]): TokenOrderBy[] | null {
  if (orderBy.length === 0) return null
  return orderBy.map((o) => ({
    field_name: o.fieldName,
    ascending: o.ascending,
    dataset_name: o.datasetName || null,
    dataset_digest: o.datasetDigest || null,
  }))
}

export function encodeSearchToken(state: SearchState, offset: number): string {
  const json = pyJsonDumps({
    experiment_ids: state.experimentIds,
    filter_string: state.filter,
    order_by: state.orderBy,
    offset,
  })
  return Buffer.from(json, 'utf8').toString('base64')
}

const invalid = (message: string) => MlflowError.invalidParameter(message)

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** The offset of a token, after checking it was issued for this same search. */
export function decodeSearchToken(token: string, state: SearchState): number {
  let parsed: Record<string, unknown>
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error()
    parsed = value as Record<string, unknown>
  } catch {
    // mlflow-compat
    throw invalid(`Invalid page token: ${token}.`)
  }
  const experimentIds = parsed.experiment_ids ?? null
  const filter = parsed.filter_string || null
  const orderBy = parsed.order_by || null
  const offset = parsed.offset || 0
  // mlflow-compat: the messages of SearchLoggedModelsPaginationToken.validate.
  if (!same(experimentIds, state.experimentIds)) {
    throw invalid(
      `Experiment IDs in the page token do not match the requested experiment IDs. Expected: ${pyJsonRepr(state.experimentIds)}. Found: ${pyJsonRepr(experimentIds)}`,
    )
  }
  if (!same(filter, state.filter)) {
    throw invalid(
      `Filter string in the page token does not match the requested filter string. Expected: ${state.filter ?? 'None'}. Found: ${filter ?? 'None'}`,
    )
  }
  if (!same(orderBy, state.orderBy)) {
    throw invalid(
      `Order by in the page token does not match the requested order by. Expected: ${pyJsonRepr(state.orderBy)}. Found: ${pyJsonRepr(orderBy)}`,
    )
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalid(`Invalid page token: ${token}.`)
  }
  return offset
}

import { MlflowError } from '@carnet/protocol'
/**
 * Filter parsers for runs/search and experiments/search. Every filter MLflow accepts keeps its
 * MLflow meaning; Carnet adds OR, NOT and parentheses (precedence NOT > AND > OR). Errors are always
 * MlflowError INVALID_PARAMETER_VALUE.
 */
import type { Comparison, FilterExpr } from './ast.ts'
import { toExperimentComparison } from './experiments-filter.ts'
import { guarded } from './identifier.ts'
import { toRunComparison } from './runs-filter.ts'
import type { RawComparison, RawExpr } from './syntax.ts'
import { parseFilterSyntax } from './syntax.ts'

function validate(expr: RawExpr, check: (raw: RawComparison) => Comparison): FilterExpr {
  switch (expr.kind) {
    case 'cmp':
      return check(expr)
    case 'not':
      return { kind: 'not', item: validate(expr.item, check) }
    case 'and':
    case 'or':
      return { kind: expr.kind, items: expr.items.map((item) => validate(item, check)) }
  }
}

function parseFilter(
  filter: string | undefined,
  check: (raw: RawComparison) => Comparison,
): FilterExpr | undefined {
  if (filter === undefined || filter === null || filter === '') return undefined
  // mlflow-compat: a blank filter and several statements are refused with MLflow's messages.
  if (String(filter).trim() === '') {
    throw MlflowError.invalidParameter(`Invalid filter '${filter}'. Could not be parsed.`)
  }
  if (hasStatementSeparator(String(filter))) {
    throw MlflowError.invalidParameter(
      `Search filter contained multiple expression "${filter}". Provide AND-ed expression list.`,
    )
  }
  return guarded(
    () => {
      const raw = parseFilterSyntax(String(filter))
      return raw === undefined ? undefined : validate(raw, check)
    },
    () => `Error on parsing filter '${String(filter)}'`,
  )
}

/** Parses a runs/search filter; undefined when there is nothing to filter on. */
export function parseRunsFilter(filter: string | undefined): FilterExpr | undefined {
  return parseFilter(filter, toRunComparison)
}

/** Parses an experiments/search filter; undefined when there is nothing to filter on. */
export function parseExperimentsFilter(filter: string | undefined): FilterExpr | undefined {
  return parseFilter(filter, toExperimentComparison)
}

/** True when `;` appears outside quotes, i.e. the filter holds several statements. */
function hasStatementSeparator(filter: string): boolean {
  let quote: string | undefined
  for (const ch of filter) {
    if (quote) {
      if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch
    else if (ch === ';') return true
  }
  return false
}

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

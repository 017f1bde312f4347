/** Right-hand-side checks shared by the runs and experiments validators (MLflow's wording). */
import type { Comparator } from './ast.ts'
import { invalid } from './identifier.ts'
import { pySet } from './py-format.ts'
import type { RawValue } from './syntax.ts'

export function notQuoted(raw: string): string {
  return (
    `Parameter value is either not quoted or unidentified quote types used for string value ${raw}. ` +
    'Use either single or double quotes.'
  )
}

/** A numeric literal (always finite), else `message(raw)`. */
export function numberValue(value: RawValue, message: (raw: string) => string): number {
  if (value.kind !== 'number') throw invalid(message(value.raw))
  return value.value
}

/**
 * A quoted string (single or double quotes). An unquoted or back-quoted word gets MLflow's
 * "not quoted" message; any other value gets `message(raw)`.
 */
export function stringValue(value: RawValue, message: (raw: string) => string): string {
  if (value.kind === 'string') return value.value
  if (value.kind === 'name') throw invalid(notQuoted(value.raw))
  throw invalid(message(value.raw))
}

const LIST_PREFIX = 'While parsing a list in the query,'

/** A parenthesised list of quoted strings. Carnet also accepts double-quoted items. */
export function stringList(value: RawValue & { kind: 'list' }): string[] {
  if (value.wellFormed && value.items.length === 0) {
    throw invalid(`${LIST_PREFIX} expected a non-empty list of string values, but got empty list`)
  }
  if (!value.wellFormed) {
    throw invalid(
      `${LIST_PREFIX} expected a non-empty list of string values, but got ill-formed list.`,
    )
  }
  return value.items.map((item) => {
    if (item.kind !== 'string') {
      throw invalid(
        `${LIST_PREFIX} expected string value, punctuation, or whitespace, but got different type in list: ${value.raw}`,
      )
    }
    return item.value
  })
}

/** Python's `str.islower()`: at least one cased character and no upper-case one. */
export function isLowerCase(text: string): boolean {
  return text === text.toLowerCase() && text !== text.toUpperCase()
}

/** Comparators are taken as written; MLflow rejects `<>`, so Carnet does too. */
export function canonicalComparator(op: string): string {
  return op
}

export function checkComparator(op: string, allowed: readonly Comparator[]): Comparator {
  const found = allowed.find((candidate) => candidate === op)
  if (found === undefined)
    throw invalid(`Invalid comparator '${op}' not one of '${pySet(allowed)}'`)
  return found
}

export function isListComparator(op: Comparator): boolean {
  return op === 'IN' || op === 'NOT IN'
}

/** A list only goes with IN / NOT IN (the grammar already gives IN / NOT IN a list). */
export function checkListComparator(op: Comparator): void {
  if (!isListComparator(op)) {
    throw invalid(`Invalid comparator '${op}' for a list of values. Expected 'IN' or 'NOT IN'`)
  }
}

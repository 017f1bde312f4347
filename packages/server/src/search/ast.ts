/**
 * The parsed form of a search filter and order_by list. Pure data: the SQL store compiles it.
 * MLflow's grammar is an AND-list of comparisons; Carnet adds OR, NOT and parentheses.
 */

export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset'

export type Comparator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL'

/**
 * One comparison. `key` is canonical: attribute aliases are resolved (`created` → `start_time`,
 * `run name` → `run_name`, `run_id` stays `run_id`), quotes and backticks are stripped.
 * `value` is a number for numeric comparisons, a string for string ones, a string list for IN / NOT IN,
 * and null for IS NULL / IS NOT NULL.
 * Numbers are always finite. For `run_id IN / NOT IN`, ids holding upper-case letters are dropped as
 * MLflow does (run ids are lower-case), so that list may be empty: IN () matches nothing, NOT IN ()
 * matches every run. Lists of the other keys are never empty.
 */
export interface Comparison {
  kind: 'cmp'
  entity: Entity
  key: string
  op: Comparator
  value: number | string | string[] | null
}

export type FilterExpr =
  | Comparison
  | { kind: 'and'; items: FilterExpr[] }
  | { kind: 'or'; items: FilterExpr[] }
  | { kind: 'not'; item: FilterExpr }

export interface OrderBy {
  entity: Entity
  key: string
  ascending: boolean
}

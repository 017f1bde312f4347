export type { Comparator, Comparison, Entity, FilterExpr, OrderBy } from './ast.ts'
export {
  DEFAULT_EXPERIMENTS_ORDER_BY,
  DEFAULT_RUNS_ORDER_BY,
  EXPERIMENTS_TIE_BREAKER,
  parseExperimentsOrderBy,
  parseRunsOrderBy,
} from './order-by.ts'
export { decodePageToken, encodePageToken } from './page-token.ts'
export { parseExperimentsFilter, parseRunsFilter } from './parser.ts'

import type { KeyValue, LoggedModel, LoggedModelStatus } from '@carnet/protocol'
import type {
  CreateLoggedModelInput,
  LoggedModelStore,
  SearchLoggedModelsQuery,
} from '../../logged-model-store.ts'
import type { Page } from '../../tracking-store.ts'
import type { SqlContext } from '../context.ts'
import { inTransaction, withReads } from '../transaction.ts'
import * as models from './logged-models.ts'
import { getLoggedModelRow } from './rows.ts'
import { searchLoggedModels } from './search.ts'

/** MLflow 3 logged models in MLflow's tables, sharing the tracking store's connection. */
export class SqlLoggedModelStore implements LoggedModelStore {
  readonly #ctx: SqlContext
  readonly #readCtx: SqlContext

  /** `readContext`: where reads outside transactions go (the tracking store's read connection). */
  constructor(ctx: SqlContext, readContext?: SqlContext) {
    this.#ctx = ctx
    this.#readCtx = readContext ?? ctx
  }

  #write<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    return inTransaction(this.#ctx, fn)
  }

  #read<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    return withReads(this.#readCtx, fn)
  }

  createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel> {
    return this.#write((ctx) => models.createLoggedModel(ctx, input))
  }

  getLoggedModel(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    return this.#read(async (ctx) =>
      models.loggedModel(ctx, await getLoggedModelRow(ctx, modelId, { allowDeleted })),
    )
  }

  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.#write((ctx) => models.finalizeLoggedModel(ctx, modelId, status))
  }

  deleteLoggedModel(modelId: string): Promise<void> {
    return this.#write((ctx) => models.deleteLoggedModel(ctx, modelId))
  }

  setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void> {
    return this.#write((ctx) => models.setLoggedModelTags(ctx, modelId, tags))
  }

  deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    return this.#write((ctx) => models.deleteLoggedModelTag(ctx, modelId, key))
  }

  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void> {
    return this.#write((ctx) => models.logLoggedModelParams(ctx, modelId, params))
  }

  searchLoggedModels(query: SearchLoggedModelsQuery): Promise<Page<LoggedModel>> {
    return this.#read((ctx) => searchLoggedModels(ctx, query))
  }
}

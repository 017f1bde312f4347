import type { KeyValue, ModelVersion, RegisteredModel } from '@carnet/protocol'
import { MlflowError } from '@carnet/protocol'
import type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  RegistrySearchQuery,
  RegistryStore,
} from '../../registry-store.ts'
import type { Page } from '../../tracking-store.ts'
import type { SqlContext } from '../context.ts'
import { inTransaction, withReads } from '../transaction.ts'
import * as aliases from './aliases.ts'
import * as versions from './model-versions.ts'
import * as models from './registered-models.ts'
import * as search from './search.ts'
import { checkModelVersionSource, type SourcePolicyOptions } from './source-policy.ts'
import * as tags from './tags.ts'
import {
  isPromptTagged,
  validateModelName,
  validateModelVersionTag,
  validateRegisteredModelTag,
} from './validation.ts'

export interface SqlRegistryStoreOptions extends SourcePolicyOptions {
  /** MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: sources must also match it. */
  sourceRegex?: string | undefined
  /** Where reads outside transactions go (the tracking store's read connection on SQLite). */
  readContext?: SqlContext | undefined
}

/** Attempts at numbering a new version when concurrent registrations take the same number. */
const CREATE_VERSION_ATTEMPTS = 3

/**
 * The model registry in MLflow's tables (registered_models, model_versions, their tags, aliases),
 * sharing the tracking store's connection. Reads and writes are transactions of their own.
 */
export class SqlRegistryStore implements RegistryStore {
  readonly #ctx: SqlContext
  readonly #options: SqlRegistryStoreOptions

  constructor(ctx: SqlContext, options: Partial<SqlRegistryStoreOptions> = {}) {
    this.#ctx = ctx
    this.#options = {
      ...options,
      defaultArtifactRoot: options.defaultArtifactRoot ?? ctx.defaultArtifactRoot,
    }
  }

  #write<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    return inTransaction(this.#ctx, fn)
  }

  #read<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    return withReads(this.#options.readContext ?? this.#ctx, fn)
  }

  #isDuplicate(error: unknown): boolean {
    const cause = error instanceof MlflowError ? error.cause : error
    return this.#ctx.dialect.isUniqueViolation(cause)
  }

  async createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel> {
    validateModelName(input.name)
    for (const tag of input.tags) validateRegisteredModelTag(tag)
    try {
      return await this.#write(async (ctx) => {
        const row = await models.insertRegisteredModel(ctx, input)
        return models.getRegisteredModel(ctx, row.name)
      })
    } catch (error) {
      if (this.#isDuplicate(error)) {
        throw await this.#read((ctx) => models.alreadyExistsError(ctx, input.name, input.tags))
      }
      throw error
    }
  }

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.#read((ctx) => models.getRegisteredModel(ctx, name))
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    try {
      return await this.#write((ctx) => models.renameRegisteredModel(ctx, name, newName))
    } catch (error) {
      if (this.#isDuplicate(error)) {
        // mlflow-compat (MLflow appends the driver's message)
        throw new MlflowError(
          'RESOURCE_ALREADY_EXISTS',
          `Registered Model (name=${newName}) already exists.`,
        )
      }
      throw error
    }
  }

  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.#write((ctx) => models.updateRegisteredModel(ctx, name, description))
  }

  deleteRegisteredModel(name: string): Promise<void> {
    return this.#write((ctx) => models.deleteRegisteredModel(ctx, name))
  }

  searchRegisteredModels(query: RegistrySearchQuery): Promise<Page<RegisteredModel>> {
    return this.#read((ctx) => search.searchRegisteredModels(ctx, query))
  }

  getLatestVersions(name: string, stages: string[]): Promise<ModelVersion[]> {
    return this.#read((ctx) => models.getLatestVersions(ctx, name, stages))
  }

  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void> {
    return this.#write((ctx) => tags.setRegisteredModelTag(ctx, name, tag))
  }

  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.#write((ctx) => tags.deleteRegisteredModelTag(ctx, name, key))
  }

  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const regex = this.#options.sourceRegex
    if (regex && input.source && !new RegExp(regex).test(input.source)) {
      // mlflow-compat
      throw MlflowError.invalidParameter(`Invalid model version source: '${input.source}'.`)
    }
    const isPrompt = isPromptTagged(input.tags)
    if (isPrompt && !versions.PROMPT_SOURCES.includes(input.source)) {
      // mlflow-compat
      throw MlflowError.invalidParameter(
        `Invalid prompt source: '${input.source}'. Prompt sources must use an MLflow placeholder.`,
      )
    }
    validateModelName(input.name)
    for (const tag of input.tags) validateModelVersionTag(tag)
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#write(async (ctx) => {
          const lineage = isPrompt
            ? { source: input.source, runId: input.runId ?? '', modelId: input.modelId ?? '' }
            : await versions.resolveLineage(
                ctx,
                input,
                (name, stage) => versions.latestVersionNumber(ctx, name, stage),
                (name, alias) => aliases.versionNumberByAlias(ctx, name, alias),
              )
          if (!isPrompt) {
            await checkModelVersionSource(ctx, this.#options, {
              source: lineage.source,
              runId: lineage.runId ?? '',
              modelId: lineage.modelId,
            })
          }
          return versions.insertModelVersion(ctx, input, lineage)
        })
      } catch (error) {
        if (!this.#isDuplicate(error)) throw error
        if (attempt >= CREATE_VERSION_ATTEMPTS) {
          // mlflow-compat
          throw new MlflowError(
            'INTERNAL_ERROR',
            `Model Version creation error (name=${input.name}). Giving up after ${CREATE_VERSION_ATTEMPTS} attempts.`,
          )
        }
      }
    }
  }

  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.#read((ctx) => versions.getModelVersion(ctx, name, version))
  }

  updateModelVersion(
    name: string,
    version: string,
    description: string | undefined,
  ): Promise<ModelVersion> {
    return this.#write((ctx) => versions.updateModelVersion(ctx, name, version, description))
  }

  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    return this.#write((ctx) =>
      versions.transitionStage(ctx, name, version, stage, archiveExistingVersions),
    )
  }

  deleteModelVersion(name: string, version: string): Promise<void> {
    return this.#write((ctx) => versions.deleteModelVersion(ctx, name, version))
  }

  getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return this.#read((ctx) => versions.downloadUri(ctx, name, version))
  }

  searchModelVersions(query: RegistrySearchQuery): Promise<Page<ModelVersion>> {
    return this.#read((ctx) => search.searchModelVersions(ctx, query))
  }

  setModelVersionTag(name: string, version: string, tag: KeyValue): Promise<void> {
    return this.#write((ctx) => tags.setModelVersionTag(ctx, name, version, tag))
  }

  deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return this.#write((ctx) => tags.deleteModelVersionTag(ctx, name, version, key))
  }

  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return this.#write((ctx) => aliases.setAlias(ctx, name, alias, version))
  }

  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.#write((ctx) => aliases.deleteAlias(ctx, name, alias))
  }

  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.#read((ctx) => aliases.getVersionByAlias(ctx, name, alias))
  }
}

/** Model version stages (mlflow/entities/model_registry/model_version_stages.py). */
import { MlflowError, MODEL_VERSION_STAGES, type ModelVersionStage } from '@carnet/protocol'

/** The stage of soft-deleted versions: they keep their number but are invisible everywhere. */
export const DELETED_STAGE = 'Deleted_Internal'
export const ARCHIVED_STAGE: ModelVersionStage = 'Archived'
/** Stages whose other versions `archive_existing_versions` moves to Archived. */
export const ACTIVE_STAGES: readonly ModelVersionStage[] = ['Staging', 'Production']

/** The stage as MLflow spells it, whatever the case it was given in. */
export function canonicalStage(stage: string): ModelVersionStage {
  const found = MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase())
  if (!found) {
    // mlflow-compat
    throw MlflowError.invalidParameter(
      `Invalid Model Version stage: ${stage}. Value must be one of ${MODEL_VERSION_STAGES.join(', ')}.`,
    )
  }
  return found
}

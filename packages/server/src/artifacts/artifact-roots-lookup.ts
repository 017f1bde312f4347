import { MlflowError } from '@carnet/protocol'
import { sql } from 'kysely'
import type { SqlContext } from '../store/sql/context.ts'

/**
 * Artifact roots of registry and logged-model rows, read straight from MLflow's tables so the
 * artifact routes do not depend on the registry or logged-model stores.
 */

/** MLflow's `get_model_version_download_uri`: `storage_location or source` of a live version. */
export async function modelVersionArtifactUri(
  ctx: SqlContext,
  name: string,
  version: string,
): Promise<string> {
  if (!/^\s*-?\d+\s*$/.test(version)) {
    // mlflow-compat
    throw MlflowError.invalidParameter(`Parameter 'version' must be an integer, got '${version}'.`)
  }
  const { rows } = await sql<{
    name: string
    storage_location: string | null
    source: string | null
  }>`
    SELECT name, storage_location, source FROM model_versions
    WHERE workspace = 'default' AND name = ${name} AND version = ${Number(version)}
      AND (current_stage IS NULL OR current_stage <> 'Deleted_Internal')`.execute(ctx.db)
  // MySQL's default collation ignores case; registry names are case-sensitive.
  const row = rows.find((r) => r.name === name)
  const uri = row?.storage_location || row?.source
  if (!row || !uri) {
    // mlflow-compat
    throw MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`)
  }
  return uri
}

export async function loggedModelArtifactUri(ctx: SqlContext, modelId: string): Promise<string> {
  const { rows } = await sql<{ artifact_location: string }>`
    SELECT artifact_location FROM logged_models WHERE model_id = ${modelId}`.execute(ctx.db)
  const row = rows[0]
  // mlflow-compat
  if (!row) throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`)
  return row.artifact_location
}

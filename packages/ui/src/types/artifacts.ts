/** MLflow artifact wire shapes (FileInfo, list responses); move to @carnet/protocol when it has them. */

export interface FileInfo {
  path: string
  is_dir?: boolean
  file_size?: number
}

export interface ListArtifactsResponse {
  root_uri?: string
  files?: FileInfo[]
}

/** Tree on the left, preview on the right; directory actions (e.g. register a model) come from the page. */
import type { ReactNode } from 'react'
import { EmptyState } from '../../../components/ui/empty-state.tsx'
import type { FileInfo } from '../../../types/artifacts.ts'
import type { ArtifactSource } from '../api/artifact-source.ts'
import { ArtifactPreview } from './artifact-preview.tsx'
import { ArtifactTree, useListing } from './artifact-tree.tsx'

interface ArtifactBrowserProps {
  source: ArtifactSource
  /** Selected file or directory, relative to the root. */
  path: string
  onNavigate: (path: string) => void
  /** Actions for a directory that holds a model (an MLmodel file). */
  modelActions?: (dir: string) => ReactNode
}

export function ArtifactBrowser({ source, path, onNavigate, modelActions }: ArtifactBrowserProps) {
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''
  // the selected entry's FileInfo comes from its parent's listing
  const siblings = useListing(source, parent)
  const entry = siblings.data?.find((f) => f.path === path)
  const isDir = entry?.is_dir ?? path === ''
  const dirListing = useListing(source, path, isDir)
  const modelDir = isDir && dirListing.data?.some((f) => f.path.endsWith('MLmodel'))
  const onSelect = (f: FileInfo) => onNavigate(f.path)
  return (
    <div className="artifact-browser">
      <ArtifactTree source={source} selected={path} onSelect={onSelect} />
      <div className="artifact-main">
        {modelDir && modelActions && (
          <div className="model-dir-bar">
            <span>
              <strong>{path || 'This folder'}</strong> is an MLflow model.
            </span>
            {modelActions(path)}
          </div>
        )}
        {path && entry && !entry.is_dir ? (
          <ArtifactPreview source={source} file={entry} />
        ) : path && siblings.isSuccess && !entry ? (
          <EmptyState title="Not found">No artifact at {path}.</EmptyState>
        ) : (
          <EmptyState title={path ? `Folder ${path}` : 'Artifacts'}>
            Select a file to preview it.
          </EmptyState>
        )}
      </div>
    </div>
  )
}

/** The file tree: directories load their listing when opened; the selected path is highlighted. */
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { formatBytes } from '../../../lib/format.ts'
import type { FileInfo } from '../../../types/artifacts.ts'
import type { ArtifactSource } from '../api/artifact-source.ts'

interface TreeProps {
  source: ArtifactSource
  selected: string
  onSelect: (file: FileInfo) => void
}

export function useListing(source: ArtifactSource, path: string, enabled = true) {
  return useQuery({
    queryKey: ['artifacts', source.id, path],
    queryFn: ({ signal }) => source.list(path, signal),
    enabled,
  })
}

export function ArtifactTree({ source, selected, onSelect }: TreeProps) {
  return (
    <div className="artifact-tree" role="tree" aria-label="Artifacts">
      <Dir source={source} path="" depth={0} selected={selected} onSelect={onSelect} open />
    </div>
  )
}

function Dir({
  source,
  path,
  depth,
  selected,
  onSelect,
  open,
}: TreeProps & { path: string; depth: number; open: boolean }) {
  const listing = useListing(source, path, open)
  if (!open) return null
  if (listing.isPending)
    return (
      <div className="muted small tree-pad" style={{ paddingLeft: depth * 14 + 8 }}>
        Loading…
      </div>
    )
  if (listing.error) return <div className="field-error small">{listing.error.message}</div>
  const files = [...(listing.data ?? [])].sort(
    (a, b) => Number(Boolean(b.is_dir)) - Number(Boolean(a.is_dir)) || a.path.localeCompare(b.path),
  )
  if (files.length === 0 && depth === 0)
    return <div className="muted small tree-pad">No artifacts</div>
  return (
    <>
      {files.map((f) => (
        <Node
          key={f.path}
          file={f}
          source={source}
          depth={depth}
          selected={selected}
          onSelect={onSelect}
        />
      ))}
    </>
  )
}

function Node({
  file,
  source,
  depth,
  selected,
  onSelect,
}: TreeProps & { file: FileInfo; depth: number }) {
  const [open, setOpen] = useState(selected === file.path || selected.startsWith(`${file.path}/`))
  const name = file.path.split('/').pop() ?? file.path
  return (
    <>
      <button
        type="button"
        role="treeitem"
        aria-expanded={file.is_dir ? open : undefined}
        aria-selected={selected === file.path}
        className={`tree-node${selected === file.path ? ' selected' : ''}`}
        style={{ paddingLeft: depth * 14 + 8 }}
        onClick={() => {
          if (file.is_dir) setOpen(!open)
          onSelect(file)
        }}
      >
        <span className="tree-icon" aria-hidden="true">
          {file.is_dir ? (open ? '▾' : '▸') : '·'}
        </span>
        <span className="tree-name">{name}</span>
        {!file.is_dir && <span className="muted small">{formatBytes(file.file_size)}</span>}
      </button>
      {file.is_dir && open && (
        <Dir
          source={source}
          path={file.path}
          depth={depth + 1}
          selected={selected}
          onSelect={onSelect}
          open
        />
      )}
    </>
  )
}

/**
 * Previews by file type: images, text and code, CSV/TSV as a table, HTML in a sandboxed frame
 * (no scripts, no same-origin), PDF; anything else offers a download.
 */
import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { Loading } from '../../../components/ui/empty-state.tsx'
import { ErrorBanner } from '../../../components/ui/error-banner.tsx'
import { ApiError } from '../../../lib/api-client.ts'
import { parseCsv } from '../../../lib/csv.ts'
import { formatBytes } from '../../../lib/format.ts'
import type { FileInfo } from '../../../types/artifacts.ts'
import type { ArtifactSource } from '../api/artifact-source.ts'

const IMAGE = /\.(png|jpe?g|gif|svg|bmp|webp|ico)$/i
const TEXT =
  /(\.(txt|log|json|ya?ml|py|md|toml|ini|cfg|conf|sh|js|ts|r|sql|xml|properties|env|ipynb|jsonl)$|(^|\/)(MLmodel|MLproject|Dockerfile|LICENSE|requirements\.txt)$)/i
const TABLE = /\.(csv|tsv)$/i
const HTML = /\.html?$/i
const PDF = /\.pdf$/i
const MAX_TEXT = 2 * 1024 * 1024

export type PreviewKind = 'image' | 'text' | 'table' | 'html' | 'pdf' | 'none'

export function previewKind(path: string): PreviewKind {
  if (IMAGE.test(path)) return 'image'
  if (TABLE.test(path)) return 'table'
  if (HTML.test(path)) return 'html'
  if (PDF.test(path)) return 'pdf'
  if (TEXT.test(path)) return 'text'
  return 'none'
}

async function fetchBody(url: string, signal: AbortSignal): Promise<Response> {
  const res = await fetch(url, { signal })
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`
    try {
      const body = (await res.json()) as { message?: string; error_code?: string }
      if (body.message) message = body.message
    } catch {
      // keep the status text
    }
    throw new ApiError(message, res.status, 'HTTP_ERROR')
  }
  return res
}

function useText(url: string, enabled: boolean) {
  return useQuery({
    queryKey: ['artifact-text', url],
    enabled,
    queryFn: async ({ signal }) => (await fetchBody(url, signal)).text(),
    staleTime: 60_000,
  })
}

export function ArtifactPreview({ source, file }: { source: ArtifactSource; file: FileInfo }) {
  const url = source.url(file.path)
  const kind = previewKind(file.path)
  const [force, setForce] = useState(false)
  const tooBig = (file.file_size ?? 0) > MAX_TEXT && kind !== 'image' && kind !== 'pdf'
  const text = useText(
    url,
    (kind === 'text' || kind === 'table' || kind === 'html') && (!tooBig || force),
  )
  const name = file.path.split('/').pop() ?? file.path
  return (
    <div className="artifact-preview">
      <div className="preview-head">
        <span className="mono strong">{file.path}</span>
        <span className="muted small">{formatBytes(file.file_size)}</span>
        <a className="button small" href={url} download={name}>
          Download
        </a>
      </div>
      {tooBig && !force ? (
        <div className="muted">
          Large file ({formatBytes(file.file_size)}).{' '}
          <button type="button" className="link-button" onClick={() => setForce(true)}>
            Preview anyway
          </button>
        </div>
      ) : kind === 'image' ? (
        <img className="preview-image" src={url} alt={file.path} />
      ) : kind === 'pdf' ? (
        <PdfPreview url={url} />
      ) : kind === 'none' ? (
        <div className="muted">No preview for this file type. Use Download.</div>
      ) : text.error ? (
        <ErrorBanner error={text.error} title="Could not load the file" />
      ) : text.data === undefined ? (
        <Loading />
      ) : kind === 'table' ? (
        <CsvTable text={text.data} separator={/\.tsv$/i.test(file.path) ? '\t' : ','} />
      ) : kind === 'html' ? (
        // scripts may run (plots need them) but in an opaque origin: no access to this app or its cookies
        <iframe
          className="preview-frame"
          title={file.path}
          sandbox="allow-scripts"
          srcDoc={text.data}
        />
      ) : (
        <pre className="preview-text">{prettify(file.path, text.data)}</pre>
      )}
    </div>
  )
}

function prettify(path: string, text: string): string {
  if (!/\.json$/i.test(path) || text.length > 500_000) return text
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

function CsvTable({ text, separator }: { text: string; separator: string }) {
  const rows = parseCsv(text, separator, 501)
  const [head, ...body] = rows
  return (
    <div className="preview-table-wrap">
      <table className="table preview-table">
        <thead>
          <tr>
            {head?.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: header cells of a static file
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.slice(0, 500).map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of a static file
            <tr key={i}>
              {r.map((c, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells of a static file
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 500 && <div className="muted small">First 500 rows shown.</div>}
    </div>
  )
}

/** The proxy answers with `attachment`, so the PDF is fetched and shown from a blob URL. */
function PdfPreview({ url }: { url: string }) {
  const [blobUrl, setBlobUrl] = useState<string>()
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    const ctrl = new AbortController()
    let made: string | undefined
    fetchBody(url, ctrl.signal)
      .then((r) => r.arrayBuffer())
      .then((buf) => {
        made = URL.createObjectURL(new Blob([buf], { type: 'application/pdf' }))
        setBlobUrl(made)
      })
      .catch((e: unknown) => {
        if (!ctrl.signal.aborted) setError(e)
      })
    return () => {
      ctrl.abort()
      if (made) URL.revokeObjectURL(made)
    }
  }, [url])
  if (error) return <ErrorBanner error={error} title="Could not load the PDF" />
  if (!blobUrl) return <Loading />
  return <iframe className="preview-frame" title="PDF preview" src={blobUrl} />
}

/** A model version's input / output schema, read from its MLmodel file. */
import { useQuery } from '@tanstack/react-query'
import { Loading } from '../../../components/ui/empty-state.tsx'
import { parseSignature, type SchemaField } from '../utils/mlmodel.ts'

export function SignatureTable({ mlmodelUrl }: { mlmodelUrl: string | undefined }) {
  const q = useQuery({
    queryKey: ['mlmodel', mlmodelUrl],
    enabled: Boolean(mlmodelUrl),
    queryFn: async ({ signal }) => {
      const res = await fetch(mlmodelUrl!, { signal })
      if (!res.ok) throw new Error(`MLmodel not readable (${res.status})`)
      return res.text()
    },
  })
  if (!mlmodelUrl) return <div className="muted small">No model files linked to this version.</div>
  if (q.isPending) return <Loading label="Reading MLmodel…" />
  if (q.error) return <div className="muted small">{q.error.message}</div>
  const sig = parseSignature(q.data)
  if (!sig) return <div className="muted small">This model has no signature.</div>
  return (
    <div className="two-col">
      <SchemaList title="Inputs" fields={sig.inputs} />
      <SchemaList title="Outputs" fields={sig.outputs} />
    </div>
  )
}

function SchemaList({ title, fields }: { title: string; fields: SchemaField[] }) {
  return (
    <section aria-label={`Schema ${title.toLowerCase()}`}>
      <h4>
        {title} <span className="count">{fields.length}</span>
      </h4>
      <table className="table kv-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((f, i) => (
            <tr key={`${f.name ?? i}`}>
              <td className="kv-key">{f.name ?? `(${i})`}</td>
              <td className="mono small">
                {f.type}
                {f.detail && <span className="muted"> {f.detail}</span>}
                {f.required === false && <span className="muted"> (optional)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

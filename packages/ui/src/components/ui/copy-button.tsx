/** Copies a value (a run id, a model URI) to the clipboard. */
import { useState } from 'react'

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [done, setDone] = useState(false)
  const copy = () => {
    const finish = () => {
      setDone(true)
      setTimeout(() => setDone(false), 1200)
    }
    if (navigator.clipboard) navigator.clipboard.writeText(value).then(finish, finish)
    else finish()
  }
  return (
    <button type="button" className="link-button small" onClick={copy} title={`Copy ${value}`}>
      {done ? 'Copied' : label}
    </button>
  )
}

/**
 * The runs filter: Carnet's search language (MLflow's plus OR / NOT / parentheses), key
 * autocomplete from the loaded runs, and the server's parse error shown under the box.
 */
import { type KeyboardEvent, useEffect, useRef, useState } from 'react'
import { type Suggestion, suggest } from '../utils/filter-suggest.ts'
import type { RunKeys } from '../utils/run-index.ts'

interface FilterBoxProps {
  value: string
  keys: RunKeys
  error?: string
  onApply: (filter: string) => void
}

export function FilterBox({ value, keys, error, onApply }: FilterBoxProps) {
  const [text, setText] = useState(value)
  const [items, setItems] = useState<Suggestion[]>([])
  const [index, setIndex] = useState(0)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => setText(value), [value])

  const refresh = (next: string, cursor: number) => {
    setItems(suggest(next, cursor, keys))
    setIndex(0)
  }
  const accept = (s: Suggestion) => {
    const next = text.slice(0, s.from) + s.insert + text.slice(s.to)
    setText(next)
    const cursor = s.from + s.insert.length
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(cursor, cursor)
      refresh(next, cursor)
    })
  }
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (items.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        const step = e.key === 'ArrowDown' ? 1 : -1
        setIndex((index + step + items.length) % items.length)
        return
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && index >= 0 && items[index])) {
        e.preventDefault()
        accept(items[index]!)
        return
      }
      if (e.key === 'Escape') {
        setItems([])
        return
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault()
      setItems([])
      onApply(text)
    }
  }
  return (
    <div className="filter-box">
      <div className="row">
        <input
          ref={input}
          role="combobox"
          className={`input grow mono${error ? ' invalid' : ''}`}
          type="search"
          spellCheck={false}
          autoComplete="off"
          placeholder="metrics.rmse < 1 and params.model = 'tree' or tags.team = 'red'"
          aria-label="Filter runs"
          aria-invalid={Boolean(error)}
          aria-describedby={error ? 'filter-error' : undefined}
          aria-autocomplete="list"
          aria-expanded={items.length > 0}
          aria-controls="filter-suggestions"
          value={text}
          onChange={(e) => {
            setText(e.target.value)
            refresh(e.target.value, e.target.selectionStart ?? e.target.value.length)
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setItems([]), 150)}
        />
        <button type="button" className="button" onClick={() => onApply(text)}>
          Search
        </button>
        {value && (
          <button
            type="button"
            className="button"
            onClick={() => {
              setText('')
              onApply('')
            }}
          >
            Clear
          </button>
        )}
      </div>
      {items.length > 0 && (
        <div className="suggestions" id="filter-suggestions" role="listbox">
          {items.map((s, i) => (
            <div
              key={s.label}
              role="option"
              tabIndex={-1}
              aria-selected={i === index}
              className={i === index ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault()
                accept(s)
              }}
            >
              {s.label}
            </div>
          ))}
        </div>
      )}
      {error && (
        <div className="field-error" id="filter-error" role="alert">
          {error}
        </div>
      )}
    </div>
  )
}

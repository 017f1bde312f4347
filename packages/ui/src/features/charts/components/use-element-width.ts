/** Tracks an element's width with a ResizeObserver (charts redraw to fit). */
import { type RefCallback, useCallback, useRef, useState } from 'react'

export function useElementWidth<T extends HTMLElement>(): [RefCallback<T>, number] {
  const [width, setWidth] = useState(0)
  const observer = useRef<ResizeObserver | undefined>(undefined)
  const ref = useCallback((el: T | null) => {
    observer.current?.disconnect()
    if (!el) return
    setWidth(Math.floor(el.getBoundingClientRect().width))
    if (typeof ResizeObserver === 'undefined') return
    observer.current = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0)
      setWidth((prev) => (prev === w ? prev : w))
    })
    observer.current.observe(el)
  }, [])
  return [ref, width]
}

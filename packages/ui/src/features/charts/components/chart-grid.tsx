/** A virtualized grid of chart cards: only rows on screen are mounted (and fetch), so 1,000 keys stay light. */
import { useVirtualizer } from '@tanstack/react-virtual'
import { type ReactNode, useRef } from 'react'
import { useElementWidth } from './use-element-width.ts'

interface ChartGridProps {
  keys: readonly string[]
  renderCard: (key: string) => ReactNode
  cardWidth?: number
  rowHeight?: number
  className?: string
}

export function ChartGrid({
  keys,
  renderCard,
  cardWidth = 400,
  rowHeight = 270,
  className,
}: ChartGridProps) {
  const scroller = useRef<HTMLDivElement | null>(null)
  const [measure, width] = useElementWidth<HTMLDivElement>()
  const perRow = Math.max(1, Math.floor((width || cardWidth) / cardWidth))
  const rows = Math.ceil(keys.length / perRow)
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 1,
  })
  return (
    <div
      ref={(el) => {
        scroller.current = el
        measure(el)
      }}
      className={`chart-grid ${className ?? ''}`}
      data-count={keys.length}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.index}
            className="chart-row"
            style={{
              transform: `translateY(${row.start}px)`,
              height: rowHeight,
              gridTemplateColumns: `repeat(${perRow}, minmax(0, 1fr))`,
            }}
          >
            {keys.slice(row.index * perRow, row.index * perRow + perRow).map((k) => (
              <div key={k} className="chart-cell">
                {renderCard(k)}
              </div>
            ))}
          </div>
        ))}
      </div>
    </div>
  )
}

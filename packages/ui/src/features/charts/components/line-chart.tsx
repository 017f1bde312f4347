/**
 * A canvas line chart: many series, optional bands (mean ± std), log y, hover read-out, and
 * drag-to-zoom on x (double-click resets). Drawing is one pass per change; hover never redraws lines.
 */
import { type MouseEvent, useEffect, useMemo, useRef, useState } from 'react'
import { formatNumber } from '../../../lib/format.ts'
import { cssVar, useTheme } from '../../../lib/theme.ts'
import { bisect, extent, formatTick, makeScale } from '../utils/scale.ts'
import type { Series, XAxis } from '../utils/series.ts'
import { useElementWidth } from './use-element-width.ts'

interface LineChartProps {
  series: Series[]
  xAxis: XAxis
  logY?: boolean
  height?: number
  xDomain?: [number, number]
  onZoom?: (domain: [number, number] | undefined) => void
  label: string
}

const PAD = { left: 52, right: 12, top: 8, bottom: 24 }

export function LineChart({
  series,
  xAxis,
  logY = false,
  height = 220,
  xDomain,
  onZoom,
  label,
}: LineChartProps) {
  const [box, width] = useElementWidth<HTMLDivElement>()
  const canvas = useRef<HTMLCanvasElement>(null)
  const [hover, setHover] = useState<{ px: number; x: number }>()
  const [drag, setDrag] = useState<{ from: number; to: number }>()
  const [theme] = useTheme()

  const scales = useMemo(() => {
    const xd =
      xDomain ??
      extent(
        series.flatMap((s) => s.xs),
        false,
        0,
      )
    const inX = (s: Series) =>
      s.ys
        .filter((_, i) => s.xs[i]! >= xd[0] && s.xs[i]! <= xd[1])
        .concat(
          ...(s.lo ? [s.lo.filter((_, i) => s.xs[i]! >= xd[0] && s.xs[i]! <= xd[1])] : []),
          ...(s.hi ? [s.hi.filter((_, i) => s.xs[i]! >= xd[0] && s.xs[i]! <= xd[1])] : []),
        )
    const yd = extent(series.flatMap(inX), logY)
    const w = Math.max(width, 60)
    return {
      x: makeScale(xd, [PAD.left, w - PAD.right]),
      y: makeScale(yd, [height - PAD.bottom, PAD.top], logY),
      w,
    }
  }, [series, xDomain, logY, width, height])

  // biome-ignore lint/correctness/useExhaustiveDependencies: grid and label colours follow the theme
  useEffect(() => {
    const c = canvas.current
    const ctx = c?.getContext('2d')
    if (!c || !ctx || width === 0) return
    const dpr = window.devicePixelRatio || 1
    c.width = scales.w * dpr
    c.height = height * dpr
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    draw(ctx, series, scales, height, xAxis)
  }, [series, scales, height, width, xAxis, theme])

  const toData = (px: number) => {
    const [d0, d1] = scales.x.domain
    const [r0, r1] = [PAD.left, scales.w - PAD.right]
    return d0 + ((px - r0) / (r1 - r0)) * (d1 - d0)
  }
  const pxOf = (e: MouseEvent) => e.clientX - e.currentTarget.getBoundingClientRect().left
  const onMove = (e: MouseEvent<HTMLDivElement>) => {
    const px = pxOf(e)
    if (drag) setDrag({ ...drag, to: px })
    setHover(px >= PAD.left && px <= scales.w - PAD.right ? { px, x: toData(px) } : undefined)
  }
  const onUp = () => {
    if (drag && Math.abs(drag.to - drag.from) > 6 && onZoom) {
      const a = toData(Math.min(drag.from, drag.to))
      const b = toData(Math.max(drag.from, drag.to))
      onZoom([a, b])
    }
    setDrag(undefined)
  }
  const readout = hover ? readAt(series, hover.x) : []
  return (
    <div
      ref={box}
      className="line-chart"
      style={{ height }}
      role="img"
      aria-label={label}
      onMouseMove={onMove}
      onMouseLeave={() => {
        setHover(undefined)
        setDrag(undefined)
      }}
      onMouseDown={(e) => setDrag({ from: pxOf(e), to: pxOf(e) })}
      onMouseUp={onUp}
      onDoubleClick={() => onZoom?.(undefined)}
    >
      <canvas ref={canvas} style={{ width: scales.w, height }} />
      {drag && Math.abs(drag.to - drag.from) > 2 && (
        <div
          className="zoom-rect"
          style={{ left: Math.min(drag.from, drag.to), width: Math.abs(drag.to - drag.from) }}
        />
      )}
      {hover && (
        <>
          <div className="crosshair" style={{ left: hover.px }} />
          {readout.length > 0 && (
            <div
              className={`chart-tooltip ${hover.px > scales.w / 2 ? 'left' : ''}`}
              style={{ left: hover.px }}
            >
              <div className="muted small">
                {xAxis === 'wall'
                  ? new Date(hover.x).toLocaleString()
                  : `${xAxis === 'step' ? 'step' : 's'} ${formatNumber(readout[0]!.x)}`}
              </div>
              {readout.slice(0, 8).map((r) => (
                <div key={r.id} className="tip-row">
                  <span className="swatch" style={{ background: r.color }} />
                  <span className="tip-name">{r.name}</span>
                  <span className="num">{formatNumber(r.y)}</span>
                </div>
              ))}
              {readout.length > 8 && <div className="muted small">+{readout.length - 8} more</div>}
            </div>
          )}
        </>
      )}
    </div>
  )
}

function readAt(series: readonly Series[], x: number) {
  const out: { id: string; name: string; color: string; x: number; y: number }[] = []
  for (const s of series) {
    if (s.faded) continue
    const i = bisect(s.xs, x)
    if (i < 0) continue
    const j = i + 1 < s.xs.length && Math.abs(s.xs[i + 1]! - x) < Math.abs(s.xs[i]! - x) ? i + 1 : i
    out.push({ id: s.id, name: s.name, color: s.color, x: s.xs[j]!, y: s.ys[j]! })
  }
  return out.sort((a, b) => b.y - a.y)
}

type Scales = { x: ReturnType<typeof makeScale>; y: ReturnType<typeof makeScale>; w: number }

function draw(
  ctx: CanvasRenderingContext2D,
  series: readonly Series[],
  s: Scales,
  height: number,
  xAxis: XAxis,
) {
  const grid = cssVar('--chart-grid', '#e5e7eb')
  const text = cssVar('--muted', '#6b7280')
  ctx.clearRect(0, 0, s.w, height)
  ctx.font = '11px system-ui, sans-serif'
  ctx.fillStyle = text
  ctx.strokeStyle = grid
  ctx.lineWidth = 1
  ctx.textAlign = 'right'
  ctx.textBaseline = 'middle'
  for (const t of s.y.ticks) {
    const y = Math.round(s.y(t)) + 0.5
    if (y < PAD.top - 1 || y > height - PAD.bottom + 1) continue
    ctx.beginPath()
    ctx.moveTo(PAD.left, y)
    ctx.lineTo(s.w - PAD.right, y)
    ctx.stroke()
    ctx.fillText(formatTick(t), PAD.left - 4, y)
  }
  ctx.textAlign = 'center'
  ctx.textBaseline = 'top'
  for (const t of s.x.ticks) {
    const x = s.x(t)
    if (x < PAD.left - 1 || x > s.w - PAD.right + 1) continue
    ctx.fillText(formatTick(t, xAxis === 'wall' ? 'wall' : undefined), x, height - PAD.bottom + 6)
  }
  ctx.save()
  ctx.beginPath()
  ctx.rect(PAD.left, PAD.top - 2, s.w - PAD.left - PAD.right, height - PAD.top - PAD.bottom + 4)
  ctx.clip()
  for (const ser of series) {
    if (!ser.lo || !ser.hi || ser.xs.length === 0) continue
    ctx.globalAlpha = 0.18
    ctx.fillStyle = ser.color
    ctx.beginPath()
    for (let i = 0; i < ser.xs.length; i++) ctx.lineTo(s.x(ser.xs[i]!), s.y(ser.hi[i]!))
    for (let i = ser.xs.length - 1; i >= 0; i--) ctx.lineTo(s.x(ser.xs[i]!), s.y(ser.lo[i]!))
    ctx.fill()
  }
  for (const ser of series) {
    ctx.globalAlpha = ser.faded ? 0.25 : 1
    ctx.strokeStyle = ser.color
    ctx.lineWidth = ser.faded ? 1 : 1.6
    ctx.beginPath()
    let pen = false
    for (let i = 0; i < ser.xs.length; i++) {
      const v = ser.ys[i]!
      if (!Number.isFinite(v) || (s.y.log && v <= 0)) {
        pen = false
        continue
      }
      const x = s.x(ser.xs[i]!)
      const y = s.y(v)
      if (pen) ctx.lineTo(x, y)
      else ctx.moveTo(x, y)
      pen = true
    }
    ctx.stroke()
    if (ser.xs.length < 60) {
      ctx.fillStyle = ser.color
      for (let i = 0; i < ser.xs.length; i++) {
        const v = ser.ys[i]!
        if (!Number.isFinite(v) || (s.y.log && v <= 0)) continue
        ctx.beginPath()
        ctx.arc(s.x(ser.xs[i]!), s.y(v), 2, 0, Math.PI * 2)
        ctx.fill()
      }
    }
  }
  ctx.restore()
  ctx.globalAlpha = 1
}

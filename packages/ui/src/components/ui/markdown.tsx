/** A small, safe Markdown renderer: builds React elements (never HTML strings), so nothing is injected. */
import type { ReactNode } from 'react'

const SAFE_URL = /^(https?:|mailto:|#|\/|\.{0,2}\/)/i

function inline(text: string, keyBase: string): ReactNode[] {
  const out: ReactNode[] = []
  // code, bold, italic, links — in that priority
  const pattern =
    /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g
  let last = 0
  let i = 0
  for (const m of text.matchAll(pattern)) {
    const at = m.index ?? 0
    if (at > last) out.push(text.slice(last, at))
    const token = m[0]
    const key = `${keyBase}-${i++}`
    if (m[1]) out.push(<code key={key}>{token.slice(1, -1)}</code>)
    else if (m[2]) out.push(<strong key={key}>{inline(token.slice(2, -2), key)}</strong>)
    else if (m[3]) out.push(<em key={key}>{inline(token.slice(1, -1), key)}</em>)
    else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)
      const href = link?.[2] ?? ''
      out.push(
        SAFE_URL.test(href) ? (
          <a key={key} href={href} target="_blank" rel="noreferrer noopener">
            {link?.[1]}
          </a>
        ) : (
          token
        ),
      )
    }
    last = at + token.length
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

type Block =
  | { kind: 'h'; level: number; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'ul' | 'ol'; items: string[] }
  | { kind: 'quote'; text: string }
  | { kind: 'hr' }

export function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  const blocks: Block[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    if (line.startsWith('```')) {
      const body: string[] = []
      i++
      while (i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i++]!)
      i++
      blocks.push({ kind: 'code', text: body.join('\n') })
      continue
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line)
    if (heading) {
      blocks.push({ kind: 'h', level: heading[1]!.length, text: heading[2]! })
      i++
      continue
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      blocks.push({ kind: 'hr' })
      i++
      continue
    }
    const list = /^\s*([-*+]|\d+[.)])\s+/.exec(line)
    if (list) {
      const ordered = /\d/.test(list[1]!)
      const items: string[] = []
      while (i < lines.length) {
        const m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]!)
        if (!m) break
        items.push(m[2]!)
        i++
      }
      blocks.push({ kind: ordered ? 'ol' : 'ul', items })
      continue
    }
    if (line.startsWith('>')) {
      const body: string[] = []
      while (i < lines.length && lines[i]!.startsWith('>'))
        body.push(lines[i++]!.replace(/^>\s?/, ''))
      blocks.push({ kind: 'quote', text: body.join(' ') })
      continue
    }
    if (line.trim() === '') {
      i++
      continue
    }
    const para: string[] = []
    while (
      i < lines.length &&
      lines[i]!.trim() !== '' &&
      !/^(#{1,6}\s|```|>|\s*([-*+]|\d+[.)])\s)/.test(lines[i]!)
    ) {
      para.push(lines[i++]!)
    }
    blocks.push({ kind: 'p', text: para.join(' ') })
  }
  return blocks
}

export function Markdown({ source }: { source: string }) {
  const blocks = parseBlocks(source)
  return (
    <div className="markdown">
      {blocks.map((b, i) => {
        const key = `b${i}`
        switch (b.kind) {
          case 'h': {
            const Tag = `h${Math.min(b.level + 2, 6)}` as 'h3'
            return <Tag key={key}>{inline(b.text, key)}</Tag>
          }
          case 'p':
            return <p key={key}>{inline(b.text, key)}</p>
          case 'code':
            return (
              <pre key={key}>
                <code>{b.text}</code>
              </pre>
            )
          case 'ul':
          case 'ol': {
            const Tag = b.kind
            return (
              <Tag key={key}>
                {b.items.map((item, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: items are static text
                  <li key={j}>{inline(item, `${key}-${j}`)}</li>
                ))}
              </Tag>
            )
          }
          case 'quote':
            return <blockquote key={key}>{inline(b.text, key)}</blockquote>
          default:
            return <hr key={key} />
        }
      })}
    </div>
  )
}

// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, test, vi } from 'vitest'
import '../../testing/render.tsx'
import { previewKind } from '../../features/artifacts/components/artifact-preview.tsx'
import { CompareTable } from '../../features/compare/components/compare-table.tsx'
import { Markdown } from './markdown.tsx'
import { MarkdownEditor } from './markdown-editor.tsx'
import { TagsEditor } from './tags-editor.tsx'

describe('Markdown', () => {
  test('renders structure and refuses unsafe links and raw HTML', () => {
    const { container } = render(
      <Markdown
        source={
          '# Title\n\n**bold** and `code`\n\n- one\n- two\n\n[ok](https://x.org) [bad](javascript:alert(1)) <img src=x onerror=alert(1)>'
        }
      />,
    )
    expect(container.querySelector('h3')?.textContent).toBe('Title')
    expect(container.querySelectorAll('li')).toHaveLength(2)
    expect(container.querySelector('a')?.getAttribute('href')).toBe('https://x.org')
    expect(container.querySelectorAll('a')).toHaveLength(1)
    expect(container.querySelector('img')).toBeNull()
  })
})

describe('MarkdownEditor and TagsEditor', () => {
  test('edits and saves a description', async () => {
    const onSave = vi.fn(async () => {})
    render(<MarkdownEditor value="old" onSave={onSave} />)
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }))
    fireEvent.change(screen.getByLabelText('Description (Markdown)'), {
      target: { value: 'new **text**' },
    })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(onSave).toHaveBeenCalledWith('new **text**'))
  })
  test('adds tags, hides system tags, shows server errors', async () => {
    const onSet = vi.fn(async () => {
      throw new Error('Tag key too long')
    })
    render(
      <TagsEditor
        tags={[
          { key: 'a', value: '1' },
          { key: 'mlflow.user', value: 'x' },
        ]}
        onSet={onSet}
        onDelete={async () => {}}
      />,
    )
    expect(screen.queryByText('mlflow.user')).toBeNull()
    expect(screen.getByText('+1 system tags')).toBeTruthy()
    fireEvent.change(screen.getByLabelText('Tag key'), { target: { value: 'k' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add tag' }))
    await screen.findByText('Tag key too long')
  })
})

describe('CompareTable', () => {
  const columns = [
    {
      id: 'a',
      name: 'A',
      color: '',
      values: new Map([
        ['lr', '0.1'],
        ['epochs', '10'],
      ]),
    },
    {
      id: 'b',
      name: 'B',
      color: '',
      values: new Map([
        ['lr', '0.2'],
        ['epochs', '10'],
      ]),
    },
  ]
  test('differences only hides equal rows', () => {
    const { rerender } = render(
      <CompareTable title="Parameters" columns={columns} diffOnly={false} />,
    )
    expect(screen.getByText('epochs')).toBeTruthy()
    rerender(<CompareTable title="Parameters" columns={columns} diffOnly />)
    expect(screen.queryByText('epochs')).toBeNull()
    expect(screen.getByText('lr')).toBeTruthy()
  })
})

describe('artifact previews', () => {
  test('file types', () => {
    expect(previewKind('a/plot.PNG')).toBe('image')
    expect(previewKind('model/MLmodel')).toBe('text')
    expect(previewKind('x.tsv')).toBe('table')
    expect(previewKind('r.html')).toBe('html')
    expect(previewKind('r.pdf')).toBe('pdf')
    expect(previewKind('weights.bin')).toBe('none')
  })
})

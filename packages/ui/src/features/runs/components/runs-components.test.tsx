// @vitest-environment happy-dom
import type { Run } from '@carnet/protocol'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, test, vi } from 'vitest'
import { fakeLayout } from '../../../testing/render.tsx'
import { columnFromId } from '../utils/columns.ts'
import { treeRows } from '../utils/display-rows.ts'
import { indexRun } from '../utils/run-index.ts'
import { ColumnPicker } from './column-picker.tsx'
import { FilterBox } from './filter-box.tsx'
import { RunsTable } from './runs-table.tsx'

const keys = { metrics: ['loss', 'acc'], params: ['lr'], tags: ['team'] }

describe('FilterBox', () => {
  test('autocompletes keys with Tab and applies with Enter', () => {
    const onApply = vi.fn()
    render(<FilterBox value="" keys={keys} onApply={onApply} />)
    const box = screen.getByLabelText('Filter runs') as HTMLInputElement
    fireEvent.change(box, { target: { value: 'metrics.lo', selectionStart: 10 } })
    expect(screen.getByRole('option', { name: 'metrics.loss' })).toBeTruthy()
    fireEvent.keyDown(box, { key: 'Tab' })
    expect(box.value).toBe('metrics.loss ')
    fireEvent.change(box, { target: { value: 'metrics.loss < 1', selectionStart: 16 } })
    fireEvent.keyDown(box, { key: 'Enter' })
    expect(onApply).toHaveBeenCalledWith('metrics.loss < 1')
  })
  test('shows the server error inline', () => {
    render(
      <FilterBox
        value="x >"
        keys={keys}
        error="Invalid clause(s) in filter string"
        onApply={() => {}}
      />,
    )
    expect(screen.getByRole('alert').textContent).toContain('Invalid clause')
    expect(screen.getByLabelText('Filter runs').getAttribute('aria-invalid')).toBe('true')
  })
})

describe('ColumnPicker', () => {
  test('adds and removes columns, searchable', () => {
    const onChange = vi.fn()
    render(<ColumnPicker keys={keys} chosen={['metrics.loss']} onChange={onChange} />)
    fireEvent.click(screen.getByRole('button', { name: /Columns/ }))
    fireEvent.change(screen.getByLabelText('Search columns'), { target: { value: 'te' } })
    expect(screen.queryByLabelText('loss')).toBeNull()
    fireEvent.click(screen.getByLabelText('team'))
    expect(onChange).toHaveBeenLastCalledWith(['metrics.loss', 'tags.team'])
  })
})

function run(id: string, loss: number): Run {
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: id,
      experiment_id: '1',
      user_id: 'u',
      status: 'FINISHED',
      start_time: 1,
      lifecycle_stage: 'active',
    },
    data: { metrics: [{ key: 'loss', value: loss, step: 0, timestamp: 0 }] },
    inputs: {},
  }
}

describe('RunsTable', () => {
  test('virtualizes 10,000 rows, sorts from headers, selects with the keyboard', async () => {
    fakeLayout(1200, 600)
    const rows = treeRows(
      Array.from({ length: 10_000 }, (_, i) => indexRun(run(`r${i}`, i))),
      new Set(),
    )
    const onSort = vi.fn()
    const onSelect = vi.fn()
    const onEnd = vi.fn()
    render(
      <RunsTable
        experimentId="1"
        rows={rows}
        columns={[columnFromId('metrics.loss')!, columnFromId('attributes.status')!]}
        selected={new Set()}
        onSelect={onSelect}
        onSelectAll={() => {}}
        onExpand={() => {}}
        sort={undefined}
        onSort={onSort}
        aggs={{}}
        onAgg={() => {}}
        aggValues={new Map()}
        onRangeChange={() => {}}
        onEndReached={onEnd}
      />,
    )
    await waitFor(() => expect(document.querySelectorAll('.rt-row').length).toBeGreaterThan(5))
    const rendered = document.querySelectorAll('.rt-row').length
    expect(rendered).toBeLessThan(100)
    expect(screen.getByText('r0')).toBeTruthy()
    fireEvent.click(screen.getByTitle(/metrics.loss/))
    expect(onSort).toHaveBeenCalledWith('metrics.loss')
    const grid = screen.getByRole('grid', { name: 'Runs' })
    fireEvent.focus(grid)
    fireEvent.keyDown(grid, { key: 'ArrowDown' })
    fireEvent.keyDown(grid, { key: ' ' })
    expect(onSelect).toHaveBeenCalledTimes(1)
    expect(onSelect.mock.calls[0]?.[1]).toBe(true)
  })
})

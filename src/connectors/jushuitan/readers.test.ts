import { describe, expect, it } from 'vitest'
import { jstOptions } from './config.js'
import { JstReaders } from './readers.js'

const DAY = 86_400_000

describe('splitting a count window by its data_count', () => {
  it('makes at most 64 parts of a window whose first page reports an absurd data_count', async () => {
    const spans: number[] = []
    // The whole window claims 10^9 orders (a server bug); every part then answers sanely, empty.
    const call = (_api: string, biz: Record<string, unknown>): Promise<unknown> => {
      const span = Date.parse(`${String(biz.modified_end)}+08:00`) - Date.parse(`${String(biz.modified_begin)}+08:00`)
      spans.push(span)
      const absurd = span >= 7 * DAY - 1000
      return Promise.resolve({ datas: [], data_count: absurd ? 1e9 : 0, has_next: false, page_index: biz.page_index })
    }
    const readers = new JstReaders(call, jstOptions({ appKey: 'k', appSecret: 's' }))
    const start = Date.UTC(2026, 10, 1)
    for await (const page of readers.counts({}, { start: new Date(start), end: new Date(start + 7 * DAY) }))
      expect(page.rows).toEqual([])
    expect(spans[0]).toBe(7 * DAY)
    expect(spans.length).toBe(65)
  })
})

import { describe, expect, it } from 'vitest'
import { decodePage, Emitter, scanAndVerify, scanPass, type Row, type VendorPage } from './paging.js'

const key = (r: Row) => String(r.io_id)
const version = (r: Row) => Date.parse(String(r.modified))
const order = (id: number, modified = '2024-05-01T00:00:00Z') => ({ io_id: id, modified })

/** A fake server over a list that can change between calls. */
function server(data: () => Row[], size: number, quirk?: { requested: number }) {
  const calls: number[] = []
  const fetch = (i: number): Promise<VendorPage> => {
    calls.push(i)
    const all = data()
    const rows = all.slice((i - 1) * size, i * size)
    // Clamp quirk (spec §9.2): page_count computed from the requested size, so has_next ends early.
    const pageCount = Math.ceil(all.length / (quirk?.requested ?? size))
    return Promise.resolve({ pageIndex: i, rows, dataCount: all.length, hasNext: i < pageCount })
  }
  return { fetch, calls }
}

async function collect(gen: AsyncGenerator<{ rows: readonly Row[] }>): Promise<Row[]> {
  const out: Row[] = []
  for await (const p of gen) out.push(...p.rows)
  return out
}

describe('scanPass', () => {
  it('keeps paging past a has_next=false while rows fall short of data_count (the clamp quirk)', async () => {
    const rows = Array.from({ length: 120 }, (_x, i) => order(i + 1))
    const s = server(() => rows, 50, { requested: 100 })
    const pass = await scanPass(s.fetch, key)
    expect(pass.ids.size).toBe(120)
    expect(s.calls).toEqual([1, 2, 3])
    expect(pass.consistent).toBe(true)
  })

  it('stops at an empty page even when has_next keeps saying true', async () => {
    let n = 0
    const pass = await scanPass((i) => {
      n += 1
      return Promise.resolve({ pageIndex: i, rows: i === 1 ? [order(1)] : [], dataCount: 5, hasNext: true })
    }, key)
    expect(n).toBe(2)
    expect(pass.consistent).toBe(false)
  })
})

describe('scanAndVerify', () => {
  it('does not re-read a window that fitted one consistent page', async () => {
    const s = server(() => [order(1), order(2)], 50)
    const rows = await collect(scanAndVerify(s.fetch, new Emitter(key, version), key, { passes: 3, label: 'w' }))
    expect(rows).toHaveLength(2)
    expect(s.calls).toEqual([1])
  })

  it('finds a row shifted onto an earlier page while paging, and emits every row once', async () => {
    let data = Array.from({ length: 120 }, (_x, i) => order(i + 1))
    const s = server(() => data, 50)
    const fetch = async (i: number) => {
      const p = await s.fetch(i)
      if (i === 1 && s.calls.length === 1) data = data.slice(1) // order 1 leaves the window after page 1
      return p
    }
    const rows = await collect(scanAndVerify(fetch, new Emitter(key, version), key, { passes: 3, label: 'w' }))
    expect(rows.map((r) => r.io_id).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 120 }, (_x, i) => i + 1),
    )
  })

  it('emits a newer version of a row seen earlier, but not the same version twice', () => {
    const e = new Emitter(key, version)
    expect(e.fresh([order(1), order(1)])).toHaveLength(1)
    expect(e.fresh([order(1, '2024-05-01T00:00:01Z')])).toHaveLength(1)
    expect(e.fresh([order(1)])).toHaveLength(0)
  })

  it('gives up with ERR_JST_WINDOW_UNSTABLE when every pass sees different data', async () => {
    let gen = 0
    const fetch = (i: number) => {
      gen += 1
      return Promise.resolve({ pageIndex: i, rows: [order(1000 + gen)], dataCount: 2, hasNext: i < 2 })
    }
    await expect(
      collect(scanAndVerify(fetch, new Emitter(key, version), key, { passes: 2, label: 'w1' })),
    ).rejects.toMatchObject({ code: 'ERR_JST_WINDOW_UNSTABLE', kind: 'transient' })
  })
})

describe('decodePage', () => {
  it('accepts string numbers and string booleans and a missing datas list', () => {
    expect(decodePage('/x', { page_index: '2', data_count: '7', has_next: 'true' }, 2)).toEqual({
      pageIndex: 2,
      rows: [],
      dataCount: 7,
      hasNext: true,
    })
  })

  it('falls back to page_count when has_next is absent', () => {
    expect(decodePage('/x', { data_count: 120, page_count: 3, datas: [] }, 2).hasNext).toBe(true)
  })

  it.each([[null], ['text'], [{ datas: 'x' }]])('rejects %j as ERR_JST_BAD_RESPONSE', (data) => {
    expect(() => decodePage('/x', data, 1)).toThrow(
      expect.objectContaining({ code: 'ERR_JST_BAD_RESPONSE', kind: 'transient' }),
    )
  })
})

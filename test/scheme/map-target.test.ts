import { describe, expect, it } from 'vitest'
import { coerce, mapTarget, renderRequest, type AdapterMetadata } from '../../src/scheme/index.js'

const ctx = { now: new Date('2024-05-01T00:00:00Z'), tz: 'Asia/Shanghai' }
const meta = (request: AdapterMetadata['request']): AdapterMetadata => ({ api: '/x', effect: 'EXECUTE', request })

describe('mapTarget', () => {
  it('omits fields whose value is null or missing, and passes numbers and booleans as written', async () => {
    const { payload } = await mapTarget(
      meta([
        { field: 'a', value: '{{missing}}' },
        { field: 'b', value: null },
        { field: 'c', value: 5 },
        { field: 'd', value: false },
        { field: 'e', value: '' },
      ]),
      { x: 1 },
      ctx,
    )
    expect(payload).toEqual({ c: 5, d: false })
  })

  it('converts values to the declared type', async () => {
    const { payload } = await mapTarget(
      meta([
        { field: 's', type: 'string', value: '{{n}}' },
        { field: 'i', type: 'int', value: '{{text}}' },
        { field: 'f', type: 'float', value: '_function {{price}} * {{qty}}' },
        { field: 'b', type: 'boolean', value: '{{flag}}' },
      ]),
      { n: 42, text: '7', price: '0.1', qty: 3, flag: '1' },
      ctx,
    )
    expect(payload).toEqual({ s: '42', i: 7, f: 0.3, b: true })
  })

  it('fails with a data error at the payload path when a value does not fit its type', async () => {
    await expect(
      mapTarget(
        meta([
          {
            field: 'lines',
            type: 'array',
            value: 'items',
            children: [{ field: 'qty', type: 'int', value: '{{items.qty}}' }],
          },
        ]),
        { items: [{ qty: 1 }, { qty: '1.5' }] },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'ERR_TARGET_VALUE_TYPE', kind: 'data', location: 'lines[1].qty' })
  })

  it('fails with a data error when a detail array source is not a list', async () => {
    await expect(
      mapTarget(
        meta([{ field: 'lines', type: 'array', value: 'items', children: [{ field: 'q', value: '{{qty}}' }] }]),
        { items: 'oops' },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'ERR_TARGET_ARRAY_SOURCE', kind: 'data', location: 'lines' })
  })

  it('maps an absent detail array to an empty list', async () => {
    const { payload } = await mapTarget(
      meta([{ field: 'lines', type: 'array', value: 'items', children: [{ field: 'q', value: '{{items.qty}}' }] }]),
      {},
      ctx,
    )
    expect(payload).toEqual({ lines: [] })
  })

  it('builds sub-objects from a named source object or from the header', async () => {
    const { payload } = await mapTarget(
      meta([
        {
          field: 'customer',
          type: 'object',
          value: 'buyer',
          children: [
            { field: 'name', value: '{{buyer.name}}' },
            { field: 'order', value: '{{io_id}}' },
          ],
        },
        { field: 'custom_field', type: 'object', children: [{ field: 'ext', value: 'ext:{{io_id}}' }] },
      ]),
      { io_id: 9, buyer: { name: '李四' } },
      ctx,
    )
    expect(payload).toEqual({ customer: { name: '李四', order: 9 }, custom_field: { ext: 'ext:9' } })
  })

  it('applies ArrayToString and StringToArray parsers', async () => {
    const { payload } = await mapTarget(
      meta([
        { field: 'tags', value: '{{labels}}', parser: { name: 'ArrayToString', params: ';' } },
        { field: 'ids', value: '{{csv}}', parser: { name: 'StringToArray', params: ',' } },
      ]),
      { labels: ['a', 'b'], csv: '1,2' },
      ctx,
    )
    expect(payload).toEqual({ tags: 'a;b', ids: ['1', '2'] })
  })

  it('reports an evaluation failure at the payload path with the scheme path in details', async () => {
    const err = await mapTarget(
      meta([{ field: 'when', value: '{{created|datetime}}' }]),
      { created: 'not a date' },
      ctx,
    ).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'ERR_EXPR_FILTER_INPUT',
      kind: 'data',
      location: 'when',
      details: { schemePath: 'target.metadata.request[0]' },
    })
  })

  it('aggregates a detail array from header context with SUM', async () => {
    const { payload } = await mapTarget(
      meta([{ field: 'total', value: '_function SUM({{items.qty}})' }]),
      { items: [{ qty: '0.1' }, { qty: '0.2' }] },
      ctx,
    )
    expect(payload).toEqual({ total: 0.3 })
  })
})

describe('coerce', () => {
  it('keeps undeclared types as they are and null as null', () => {
    expect(coerce({ a: 1 }, undefined, 'x')).toEqual({ a: 1 })
    expect(coerce(null, 'int', 'x')).toBeNull()
    expect(coerce('', 'float', 'x')).toBeNull()
  })

  it('keeps big decimals exact as strings', () => {
    expect(coerce('12345678901234567890.12', 'decimal', 'x')).toBe('12345678901234567890.12')
  })

  it('rejects objects for string fields', () => {
    expect(() => coerce({ a: 1 }, 'string', 'p.q')).toThrow(
      expect.objectContaining({ code: 'ERR_TARGET_VALUE_TYPE', location: 'p.q' }),
    )
  })
})

describe('renderRequest', () => {
  const source: AdapterMetadata = {
    api: '/q',
    effect: 'QUERY',
    id: 'no',
    request: [
      { field: 'start', value: '{{LAST_SYNC_TIME|datetime}}' },
      { field: 'size', type: 'int', value: '{{PAGINATION_PAGE_SIZE}}' },
    ],
    otherRequest: [
      { field: 'beatFlat', value: 'details' },
      { field: 'detailApi', value: 'order.detail' },
    ],
    omissionRemedy: {
      crontab: '0 0 * * *',
      takeOverRequest: [
        { field: 'start', value: '{{DAYS_AGO_2|datetime}}' },
        { field: 'end', value: '{{DAYS_AGO_1|datetime}}' },
      ],
    },
  }
  const vars = { LAST_SYNC_TIME: 1704067200, PAGINATION_PAGE_SIZE: 30 }

  it('renders request and otherRequest separately, leaving the beatFlat item out', async () => {
    const r = await renderRequest(source, { ...ctx, vars })
    expect(r.request).toEqual({ start: '2024-01-01 08:00:00', size: 30 })
    expect(r.otherRequest).toEqual({ detailApi: 'order.detail' })
  })

  it('replaces same-named fields and adds new ones for the omission remedy', async () => {
    const r = await renderRequest(source, { ...ctx, vars }, { omissionRemedy: true })
    expect(r.request).toEqual({ start: '2024-04-29 08:00:00', size: 30, end: '2024-04-30 08:00:00' })
  })
})

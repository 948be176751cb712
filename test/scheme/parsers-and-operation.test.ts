import { describe, expect, it } from 'vitest'
import { mapTarget, validateScheme, type AdapterMetadata } from '../../src/scheme/index.js'

const target = (request: unknown[], extra: Record<string, unknown> = {}): AdapterMetadata =>
  ({ api: 'batchSave', effect: 'EXECUTE', method: 'POST', request, ...extra }) as AdapterMetadata

const scheme = (sourceExtra: Record<string, unknown>, targetMeta: Record<string, unknown>) => ({
  id: 's',
  name: 's',
  source: { connector: 'x', metadata: { api: 'q', effect: 'QUERY', id: 'id', request: [], ...sourceExtra } },
  target: {
    connector: 'y',
    metadata: { api: 'w', effect: 'EXECUTE', request: [{ field: 'bill_no', value: '{{id}}' }], ...targetMeta },
  },
})

const ctx = { now: new Date('2024-01-01T00:00:00Z'), tz: 'Asia/Shanghai' }

describe('value parsers', () => {
  it('ConvertObjectParser wraps the value under params (金蝶 FNumber form)', async () => {
    const m = await mapTarget(
      target([
        { field: 'FSupplierId', value: '{{supplier}}', parser: { name: 'ConvertObjectParser', params: 'FNumber' } },
      ]),
      { supplier: 'SUP001' },
      ctx,
    )
    expect(m.payload).toEqual({ FSupplierId: { FNumber: 'SUP001' } })
  })

  it('ConvertTwoStageObjectParser nests the value under params1 then params2', async () => {
    const m = await mapTarget(
      target([
        {
          field: '_widget_1',
          value: '{{phone}}',
          parser: { name: 'ConvertTwoStageObjectParser', params1: 'value', params2: 'phone' },
        },
      ]),
      { phone: '13800000000' },
      ctx,
    )
    expect(m.payload).toEqual({ _widget_1: { value: { phone: '13800000000' } } })
  })

  it('omits the field when the wrapped value is missing, as removeNull would', async () => {
    const m = await mapTarget(
      target([{ field: 'FStockId', value: '{{stock}}', parser: { name: 'ConvertObjectParser', params: 'FNumber' } }]),
      {},
      ctx,
    )
    expect(m.payload).toEqual({})
  })

  it('ConvertJson turns an object or its JSON text into a Key/Value list with numeric keys as numbers', async () => {
    const spec = { field: 'FName', value: '{{name}}', parser: { name: 'ConvertJson' } }
    const expected = {
      FName: [
        { Key: 1033, Value: '2037' },
        { Key: 2052, Value: '2037' },
      ],
    }
    expect((await mapTarget(target([spec]), { name: { 1033: '2037', 2052: '2037' } }, ctx)).payload).toEqual(expected)
    expect((await mapTarget(target([spec]), { name: '{"1033":"2037",\n"2052":"2037"}' }, ctx)).payload).toEqual(
      expected,
    )
  })

  it('ConvertJson fails the record with a data error naming the field when the text is not JSON', async () => {
    const spec = { field: 'FName', value: '{{name}}', parser: { name: 'ConvertJson' } }
    await expect(mapTarget(target([spec]), { name: 'not json' }, ctx)).rejects.toMatchObject({
      code: 'ERR_PARSER_INPUT',
      kind: 'data',
      location: 'FName',
    })
  })

  it('rejects an unknown parser listing the known ones, and a wrapper parser without its params', () => {
    const r = validateScheme(
      scheme(
        {},
        {
          request: [
            { field: 'a', value: '1', parser: { name: 'K3WiseHeiHuCustomParser', params: 'x' } },
            { field: 'b', value: '1', parser: { name: 'ConvertTwoStageObjectParser', params1: 'value' } },
          ],
        },
      ),
    )
    const unknown = r.errors.find((e) => e.code === 'ERR_UNKNOWN_PARSER')
    expect(unknown?.message).toContain(
      'ArrayToString, StringToArray, ConvertJson, ConvertObjectParser, ConvertTwoStageObjectParser',
    )
    expect(r.errors.map((e) => [e.code, e.location])).toContainEqual([
      'ERR_SCHEME_MISSING_KEY',
      'target.metadata.request[1].parser.params2',
    ])
  })
})

describe('operation', () => {
  it('accepts {"method":"none"} on the source side without a warning', () => {
    const r = validateScheme(scheme({ operation: { method: 'none' } }, {}))
    expect(r.errors).toEqual([])
    expect(r.warnings.filter((w) => w.path.startsWith('source.metadata.operation'))).toEqual([])
  })

  it('still reports another operation on the source side as ignored', () => {
    const r = validateScheme(scheme({ operation: { method: 'batchArraySave', rows: 2, rowsKey: 'array' } }, {}))
    expect(r.warnings.map((w) => [w.code, w.path])).toContainEqual(['WARN_IGNORED', 'source.metadata.operation'])
  })

  it('accepts batchArraySave with rows and rowsKey on the target', () => {
    const r = validateScheme(scheme({}, { operation: { method: 'batchArraySave', rows: 1, rowsKey: 'array' } }))
    expect(r.errors).toEqual([])
  })

  it('refuses batchArraySave without rowsKey, with rows out of range, or together with groupCalculate', () => {
    const paths = (op: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      validateScheme(scheme({}, { operation: op, ...extra })).errors.map((e) => [e.code, e.location])
    expect(paths({ method: 'batchArraySave', rows: 2 })).toContainEqual([
      'ERR_SCHEME_MISSING_KEY',
      'target.metadata.operation.rowsKey',
    ])
    expect(paths({ method: 'batchArraySave', rows: 0, rowsKey: 'a' })).toContainEqual([
      'ERR_SCHEME_TYPE',
      'target.metadata.operation.rows',
    ])
    expect(paths({ method: 'batchArraySave', rows: 5000, rowsKey: 'a' })).toContainEqual([
      'ERR_SCHEME_VALUE',
      'target.metadata.operation.rows',
    ])
    expect(
      paths(
        { method: 'batchArraySave', rowsKey: 'a' },
        { groupCalculate: { headerGroup: ['a'], bodyName: 'b', calculate: {} } },
      ),
    ).toContainEqual(['ERR_SCHEME_VALUE', 'target.metadata.operation.method'])
  })
})

/* eslint-disable @typescript-eslint/require-await -- the in-test source implements async ports synchronously */
/** A grouped (groupCalculate) scheme over stock lines and a source that serves a mutable list of lines. */
import type { Page, ReadRequest, SourceRuntime, TimeWindow } from '../../../src/connectors/contract.js'

export interface Line {
  line_id: string
  wh: string
  sku: string
  qty: number
  modified: string
}

/** Every line in one page per window, whatever the window (the lines are all inside the first one). */
export class LineSource implements SourceRuntime {
  constructor(public lines: Line[]) {}
  planWindows(_api: string, from: Date, to: Date): TimeWindow[] {
    return [{ start: from, end: to }]
  }
  async *read(_req: ReadRequest): AsyncIterable<Page> {
    yield { rows: this.lines.map((l) => ({ ...l })), pageIndex: 1, hasNext: false }
  }
}

/** Stock-out lines grouped per warehouse into transfer bills: one row per sku, quantities summed, at most 2 rows a bill. */
export const SCHEME = {
  id: 'lines-to-bills',
  name: 'stock lines → grouped bills',
  source: {
    connector: 'jushuitan',
    metadata: {
      api: '/open/test/lines',
      effect: 'QUERY',
      method: 'POST',
      id: 'line_id',
      number: 'line_id',
      name: 'line_id',
      idCheck: true,
      request: [{ field: 'modified_begin', type: 'string', value: '{{LAST_SYNC_TIME|datetime}}' }],
    },
  },
  target: {
    connector: 'kingdee-jdy',
    metadata: {
      api: '/jdy/v2/test/grouped_bill',
      effect: 'EXECUTE',
      method: 'POST',
      id: '1',
      number: '1',
      name: '1',
      idCheck: true,
      groupCalculate: {
        headerGroup: ['wh'],
        bodyGroup: ['sku'],
        bodyName: 'lines',
        bodyMaxLine: 50,
        calculate: { qty: '$sum' },
      },
      request: [
        { field: 'bill_no', type: 'string', value: 'G-{{wh}}' },
        {
          field: 'entries',
          type: 'array',
          value: 'lines',
          children: [
            { field: 'material', type: 'string', parent: 'entries', value: '{{lines.sku}}' },
            { field: 'qty', type: 'float', parent: 'entries', value: '{{lines.qty}}' },
          ],
        },
      ],
    },
  },
  schedule: { timezone: 'Asia/Shanghai' },
}

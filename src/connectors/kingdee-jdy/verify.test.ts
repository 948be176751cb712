import { describe, expect, it } from 'vitest'
import { compareLines } from './verify.js'

const line = (material_id: string, qty: number | string, unit_id = 'U1') => ({
  material_id,
  stock_id: 'S1',
  unit_id,
  qty,
})

describe('comparing a found bill with the payload (spec §4.6 step 2)', () => {
  it('agrees when quantities match as decimals, whatever the line split or number format', () => {
    expect(
      compareLines({ material_entity: [line('M1', 0.1), line('M1', 0.2)] }, { material_entity: [line('M1', '0.3')] }),
    ).toEqual([])
  })

  it('lists every material/stock/unit whose quantity differs or that exists on one side only', () => {
    const diffs = compareLines(
      { material_entity: [line('M1', 3), line('M2', 1)] },
      { material_entity: [line('M1', '2'), line('M3', '1')] },
    )
    expect(diffs).toEqual([
      { line: 'M1/S1/U1', sent: '3', stored: '2' },
      { line: 'M2/S1/U1', sent: '1' },
      { line: 'M3/S1/U1', stored: '1' },
    ])
  })

  it('declines to compare lines it cannot key (sent by number) or quantities that are not numbers', () => {
    expect(
      compareLines(
        { material_entity: [{ material_number: 'SKU1', stock_id: 'S1', unit_id: 'U1', qty: 1 }] },
        { material_entity: [line('M1', 1)] },
      ),
    ).toBeUndefined()
    expect(compareLines({ material_entity: [line('M1', 'x')] }, { material_entity: [line('M1', 1)] })).toBeUndefined()
    expect(compareLines({}, { material_entity: [] })).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { parseJstTime, toJstTime } from './time.js'

describe('聚水潭 time format', () => {
  it('writes an instant as Shanghai wall-clock time', () => {
    expect(toJstTime(Date.UTC(2024, 3, 30, 16, 0, 0))).toBe('2024-05-01 00:00:00')
  })

  it('reads strict and lenient forms back to the same instant', () => {
    const at = Date.UTC(2024, 3, 30, 16, 35, 12)
    expect(parseJstTime('2024-05-01 00:35:12')).toBe(at)
    expect(parseJstTime('2024-05-01T00:35:12.250')).toBe(at)
  })

  it.each([['2024-02-30 00:00:00'], ['2024-05-01'], [''], [12345], [null]])('returns undefined for %j', (v) => {
    expect(parseJstTime(v)).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { contiguousEnd, gapsBetween, mergeInterval } from '../../src/store/intervals.js'

describe('interval set arithmetic', () => {
  it.each([
    ['joins a touching neighbour', [{ start: 0, end: 10 }], { start: 10, end: 20 }, [{ start: 0, end: 20 }]],
    [
      'swallows contained intervals',
      [
        { start: 2, end: 3 },
        { start: 5, end: 6 },
      ],
      { start: 0, end: 10 },
      [{ start: 0, end: 10 }],
    ],
    [
      'bridges two intervals',
      [
        { start: 0, end: 5 },
        { start: 8, end: 12 },
      ],
      { start: 4, end: 9 },
      [{ start: 0, end: 12 }],
    ],
    [
      'keeps a distant interval apart',
      [{ start: 0, end: 5 }],
      { start: 6, end: 9 },
      [
        { start: 0, end: 5 },
        { start: 6, end: 9 },
      ],
    ],
  ])('merge %s', (_name, existing, added, expected) => {
    expect(mergeInterval(existing, added)).toEqual(expected)
  })

  it('stops the contiguous end at the first gap', () => {
    const set = [
      { start: 0, end: 5 },
      { start: 5, end: 7 },
      { start: 8, end: 9 },
    ]
    expect(contiguousEnd(set, 0)).toBe(7)
    expect(contiguousEnd(set, 7)).toBe(7)
    expect(contiguousEnd(set, 8)).toBe(9)
    expect(contiguousEnd([], 3)).toBe(3)
  })

  it('lists the uncovered parts of a range', () => {
    const set = [
      { start: 2, end: 4 },
      { start: 6, end: 8 },
    ]
    expect(gapsBetween(set, 0, 10)).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 6 },
      { start: 8, end: 10 },
    ])
    expect(gapsBetween(set, 2, 4)).toEqual([])
    expect(gapsBetween(set, 3, 7)).toEqual([{ start: 4, end: 6 }])
  })
})

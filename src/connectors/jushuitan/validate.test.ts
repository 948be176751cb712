import { describe, expect, it } from 'vitest'
import { jstOptions } from './config.js'
import { validateListQuery } from './validate.js'

const rules = {
  api: '/open/inventory/count/query',
  idsField: 'io_ids',
  maxIds: 50,
  maxWindowMs: 7 * 86_400_000,
  pageSize: 50,
}

describe('validateListQuery', () => {
  it('takes the window from the engine over any dates in the params and keeps other params', () => {
    const q = validateListQuery({ owner_co_id: 2147483647 }, { start: new Date(0), end: new Date(3_600_000) }, rules)
    expect(q).toEqual({ begin: 0, end: 3_600_000, extra: { owner_co_id: 2147483647 } })
  })

  it('accepts io_ids as a list or a comma string', () => {
    expect(validateListQuery({ io_ids: [1, 2] }, undefined, rules).ids).toEqual(['1', '2'])
    expect(validateListQuery({ io_ids: '1, 2,' }, undefined, rules).ids).toEqual(['1', '2'])
  })

  it('refuses an end before the begin', () => {
    expect(() =>
      validateListQuery(
        { modified_begin: '2024-05-02 00:00:00', modified_end: '2024-05-01 00:00:00' },
        undefined,
        rules,
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_JST_WINDOW_TOO_LONG' }))
  })

  it('refuses a malformed date with its location', () => {
    expect(() =>
      validateListQuery({ modified_begin: '2024/05/01', modified_end: '2024-05-01 00:00:00' }, undefined, rules),
    ).toThrow(expect.objectContaining({ code: 'ERR_JST_BAD_PARAM', location: 'params.modified_begin' }))
  })
})

describe('jstOptions', () => {
  const base = { appKey: 'k', appSecret: 's' }
  it('uses the spec defaults', () => {
    const o = jstOptions(base)
    expect(o).toMatchObject({
      pageSize: 50,
      maxWindowMs: 7 * 86_400_000,
      safetyLagMs: 300_000,
      overlapMs: 600_000,
      statuses: undefined,
      appType: 'self',
    })
  })

  it.each([
    [{ maxWindowDays: 8 }, 'config.maxWindowDays'],
    [{ pageSize: 51 }, 'config.pageSize'],
    [{ statuses: 'Confirmed,Creating' }, 'config.statuses'],
    [{ appType: 'partner' }, 'config.appType'],
  ])('refuses %j', (over, location) => {
    expect(() => jstOptions({ ...base, ...over })).toThrow(
      expect.objectContaining({ code: 'ERR_CONNECTION_CONFIG', location }),
    )
  })

  it('expands statuses=all to the five statuses', () => {
    expect(jstOptions({ ...base, statuses: 'all' }).statuses).toHaveLength(5)
  })
})

import { describe, expect, it } from 'vitest'
import { COUNT, FULL_WEEK, harness, PARTNER, SKU } from './harness.js'
import { businessFields, md5Sign, postForm, precheckCountBiz } from './tiny-client.js'

describe('JST simulator page_size above 50 (spec §9.2, §11.5 scenario 6)', () => {
  it('clamps to 50 in quirk mode with a page_count that lies, and a client looping on has_next and row counts still gets every order', async () => {
    const { sim, call } = await harness({ generate: { orders: 130, days: 7 } })
    const first = await call(COUNT, { ...FULL_WEEK, page_index: 1, page_size: 100 })
    expect(first.json?.data).toMatchObject({ page_size: 50, data_count: 130, page_count: 2, has_next: true })
    expect(first.json?.data.datas).toHaveLength(50)
    // A client trusting page_count stops after page 2 with 100 of 130 orders; looping on has_next/rows does not.
    const ids: number[] = []
    for (let page = 1; ; page++) {
      sim.clock.advance(250)
      const r = await call(COUNT, { ...FULL_WEEK, page_index: page, page_size: 100 })
      const rows = r.json?.data.datas as { io_id: number }[]
      ids.push(...rows.map((x) => x.io_id))
      if (rows.length === 0 || (!r.json?.data.has_next && rows.length < 50)) break
    }
    expect(new Set(ids).size).toBe(130)
  })

  it('clamps with an honest page_count in clamp mode and rejects with 140 in error mode', async () => {
    const clamp = await harness({ pageSizeOverflow: 'clamp', generate: { orders: 130, days: 7 } })
    expect((await clamp.call(COUNT, { ...FULL_WEEK, page_size: 100 })).json?.data).toMatchObject({
      page_size: 50,
      page_count: 3,
    })
    const strict = await harness({ pageSizeOverflow: 'error' })
    expect((await strict.call(COUNT, { ...FULL_WEEK, page_size: 100 })).json?.code).toBe(140)
  })

  it('uses has_next = offset + size < count in offset mode', async () => {
    const { call } = await harness({ hasNextMode: 'offset', generate: { orders: 100, days: 7 } })
    expect((await call(COUNT, { ...FULL_WEEK, page_index: 2, page_size: 50 })).json?.data.has_next).toBe(false)
  })
})

describe('JST simulator endpoint rules (spec §6.1, §11.2 step 11, §11.5 scenario 7)', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an 8-day window', { modified_begin: '2026-11-01 00:00:00', modified_end: '2026-11-09 00:00:00' }, 'biz:range_7d'],
    ['51 io_ids', { io_ids: Array.from({ length: 51 }, (_, i) => 1000 + i).join(',') }, 'biz:io_ids_max'],
    ['only modified_begin', { modified_begin: '2026-11-01 00:00:00' }, 'biz:range_pair'],
    ['neither a range nor io_ids', { page_index: 1 }, 'biz:selector'],
    [
      'a bad date format',
      { modified_begin: '2026/11/01 00:00:00', modified_end: '2026-11-02 00:00:00' },
      'biz:date_format',
    ],
    [
      'an impossible date',
      { modified_begin: '2026-02-30 00:00:00', modified_end: '2026-03-02 00:00:00' },
      'biz:date_format',
    ],
    [
      'begin after end',
      { modified_begin: '2026-11-03 00:00:00', modified_end: '2026-11-02 00:00:00' },
      'biz:range_order',
    ],
    ['an unknown status', { ...FULL_WEEK, status: 'Creating' }, 'biz:status'],
    ['page_index 0', { ...FULL_WEEK, page_index: 0 }, 'biz:page_index'],
  ]
  for (const [name, biz, reason] of cases) {
    it(`answers 140 for ${name} when a client bypasses its own checks`, async () => {
      const { sim, call } = await harness()
      const r = await call(COUNT, biz)
      expect(r.json?.code).toBe(140)
      expect(r.json?.msg).toMatch(/^参数不符合规范,请检查传入参数!/)
      expect(r.json?.data).toBeNull()
      expect(sim.log.entries({ endpoint: COUNT })[0]?.reason).toBe(reason)
    })
  }

  it('lets a client reject the same inputs before calling', () => {
    expect(precheckCountBiz({ modified_begin: '2026-11-01 00:00:00', modified_end: '2026-11-09 00:00:00' })).toMatch(
      /7 days/,
    )
    expect(precheckCountBiz({ io_ids: Array.from({ length: 51 }, (_, i) => String(i)).join(',') })).toMatch(/50/)
    expect(precheckCountBiz({ modified_begin: '2026-11-01 00:00:00' })).toMatch(/together/)
  })

  it('accepts exactly 7 days by default and rejects it when sevenDayInclusive is off', async () => {
    const week = { modified_begin: '2026-11-01 00:00:00', modified_end: '2026-11-08 00:00:00' }
    expect((await (await harness()).call(COUNT, week)).json?.code).toBe(0)
    expect((await (await harness({ sevenDayInclusive: false })).call(COUNT, week)).json?.code).toBe(140)
  })

  it('returns an empty page for an unknown status when unknownStatus is empty', async () => {
    const r = await (await harness({ unknownStatus: 'empty' })).call(COUNT, { ...FULL_WEEK, status: 'Creating' })
    expect(r.json?.code).toBe(0)
    expect(r.json?.data).toMatchObject({ data_count: 0, datas: [], has_next: false })
  })

  it('accepts numbers as numeric strings and dates with a T only when lenientDates is on', async () => {
    expect((await (await harness()).call(COUNT, { ...FULL_WEEK, page_index: '1', page_size: '50' })).json?.code).toBe(0)
    const tDates = { modified_begin: '2026-11-01T00:00:00', modified_end: '2026-11-02T00:00:00' }
    expect((await (await harness()).call(COUNT, tDates)).json?.code).toBe(140)
    expect((await (await harness({ lenientDates: true })).call(COUNT, tDates)).json?.code).toBe(0)
  })

  it('limits sku_ids to 20 on the SKU query and finds SKUs by id', async () => {
    const { sim, call } = await harness()
    const ids = sim.dataset.jst.skus.slice(0, 21).map((s) => s.sku_id)
    expect((await call(SKU, { sku_ids: ids.join(',') })).json?.code).toBe(140)
    const r = await call(SKU, { sku_ids: ids.slice(0, 20).join(',') })
    expect(r.json?.data.datas.map((s: { sku_id: string }) => s.sku_id).sort()).toEqual(ids.slice(0, 20).sort())
  })

  it('returns every warehouse partner with the fields of spec §7.1', async () => {
    const { sim, call } = await harness()
    const r = await call(PARTNER, { page_index: 1, page_size: 30 })
    expect(r.json?.data.datas).toEqual(sim.dataset.jst.partners)
  })
})

describe('JST simulator validation pipeline (spec §11.2)', () => {
  it('answers 130 when a public field is missing', async () => {
    const { sim } = await harness()
    const f = businessFields(sim.credentials, {}, Math.floor(sim.clock.now() / 1000))
    delete f.version
    f.sign = md5Sign(sim.credentials.appSecret, f)
    expect((await postForm(`${sim.url}${PARTNER}`, f)).json).toMatchObject({ code: 130, msg: '传输数据不能为空' })
  })

  it('answers 140 for a charset other than utf-8 or a version other than 2', async () => {
    const { sim } = await harness()
    for (const patch of [{ charset: 'gbk' }, { version: '1' }] as Record<string, string>[]) {
      const f: Record<string, string> = {
        ...businessFields(sim.credentials, {}, Math.floor(sim.clock.now() / 1000)),
        ...patch,
      }
      f.sign = md5Sign(sim.credentials.appSecret, f)
      expect((await postForm(`${sim.url}${PARTNER}`, f)).json?.code).toBe(140)
    }
  })

  it('answers 180 (profile s9) or 140 (profile s1) for a timestamp outside the tolerance, and honours clock skew', async () => {
    const s9 = await harness()
    s9.sim.clock.skewMs = 601_000
    expect((await s9.call(PARTNER, {})).json).toMatchObject({ code: 180 })
    s9.sim.clock.skewMs = 599_000
    expect((await s9.call(PARTNER, {})).json?.code).toBe(0)
    const s1 = await harness({ timestampErrorProfile: 's1', timestampToleranceSec: 900 })
    s1.sim.clock.skewMs = -901_000
    expect((await s1.call(PARTNER, {})).json).toMatchObject({
      code: 140,
      msg: '验证失败！无效的timestamp，请求最大时间误差15分钟',
    })
  })

  it('answers 190 for an API outside the app permission list and 110 for an IP off the whitelist', async () => {
    const key = 'a'.repeat(32)
    const secret = 'b'.repeat(32)
    const { sim, call } = await harness({
      apps: [{ appKey: key, appSecret: secret, type: 'self', allowedApis: [PARTNER] }],
    })
    expect((await call(PARTNER, {})).json?.code).toBe(0)
    expect((await call(COUNT, FULL_WEEK)).json?.code).toBe(190)
    expect(sim.log.counters()[COUNT]?.rejected.permission).toBe(1)
    const walled = await harness({
      apps: [{ appKey: key, appSecret: secret, type: 'self', ipWhitelist: ['10.0.0.1'] }],
    })
    expect((await walled.call(PARTNER, {})).json?.code).toBe(110)
  })

  it('runs the steps in the configured order: rate limit before signature', async () => {
    const { sim } = await harness({
      pipeline: ['fields', 'charset', 'app_key', 'rate_limit', 'sign', 'timestamp', 'ip', 'token', 'permission', 'biz'],
      rateLimit: { perSecond: 1 },
    })
    const f = { ...businessFields(sim.credentials, {}, Math.floor(sim.clock.now() / 1000)), sign: '0'.repeat(32) }
    expect((await postForm(`${sim.url}${PARTNER}`, f)).json?.code).toBe(10)
    expect((await postForm(`${sim.url}${PARTNER}`, f)).json?.code).toBe(199)
  })

  it('answers 140 when biz is not a JSON object', async () => {
    const { call } = await harness()
    expect((await call(PARTNER, '[1,2]')).json?.code).toBe(140)
    expect((await call(PARTNER, '{not json')).json?.code).toBe(140)
  })

  it('adds issuccess when includeIssuccess is on', async () => {
    const { call } = await harness({ includeIssuccess: true })
    expect((await call(PARTNER, {})).json?.issuccess).toBe(true)
    expect((await call(COUNT, {})).json).toMatchObject({ code: 140, issuccess: false })
  })
})

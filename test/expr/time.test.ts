/** Date formatting across time zones: filters, FROM_UNIXTIME and UNIX_TIMESTAMP agree with each other and with Intl. */
import { describe, expect, it } from 'vitest'
import { evaluateValue } from '../../src/expr/index.js'
import { ctx, errorOf, rng } from './helpers.js'

const TABLE: [string, number, string][] = [
  ['Asia/Shanghai', 1704067200, '2024-01-01 08:00:00'],
  ['UTC', 1704067200, '2024-01-01 00:00:00'],
  ['America/New_York', 1704067200, '2023-12-31 19:00:00'],
  ['America/New_York', 1720000000, '2024-07-03 05:46:40'],
  ['Asia/Kolkata', 1704067200, '2024-01-01 05:30:00'],
  ['Pacific/Chatham', 1704067200, '2024-01-01 13:45:00'],
  ['Europe/London', 1711846800, '2024-03-31 02:00:00'],
  ['Asia/Shanghai', 0, '1970-01-01 08:00:00'],
  ['Asia/Shanghai', 951782400, '2000-02-29 08:00:00'],
]

describe('|datetime, |date and FROM_UNIXTIME in several zones', () => {
  for (const [tz, epoch, wall] of TABLE) {
    it(`shows ${epoch} as ${wall} in ${tz}`, async () => {
      const c = ctx({ tz, vars: { T: epoch } })
      expect(await evaluateValue('{{T|datetime}}', c)).toBe(wall)
      expect(await evaluateValue('{{T|DATE}}', c)).toBe(wall.slice(0, 10))
      expect(await evaluateValue('_function FROM_UNIXTIME({{T}})', c)).toBe(wall)
      expect(await evaluateValue(`_function UNIX_TIMESTAMP('${wall}')`, c)).toBe(epoch)
      expect(await evaluateValue(`{{W|timestamp}}`, ctx({ tz, record: { W: wall } }))).toBe(epoch)
    })
  }

  it('round-trips random instants through |datetime and |timestamp in zones without DST', async () => {
    const r = rng(42)
    for (const tz of ['Asia/Shanghai', 'UTC', 'Asia/Kolkata', 'Asia/Tokyo']) {
      for (let i = 0; i < 50; i++) {
        const epoch = Math.floor(r() * 2_000_000_000)
        const text = await evaluateValue('{{T|datetime}}', ctx({ tz, vars: { T: epoch } }))
        const expected = new Intl.DateTimeFormat('sv-SE', {
          timeZone: tz,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          hourCycle: 'h23',
        }).format(new Date(epoch * 1000))
        expect(text).toBe(expected)
        expect(await evaluateValue('{{W|timestamp}}', ctx({ tz, record: { W: text } }))).toBe(epoch)
      }
    }
  })

  it('reads millisecond timestamps (13 digits) as milliseconds and date texts as wall time', async () => {
    expect(await evaluateValue('{{T|datetime}}', ctx({ record: { T: 1704067200123 } }))).toBe('2024-01-01 08:00:00')
    expect(await evaluateValue('{{T|date}}', ctx({ record: { T: '2024-01-31 23:59:59' } }))).toBe('2024-01-31')
    expect(await evaluateValue('{{T|timestamp_ms}}', ctx({ tz: 'UTC', record: { T: '2024-01-01' } }))).toBe(
      1704067200000,
    )
  })

  it('leaves an empty time empty and fails a non-time with a data error', async () => {
    expect(await evaluateValue('{{T|datetime}}', ctx({ record: { T: null } }))).toBeNull()
    expect(await evaluateValue('from {{T|datetime}}', ctx({ record: {} }))).toBe('from ')
    expect(await errorOf(() => evaluateValue('from {{T|datetime}}', ctx({ record: { T: 'soon' } })))).toMatchObject({
      code: 'ERR_EXPR_FILTER_INPUT',
      kind: 'data',
      location: '1:6',
    })
    expect(
      await errorOf(() => evaluateValue('_function CONCAT({{T|date}})', ctx({ record: { T: 'soon' } }))),
    ).toMatchObject({ code: 'ERR_EXPR_FILTER_INPUT', location: '1:18' })
  })

  it('derives CURRENT_TIME, DAYS_AGO_n and MINUTE_AGO_n from the evaluation time', async () => {
    const c = ctx({ now: new Date('2024-01-10T00:00:00Z') })
    expect(await evaluateValue('{{CURRENT_TIME}}', c)).toBe(1704844800)
    expect(await evaluateValue('{{DAYS_AGO_2|datetime}}', c)).toBe('2024-01-08 08:00:00')
    expect(await evaluateValue('{{MINUTE_AGO_30|datetime}}', c)).toBe('2024-01-10 07:30:00')
    expect(await evaluateValue('{{CURRENT_TIME}}000', c)).toBe('1704844800000')
  })

  it('formats with every DATE_FORMAT specifier', async () => {
    const v =
      "_function DATE_FORMAT('2024-03-05 07:08:09', '%Y %y %m %c %d %e %H %k %h %I %l %i %s %S %p %f %j %M %b %W %a %D %w %T %r %% %Q')"
    expect(await evaluateValue(v, ctx())).toBe(
      '2024 24 03 3 05 5 07 7 07 07 7 08 09 09 AM 000000 065 March Mar Tuesday Tue 5th 2 07:08:09 07:08:09 AM % Q',
    )
  })

  it('rejects an unknown time zone with a config error', async () => {
    expect(await errorOf(() => evaluateValue('x', ctx({ tz: 'Mars/Olympus' })))).toMatchObject({
      code: 'ERR_EXPR_BAD_TIME_ZONE',
      kind: 'config',
    })
  })
})

describe('time-zone offsets around every change (the offset is remembered per UTC hour)', () => {
  /** Wall clock of an instant, read as UTC seconds, straight from a fresh Intl formatter. */
  const formats = new Map<string, Intl.DateTimeFormat>()
  function intlWall(epochSec: number, tz: string): number {
    let f = formats.get(tz)
    if (f === undefined) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
      formats.set(tz, f)
    }
    const p = Object.fromEntries(f.formatToParts(new Date(epochSec * 1000)).map((x) => [x.type, Number(x.value)]))
    return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second) / 1000
  }

  // Half-hour DST (Lord Howe changes at :30 UTC), a -3:30 zone, a :45 zone, ordinary DST, and
  // Shanghai's 1901 change from LMT (+8:05:43, a change at an odd second).
  const CASES: [string, number, number][] = [
    ['Australia/Lord_Howe', 2023, 2024],
    ['America/St_Johns', 2024, 2024],
    ['Pacific/Chatham', 2024, 2024],
    ['America/New_York', 2024, 2024],
    ['Europe/London', 2024, 2024],
    ['Asia/Shanghai', 1900, 1900],
  ]
  for (const [tz, from, to] of CASES) {
    it(`shows instants around ${tz}'s offset changes in ${from}–${to} as Intl does, in both directions`, async () => {
      const start = Date.UTC(from, 0, 1) / 1000
      const end = Date.UTC(to + 1, 0, 1) / 1000
      let prev = intlWall(start, tz) - start
      const changes: number[] = []
      for (let t = start; t < end; t += 900) {
        const off = intlWall(t, tz) - t
        if (off !== prev) changes.push(t)
        prev = off
      }
      expect(changes.length).toBeGreaterThan(0)
      for (const c of changes) {
        // Two hours either side, every 37 s (hits many second phases of a minute), in a scrambled order.
        const instants = Array.from({ length: 390 }, (_, i) => c - 7200 + ((i * 97) % 390) * 37)
        for (const t of instants) {
          const wall = intlWall(t, tz)
          const c2 = ctx({ tz, vars: { T: t } })
          const text = await evaluateValue('{{T|datetime}}', c2)
          expect(Date.parse(`${String(text).replace(' ', 'T')}Z`) / 1000).toBe(wall)
          // Wall → instant is ambiguous in the repeated hour and undefined in the skipped one;
          // where it is unique it must come back.
          const back = await evaluateValue('{{W|timestamp}}', ctx({ tz, record: { W: text } }))
          if (intlWall(t - 3600, tz) - (t - 3600) === intlWall(t + 3600, tz) - (t + 3600)) expect(back).toBe(t)
        }
      }
    })
  }
})

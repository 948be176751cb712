import { describe, expect, it } from 'vitest'
import {
  loadCompiledScheme,
  resolveRetry,
  resolveSchedule,
  retryDelayMs,
  type SchemeFile,
} from '../../src/scheme/index.js'

const minimal: SchemeFile = {
  id: 's',
  name: 's',
  source: { connector: 'jushuitan', metadata: { api: '/a', id: 'io_id' } },
}

describe('schedule and retry settings', () => {
  it('defaults to Asia/Shanghai, compat off and the platform retry ladder', () => {
    expect(resolveSchedule(minimal)).toEqual({
      sourceCrontab: undefined,
      targetCrontab: undefined,
      remedyCrontab: undefined,
      timezone: 'Asia/Shanghai',
      compat: false,
    })
    expect(resolveRetry(minimal)).toEqual({ ladderSeconds: [20, 300, 3600, 14400, 72000], jitter: 0.2 })
  })

  it('reads what the scheme sets, including the omissionRemedy crontab', () => {
    const s: SchemeFile = {
      ...minimal,
      source: {
        connector: 'jushuitan',
        metadata: { api: '/a', id: 'io_id', omissionRemedy: { crontab: '0 0 * * *', takeOverRequest: [] } },
      },
      schedule: { source: { crontab: '*/5 * * * *' }, timezone: 'UTC', compat: true },
      retry: { ladder: [1, 2], jitter: 0 },
    }
    expect(resolveSchedule(s)).toMatchObject({
      sourceCrontab: '*/5 * * * *',
      remedyCrontab: '0 0 * * *',
      timezone: 'UTC',
      compat: true,
    })
    expect(resolveRetry(s)).toEqual({ ladderSeconds: [1, 2], jitter: 0 })
  })

  it('spreads each retry delay within ±jitter and stops after the last step', () => {
    const r = { ladderSeconds: [20, 300], jitter: 0.2 }
    expect(retryDelayMs(r, 1, () => 0)).toBe(16_000)
    expect(retryDelayMs(r, 1, () => 0.5)).toBe(20_000)
    expect(retryDelayMs(r, 2, () => 0.999999)).toBe(360_000)
    expect(retryDelayMs(r, 3)).toBeUndefined()
    expect(retryDelayMs(r, 0)).toBeUndefined()
  })

  it('refuses to compile an invalid scheme and lists its errors in the details', async () => {
    const file = new URL('../fixtures/schemes/many-errors.json', import.meta.url).pathname
    const err = await loadCompiledScheme(file).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_SCHEME_INVALID', kind: 'config' })
    expect((err as { details: { errors: unknown[] } }).details.errors).toHaveLength(4)
  })
})

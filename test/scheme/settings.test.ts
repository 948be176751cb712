import { describe, expect, it } from 'vitest'
import { loadCompiledScheme, resolveRetry, resolveSchedule, type SchemeFile } from '../../src/scheme/index.js'
import { defaultRetryPolicy, nextAttemptAt, retryPolicyFor } from '../../src/engine/retry.js'

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
    const configured = { ...defaultRetryPolicy, ladder: [1, 1, 1], jitter: 0 }
    // The scheme's retry (ladder and jitter) is the policy the engine uses over the configured one.
    const policy = (random: () => number) => ({
      ...retryPolicyFor(configured, { ladder: [20, 300], jitter: 0.2 }),
      random,
    })
    const delay = (attempts: number, random: () => number = Math.random) =>
      nextAttemptAt(policy(random), attempts, new Date(0))?.getTime()
    expect(delay(1, () => 0)).toBe(16_000)
    expect(delay(1, () => 0.5)).toBe(20_000)
    expect(delay(2, () => 0.999999)).toBe(360_000)
    expect(delay(3)).toBeUndefined()
    expect(delay(0)).toBeUndefined()
    expect(retryPolicyFor(configured, { ladder: [5] })).toMatchObject({ ladder: [5], jitter: 0 })
  })

  it('refuses to compile an invalid scheme and lists its errors in the details', async () => {
    const file = new URL('../fixtures/schemes/many-errors.json', import.meta.url).pathname
    const err = await loadCompiledScheme(file).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_SCHEME_INVALID', kind: 'config' })
    expect((err as { details: { errors: unknown[] } }).details.errors).toHaveLength(4)
  })
})

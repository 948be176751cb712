import { describe, expect, it } from 'vitest'
import {
  createClock,
  createRng,
  FaultEngine,
  faultProfile,
  PROFILE_NAMES,
  RequestLog,
  validateRules,
  WindowCounter,
} from '../../../simulators/common/index.js'

describe('seeded PRNG', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRng(42)
    const b = createRng(42)
    const seqA = Array.from({ length: 20 }, () => a.next())
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA)
    expect(Array.from({ length: 20 }, () => createRng(43).next())[0]).not.toBe(seqA[0])
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it('gives forks streams independent of how much the parent was used', () => {
    const a = createRng('s')
    a.next()
    a.next()
    expect(a.fork('x').next()).toBe(createRng('s').fork('x').next())
  })

  it('keeps int within bounds and shuffle a permutation', () => {
    const r = createRng(1)
    for (let i = 0; i < 500; i++) {
      const n = r.int(3, 7)
      expect(n >= 3 && n <= 7 && Number.isInteger(n)).toBe(true)
    }
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5])
  })
})

describe('simulated clock', () => {
  it('stands still when frozen and moves with advance and set; skew only affects checkNow', () => {
    const c = createClock({ start: 1_000_000, frozen: true })
    expect(c.now()).toBe(1_000_000)
    c.advance(500)
    expect(c.now()).toBe(1_000_500)
    c.set(5)
    expect(c.now()).toBe(5)
    c.skewMs = 100
    expect(c.now()).toBe(5)
    expect(c.checkNow()).toBe(105)
  })

  it('follows the wall clock from an offset when not frozen', () => {
    const c = createClock({ start: Date.UTC(2030, 0, 1) })
    expect(Math.abs(c.now() - Date.UTC(2030, 0, 1))).toBeLessThan(60_000)
    c.advance(86_400_000)
    expect(c.now()).toBeGreaterThanOrEqual(Date.UTC(2030, 0, 2))
  })
})

describe('request log', () => {
  it('redacts secret-keyed params and counts outcomes per endpoint and reason', () => {
    const log = new RequestLog()
    const base = { time: new Date(0).toISOString(), method: 'POST', endpoint: '/x', status: 200 }
    log.record({
      ...base,
      params: { access_token: 'tok-secret-1', app_key: 'k', nested: { app_secret: 's3cr3t' } },
      outcome: 'accepted',
      code: 0,
    })
    log.record({ ...base, params: {}, outcome: 'rejected', code: 10, reason: 'sign' })
    log.record({ ...base, params: {}, outcome: 'rejected', code: 10, reason: 'sign' })
    log.record({ ...base, params: {}, outcome: 'throttled', code: 199, reason: 'rate_per_second' })
    log.record({ ...base, endpoint: '/y', params: {}, outcome: 'fault', status: 0, reason: 'fault:reset' })
    expect(JSON.stringify(log.entries())).not.toMatch(/tok-secret-1|s3cr3t/)
    expect(log.entries()[0]?.params.app_key).toBe('k')
    expect(log.counters()).toEqual({
      '/x': { accepted: 1, throttled: 1, rejected: { sign: 2 }, faults: {} },
      '/y': { accepted: 0, throttled: 0, rejected: {}, faults: { 'fault:reset': 1 } },
    })
    expect(log.entries({ outcome: 'rejected' })).toHaveLength(2)
    expect(log.entries({ sinceSeq: 3 }).map((e) => e.seq)).toEqual([4, 5])
    expect(log.entries({ limit: 1 })[0]?.endpoint).toBe('/y')
  })

  it('keeps at most maxEntries entries but never loses counts', () => {
    const log = new RequestLog(3)
    for (let i = 0; i < 10; i++)
      log.record({ time: '', method: 'GET', endpoint: '/z', status: 200, params: {}, outcome: 'accepted' })
    expect(log.entries().map((e) => e.seq)).toEqual([8, 9, 10])
    expect(log.counters()['/z']?.accepted).toBe(10)
  })
})

describe('fault engine', () => {
  it('fires scripted faults by call index per rule and honours times', () => {
    const f = new FaultEngine(1)
    f.set([
      { endpoint: '/a', when: { calls: [2, 4] }, fault: { kind: 'reset' } },
      { endpoint: 'POST /b', when: { from: 2 }, fault: { kind: 'http_error', status: 503 }, times: 2 },
    ])
    expect([1, 2, 3, 4, 5].map(() => f.decide('POST', '/a').fault?.kind)).toEqual([
      undefined,
      'reset',
      undefined,
      'reset',
      undefined,
    ])
    expect([1, 2, 3, 4].map(() => f.decide('POST', '/b').fault?.kind)).toEqual([
      undefined,
      'http_error',
      'http_error',
      undefined,
    ])
    expect(f.decide('GET', '/b').fault).toBeUndefined()
  })

  it('adds latency from every matching latency rule and picks the first other fault', () => {
    const f = new FaultEngine(1)
    f.set([
      { endpoint: '*', when: { always: true }, fault: { kind: 'latency', ms: 10 } },
      { endpoint: '/a', when: { always: true }, fault: { kind: 'latency', ms: 5 } },
      { endpoint: '/a', when: { always: true }, fault: { kind: 'non_json' }, label: 'first' },
      { endpoint: '/a', when: { always: true }, fault: { kind: 'truncated' } },
    ])
    expect(f.decide('GET', '/a')).toEqual({ latencyMs: 15, fault: { kind: 'non_json' }, label: 'first' })
  })

  it('draws probabilistic faults reproducibly from the seed', () => {
    const draw = (seed: number) => {
      const f = new FaultEngine(seed)
      f.set([{ endpoint: '*', when: { probability: 0.5 }, fault: { kind: 'reset' } }])
      return Array.from({ length: 40 }, () => f.decide('GET', '/').fault !== undefined)
    }
    expect(draw(3)).toEqual(draw(3))
    expect(draw(3).filter(Boolean).length).toBeGreaterThan(5)
    expect(draw(3).filter(Boolean).length).toBeLessThan(35)
  })

  it('rejects malformed rules with the path of the problem', () => {
    expect(() => validateRules([{ endpoint: '/a', when: { calls: [1] }, fault: { kind: 'explode' } }])).toThrow(
      /rules\[0\]\.fault\.kind/,
    )
    expect(() => validateRules([{ endpoint: '/a', when: {}, fault: { kind: 'reset' } }])).toThrow(/rules\[0\]\.when/)
    expect(() => validateRules([null])).toThrow(/rules\[0\]/)
    expect(() => validateRules([{ endpoint: '*', when: { always: true }, fault: { kind: 'http_error' } }])).toThrow(
      /fault\.status/,
    )
    expect(() => validateRules([{ endpoint: '*', when: { always: true }, fault: { kind: 'hang', ms: -1 } }])).toThrow(
      /fault\.ms/,
    )
    expect(() => validateRules([{ endpoint: '*', when: { always: true }, fault: { kind: 'vendor' } }])).toThrow(
      /fault\.body/,
    )
  })

  it('defines every named profile with valid rules', () => {
    for (const name of PROFILE_NAMES) expect(() => validateRules(faultProfile(name))).not.toThrow()
    expect(faultProfile('calm')).toEqual([])
    expect(faultProfile('hostile').some((r) => 'afterCommit' in r.fault && r.fault.afterCommit === true)).toBe(true)
  })
})

describe('window counters', () => {
  it('resets fixed windows at the wall-clock boundary', () => {
    const w = new WindowCounter({ limit: 2, windowMs: 1000 }, 'fixed')
    w.hit('k', 1900)
    w.hit('k', 1950)
    expect(w.full('k', 1999)).toBe(true)
    expect(w.retryAfterMs('k', 1999)).toBe(1)
    expect(w.full('k', 2000)).toBe(false)
    expect(w.full('other', 1999)).toBe(false)
  })

  it('counts the last windowMs in sliding mode', () => {
    const w = new WindowCounter({ limit: 2, windowMs: 1000 }, 'sliding')
    w.hit('k', 1900)
    w.hit('k', 1950)
    expect(w.full('k', 2100)).toBe(true)
    expect(w.retryAfterMs('k', 2100)).toBe(800)
    expect(w.full('k', 2900)).toBe(false)
  })
})

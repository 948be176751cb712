import { describe, expect, it } from 'vitest'
import { FerryError, Internal, isFerryError, toFerryError } from './errors.js'
import { redact, scrubText, REDACTED } from './redact.js'

describe('FerryError', () => {
  it('carries code, kind, message and location and prints the validate line format', () => {
    const e = Internal(['boom'], { location: 'a.b[0]' })
    expect(e).toBeInstanceOf(FerryError)
    expect(e.toLine()).toBe('ERR_INTERNAL  a.b[0]  internal error: boom')
    expect(e.toJSON()).toEqual({
      code: 'ERR_INTERNAL',
      kind: 'system',
      message: 'internal error: boom',
      location: 'a.b[0]',
    })
  })

  it('recognises a serialised error by code and kind, not by class', () => {
    const wire = JSON.parse(JSON.stringify(Internal(['x']).toJSON()))
    expect(isFerryError(wire)).toBe(true)
    expect(Internal.is(wire)).toBe(true)
    expect(toFerryError(wire).code).toBe('ERR_INTERNAL')
  })

  it('wraps a foreign throwable as a system error and keeps it as cause', () => {
    const cause = new TypeError('nope')
    const e = toFerryError(cause)
    expect(e.kind).toBe('system')
    expect(e.cause).toBe(cause)
  })
})

describe('redaction', () => {
  it('replaces secret-keyed values at any depth, whatever the spelling', () => {
    const out = redact({
      app_key: 'k',
      app_secret: 's3cr3t',
      nested: [{ 'app-token': 'tok', accessToken: 'a' }],
      clientSecret: 'c',
    })
    expect(out).toEqual({
      app_key: 'k',
      app_secret: REDACTED,
      nested: [{ 'app-token': REDACTED, accessToken: REDACTED }],
      clientSecret: REDACTED,
    })
  })

  it('scrubs known secret strings out of free text', () => {
    expect(scrubText('url?access_token=abcd1234&x=1', ['abcd1234'])).toBe(`url?access_token=${REDACTED}&x=1`)
  })
})

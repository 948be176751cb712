import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openStore } from '../store/index.js'
import { isSecretKey, redact, scrubText } from './redact.js'

describe('scrubbing quoted bodies', () => {
  it.each([
    [
      'a JSON token answer cut off inside the token',
      '{"code":0,"data":{"access_token":"b3f1c2d4e5f6a7b8',
      '{"code":0,"data":{"access_token":"[redacted]',
    ],
    [
      'a whole JSON answer',
      '{"access_token":"abc1","expires_in":7200,"refresh_token":"def2"}',
      '{"access_token":"[redacted]","expires_in":7200,"refresh_token":"[redacted]"}',
    ],
    [
      'a form body',
      'grant_type=refresh_token&refresh_token=abc123&app_key=k',
      'grant_type=refresh_token&refresh_token=[redacted]&app_key=k',
    ],
    ['an Authorization header', 'Authorization: Bearer eyJhbGciOi', 'Authorization: [redacted]'],
    ['a vendor-prefixed key', '{"new_access_token":"zz99"}', '{"new_access_token":"[redacted]"}'],
    ['single quotes', "{'client_secret': 'hunter2'}", "{'client_secret': '[redacted]'}"],
  ])('hides values under secret-looking keys in %s, even unknown ones', (_name, text, expected) => {
    expect(scrubText(text, [])).toBe(expected)
  })

  it('leaves ordinary fields alone', () => {
    expect(scrubText('{"token_count":3,"qty":"-1","grant_type":"refresh_token"}', [])).toBe(
      '{"token_count":3,"qty":"-1","grant_type":"refresh_token"}',
    )
  })

  it('treats keys ending like a secret as secrets in objects too', () => {
    expect(isSecretKey('x-client-secret')).toBe(true)
    expect(redact({ db_password: 'p', name: 'n' })).toEqual({ db_password: '[redacted]', name: 'n' })
  })

  it('stores a run error message without the token it quotes', async () => {
    const store = await openStore({ url: 'sqlite::memory:', masterKey: randomBytes(32) })
    try {
      const run = await store.runs.start('s', 'sync')
      await store.runs.finish(run, 'failed', {
        code: 'ERR_HTTP_BAD_BODY',
        message: 'not valid JSON (starts "{\\"access_token\\":\\"deadbeefcafe',
      })
      expect((await store.runs.get(run)).errorMessage).not.toContain('deadbeef')
    } finally {
      await store.close()
    }
  })
})

describe('redacting deep values', () => {
  it('cuts nesting past the limit instead of overflowing the stack', () => {
    let deep: unknown = { token: 't' }
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    expect(JSON.stringify(redact(deep))).toContain('[too deep]')
  })
})

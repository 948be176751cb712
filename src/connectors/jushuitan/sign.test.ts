import { describe, expect, it } from 'vitest'
import { businessParams, signedForm, signingString, signJst } from './sign.js'

const SECRET = 'e9c5ca33fecb404b8e6cdbd0ef4a6d25'
const KEY = '5b53060f23d84ddf9703056e84fa5a2d'
const TOKEN = 'd7b01bf0842a4742a9450e21ffd95f60'

describe('聚水潭 signature (spec §3.3 vectors)', () => {
  it('matches official vector A (token request)', () => {
    const params = {
      app_key: KEY,
      timestamp: '1639128407',
      grant_type: 'authorization_code',
      charset: 'utf-8',
      code: '123456',
    }
    expect(signingString(SECRET, params)).toBe(
      'e9c5ca33fecb404b8e6cdbd0ef4a6d25app_key5b53060f23d84ddf9703056e84fa5a2dcharsetutf-8code123456grant_typeauthorization_codetimestamp1639128407',
    )
    expect(signJst(SECRET, params)).toBe('05e3a51e19e0883afd1882ccd309e0b9')
  })

  it('matches official vector B (business request with a non-ASCII biz)', () => {
    const biz = JSON.stringify({ page_index: '1', page_size: '100', nicks: ['老板'] })
    expect(biz).toBe('{"page_index":"1","page_size":"100","nicks":["老板"]}')
    expect(signJst(SECRET, businessParams(KEY, TOKEN, 1639128407, biz))).toBe('395f5a78b446be465ac03a02491296c7')
  })

  it('matches derived vector C and produces its exact form body', () => {
    const biz = JSON.stringify({
      page_index: 1,
      page_size: 50,
      modified_begin: '2024-05-01 00:00:00',
      modified_end: '2024-05-01 01:00:00',
    })
    const params = businessParams(KEY, TOKEN, 1714492800, biz)
    expect(signJst(SECRET, params)).toBe('5102b5571a4de2e0316e7970a45c6c76')
    expect(signedForm(SECRET, params)).toBe(
      'app_key=5b53060f23d84ddf9703056e84fa5a2d&access_token=d7b01bf0842a4742a9450e21ffd95f60&timestamp=1714492800&charset=utf-8&version=2&biz=%7B%22page_index%22%3A1%2C%22page_size%22%3A50%2C%22modified_begin%22%3A%222024-05-01+00%3A00%3A00%22%2C%22modified_end%22%3A%222024-05-01+01%3A00%3A00%22%7D&sign=5102b5571a4de2e0316e7970a45c6c76',
    )
  })

  it('matches derived vector D (refreshToken)', () => {
    const params = {
      app_key: KEY,
      timestamp: '1639128407',
      grant_type: 'refresh_token',
      charset: 'utf-8',
      refresh_token: 'abc123',
      scope: 'all',
    }
    expect(signJst(SECRET, params)).toBe('5d8e927f1164364db52385c795defe4c')
  })

  it('leaves empty parameters out of both the signature and the body', () => {
    const params = {
      app_key: KEY,
      timestamp: '1639128407',
      grant_type: 'authorization_code',
      charset: 'utf-8',
      code: '123456',
      state: '',
    }
    expect(signJst(SECRET, params)).toBe('05e3a51e19e0883afd1882ccd309e0b9')
    expect(signedForm(SECRET, params)).not.toContain('state')
  })

  it('sorts keys by code unit, not by locale (uppercase before lowercase)', () => {
    expect(signingString('s', { b: '1', B: '2', a: '3' })).toBe('sB2a3b1')
  })
})

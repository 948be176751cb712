import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  appSignature,
  canonicalQuery,
  formEncode,
  gwEncode,
  makeNonce,
  signRequest,
  signingHeaders,
  stringToSign,
  wireQuery,
} from './sign.js'

// Vectors from ref/kingdee-jdy-api.md §2.4 (V1/V2 official, V3–V5 produced with the official jar).
const SECRET = 'f2adcfef73369bfc4e1384677d38a0ff'
const NONCE = '4427456950'
const TS = '1670305063559'
const V2_PARAMS = {
  app_key: 'bVZgAZOv1',
  app_signature: 'MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA==',
}

describe('JDY signing vectors (spec §2.4)', () => {
  it('V1: app_signature is Base64 of the lowercase hex HMAC of app_key keyed by appSecret', () => {
    expect(appSignature('abc', 'abc123')).toBe(
      'ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==',
    )
  })

  it('V2: signs the token request exactly like the official doc example', () => {
    const input = {
      method: 'GET' as const,
      path: '/jdyconnector/app_management/kingdee_auth_token',
      params: V2_PARAMS,
      nonce: NONCE,
      timestamp: TS,
    }
    expect(stringToSign(input)).toBe(
      'GET\n%2Fjdyconnector%2Fapp_management%2Fkingdee_auth_token\n' +
        'app_key=bVZgAZOv1&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%253D%253D\n' +
        'x-api-nonce:4427456950\nx-api-timestamp:1670305063559\n',
    )
    expect(createHmac('sha256', SECRET).update(stringToSign(input)).digest('hex')).toBe(
      '91be9b41b23da27c5a788028de71f5e09e9565e4c5a25f21cf9a07df68b50d51',
    )
    expect(signRequest(input, SECRET)).toBe(
      'OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ==',
    )
  })

  it('V2 negative checks: the signature differs from the three classic wrong variants', () => {
    const input = {
      method: 'GET' as const,
      path: '/jdyconnector/app_management/kingdee_auth_token',
      params: V2_PARAMS,
      nonce: NONCE,
      timestamp: TS,
    }
    const sig = signRequest(input, SECRET)
    const withoutTrailingNewline = Buffer.from(
      createHmac('sha256', SECRET).update(stringToSign(input).slice(0, -1)).digest('hex'),
    ).toString('base64')
    expect(withoutTrailingNewline).toBe(
      'N2NmYjIzMTgxZGY1MDk2ZmE5MTEyZWE1NjVhNDRkZGNlNWMzNzkzNDk0MzQ4NGJkYTE1ODE4NjViM2I2MTMyOA==',
    )
    const rawDigest = createHmac('sha256', SECRET).update(stringToSign(input)).digest('base64')
    expect(rawDigest).toBe('kb6bQbI9onxaeIAo3nH14J6VZeTFol8hz5oH32i1DVE=')
    const upperHex = Buffer.from(
      createHmac('sha256', SECRET).update(stringToSign(input)).digest('hex').toUpperCase(),
    ).toString('base64')
    expect(upperHex).toBe('OTFCRTlCNDFCMjNEQTI3QzVBNzg4MDI4REU3MUY1RTA5RTk1NjVFNEM1QTI1RjIxQ0Y5QTA3REY2OEI1MEQ1MQ==')
    expect([withoutTrailingNewline, rawDigest, upperHex]).not.toContain(sig)
  })

  it('V3: a POST without query keeps the empty query line', () => {
    const input = { method: 'POST' as const, path: '/jdy/v2/scm/inv_check_loss_bill', nonce: NONCE, timestamp: TS }
    expect(stringToSign(input)).toBe(
      'POST\n%2Fjdy%2Fv2%2Fscm%2Finv_check_loss_bill\n\nx-api-nonce:4427456950\nx-api-timestamp:1670305063559\n',
    )
    expect(signRequest(input, SECRET)).toBe(
      'NzY5MmEwMTQxN2Y0OWJlNDVmMDFhZTlhMmY3MWJmOGUzOGU1MDAwMmFhZTY4Nzc3ZDBiZThlNGY3MzYxMzQzNw==',
    )
  })

  it('V4: signs a detail lookup by number', () => {
    const input = {
      method: 'GET' as const,
      path: '/jdy/v2/scm/inv_check_loss_bill_detail',
      params: { number: 'PK-2024-0001' },
      nonce: NONCE,
      timestamp: TS,
    }
    expect(signRequest(input, SECRET)).toBe(
      'YWNmNDkxOGYzYTk3NWVjZjgxMjA5NjU0ZGQ1NDE4NjM4NDZiMWMwNDdlZjc0YjY1YzZiMjIzNDQ4Y2Y0NDhiNQ==',
    )
  })

  it("V5: encodes space and !'()*~ and Chinese like the official client, not like double encodeURIComponent", () => {
    const params = { page: 1, page_size: 100, search: "盘亏 A*B~C!(x)'y" }
    expect(canonicalQuery(params)).toBe(
      'page=1&page_size=100&search=%25E7%259B%2598%25E4%25BA%258F%2BA%2AB%257EC%2521%2528x%2529%2527y',
    )
    const input = {
      method: 'GET' as const,
      path: '/jdy/v2/scm/inv_check_loss_bill',
      params,
      nonce: NONCE,
      timestamp: TS,
    }
    expect(signRequest(input, SECRET)).toBe(
      'YzFkNzkzMWI3OGRmN2ViYzAzNzQwZjhmMjdiZGEzZTE5YmI4OWJiYWNjZWJjODhiMmIwM2VhNzNhOGY1MTRhZg==',
    )
    expect(signRequest(input, SECRET)).not.toBe(
      'OWQ2MTg3YjlhOTFiMjRhNjVmNmE5MmJiYWZmMGI1NzRlY2EyNjYwOTdlNTY2Y2Q2N2ZhMmQwMjgyMDUzZDczNg==',
    )
  })
})

describe('JDY query canonicalisation', () => {
  it.each([
    ['=', '%3D', '%3D'],
    ['盘', '%E7%9B%98', '%E7%9B%98'],
    ['-', '-', '-'],
    [' ', '+', '+'],
    ['*', '*', '%2A'],
    ['~', '%7E', '~'],
    ['!', '%21', '%21'],
    ["'()", '%27%28%29', '%27%28%29'],
    ['a/b:c', 'a%2Fb%3Ac', 'a%2Fb%3Ac'],
    ['%+', '%25%2B', '%25%2B'],
  ])('encodes %j as FORM %s and GW %s', (input, form, gw) => {
    expect(formEncode(input)).toBe(form)
    expect(gwEncode(input)).toBe(gw)
  })

  it.each([
    ['=', '%253D'],
    ['盘', '%25E7%259B%2598'],
    ['-', '-'],
    [' ', '%2B'],
    ['*', '%2A'],
    ['~', '%257E'],
    ['!', '%2521'],
  ])('puts %j into the canonical query as %s (GW after FORM)', (v, expected) => {
    expect(canonicalQuery({ q: v })).toBe(`q=${expected}`)
  })

  it('sorts the encoded key=value items by UTF-16 code unit, whatever the insertion order', () => {
    expect(canonicalQuery({ b: '1', a: '2', A: '3', a_b: '4' })).toBe('A=3&a=2&a_b=4&b=1')
  })

  it('neither signs nor sends empty, null or undefined parameters', () => {
    const params = { page: 1, search: '', enable: undefined, x: null }
    expect(canonicalQuery(params)).toBe('page=1')
    expect(wireQuery(params)).toBe('page=1')
  })

  it('sends the query form-encoded so the server decodes back the signed values', () => {
    const q = wireQuery({ search: "盘亏 A*B~C!(x)'y", page: 2 })
    expect(q).toBe('page=2&search=%E7%9B%98%E4%BA%8F+A*B%7EC%21%28x%29%27y')
    expect(new URLSearchParams(q).get('search')).toBe("盘亏 A*B~C!(x)'y")
  })

  it('builds the six gateway headers with the doc SignHeaders value and a 10-digit nonce', () => {
    const h = signingHeaders(
      { method: 'POST', path: '/jdy/v2/scm/inv_check_loss_bill' },
      '200421',
      SECRET,
      new Date(1670305063559),
      NONCE,
    )
    expect(h).toEqual({
      'X-Api-ClientID': '200421',
      'X-Api-Auth-Version': '2.0',
      'X-Api-TimeStamp': TS,
      'X-Api-Nonce': NONCE,
      'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
      'X-Api-Signature': 'NzY5MmEwMTQxN2Y0OWJlNDVmMDFhZTlhMmY3MWJmOGUzOGU1MDAwMmFhZTY4Nzc3ZDBiZThlNGY3MzYxMzQzNw==',
    })
    expect(makeNonce()).toMatch(/^[1-9]\d{9}$/)
  })
})

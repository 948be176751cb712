/**
 * Password hashing (scrypt from node:crypto: no native add-on to download) and the random
 * secrets of the service. Session ids and API tokens carry 256 random bits, so a plain SHA-256
 * is enough to store them; passwords are low-entropy and get scrypt with a per-user salt.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/** N=2^15, r=8, p=1: ~32 MiB and tens of milliseconds per hash, the OWASP floor for scrypt. */
const N = 32768
const R = 8
const P = 1
const KEYLEN = 32
const MAXMEM = 64 * 1024 * 1024

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEYLEN, { N: n, r, p, maxmem: MAXMEM }, (err, key) => {
      if (err === null) resolve(key)
      else reject(err)
    })
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, N, R, P)
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** Constant-time check; false for any hash this code did not write. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$')
  if (
    alg !== 'scrypt' ||
    n === undefined ||
    r === undefined ||
    p === undefined ||
    salt === undefined ||
    key === undefined
  )
    return false
  const expected = Buffer.from(key, 'base64url')
  const got = await scryptAsync(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p))
  return expected.length === got.length && timingSafeEqual(expected, got)
}

/** A hash of a password nobody has, so a sign-in for an unknown user costs as long as one for a known user. */
export const DECOY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url')
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** A generated password people can type: 20 characters without look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  // Rejection sampling: bytes past the largest multiple of the alphabet size would bias the draw.
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < 20)
    for (const b of randomBytes(32)) if (b < limit && out.length < 20) out += alphabet[b % alphabet.length] ?? ''
  return out
}

export const TOKEN_PREFIX = 'fry_'

/** `fry_<id>_<secret>`: the id names the token in lists and logs; only the whole string's hash is stored. */
export function newApiToken(): { id: string; token: string } {
  const id = randomBytes(6).toString('hex')
  return { id, token: `${TOKEN_PREFIX}${id}_${randomSecret(32)}` }
}

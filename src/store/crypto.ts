/**
 * Secrets at rest: AES-256-GCM under one master key.
 *
 * The key comes from `FERRY_MASTER_KEY` (base64 of 32 bytes) or, when that is unset, from a key
 * file (default `./data/master.key`) that Ferry creates with mode 0600 on first start. Each
 * ciphertext is bound to where it lives (table, row, field) through GCM's additional data, so a
 * value copied into another row does not decrypt. A wrong key fails authentication and becomes
 * ERR_MASTER_KEY_MISMATCH; it can never yield garbage plaintext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { MasterKeyFile, MasterKeyInvalid, MasterKeyMismatch } from './errors.js'

export const DEFAULT_MASTER_KEY_FILE = './data/master.key'
const FORMAT = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export interface MasterKeySource {
  /** Value of FERRY_MASTER_KEY, when set. */
  readonly envValue?: string
  /** Key file used when no environment value is given. */
  readonly file?: string
}

/** Resolve the master key: environment first, else the key file (created on first start). */
export function loadMasterKey(source: MasterKeySource): Buffer {
  const env = source.envValue?.trim()
  if (env !== undefined && env !== '') return decodeKey(env, 'FERRY_MASTER_KEY')
  const file = resolve(source.file ?? DEFAULT_MASTER_KEY_FILE)
  let text: string
  try {
    const mode = statSync(file).mode
    // Like ssh with private keys: a key other users can read is not a secret any more.
    if ((mode & 0o077) !== 0)
      throw MasterKeyFile([file, `mode ${(mode & 0o777).toString(8)} lets other users read it; chmod 600`])
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (MasterKeyFile.is(e)) throw e
      throw MasterKeyFile([file, (e as Error).message], { cause: e })
    }
    return createKeyFile(file)
  }
  return decodeKey(text.trim(), file)
}

function createKeyFile(file: string): Buffer {
  const key = randomBytes(32)
  try {
    mkdirSync(dirname(file), { recursive: true })
    // 'wx' fails if another process created the file meanwhile; then use theirs.
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    return key
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return decodeKey(readFileSync(file, 'utf8').trim(), file)
    throw MasterKeyFile([file, (e as Error).message], { cause: e })
  }
}

function decodeKey(text: string, source: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw MasterKeyInvalid([source])
  const key = Buffer.from(text, 'base64')
  if (key.length !== 32) throw MasterKeyInvalid([source])
  return key
}

/** Encrypts and decrypts short secrets bound to a context string (e.g. `credentials/conn-1/token`). */
export class SecretBox {
  readonly #key: Buffer

  constructor(key: Buffer) {
    if (key.length !== 32) throw MasterKeyInvalid(['the provided key'])
    this.#key = Buffer.from(key)
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    cipher.setAAD(Buffer.from(context, 'utf8'))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`
  }

  /** Throws ERR_MASTER_KEY_MISMATCH when the key (or the context) is not the one used to seal. */
  open(sealed: string, context: string, what = 'a stored secret'): string {
    if (!sealed.startsWith(`${FORMAT}:`)) throw MasterKeyMismatch([what])
    const raw = Buffer.from(sealed.slice(FORMAT.length + 1), 'base64')
    if (raw.length < IV_BYTES + TAG_BYTES) throw MasterKeyMismatch([what])
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES))
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
    } catch (e) {
      throw MasterKeyMismatch([what], { cause: e instanceof Error ? new Error(e.message) : undefined })
    }
  }
}

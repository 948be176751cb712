import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SecretBox, loadMasterKey } from '../../src/store/crypto.js'
import { openStore } from '../../src/store/index.js'

describe('master key', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-key-'))
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates a key file with mode 0600 on first start and reuses it', () => {
    const file = join(dir, 'sub', 'master.key')
    const k1 = loadMasterKey({ file })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(loadMasterKey({ file }).equals(k1)).toBe(true)
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32)
  })

  it('prefers FERRY_MASTER_KEY over the file', () => {
    const key = randomBytes(32)
    expect(loadMasterKey({ envValue: key.toString('base64'), file: join(dir, 'unused.key') }).equals(key)).toBe(true)
  })

  it('rejects a key that is not 32 bytes of base64 with ERR_MASTER_KEY_INVALID', () => {
    expect(() => loadMasterKey({ envValue: randomBytes(16).toString('base64') })).toThrow(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID', kind: 'config' }) as Error,
    )
    expect(() => loadMasterKey({ envValue: 'not base64!' })).toThrow(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }) as Error,
    )
  })

  it('refuses a key file other users can read with ERR_MASTER_KEY_FILE', () => {
    const file = join(dir, 'master.key')
    writeFileSync(file, randomBytes(32).toString('base64'))
    chmodSync(file, 0o644)
    expect(() => loadMasterKey({ file })).toThrow(expect.objectContaining({ code: 'ERR_MASTER_KEY_FILE' }) as Error)
  })

  it('never opens a sealed value with another key or context; it fails with ERR_MASTER_KEY_MISMATCH', () => {
    const box = new SecretBox(randomBytes(32))
    const sealed = box.seal('app-secret-value', 'connections/a/config')
    expect(box.open(sealed, 'connections/a/config')).toBe('app-secret-value')
    expect(sealed).not.toContain('app-secret-value')
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'connections/a/config')).toThrow(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_MISMATCH' }) as Error,
    )
    expect(() => box.open(sealed, 'connections/b/config')).toThrow(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_MISMATCH' }) as Error,
    )
  })

  it('opens the same SQLite database after a restart with the key file it created', async () => {
    const url = `sqlite:${join(dir, 'ferry.db')}`
    const masterKeyFile = join(dir, 'master.key')
    const first = await openStore({ url, masterKeyFile })
    await first.connections.save('c1', 'jushuitan', { app_secret: 'abc-secret' })
    await first.close()
    const second = await openStore({ url, masterKeyFile })
    expect((await second.connections.get('c1')).config).toEqual({ app_secret: 'abc-secret' })
    await second.close()
    rmSync(masterKeyFile)
    await expect(openStore({ url, masterKeyFile })).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_MISMATCH' })
  })
})

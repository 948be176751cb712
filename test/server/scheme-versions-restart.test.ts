/**
 * Which version runs after a restart: an unchanged scheme file lets the version saved from the
 * console run; an edited file wins as a new version and the log names the console version it
 * supersedes (which stays stored). Each start is a real service on the same SQLite file.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { examplesDir } from '../../src/cli/demo-command.js'
import type { FerryConfig } from '../../src/config/types.js'
import { createServiceLogger } from '../../src/server/logger.js'
import { openService } from '../../src/server/service.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { configFor } from '../e2e/support.js'
import { bearer } from './support.js'

const LOSS = 'jst-count-to-jdy-check-loss'

interface Doc {
  name: string
  target: { metadata: { request: { field: string; value: unknown }[] } }
  [k: string]: unknown
}
interface Detail {
  version: number
  running: { version: number; from: string; reason: string }
  definition: Doc
}

describe('the scheme version that runs after a restart', () => {
  let dir = ''
  let sandbox: Sandbox
  let config: FerryConfig
  let file = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-versions-'))
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 2 * 86_400_000 - 2 * hour)
    sandbox = await startSandbox({ orders: 10, days: 2, seed: 31, start })
    file = join(dir, `${LOSS}.json`)
    copyFileSync(join(examplesDir(), `${LOSS}.json`), file)
    const base = configFor(sandbox, dir, start)
    config = { ...base, schemes: base.schemes.map((s) => (s.file.endsWith(`${LOSS}.json`) ? { ...s, file } : s)) }
  }, 60_000)
  afterAll(async () => {
    await sandbox?.close()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  /** Start the service, hand it to `fn` with an HTTP caller, stop it; answers what it logged. */
  const started = async (
    fn: (
      call: <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>,
    ) => Promise<void>,
  ): Promise<string> => {
    let logged = ''
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logged += chunk.toString()
        cb()
      },
    })
    const svc = await openService(config, {
      logger: createServiceLogger({ level: 'info', stream }),
      defaultMetrics: false,
    })
    try {
      const base = await svc.app.listen({ port: 0, host: '127.0.0.1' })
      const token = (await svc.auth.createToken('operator', 'restart test', 'test')).token
      await fn(async <T>(method: string, path: string, body?: unknown) => {
        const r = await fetch(`${base}/api/v1/${path}`, {
          method,
          headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        return { status: r.status, body: (await r.json()) as T }
      })
    } finally {
      await svc.close()
    }
    return logged
  }
  const remarkOf = (d: Doc) => d.target.metadata.request.find((f) => f.field === 'remark')?.value

  it('keeps a console version across restarts while the file is unchanged; an edited file supersedes it', async () => {
    // First start: the file is version 1. The console saves version 2.
    const first = await started(async (call) => {
      const d = (await call<Detail>('GET', `schemes/${LOSS}`)).body
      expect(d.running).toMatchObject({ version: 1, from: 'file' })
      const doc = d.definition
      doc.target.metadata.request.find((f) => f.field === 'remark')!.value = '{{remark}} (console)'
      const saved = await call<{ version: number }>('POST', `schemes/${LOSS}/versions`, { definition: doc })
      expect(saved.status).toBe(201)
      expect(saved.body.version).toBe(2)
    })
    expect(first).toContain('was stored as its first version')

    // Restart with the same file: the console's version 2 runs, and the log says why.
    const second = await started(async (call) => {
      const d = (await call<Detail>('GET', `schemes/${LOSS}`)).body
      expect(d.version).toBe(2)
      expect(d.running).toMatchObject({ version: 2, from: 'store' })
      expect(remarkOf(d.definition)).toBe('{{remark}} (console)')
    })
    expect(second).toMatch(/unchanged since it was imported as version 1; version 2, saved since, runs/)

    // The file is edited (someone deploys a new name): it wins as version 3; version 2 stays stored.
    const text = readFileSync(file, 'utf8')
    writeFileSync(file, text.replace('"name": "', '"name": "Edited: '))
    const third = await started(async (call) => {
      const d = (await call<Detail>('GET', `schemes/${LOSS}`)).body
      expect(d.running).toMatchObject({ version: 3, from: 'file' })
      expect(d.definition.name).toMatch(/^Edited: /)
      expect(remarkOf(d.definition)).toBe('{{remark}}')
      const kept = (await call<Detail>('GET', `schemes/${LOSS}/versions/2`)).body
      expect(remarkOf(kept.definition)).toBe('{{remark}} (console)')
    })
    expect(third).toMatch(/"level":40[^\n]*version 2, saved since its last import, is superseded \(still stored\)/)

    // And once more unchanged: version 3 (the file) runs, nothing new is stored.
    const fourth = await started(async (call) => {
      const d = (await call<Detail>('GET', `schemes/${LOSS}`)).body
      expect(d).toMatchObject({ version: 3, running: { version: 3, from: 'file' } })
    })
    expect(fourth).toContain('is unchanged and is the newest version')
  }, 90_000)
})

import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runSandbox, sandboxOptionsFromCli } from '../../../src/cli/sandbox-command.js'
import { faultProfile } from '../../../simulators/common/index.js'
import type { SandboxInfo } from '../../../simulators/sandbox.js'
import { startSandbox } from '../../../simulators/sandbox.js'
import { businessFields, postForm } from '../jushuitan/tiny-client.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const cliDefaults = { host: '127.0.0.1', seed: '1', orders: '200', days: '7', profile: 'calm' }

describe('sandbox (both simulators on one dataset)', () => {
  it('serves JST count orders and JDY master data that agree on SKUs and warehouses', async () => {
    const sb = await startSandbox({ seed: 5, orders: 30, days: 2 })
    try {
      const info = sb.info()
      expect(info.jst.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(info.jdy.url).not.toBe(info.jst.url)
      const now = Math.floor(sb.clock.now() / 1000)
      const r = await postForm(`${info.jst.url}/open/wms/partner/query`, businessFields(info.jst, {}, now))
      expect(r.json?.code).toBe(0)
      const stores = new Set(sb.dataset.jdy.stores.map((s) => s.number))
      for (const p of r.json?.data.datas as { wms_co_id: number }[]) expect(stores.has(String(p.wms_co_id))).toBe(true)
      // The data ends near now, so a scheme polling recent windows finds it.
      expect(sb.dataset.meta.endMs).toBeGreaterThan(sb.clock.now() - 3_600_000)
    } finally {
      await sb.close()
    }
  })

  it('applies the named fault profile to both simulators', async () => {
    const sb = await startSandbox({ orders: 1, profile: 'hostile' })
    try {
      expect(sb.jst.faults.list()).toEqual(faultProfile('hostile'))
      expect(sb.jdy.faults.list()).toEqual(faultProfile('hostile'))
      expect(sb.info().profile).toBe('hostile')
    } finally {
      await sb.close()
    }
  })

  it('prints one JSON line first and stops when told to', async () => {
    const lines: string[] = []
    let stop: () => void = () => undefined
    const stopped = new Promise<void>((r) => (stop = r))
    const running = runSandbox(sandboxOptionsFromCli({ ...cliDefaults, orders: '10', profile: 'realistic' }), {
      stdout: (l) => {
        lines.push(l)
        stop()
      },
      stderr: () => undefined,
      stopped,
    })
    await running
    expect(lines).toHaveLength(1)
    const info = JSON.parse(lines[0]!) as SandboxInfo
    expect(info).toMatchObject({ orders: 10, days: 7, profile: 'realistic', seed: 1 })
    expect(info.jst.admin).toBe(`${info.jst.url}/__admin/`)
    expect(lines[0]!.startsWith('{"adminToken":"')).toBe(true)
    expect(info.adminToken).toMatch(/^[0-9a-f]{32}$/)
    expect(typeof info.jdy.clientSecret).toBe('string')
  })

  it('rejects bad options with ERR_SANDBOX_OPTION naming the option', () => {
    expect(() => sandboxOptionsFromCli({ ...cliDefaults, orders: 'many' })).toThrow(
      expect.objectContaining({ code: 'ERR_SANDBOX_OPTION', message: expect.stringMatching(/^--orders/) }),
    )
    expect(() => sandboxOptionsFromCli({ ...cliDefaults, profile: 'chaos' })).toThrow(
      expect.objectContaining({ code: 'ERR_SANDBOX_OPTION' }),
    )
    expect(() => sandboxOptionsFromCli({ ...cliDefaults, port: '70000' })).toThrow(/--port/)
    expect(() => sandboxOptionsFromCli({ ...cliDefaults, days: '0' })).toThrow(/--days/)
  })

  it('refuses a non-loopback --host unless --allow-remote says so', async () => {
    expect(() => sandboxOptionsFromCli({ ...cliDefaults, host: '0.0.0.0' })).toThrow(
      expect.objectContaining({
        code: 'ERR_SANDBOX_OPTION',
        message: expect.stringMatching(/^--host.*--allow-remote/),
      }),
    )
    expect(sandboxOptionsFromCli({ ...cliDefaults, host: '0.0.0.0', allowRemote: true })).toMatchObject({
      host: '0.0.0.0',
      allowRemote: true,
    })
    expect(sandboxOptionsFromCli({ ...cliDefaults, host: 'localhost' })).toMatchObject({ host: 'localhost' })
    await expect(startSandbox({ orders: 1, host: '0.0.0.0' })).rejects.toThrow(/allowRemote/)
  })

  it('shares one admin token between both simulators and exposes it on the sandbox object', async () => {
    const sb = await startSandbox({ orders: 1 })
    try {
      expect(sb.jst.adminToken).toBe(sb.adminToken)
      expect(sb.jdy.adminToken).toBe(sb.adminToken)
      const headers = { authorization: `Bearer ${sb.adminToken}` }
      expect((await fetch(`${sb.jdy.url}/__admin/credentials`, { headers })).status).toBe(200)
      expect((await fetch(`${sb.jdy.url}/__admin/credentials`)).status).toBe(401)
    } finally {
      await sb.close()
    }
  })

  it('reports a busy port as ERR_SANDBOX_LISTEN', async () => {
    const sb = await startSandbox({ orders: 1 })
    try {
      await expect(
        runSandbox(
          { port: sb.jst.port, orders: 1 },
          { stdout: () => undefined, stderr: () => undefined, stopped: Promise.resolve() },
        ),
      ).rejects.toMatchObject({ code: 'ERR_SANDBOX_LISTEN' })
    } finally {
      await sb.close()
    }
  })

  it('runs as `ferry sandbox` and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'sandbox', '--orders', '5', '--seed', '9'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve)
      child.once('exit', (code) => reject(new Error(`exited early with ${String(code)}`)))
    })
    const info = JSON.parse(first) as SandboxInfo
    expect((await fetch(`${info.jst.url}/__admin/credentials`)).status).toBe(401)
    const res = await fetch(`${info.jst.url}/__admin/credentials`, {
      headers: { authorization: `Bearer ${info.adminToken}` },
    })
    expect(((await res.json()) as { credentials: { appKey: string } }).credentials.appKey).toBe(info.jst.appKey)
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })
})

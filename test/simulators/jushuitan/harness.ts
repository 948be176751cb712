/** Test harness: a simulator with a frozen clock and a signed-call helper bound to it. */
import { afterEach } from 'vitest'
import { startJstSimulator, type JstSimulator, type JstSimulatorOptions } from '../../../simulators/jushuitan/index.js'
import { businessFields, postForm, type Reply } from './tiny-client.js'

export const COUNT = '/open/inventory/count/query'
export const SKU = '/open/sku/query'
export const PARTNER = '/open/wms/partner/query'

/** 2026-11-08 00:00:00 Shanghai: one day after the default 7-day dataset range ends. */
export const T0 = Date.UTC(2026, 10, 7, 16, 0, 0)

const running: JstSimulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()))
})

export interface Harness {
  sim: JstSimulator
  /** A signed business call with the simulator's current time and its advertised token. */
  call: (path: string, biz: unknown, token?: string) => Promise<Reply>
}

export async function harness(opts: JstSimulatorOptions = {}): Promise<Harness> {
  const sim = await startJstSimulator({ clock: { start: T0, frozen: true }, ...opts })
  running.push(sim)
  return {
    sim,
    call: (path, biz, token) => {
      const c = sim.credentials
      return postForm(
        `${sim.url}${path}`,
        businessFields({ ...c, accessToken: token ?? c.accessToken }, biz, Math.floor(sim.clock.now() / 1000)),
      )
    },
  }
}

/** The whole generated range [2026-11-01, 2026-11-08) Shanghai fits in one 7-day window. */
export const FULL_WEEK = { modified_begin: '2026-11-01 00:00:00', modified_end: '2026-11-08 00:00:00' }

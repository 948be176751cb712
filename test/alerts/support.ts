/** A store on a temp SQLite file with a movable clock, a fake facts source and a recording channel. */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AlertEvaluator } from '../../src/alerts/evaluator.js'
import type { FactsSource, SchemeFacts } from '../../src/alerts/facts.js'
import { DEFAULT_ALERTS, type AlertsConfig, type ChannelConfig } from '../../src/config/alerts-settings.js'
import type { AlertMessage } from '../../src/alerts/types.js'
import { openStore, type Store } from '../../src/store/index.js'

export interface Bench {
  readonly store: Store
  readonly clock: { t: number; now(): Date; advance(ms: number): void }
  readonly facts: Map<string, SchemeFacts>
  readonly messages: { channel: string; msg: AlertMessage }[]
  evaluator(config?: Partial<AlertsConfig>, channels?: ChannelConfig[]): AlertEvaluator
  close(): Promise<void>
}

export const recorder = (name = 'ops', ratePerMinute = 20): ChannelConfig => ({
  name,
  language: 'en',
  ratePerMinute,
  settings: { type: 'webhook', url: 'http://unused.invalid', secret: 's' },
})

export function baseFacts(schemeId: string, over: Partial<SchemeFacts> = {}): SchemeFacts {
  return { schemeId, schemeName: schemeId, runs: [], failedRecords: { count: 0, codes: [] }, credentials: [], ...over }
}

export async function bench(start: Date): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-alerts-'))
  const clock = {
    t: start.getTime(),
    now() {
      return new Date(this.t)
    },
    advance(ms: number) {
      this.t += ms
    },
  }
  const store = await openStore({
    url: `sqlite:${join(dir, 'ferry.db')}`,
    masterKey: randomBytes(32),
    now: () => clock.t,
  })
  const facts = new Map<string, SchemeFacts>()
  const messages: { channel: string; msg: AlertMessage }[] = []
  const source: FactsSource = {
    schemeIds: () => [...facts.keys()],
    facts: (id) => {
      const f = facts.get(id)
      return f === undefined ? Promise.reject(new Error(`no facts for ${id}`)) : Promise.resolve(f)
    },
  }
  return {
    store,
    clock,
    facts,
    messages,
    evaluator(config = {}, channels = [recorder()]) {
      return new AlertEvaluator({
        book: store.alerts,
        facts: source,
        clock,
        log: { info: () => undefined, warn: () => undefined },
        config: { ...DEFAULT_ALERTS, route: channels.map((c) => c.name), ...config },
        channels: new Map(channels.map((c) => [c.name, c])),
        send: (ch, msg) => {
          messages.push({ channel: ch.name, msg })
          return Promise.resolve()
        },
      })
    },
    async close() {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

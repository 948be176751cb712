/**
 * `queue:` in the configuration: where the BullMQ queues live. Without it Ferry stays one process
 * (the embedded default); with it `ferry serve`/`ferry scheduler` put crontab ticks on the queues
 * and `ferry worker` processes run them (docs/deploy.md).
 */
import type { FerryError } from '../core/errors.js'
import { ConfigType, ConfigUnknownKey } from './errors.js'

export interface QueueSettings {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`; usually `${FERRY_REDIS_URL}`. */
  readonly redisUrl: string
  /** Key prefix of every queue key: deployments sharing one Redis use different ones. */
  readonly prefix: string
  /** Target-stage jobs per tick of each scheme: that many workers claim its groups side by side. */
  readonly targetParts: number
}

export const DEFAULT_QUEUE_PREFIX = 'ferry'
const KEYS = ['redisUrl', 'prefix', 'targetParts']
const MAX_TARGET_PARTS = 64

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Check the `queue` section; problems are reported through `add` (all at once, as the rest of the file). */
export function checkQueue(raw: unknown, add: (e: FerryError) => void): QueueSettings | undefined {
  if (raw === undefined || raw === null) return undefined
  if (!isObj(raw)) {
    add(ConfigType(['queue', 'an object {redisUrl, prefix?, targetParts?}'], { location: 'queue' }))
    return undefined
  }
  for (const k of Object.keys(raw))
    if (!KEYS.includes(k)) add(ConfigUnknownKey([k, KEYS.join(', ')], { location: `queue.${k}` }))
  const { redisUrl, prefix, targetParts } = raw
  let ok = true
  if (typeof redisUrl !== 'string' || !/^rediss?:\/\/./.test(redisUrl)) {
    add(ConfigType(['queue.redisUrl', 'a redis:// or rediss:// URL'], { location: 'queue.redisUrl' }))
    ok = false
  }
  if (prefix !== undefined && !(typeof prefix === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(prefix))) {
    add(ConfigType(['queue.prefix', 'letters, digits, _ . - (at most 64)'], { location: 'queue.prefix' }))
    ok = false
  }
  if (
    targetParts !== undefined &&
    !(Number.isInteger(targetParts) && (targetParts as number) >= 1 && (targetParts as number) <= MAX_TARGET_PARTS)
  ) {
    add(
      ConfigType(['queue.targetParts', `a whole number from 1 to ${MAX_TARGET_PARTS}`], {
        location: 'queue.targetParts',
      }),
    )
    ok = false
  }
  if (!ok) return undefined
  return {
    redisUrl: redisUrl as string,
    prefix: (prefix as string | undefined) ?? DEFAULT_QUEUE_PREFIX,
    targetParts: (targetParts as number | undefined) ?? 1,
  }
}

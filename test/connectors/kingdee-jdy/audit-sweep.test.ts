import { afterEach, describe, expect, it, vi } from 'vitest'
import type { JdyApi } from '../../../src/connectors/kingdee-jdy/api.js'
import { AuditSweep } from '../../../src/connectors/kingdee-jdy/audit-sweep.js'

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }

/** An API whose unaudited list is always empty (every save audited), counting the list reads. */
function listCounter(): { api: JdyApi; lists: () => number } {
  let lists = 0
  const api = {
    cfg: { pageSize: 100 },
    get: () => {
      lists++
      return Promise.resolve({ rows: [], count: 0, total_page: 1 })
    },
  }
  return { api: api as unknown as JdyApi, lists: () => lists }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('bulk audit check pacing', () => {
  it('checks saves that keep coming once per batch, not every linger interval', async () => {
    vi.useFakeTimers()
    const { api, lists } = listCounter()
    const sweep = new AuditSweep(api, quiet, {
      listPath: '/list',
      operatePath: '/operate',
      entity: 'e',
      batch: 100,
      lingerMs: 2_000,
      maxLingerMs: 60_000,
    })
    // 250 saves at 11 a second (one of three workers writing one book at 34/s) take 23 s.
    for (let i = 0; i < 250; i++) {
      await sweep.add({ id: String(i), key: `K${i}`, billDate: '2026-11-20' })
      await vi.advanceTimersByTimeAsync(90)
    }
    await vi.advanceTimersByTimeAsync(2_000)
    // Two full batches and the rest once the saves went quiet; a timer counted from the first
    // save of a batch listed every 22 bills (11 reads).
    expect(lists()).toBe(3)
  })

  it('still checks a slow trickle of saves within the longest linger', async () => {
    vi.useFakeTimers()
    const { api, lists } = listCounter()
    const sweep = new AuditSweep(api, quiet, {
      listPath: '/list',
      operatePath: '/operate',
      entity: 'e',
      batch: 100,
      lingerMs: 2_000,
      maxLingerMs: 10_000,
    })
    for (let i = 0; i < 6; i++) {
      await sweep.add({ id: String(i), key: `K${i}` })
      await vi.advanceTimersByTimeAsync(1_900)
    }
    // Six saves 1.9 s apart never leave 2 s of quiet; the oldest is checked 10 s after it was saved.
    expect(lists()).toBe(1)
  })
})

/**
 * The reference contender (issue 11): what a careful person writes in an afternoon. A plain paced
 * script with its own signing, its own HTTP (Node's fetch) and no code from Ferry: read the JDY
 * master data, read the JST count orders window by window, save one bill per qualifying order at
 * the told quota, wait out a throttle answer and send again. No ledger, no probe, no recovery.
 *
 * Unpaced (`told` undefined, the overhead scenario) it is the whole job at the simulators' speed;
 * with {@link ReferenceHooks} from bench/floor-ledger.ts it also keeps a durable ledger, the least
 * any exactly-once engine must do (issue 13's floor).
 */
import { createHash, createHmac, randomInt } from 'node:crypto'
import type { SimInfo } from './types.js'

/** A ledger beside the job: told the qualifying orders of a page, each save before it leaves and its answer. */
export interface ReferenceHooks {
  stored(orders: readonly { readonly no: string; readonly content: unknown }[]): Promise<void>
  sending(no: string, bill: unknown): Promise<void>
  answered(no: string, answer: Record<string, unknown>): Promise<void>
}

export interface ReferenceOptions {
  /** Prefixed to every bill number: several runs against one book. */
  readonly prefix?: string
  readonly hooks?: ReferenceHooks
}

/** JDY hands out two tokens a minute per client: runs in one process against one book share one. */
const tokens = new Map<string, string>()

export interface ReferenceResult {
  readonly wall_s: number
  readonly saved: readonly string[]
  readonly throttled: number
  readonly failures: readonly string[]
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')

/** Start one call every `gapMs` (a fixed pace, no burst), at most `inFlight` at once, in arrival order. */
function pacer(gapMs: number, inFlight: number) {
  let turn: Promise<void> = Promise.resolve()
  let last = -Infinity
  let running = 0
  const freed: (() => void)[] = []
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const mine = turn.then(async () => {
      if (running >= inFlight) await new Promise<void>((r) => freed.push(r))
      const wait = last + gapMs - Date.now()
      if (wait > 0) await sleep(wait)
      last = Date.now()
      running++
    })
    turn = mine
    await mine
    try {
      return await fn()
    } finally {
      running--
      freed.shift()?.()
    }
  }
}

export async function runReference(
  sim: SimInfo,
  startMs: number,
  told: { jstPerSecond: number; jstPerMinute: number; jdyPerMinute: number } | undefined,
  opts: ReferenceOptions = {},
): Promise<ReferenceResult> {
  const t0 = performance.now()
  const j = sim.jdy
  const jdyPace = pacer(told === undefined ? 0 : 60_000 / told.jdyPerMinute, 16)
  const jstPace = pacer(told === undefined ? 0 : Math.max(1000 / told.jstPerSecond, 60_000 / told.jstPerMinute), 1)
  const prefix = opts.prefix ?? ''
  const hooks = opts.hooks
  let throttled = 0
  let token = ''

  async function jdy(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    for (;;) {
      const res = await jdyPace(async () => {
        const ts = String(Date.now())
        const nonce = String(randomInt(1e9, 1e10))
        const canon = Object.entries(query)
          .map(([k, v]) => `${enc(k)}=${enc(enc(v))}`)
          .sort()
          .join('&')
        const text = `${method}\n${enc(path)}\n${canon}\nx-api-nonce:${nonce}\nx-api-timestamp:${ts}\n`
        const sig = Buffer.from(createHmac('sha256', j.clientSecret).update(text).digest('hex')).toString('base64')
        const qs = new URLSearchParams(query).toString()
        return fetch(`${j.url}${path}${qs === '' ? '' : `?${qs}`}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: {
            'Content-Type': 'application/json',
            'X-Api-ClientID': j.clientId,
            'X-Api-Auth-Version': '2.0',
            'X-Api-TimeStamp': ts,
            'X-Api-Nonce': nonce,
            'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
            'X-Api-Signature': sig,
            ...(token === '' ? {} : { 'app-token': token, 'X-GW-Router-Addr': j.domain }),
          },
        })
      })
      if (res.status === 429) {
        throttled++
        await sleep(1000 * Number(res.headers.get('retry-after') ?? 1))
        continue
      }
      return (await res.json()) as Record<string, unknown>
    }
  }

  token = tokens.get(`${j.url} ${j.clientId}`) ?? ''
  if (token === '') {
    const appSig = Buffer.from(createHmac('sha256', j.appSecret).update(j.appKey).digest('hex')).toString('base64')
    const auth = await jdy('GET', '/jdyconnector/app_management/kingdee_auth_token', {
      app_key: j.appKey,
      app_signature: appSig,
    })
    token = String((auth.data as Record<string, unknown>)['app-token'])
    tokens.set(`${j.url} ${j.clientId}`, token)
  }

  async function list(path: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = []
    for (let page = 1, pages = 1; page <= pages; page++) {
      const d = (await jdy('GET', path, { page: String(page), page_size: '100' })).data as {
        rows: Record<string, unknown>[]
        total_page: number
      }
      rows.push(...d.rows)
      pages = d.total_page
    }
    return rows
  }
  const materials = new Map((await list('/jdy/v2/bd/material')).map((m) => [String(m.number), m]))
  const stores = new Map((await list('/jdy/v2/bd/store')).map((s) => [String(s.number), String(s.id)]))

  async function jst(biz: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (;;) {
      const p: Record<string, string> = {
        app_key: sim.jst.appKey,
        access_token: sim.jst.accessToken,
        timestamp: String(Math.floor(Date.now() / 1000)),
        charset: 'utf-8',
        version: '2',
        biz: JSON.stringify(biz),
      }
      const sign = createHash('md5')
        .update(
          sim.jst.appSecret +
            Object.keys(p)
              .sort()
              .map((k) => `${k}${p[k]}`)
              .join(''),
        )
        .digest('hex')
      const res = await jstPace(() =>
        fetch(`${sim.jst.url}/open/inventory/count/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
          body: new URLSearchParams({ ...p, sign }).toString(),
        }),
      )
      const out = (await res.json()) as { code: number; data: Record<string, unknown> }
      if (out.code === 199 || out.code === 200) {
        throttled++
        await sleep(out.code === 200 ? 5_000 : 1_000)
        continue
      }
      return out.data
    }
  }

  const saves: Promise<void>[] = []
  const saved: string[] = []
  const failures: string[] = []
  const end = Date.now() - 60_000
  for (let from = startMs; from < end; from += 7 * 86_400_000) {
    const to = Math.min(end, from + 7 * 86_400_000)
    for (let page = 1, more = true; more; page++) {
      const d = await jst({
        page_index: page,
        page_size: 50,
        modified_begin: shanghai(from),
        modified_end: shanghai(to),
        status: 'Confirmed',
      })
      const orders = (d.datas ?? []) as {
        io_id: number
        io_date: string
        remark: string
        wms_co_id: number
        items: { sku_id: string; qty: number }[]
      }[]
      more = d.has_next === true
      const bills: { no: string; bill: Record<string, unknown> }[] = []
      const kept: { no: string; content: unknown }[] = []
      for (const o of orders) {
        const loss = o.items.filter((i) => i.qty < 0)
        if (o.remark.includes('包材') || loss.length === 0 || loss.some((i) => !materials.has(i.sku_id))) continue
        const no = `${prefix}${String(o.io_id)}`
        kept.push({ no, content: o })
        bills.push({
          no,
          bill: {
            bill_no: no,
            bill_date: o.io_date.slice(0, 10),
            operation_key: 'audit',
            remark: o.remark,
            material_entity: loss.map((i) => ({
              material_id: String(materials.get(i.sku_id)!.id),
              qty: String(Math.abs(i.qty)),
              unit_id: String(materials.get(i.sku_id)!.base_unit_id),
              stock_id: stores.get(String(o.wms_co_id)) ?? '',
            })),
          },
        })
      }
      // With a ledger: the page's orders are stored before any of their bills may leave.
      await hooks?.stored(kept)
      for (const { no, bill } of bills)
        saves.push(
          (async () => {
            await hooks?.sending(no, bill)
            const a = await jdy('POST', '/jdy/v2/scm/inv_check_loss_bill', {}, bill)
            if (a.errcode === 0) saved.push(no)
            else failures.push(`${no}: ${String(a.errcode)} ${String(a.description)}`)
            await hooks?.answered(no, a)
          })(),
        )
    }
  }
  await Promise.all(saves)
  return { wall_s: (performance.now() - t0) / 1000, saved, throttled, failures }
}

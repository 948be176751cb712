/** Two pagers for the drift scenarios: the naive one JST warns about and the one of JST spec §10. */
import type { Reply } from './tiny-client.js'
import { shanghai } from './tiny-client.js'

export type Call = (biz: Record<string, unknown>) => Promise<Reply>
export interface Row {
  io_id: number
  modified: string
  status: string
}

const parse = (s: string) => Date.parse(`${s.replace(' ', 'T')}+08:00`)

function rows(r: Reply): Row[] {
  if (r.json?.code !== 0) throw new Error(`JST code ${String(r.json?.code)}: ${r.text.slice(0, 200)}`)
  return r.json.data.datas as Row[]
}

/** Pages 1..n of one window with page_size 50, trusting has_next. */
export async function naivePager(call: Call, begin: string, end: string): Promise<Row[]> {
  const out: Row[] = []
  for (let page = 1; ; page++) {
    const r = await call({ modified_begin: begin, modified_end: end, page_index: page, page_size: 50 })
    out.push(...rows(r))
    if (r.json?.data.has_next !== true) return out
  }
}

/**
 * JST spec §10 step 4: split a window until it fits one page, so no read spans two pages.
 * Windows are inclusive at both ends and split on whole seconds without overlap.
 */
export async function splittingPager(call: Call, begin: string, end: string): Promise<Row[]> {
  const r = await call({ modified_begin: begin, modified_end: end, page_index: 1, page_size: 50 })
  const got = rows(r)
  const count = r.json?.data.data_count as number
  const b = parse(begin)
  const e = parse(end)
  if (count <= 50 || e - b < 2000) {
    if (count > 50) throw new Error('cannot split below one second')
    return got
  }
  const mid = b + Math.floor((e - b) / 2000) * 1000
  return [
    ...(await splittingPager(call, begin, shanghai(mid))),
    ...(await splittingPager(call, shanghai(mid + 1000), end)),
  ]
}

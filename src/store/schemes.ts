/**
 * Schemes, versioned. Saving a definition whose canonical JSON differs from the current version
 * adds a version and keeps the raw JSON exactly as given; saving the same definition again (even
 * re-indented or with keys reordered) changes nothing.
 */
import { contentHash } from './canonical.js'
import type { StoreContext } from './context.js'
import { inWriteTx, writeOnce } from './context.js'
import { SchemeJsonInvalid, StoreNotFound } from './errors.js'

export interface SchemeInfo {
  readonly id: string
  readonly name: string | null
  readonly currentVersion: number
  readonly paused: boolean
  readonly pauseReason: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface SchemeVersion {
  readonly schemeId: string
  readonly version: number
  /** The JSON text as it was saved. */
  readonly rawJson: string
  readonly hash: string
  readonly createdAt: Date
}

export interface SaveSchemeResult {
  readonly version: number
  /** False when the definition equals the current version (no new version was made). */
  readonly changed: boolean
}

/** The engine's port to a scheme's pause state (engine-ports.ts). */
export interface SchemeStatePort {
  /** Why the scheme is paused; undefined when it is not. */
  pausedReason(schemeId: string): Promise<string | undefined>
  pause(schemeId: string, reason: string): Promise<void>
  resume(schemeId: string): Promise<void>
}

export class SchemeRepo implements SchemeStatePort {
  constructor(private readonly ctx: StoreContext) {}

  /** Save a definition (raw JSON text of an object). */
  async save(id: string, rawJson: string, opts: { name?: string } = {}): Promise<SaveSchemeResult> {
    const hash = contentHash(parseDefinition(rawJson))
    const now = this.ctx.now()
    return inWriteTx(this.ctx, async (trx) => {
      const cur = await trx.selectFrom('schemes').selectAll().where('id', '=', id).executeTakeFirst()
      if (cur !== undefined) {
        const v = await trx
          .selectFrom('scheme_versions')
          .select('hash')
          .where('scheme_id', '=', id)
          .where('version', '=', cur.current_version)
          .executeTakeFirst()
        if (v?.hash === hash) {
          if (opts.name !== undefined && opts.name !== cur.name) {
            await trx.updateTable('schemes').set({ name: opts.name, updated_at: now }).where('id', '=', id).execute()
          }
          return { version: cur.current_version, changed: false }
        }
      }
      const version = (cur?.current_version ?? 0) + 1
      await trx
        .insertInto('scheme_versions')
        .values({ scheme_id: id, version, raw_json: rawJson, hash, created_at: now })
        .execute()
      if (cur === undefined) {
        await trx
          .insertInto('schemes')
          .values({
            id,
            name: opts.name ?? null,
            current_version: version,
            paused: 0,
            pause_reason: null,
            created_at: now,
            updated_at: now,
          })
          .execute()
      } else {
        await trx
          .updateTable('schemes')
          .set({ current_version: version, updated_at: now, ...(opts.name === undefined ? {} : { name: opts.name }) })
          .where('id', '=', id)
          .execute()
      }
      return { version, changed: true }
    })
  }

  async get(id: string): Promise<SchemeInfo | undefined> {
    const row = await this.ctx.db.selectFrom('schemes').selectAll().where('id', '=', id).executeTakeFirst()
    return row === undefined ? undefined : toInfo(row)
  }

  async list(): Promise<SchemeInfo[]> {
    const rows = await this.ctx.db.selectFrom('schemes').selectAll().orderBy('id').execute()
    return rows.map(toInfo)
  }

  /** A version (default: the current one); throws ERR_STORE_NOT_FOUND when absent. */
  async getVersion(id: string, version?: number): Promise<SchemeVersion> {
    const v = version ?? (await this.get(id))?.currentVersion
    const row =
      v === undefined
        ? undefined
        : await this.ctx.db
            .selectFrom('scheme_versions')
            .selectAll()
            .where('scheme_id', '=', id)
            .where('version', '=', v)
            .executeTakeFirst()
    if (row === undefined) throw StoreNotFound(['scheme version', `${id}@${String(version ?? 'current')}`])
    return {
      schemeId: row.scheme_id,
      version: row.version,
      rawJson: row.raw_json,
      hash: row.hash,
      createdAt: new Date(row.created_at),
    }
  }

  async listVersions(id: string): Promise<Omit<SchemeVersion, 'rawJson'>[]> {
    const rows = await this.ctx.db
      .selectFrom('scheme_versions')
      .select(['scheme_id', 'version', 'hash', 'created_at'])
      .where('scheme_id', '=', id)
      .orderBy('version')
      .execute()
    return rows.map((r) => ({
      schemeId: r.scheme_id,
      version: r.version,
      hash: r.hash,
      createdAt: new Date(r.created_at),
    }))
  }

  /** Pause with a reason a person can act on (e.g. after a config error); the scheduler skips it. */
  /** Why the scheme is paused (`paused` when no reason was kept); undefined when it runs. */
  async pausedReason(id: string): Promise<string | undefined> {
    const s = await this.get(id)
    return s?.paused === true ? (s.pauseReason ?? 'paused') : undefined
  }

  async pause(id: string, reason: string): Promise<void> {
    await this.setPaused(id, 1, reason)
  }

  async resume(id: string): Promise<void> {
    await this.setPaused(id, 0, null)
  }

  private async setPaused(id: string, paused: number, reason: string | null): Promise<void> {
    const res = await writeOnce(this.ctx, (db) =>
      db
        .updateTable('schemes')
        .set({ paused, pause_reason: reason, updated_at: this.ctx.now() })
        .where('id', '=', id)
        .executeTakeFirst(),
    )
    if (Number(res.numUpdatedRows) === 0) throw StoreNotFound(['scheme', id])
  }
}

function toInfo(r: {
  id: string
  name: string | null
  current_version: number
  paused: number
  pause_reason: string | null
  created_at: number
  updated_at: number
}): SchemeInfo {
  return {
    id: r.id,
    name: r.name,
    currentVersion: r.current_version,
    paused: r.paused === 1,
    pauseReason: r.pause_reason,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }
}

function parseDefinition(rawJson: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(rawJson)
  } catch (e) {
    const msg = (e as Error).message
    throw SchemeJsonInvalid([msg], { location: jsonErrorLocation(rawJson, msg) })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw SchemeJsonInvalid(['the top level must be an object'])
  return value as Record<string, unknown>
}

/** `line:column` of a JSON.parse failure, from the position V8 reports. */
function jsonErrorLocation(text: string, message: string): string | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message)
  if (lc !== null) return `${lc[1]}:${lc[2]}`
  const pos = /position (\d+)/.exec(message)
  if (pos === null) return undefined
  const before = text.slice(0, Number(pos[1]))
  const line = before.split('\n').length
  return `${line}:${before.length - before.lastIndexOf('\n')}`
}

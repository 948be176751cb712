/**
 * Collections for `_findCollection`: another scheme's stored records (`from <scheme id>`) or a
 * static value map. Lookups are answered from `collection_index` (collection, key field, key
 * value → record seq), never by scanning content. The index holds the fields each collection is
 * looked up by: a scheme's fields are declared with {@link CollectionRepo.declareKeys} (or on the
 * first lookup that uses them, which back-fills the index once, in the same transaction), and are kept in step on
 * every ledger upsert; a static map indexes every scalar field of its rows.
 */
import type { Kysely } from 'kysely'
import type { StoreContext } from './context.js'
import { inWriteTx } from './context.js'
import { StoreBadInput } from './errors.js'
import type { StoreDatabase } from './schema.js'

/** One `_findCollection` query: AND-ed exact matches; the first stored match wins. */
export interface LookupQuery {
  readonly collection: string
  /** Field of the matched record's content to return (dotted paths allowed). */
  readonly field: string
  readonly where: Readonly<Record<string, unknown>> | readonly { readonly key: string; readonly value: unknown }[]
}

const BACKFILL_PAGE = 500

/** Value at a dotted path of a JSON object; undefined when any step is missing or not an object. */
export function getPath(content: unknown, path: string): unknown {
  let cur: unknown = content
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined
    cur = Object.prototype.hasOwnProperty.call(cur, part) ? (cur as Record<string, unknown>)[part] : undefined
  }
  return cur
}

/** Index text of a scalar; objects, arrays and null are not indexable. Lookup values arrive as text. */
export function keyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return undefined
}

/** Replace the index rows of one stored record for the given key fields. */
export async function indexContent(
  trx: Kysely<StoreDatabase>,
  collectionId: string,
  seq: number,
  content: unknown,
  fields: readonly string[],
): Promise<void> {
  await trx
    .deleteFrom('collection_index')
    .where('collection_id', '=', collectionId)
    .where('ref_seq', '=', seq)
    .execute()
  const rows = fields.flatMap((f) => {
    const v = keyText(getPath(content, f))
    return v === undefined ? [] : [{ collection_id: collectionId, key_field: f, key_value: v, ref_seq: seq }]
  })
  if (rows.length > 0) await trx.insertInto('collection_index').values(rows).execute()
}

export async function lookupFields(db: Kysely<StoreDatabase>, collectionId: string): Promise<string[]> {
  const rows = await db.selectFrom('lookup_keys').select('field').where('collection_id', '=', collectionId).execute()
  return rows.map((r) => r.field)
}

export class CollectionRepo {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Declare the fields a scheme's records are looked up by; new fields are back-filled into the
   * index page by page (bounded memory). Declaring and back-filling happen in ONE write
   * transaction: a lookup that sees a key declared must also see every stored record indexed
   * under it (declaring first and filling later let concurrent lookups miss rows).
   */
  async declareKeys(collectionId: string, fields: readonly string[]): Promise<void> {
    const wanted = [...new Set(fields)]
    if (wanted.some((f) => f.trim() === '')) throw StoreBadInput(['a lookup key field name is empty'])
    const known = new Set(await lookupFields(this.ctx.db, collectionId))
    if (wanted.every((f) => known.has(f))) return
    await inWriteTx(this.ctx, async (trx) => {
      const declared = new Set(await lookupFields(trx, collectionId))
      const added = wanted.filter((f) => !declared.has(f))
      if (added.length === 0) return
      await trx
        .insertInto('lookup_keys')
        .values(added.map((f) => ({ collection_id: collectionId, field: f })))
        .onConflict((oc) => oc.doNothing())
        .execute()
      for (let after = 0; ;) {
        const page = await trx
          .selectFrom('records')
          .select(['seq', 'content'])
          .where('scheme_id', '=', collectionId)
          .where('seq', '>', after)
          .orderBy('seq')
          .limit(BACKFILL_PAGE)
          .execute()
        const rows = page.flatMap((r) => {
          const content = JSON.parse(r.content) as unknown
          return added.flatMap((f) => {
            const v = keyText(getPath(content, f))
            return v === undefined
              ? []
              : [{ collection_id: collectionId, key_field: f, key_value: v, ref_seq: Number(r.seq) }]
          })
        })
        for (let i = 0; i < rows.length; i += 200) {
          await trx
            .insertInto('collection_index')
            .values(rows.slice(i, i + 200))
            .onConflict((oc) => oc.doNothing())
            .execute()
        }
        if (page.length < BACKFILL_PAGE) return
        after = Number(page.at(-1)?.seq)
      }
    })
  }

  /** Replace a static value map (e.g. JST warehouse → JDY store number); every scalar field is indexed. */
  async putStatic(collectionId: string, rows: readonly Readonly<Record<string, unknown>>[]): Promise<void> {
    await inWriteTx(this.ctx, async (trx) => {
      await trx.deleteFrom('collection_index').where('collection_id', '=', collectionId).execute()
      await trx.deleteFrom('static_rows').where('collection_id', '=', collectionId).execute()
      await trx
        .insertInto('static_collections')
        .values({ id: collectionId, updated_at: this.ctx.now() })
        .onConflict((oc) => oc.column('id').doUpdateSet({ updated_at: this.ctx.now() }))
        .execute()
      for (const row of rows) {
        const inserted = await trx
          .insertInto('static_rows')
          .values({ collection_id: collectionId, content: JSON.stringify(row) })
          .returning('seq')
          .executeTakeFirstOrThrow()
        await indexContent(trx, collectionId, Number(inserted.seq), row, scalarPaths(row))
      }
    })
  }

  /** True when the id names a static map or a scheme with stored records. */
  async exists(collectionId: string): Promise<boolean> {
    if (await this.isStatic(collectionId)) return true
    const r = await this.ctx.db
      .selectFrom('records')
      .select('seq')
      .where('scheme_id', '=', collectionId)
      .limit(1)
      .executeTakeFirst()
    return r !== undefined
  }

  /** The `field` of the first record matching every `where` pair, or undefined (the platform's empty value). */
  async find(q: LookupQuery): Promise<unknown> {
    const where = (
      Array.isArray(q.where)
        ? (q.where as readonly { key: string; value: unknown }[]).map((w) => [w.key, w.value] as const)
        : Object.entries(q.where as Record<string, unknown>)
    ).map(([k, v]) => [k, whereText(v)] as const)
    if (where.length === 0) throw StoreBadInput([`lookup into ${q.collection} has no where condition`])
    const isStatic = await this.isStatic(q.collection)
    if (!isStatic)
      await this.declareKeys(
        q.collection,
        where.map(([k]) => k),
      )
    let query = this.ctx.db
      .selectFrom('collection_index')
      .select('ref_seq')
      .where('collection_id', '=', q.collection)
      .where('key_field', '=', where[0]![0])
      .where('key_value', '=', where[0]![1])
    for (const [k, v] of where.slice(1)) {
      query = query.where('ref_seq', 'in', (eb) =>
        eb
          .selectFrom('collection_index')
          .select('ref_seq')
          .where('collection_id', '=', q.collection)
          .where('key_field', '=', k)
          .where('key_value', '=', v),
      )
    }
    const hit = await query.orderBy('ref_seq').limit(1).executeTakeFirst()
    if (hit === undefined) return undefined
    const seq = Number(hit.ref_seq)
    const row = isStatic
      ? await this.ctx.db.selectFrom('static_rows').select('content').where('seq', '=', seq).executeTakeFirst()
      : await this.ctx.db.selectFrom('records').select('content').where('seq', '=', seq).executeTakeFirst()
    return row === undefined ? undefined : getPath(JSON.parse(row.content), q.field)
  }

  private async isStatic(collectionId: string): Promise<boolean> {
    const r = await this.ctx.db
      .selectFrom('static_collections')
      .select('id')
      .where('id', '=', collectionId)
      .executeTakeFirst()
    return r !== undefined
  }
}

/** Where-values match as text, as the platform substitutes text: `"1001"` matches `1001`. */
function whereText(v: unknown): string {
  if (v === null || v === undefined) return ''
  return keyText(v) ?? JSON.stringify(v)
}

/** Dotted paths of every scalar leaf outside arrays. */
function scalarPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return keyText(value) === undefined || prefix === '' ? [] : [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    scalarPaths(v, prefix === '' ? k : `${prefix}.${k}`),
  )
}

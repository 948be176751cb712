/**
 * Small named values the engine keeps between runs in `ferry_meta` (no migration needed): today
 * the rate caps each credential's budget learned from throttle answers (`budget-learned:<key>`),
 * so the next run starts at the limit the vendor really allows instead of finding it again.
 */
import { writeOnce, type StoreContext } from './context.js'

export class MetaRepo {
  constructor(private readonly ctx: StoreContext) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.ctx.db.selectFrom('ferry_meta').select('value').where('key', '=', key).executeTakeFirst()
    return row?.value
  }

  async set(key: string, value: string): Promise<void> {
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('ferry_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute(),
    )
  }

  async delete(key: string): Promise<void> {
    await writeOnce(this.ctx, (db) => db.deleteFrom('ferry_meta').where('key', '=', key).execute())
  }
}

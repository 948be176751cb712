/**
 * Connections and the token store, both encrypted at rest. A connection's whole config (base URL,
 * app key, secret, …) is sealed as one JSON document, so no field can leak by being forgotten in
 * a list of secret names; only the id and the connector name are stored in clear.
 */
import type { CredentialStore } from '../connectors/contract.js'
import type { StoreContext } from './context.js'
import { inWriteTx, toMs, writeOnce } from './context.js'
import { StoreNotFound } from './errors.js'

export interface ConnectionInfo {
  readonly id: string
  readonly connector: string
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface Connection extends ConnectionInfo {
  /** Decrypted config, secrets included: pass it to the connector, never to a log (use redact()). */
  readonly config: Readonly<Record<string, unknown>>
}

const configContext = (id: string) => `connections/${id}/config`
const credentialContext = (connectionId: string, name: string) => `credentials/${connectionId}/${name}`

export class ConnectionRepo {
  constructor(private readonly ctx: StoreContext) {}

  /** Create or replace a connection. */
  async save(id: string, connector: string, config: Readonly<Record<string, unknown>>): Promise<void> {
    const now = this.ctx.now()
    const sealed = this.ctx.box.seal(JSON.stringify(config), configContext(id))
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('connections')
        .values({ id, connector, config_enc: sealed, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ connector, config_enc: sealed, updated_at: now }))
        .execute(),
    )
  }

  /** The connection with its decrypted config; ERR_STORE_NOT_FOUND when absent, ERR_MASTER_KEY_MISMATCH on a wrong key. */
  async get(id: string): Promise<Connection> {
    const row = await this.ctx.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw StoreNotFound(['connection', id])
    const config = JSON.parse(this.ctx.box.open(row.config_enc, configContext(id), `connection ${id}`)) as Record<
      string,
      unknown
    >
    return {
      id: row.id,
      connector: row.connector,
      config,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    }
  }

  /** Ids and connectors only: listing never decrypts. */
  async list(): Promise<ConnectionInfo[]> {
    const rows = await this.ctx.db
      .selectFrom('connections')
      .select(['id', 'connector', 'created_at', 'updated_at'])
      .orderBy('id')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      connector: r.connector,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    }))
  }

  async delete(id: string): Promise<void> {
    await inWriteTx(this.ctx, async (trx) => {
      await trx.deleteFrom('credentials').where('connection_id', '=', id).execute()
      await trx.deleteFrom('connections').where('id', '=', id).execute()
    })
  }
}

/**
 * The {@link CredentialStore} connectors use for tokens. Values are sealed like connection
 * configs; an expired value reads as absent so the connector fetches a new one.
 */
export class StoreCredentials implements CredentialStore {
  constructor(private readonly ctx: StoreContext) {}

  async get(connectionId: string, name: string): Promise<string | undefined> {
    const row = await this.ctx.db
      .selectFrom('credentials')
      .select(['value_enc', 'expires_at'])
      .where('connection_id', '=', connectionId)
      .where('name', '=', name)
      .executeTakeFirst()
    if (row === undefined) return undefined
    if (row.expires_at !== null && row.expires_at <= this.ctx.now()) return undefined
    return this.ctx.box.open(
      row.value_enc,
      credentialContext(connectionId, name),
      `credential ${name} of ${connectionId}`,
    )
  }

  async set(connectionId: string, name: string, value: string, expiresAt?: Date): Promise<void> {
    const sealed = this.ctx.box.seal(value, credentialContext(connectionId, name))
    const expires = expiresAt === undefined ? null : toMs(expiresAt, 'expiresAt')
    const now = this.ctx.now()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('credentials')
        .values({ connection_id: connectionId, name, value_enc: sealed, expires_at: expires, updated_at: now })
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'name'])
            .doUpdateSet({ value_enc: sealed, expires_at: expires, updated_at: now }),
        )
        .execute(),
    )
  }

  async delete(connectionId: string, name: string): Promise<void> {
    await writeOnce(this.ctx, (db) =>
      db.deleteFrom('credentials').where('connection_id', '=', connectionId).where('name', '=', name).execute(),
    )
  }
}

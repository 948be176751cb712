/**
 * The state store: one object that owns the database connection and hands out the repositories
 * the engine uses. Open it with {@link openStore}; close it when done.
 *
 * @example
 * const store = await openStore({ url: process.env.FERRY_DATABASE_URL })
 * await store.ledger.upsertSourceRecords('scheme-1', records, { idCheck: true })
 * const claim = await store.ledger.claimReady('scheme-1', 50)
 */
import type { Kysely } from 'kysely'
import { AlertRepo } from './alerts.js'
import { AccessRepo } from './access.js'
import type { LookupQuery } from './collections.js'
import { CollectionRepo } from './collections.js'
import { ConnectionRepo, StoreCredentials } from './connections.js'
import type { Fence, StoreContext } from './context.js'
import { writeOnce } from './context.js'
import { DEFAULT_MASTER_KEY_FILE, SecretBox, loadMasterKey } from './crypto.js'
import type { StoreCapabilities } from './dialect.js'
import { openDatabase } from './dialect.js'
import type { ListFilter } from './ledger-admin.js'
import * as admin from './ledger-admin.js'
import { countByStatus } from './ledger-counts.js'
import type { ClaimOptions } from './ledger-claims.js'
import * as claims from './ledger-claims.js'
import type { PayloadToSave, WrittenProof } from './ledger-marks.js'
import * as marks from './ledger-marks.js'
import type { FailureInfo, ParkedProof } from './ledger-unsettled.js'
import * as unsettled from './ledger-unsettled.js'
import * as groups from './ledger-groups.js'
import type { RecordRef, RecordStatus, SourceRecordInput } from './ledger-types.js'
import type { EnginePorts } from './engine-ports.js'
import type { LedgerPort, ReopenRequest } from './ledger-port.js'
import { reopen } from './ledger-reopen.js'
import type { UpsertOptions } from './ledger-upsert.js'
import { upsertSourceRecords } from './ledger-upsert.js'
import { LeaseRepo } from './leases.js'
import { MetaRepo } from './meta.js'
import { migrate } from './migrator.js'
import { RecordSearchRepo } from './record-search.js'
import { RunRepo } from './runs.js'
import type { StoreDatabase } from './schema.js'
import { SchemeRepo } from './schemes.js'
import { parseDatabaseUrl } from './settings.js'
import { WindowRepo } from './windows.js'

export interface OpenStoreOptions {
  /** FERRY_DATABASE_URL; default `sqlite:./data/ferry.db`. */
  readonly url?: string
  /** 32-byte key; when absent it comes from `masterKeyEnv` or the key file. */
  readonly masterKey?: Buffer
  /** Value of FERRY_MASTER_KEY (base64 of 32 bytes). */
  readonly masterKeyEnv?: string
  /** Key file used when no key is given; created with mode 0600. Default `./data/master.key`. */
  readonly masterKeyFile?: string
  /** Epoch-ms clock (tests). */
  readonly now?: () => number
}

/**
 * Store options from the environment: FERRY_DATABASE_URL, FERRY_MASTER_KEY and
 * FERRY_MASTER_KEY_FILE (default `./data/master.key`).
 */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenStoreOptions {
  return {
    ...(env.FERRY_DATABASE_URL === undefined ? {} : { url: env.FERRY_DATABASE_URL }),
    ...(env.FERRY_MASTER_KEY === undefined ? {} : { masterKeyEnv: env.FERRY_MASTER_KEY }),
    ...(env.FERRY_MASTER_KEY_FILE === undefined ? {} : { masterKeyFile: env.FERRY_MASTER_KEY_FILE }),
  }
}

/** Sealed under the master key at first start, so a wrong key fails at open, not at first use. */
const KEY_CHECK = 'master-key-check'
const KEY_CHECK_PLAINTEXT = 'ferry'

/**
 * The record ledger, bound to one store: the engine's ledger port itself (ledger-port.ts). Driver
 * errors are translated where queries run (dialect.ts), so each method is the ledger's own code
 * with nothing in between.
 */
export class Ledger implements LedgerPort {
  constructor(private readonly ctx: StoreContext) {}

  upsertSourceRecords(schemeId: string, records: readonly SourceRecordInput[], opts?: UpsertOptions) {
    return upsertSourceRecords(this.ctx, schemeId, records, opts)
  }
  claimReady(schemeId: string, limit: number, opts?: ClaimOptions) {
    return claims.claimReady(this.ctx, schemeId, limit, opts)
  }
  /**
   * Free every live claim of the scheme; on a fenced handle only those made under its lease. A new
   * holder of a target lease calls it at takeover: those claims belong to a previous holder, which
   * its fence already stops, so its records need not wait for their claims to expire. Claims made
   * under other leases (the parts of a split target stage) are left to expire.
   */
  releaseClaims(schemeId: string) {
    return claims.releaseClaims(this.ctx, schemeId)
  }
  /** Grouped schemes: claim whole header groups; see ledger-groups.ts. */
  claimGroups(schemeId: string, limit: number, opts?: ClaimOptions) {
    return groups.claimGroups(this.ctx, schemeId, limit, opts)
  }
  refreshGroupKeys(schemeId: string, prefix: string, keyOf: (content: Record<string, unknown>) => string) {
    return groups.refreshGroupKeys(this.ctx, schemeId, prefix, keyOf)
  }
  markWritten(ref: RecordRef, proof: WrittenProof) {
    return marks.markWritten(this.ctx, ref, proof)
  }
  /** `save`: the mapped payload, stored in the same transaction (as {@link savePayload} would). */
  markDuplicate(
    ref: RecordRef,
    info: { targetId?: string; response: unknown; message?: string },
    save?: PayloadToSave,
  ) {
    return marks.markDuplicate(this.ctx, ref, info, save)
  }
  markFailed(ref: RecordRef, failure: FailureInfo, save?: PayloadToSave) {
    return unsettled.markFailed(this.ctx, ref, failure, save)
  }
  /** `info.claim`: the write intent of that claim, refused with ERR_STORE_CLAIM_LOST once another writer claimed the record. */
  markUnknown(ref: RecordRef, info: Parameters<typeof unsettled.markUnknown>[2], save?: PayloadToSave) {
    return unsettled.markUnknown(this.ctx, ref, info, save)
  }
  markWrittenParked(ref: RecordRef, proof: ParkedProof) {
    return unsettled.markWrittenParked(this.ctx, ref, proof)
  }
  savePayload(ref: RecordRef, payload: Record<string, unknown>, businessKey?: string) {
    return marks.savePayload(this.ctx, ref, payload, businessKey)
  }
  listRecords(schemeId: string, filter?: ListFilter) {
    return admin.listRecords(this.ctx, schemeId, filter)
  }
  iterateRecords(schemeId: string, filter?: Omit<ListFilter, 'cursor' | 'limit'>, pageSize?: number) {
    return admin.iterateRecords(this.ctx, schemeId, filter, pageSize)
  }
  getRecord(ref: RecordRef) {
    return admin.getRecord(this.ctx, ref)
  }
  events(ref: RecordRef, limit?: number) {
    return admin.recordEvents(this.ctx, ref, limit)
  }
  requeue(schemeId: string, which: { ids: readonly string[] } | { allFailed: true }) {
    return admin.requeue(this.ctx, schemeId, which)
  }
  reopen(ref: RecordRef, why: ReopenRequest) {
    return reopen(this.ctx, ref, why)
  }
  editPayload(ref: RecordRef, payload: Record<string, unknown>) {
    return admin.editPayload(this.ctx, ref, payload)
  }
  resolve(ref: RecordRef, note: string) {
    return admin.resolve(this.ctx, ref, note)
  }
  counts(schemeId: string) {
    return countByStatus(this.ctx, schemeId)
  }
  checkInvariants(schemeId: string) {
    return admin.checkInvariants(this.ctx, schemeId)
  }
}

/** The state store; it is also the engine's ports ({@link EnginePorts}), handed to the engine as it is. */
export interface Store extends EnginePorts {
  readonly caps: StoreCapabilities
  /** Printable database target (no password). */
  readonly target: string
  readonly schemes: SchemeRepo
  readonly connections: ConnectionRepo
  /** Token store for connectors, encrypted at rest. */
  readonly credentials: StoreCredentials
  readonly runs: RunRepo
  readonly windows: WindowRepo
  readonly ledger: Ledger
  readonly collections: CollectionRepo
  /** `_findCollection` lookups (an alias of `collections.find`). */
  find(q: LookupQuery): Promise<unknown>
  readonly leases: LeaseRepo
  /**
   * This store with its ledger and closed windows bound to a lease this process holds: every write
   * of those (claims, write intents, outcomes, window closes, upserts) checks the lease's fencing
   * token in its own transaction and is refused with ERR_STORE_LEASE_FENCED once a newer token
   * exists. Runs, leases and pause state stay unfenced: a run that lost its lease still records
   * how it ended.
   */
  fenced(fence: Fence): Store
  /** Alert incidents, their deliveries and the encrypted alert channels (src/alerts). */
  readonly alerts: AlertRepo
  /** Users, sessions, API tokens and the audit log of the service (migration 6). */
  readonly access: AccessRepo
  /** Record search by error code and time, and the failed-record queue's age (service, metrics). */
  readonly recordSearch: RecordSearchRepo
  /** Named values kept between runs (learned budget caps). */
  readonly meta: MetaRepo
  /** @internal For store tests that inspect raw rows. */
  readonly db: Kysely<StoreDatabase>
  close(): Promise<void>
}

export type { RecordStatus }

/** Open (and migrate) the store. Throws coded config errors for a bad URL or a wrong master key. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const setting = parseDatabaseUrl(opts.url)
  const key =
    opts.masterKey ??
    loadMasterKey({
      ...(opts.masterKeyEnv === undefined ? {} : { envValue: opts.masterKeyEnv }),
      file: opts.masterKeyFile ?? DEFAULT_MASTER_KEY_FILE,
    })
  const box = new SecretBox(key)
  const opened = openDatabase(setting)
  const ctx: StoreContext = { db: opened.db, caps: opened.caps, box, now: opts.now ?? Date.now }
  try {
    await migrate(opened.db, opened.caps, {
      ...(opened.schema === undefined ? {} : { schema: opened.schema }),
      target: opened.target,
    })
    await checkMasterKey(ctx)
  } catch (e) {
    await opened.db.destroy()
    throw e
  }
  const collections = new CollectionRepo(ctx)
  const store: Store = {
    caps: opened.caps,
    target: opened.target,
    schemes: new SchemeRepo(ctx),
    connections: new ConnectionRepo(ctx),
    credentials: new StoreCredentials(ctx),
    runs: new RunRepo(ctx),
    windows: new WindowRepo(ctx),
    ledger: new Ledger(ctx),
    collections,
    find: (q) => collections.find(q),
    leases: new LeaseRepo(ctx),
    fenced: (fence) => {
      const f: StoreContext = { ...ctx, fence: { lease: fence.lease, token: fence.token } }
      return { ...store, ledger: new Ledger(f), windows: new WindowRepo(f) }
    },
    alerts: new AlertRepo(ctx),
    access: new AccessRepo(ctx),
    recordSearch: new RecordSearchRepo(ctx),
    meta: new MetaRepo(ctx),
    db: opened.db,
    close: () => opened.db.destroy(),
  }
  return store
}

async function checkMasterKey(ctx: StoreContext): Promise<void> {
  const row = await ctx.db.selectFrom('ferry_meta').select('value').where('key', '=', KEY_CHECK).executeTakeFirst()
  if (row !== undefined) {
    ctx.box.open(row.value, KEY_CHECK, 'this database')
    return
  }
  await writeOnce(ctx, (db) =>
    db
      .insertInto('ferry_meta')
      .values({ key: KEY_CHECK, value: ctx.box.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK) })
      .onConflict((oc) => oc.doNothing())
      .execute(),
  )
  // Another process may have won the race with its key: check against what is stored.
  const stored = await ctx.db
    .selectFrom('ferry_meta')
    .select('value')
    .where('key', '=', KEY_CHECK)
    .executeTakeFirstOrThrow()
  ctx.box.open(stored.value, KEY_CHECK, 'this database')
}

/**
 * Ordered migrations. Append new ones with the next version; never edit one that has shipped.
 * DDL goes through Kysely's schema builder and the capability object, so one list serves every
 * dialect.
 */
import { sql } from 'kysely'
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely'
import type { StoreCapabilities } from './dialect.js'

export interface Migration {
  readonly version: number
  readonly name: string
  // Migrations are written against the database as it was at their version, not today's types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, caps: StoreCapabilities): Promise<void>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Table = CreateTableBuilder<any, any>

function withAutoId(t: Table, caps: StoreCapabilities, name: string): Table {
  return caps.autoId === 'bigserial'
    ? t.addColumn(name, 'bigserial', (c) => c.primaryKey())
    : t.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement())
}

const notNull = (c: ColumnDefinitionBuilder) => c.notNull()

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial tables',
    async up(db, caps) {
      const big = caps.bigintType
      await db.schema
        .createTable('ferry_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', notNull)
        .execute()

      await db.schema
        .createTable('schemes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('current_version', 'integer', notNull)
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pause_reason', 'text')
        .addColumn('created_at', big, notNull)
        .addColumn('updated_at', big, notNull)
        .execute()
      await db.schema
        .createTable('scheme_versions')
        .addColumn('scheme_id', 'text', notNull)
        .addColumn('version', 'integer', notNull)
        .addColumn('raw_json', 'text', notNull)
        .addColumn('hash', 'text', notNull)
        .addColumn('created_at', big, notNull)
        .addPrimaryKeyConstraint('scheme_versions_pk', ['scheme_id', 'version'])
        .execute()

      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('connector', 'text', notNull)
        .addColumn('config_enc', 'text', notNull)
        .addColumn('created_at', big, notNull)
        .addColumn('updated_at', big, notNull)
        .execute()
      await db.schema
        .createTable('credentials')
        .addColumn('connection_id', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('value_enc', 'text', notNull)
        .addColumn('expires_at', big)
        .addColumn('updated_at', big, notNull)
        .addPrimaryKeyConstraint('credentials_pk', ['connection_id', 'name'])
        .execute()

      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('scheme_id', 'text', notNull)
        .addColumn('kind', 'text', notNull)
        .addColumn('status', 'text', notNull)
        .addColumn('started_at', big, notNull)
        .addColumn('finished_at', big)
        .addColumn('params', 'text')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .execute()
      await db.schema.createIndex('runs_by_scheme').on('runs').columns(['scheme_id', 'started_at']).execute()
      await db.schema
        .createTable('run_counters')
        .addColumn('run_id', 'text', notNull)
        .addColumn('stage', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('value', big, notNull)
        .addPrimaryKeyConstraint('run_counters_pk', ['run_id', 'stage', 'name'])
        .execute()
      await withAutoId(db.schema.createTable('run_log'), caps, 'seq')
        .addColumn('run_id', 'text', notNull)
        .addColumn('at', big, notNull)
        .addColumn('level', 'text', notNull)
        .addColumn('msg', 'text', notNull)
        .addColumn('data', 'text')
        .execute()
      await db.schema.createIndex('run_log_by_run').on('run_log').columns(['run_id', 'seq']).execute()

      await db.schema
        .createTable('closed_windows')
        .addColumn('scheme_id', 'text', notNull)
        .addColumn('api', 'text', notNull)
        .addColumn('start_ms', big, notNull)
        .addColumn('end_ms', big, notNull)
        .addPrimaryKeyConstraint('closed_windows_pk', ['scheme_id', 'api', 'start_ms'])
        .execute()

      await withAutoId(db.schema.createTable('records'), caps, 'seq')
        .addColumn('scheme_id', 'text', notNull)
        .addColumn('record_id', 'text', notNull)
        .addColumn('number', 'text')
        .addColumn('content', 'text', notNull)
        .addColumn('content_hash', 'text', notNull)
        .addColumn('pending_content', 'text')
        .addColumn('pending_hash', 'text')
        .addColumn('changed_after_sync', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('payload', 'text')
        .addColumn('payload_edited', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('business_key', 'text')
        .addColumn('target_id', 'text')
        .addColumn('response', 'text')
        .addColumn('status', 'text', notNull)
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', big)
        .addColumn('claim_token', 'text')
        .addColumn('claimed_until', big)
        .addColumn('error_code', 'text')
        .addColumn('error_kind', 'text')
        .addColumn('error_message', 'text')
        .addColumn('resolved_at', big)
        .addColumn('resolved_note', 'text')
        .addColumn('created_at', big, notNull)
        .addColumn('updated_at', big, notNull)
        .addColumn('done_at', big)
        .execute()
      await db.schema.createIndex('records_key').unique().on('records').columns(['scheme_id', 'record_id']).execute()
      // The ledger invariant "no two records map to one target document", enforced by the database.
      // NULLs are distinct in a unique index on both dialects, so unwritten records do not collide.
      await db.schema.createIndex('records_target').unique().on('records').columns(['scheme_id', 'target_id']).execute()
      await db.schema
        .createIndex('records_ready')
        .on('records')
        .columns(['scheme_id', 'status', 'next_attempt_at'])
        .execute()
      await db.schema.createIndex('records_list').on('records').columns(['scheme_id', 'seq']).execute()
      await withAutoId(db.schema.createTable('record_events'), caps, 'seq')
        .addColumn('scheme_id', 'text', notNull)
        .addColumn('record_id', 'text', notNull)
        .addColumn('at', big, notNull)
        .addColumn('event', 'text', notNull)
        .addColumn('detail', 'text')
        .execute()
      await db.schema
        .createIndex('record_events_by_record')
        .on('record_events')
        .columns(['scheme_id', 'record_id', 'seq'])
        .execute()

      await db.schema
        .createTable('lookup_keys')
        .addColumn('collection_id', 'text', notNull)
        .addColumn('field', 'text', notNull)
        .addPrimaryKeyConstraint('lookup_keys_pk', ['collection_id', 'field'])
        .execute()
      await db.schema
        .createTable('collection_index')
        .addColumn('collection_id', 'text', notNull)
        .addColumn('key_field', 'text', notNull)
        .addColumn('key_value', 'text', notNull)
        .addColumn('ref_seq', big, notNull)
        .addPrimaryKeyConstraint('collection_index_pk', ['collection_id', 'key_field', 'key_value', 'ref_seq'])
        .execute()
      await db.schema
        .createIndex('collection_index_by_ref')
        .on('collection_index')
        .columns(['collection_id', 'ref_seq'])
        .execute()
      await db.schema
        .createTable('static_collections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('updated_at', big, notNull)
        .execute()
      await withAutoId(db.schema.createTable('static_rows'), caps, 'seq')
        .addColumn('collection_id', 'text', notNull)
        .addColumn('content', 'text', notNull)
        .execute()
      await db.schema
        .createIndex('static_rows_by_collection')
        .on('static_rows')
        .columns(['collection_id', 'seq'])
        .execute()

      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', notNull)
        .addColumn('token', big, notNull)
        .addColumn('expires_at', big, notNull)
        .execute()
    },
  },
  {
    version: 2,
    name: 'records share a target id by business key',
    async up(db) {
      // groupCalculate settles every record of a grouped document with that document's id, so the
      // invariant is now "one target id <-> one business key", checked by the ledger when it settles
      // a record (see ledger-marks.ts); the index stays for that lookup, no longer unique.
      await db.schema.dropIndex('records_target').execute()
      await db.schema.createIndex('records_target_id').on('records').columns(['scheme_id', 'target_id']).execute()
    },
  },
  {
    version: 3,
    name: 'records carry their groupCalculate header group',
    async up(db) {
      // A grouped scheme writes one document per header group; the ledger must see a group whole
      // (hold it while a member waits for a retry, park a member that arrives after it was written),
      // so each record keeps the key of its group. Null for ungrouped schemes.
      await db.schema.alterTable('records').addColumn('group_key', 'text').execute()
      await db.schema.createIndex('records_group').on('records').columns(['scheme_id', 'group_key']).execute()
    },
  },
  {
    version: 5,
    name: 'leases record their holder host and process',
    async up(db) {
      // A holder on the same host whose process is gone is taken over at once (leases.ts) instead
      // of blocking its scheme until the lease expires.
      await db.schema.alterTable('leases').addColumn('host', 'text').execute()
      await db.schema.alterTable('leases').addColumn('pid', 'integer').execute()
    },
  },
  {
    version: 6,
    name: 'service: users, sessions, API tokens and the audit log',
    async up(db, caps) {
      const big = caps.bigintType
      // Passwords, session ids and API tokens are stored only as hashes (scrypt for passwords,
      // SHA-256 for the random session ids and tokens), so a copy of the database signs no one in.
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', notNull)
        .addColumn('role', 'text', notNull)
        .addColumn('password_hash', 'text', notNull)
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', big, notNull)
        .addColumn('updated_at', big, notNull)
        .execute()
      await db.schema.createIndex('users_name').unique().on('users').column('name').execute()
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', notNull)
        .addColumn('csrf_hash', 'text', notNull)
        .addColumn('ip', 'text')
        .addColumn('created_at', big, notNull)
        .addColumn('expires_at', big, notNull)
        .addColumn('last_seen_at', big, notNull)
        .execute()
      await db.schema.createIndex('sessions_by_user').on('sessions').column('user_id').execute()
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', notNull)
        .addColumn('role', 'text', notNull)
        .addColumn('token_hash', 'text', notNull)
        .addColumn('created_by', 'text', notNull)
        .addColumn('created_at', big, notNull)
        .addColumn('last_used_at', big)
        .addColumn('revoked_at', big)
        .execute()
      await db.schema.createIndex('api_tokens_hash').unique().on('api_tokens').column('token_hash').execute()
      await withAutoId(db.schema.createTable('audit_log'), caps, 'seq')
        .addColumn('at', big, notNull)
        .addColumn('actor', 'text', notNull)
        .addColumn('actor_kind', 'text', notNull)
        .addColumn('role', 'text')
        .addColumn('action', 'text', notNull)
        .addColumn('target', 'text', notNull)
        .addColumn('status', 'integer', notNull)
        .addColumn('ip', 'text')
        .addColumn('request_id', 'text')
        .addColumn('detail', 'text')
        .execute()
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'seq']).execute()
    },
  },
  {
    version: 9,
    name: 'alert incidents, deliveries and encrypted alert channels',
    async up(db, caps) {
      const big = caps.bigintType
      // One row per incident (one alert condition of one scheme, from firing to resolved); the
      // evaluator finds the open one by key, so a condition that stays true stays one incident.
      await db.schema
        .createTable('alert_incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key', 'text', notNull)
        .addColumn('scheme_id', 'text', notNull)
        .addColumn('rule', 'text', notNull)
        .addColumn('severity', 'text', notNull)
        .addColumn('status', 'text', notNull)
        .addColumn('opened_at', big, notNull)
        .addColumn('updated_at', big, notNull)
        .addColumn('resolved_at', big)
        .addColumn('details', 'text', notNull)
        .execute()
      await db.schema.createIndex('alert_incidents_open').on('alert_incidents').columns(['status', 'key']).execute()
      await db.schema.createIndex('alert_incidents_by_time').on('alert_incidents').columns(['opened_at']).execute()
      // Every attempt to tell a channel about an incident: what was sent (firing, repeat,
      // resolved), when, and whether the channel took it. Dedup, repeats and rate limits read it.
      await withAutoId(db.schema.createTable('alert_deliveries'), caps, 'seq')
        .addColumn('incident_id', 'text', notNull)
        .addColumn('channel', 'text', notNull)
        .addColumn('state', 'text', notNull)
        .addColumn('at', big, notNull)
        .addColumn('ok', 'integer', notNull)
        .addColumn('error', 'text')
        .execute()
      await db.schema
        .createIndex('alert_deliveries_by_incident')
        .on('alert_deliveries')
        .columns(['incident_id', 'channel', 'seq'])
        .execute()
      await db.schema
        .createIndex('alert_deliveries_by_channel')
        .on('alert_deliveries')
        .columns(['channel', 'at'])
        .execute()
      // Channel settings (webhook URLs, robot secrets, SMTP passwords) sealed whole, like connections.
      await db.schema
        .createTable('alert_channels')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', notNull)
        .addColumn('config_enc', 'text', notNull)
        .addColumn('updated_at', big, notNull)
        .execute()
    },
  },
  {
    version: 15,
    name: 'records by scheme and first read / written time (the console dashboard)',
    async up(db) {
      // The dashboard's records per day group these two columns of one scheme; the indexes cover
      // the queries, so they read the index alone instead of every record's content.
      await db.schema.createIndex('records_by_created').on('records').columns(['scheme_id', 'created_at']).execute()
      await db.schema.createIndex('records_by_done').on('records').columns(['scheme_id', 'done_at']).execute()
    },
  },
  {
    version: 16,
    name: 'records by status in arrival order, and the rare flags (counts and listings that do not walk the ledger)',
    async up(db) {
      // Listing one status in seq order (the run's "scheduled later", the failed-record queue,
      // retry all failed) otherwise walks records_list past every done record of the scheme.
      await db.schema.createIndex('records_by_status').on('records').columns(['scheme_id', 'status', 'seq']).execute()
      // Partial: the ledger counts ask how many records carry these, and almost none do.
      await db.schema
        .createIndex('records_changed')
        .on('records')
        .column('scheme_id')
        .where(sql.ref('changed_after_sync'), '=', 1)
        .execute()
      await db.schema
        .createIndex('records_resolved')
        .on('records')
        .column('scheme_id')
        .where(sql.ref('resolved_at'), 'is not', null)
        .execute()
    },
  },
]

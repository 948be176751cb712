/**
 * Record commands: records, record, retry, edit, resolve. They read and mark the ledger; retry and
 * edit then run the target stage for what they requeued.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { InvalidPayloadEdit, RecordNotFound, RetryNothing } from '../engine/errors.js'
import type { RecordStatus } from '../engine/ports.js'
import { recordJson, recordsText, recordText, summaryText } from '../engine/report.js'
import { common, json, out, withHost, type Common, type EngineCommandOptions } from './command-host.js'
import { runWithProgress } from './run-progress.js'

function readPayload(text: string): Record<string, unknown> {
  const raw = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch (e) {
    throw InvalidPayloadEdit([e instanceof Error ? e.message : String(e)])
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw InvalidPayloadEdit(['expected {…}'])
  return v as Record<string, unknown>
}

/** Let a person edit the payload in $EDITOR (a TTY is required). */
function editInEditor(payload: unknown): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-edit-'))
  const file = join(dir, 'payload.json')
  try {
    writeFileSync(file, `${JSON.stringify(payload ?? {}, null, 2)}\n`, { mode: 0o600 })
    const r = spawnSync(process.env.VISUAL ?? process.env.EDITOR ?? 'vi', [file], { stdio: 'inherit' })
    if (r.status !== 0) throw InvalidPayloadEdit([`the editor exited with ${String(r.status)}`])
    return readPayload(readFileSync(file, 'utf8'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function registerRecordCommands(program: Command, o: EngineCommandOptions): void {
  common(program.command('records <scheme>').description('list ledger records'))
    .option('--status <status>', 'waiting, queued, unknown, done, duplicate or error')
    .option('--search <text>', 'text in the id, number or last error')
    .option('--limit <n>', 'records per page', '50')
    .option('--cursor <cursor>', 'next page from a previous --json answer')
    .action(
      async (scheme: string, c: Common & { status?: string; search?: string; limit: string; cursor?: string }) => {
        await withHost(
          o,
          c,
          async (h) => {
            const s = h.scheme(scheme)
            const page = await h.ports.ledger.listRecords(s.id, {
              limit: Math.max(1, Number(c.limit) || 50),
              ...(c.status === undefined ? {} : { status: c.status as RecordStatus }),
              ...(c.search === undefined ? {} : { search: c.search }),
              ...(c.cursor === undefined ? {} : { cursor: c.cursor }),
            })
            if (c.json === true)
              json({
                records: page.records.map(recordJson),
                ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
              })
            else
              out(
                recordsText(page.records, s.target === undefined) +
                  (page.nextCursor === undefined ? '' : `\nmore: --cursor ${page.nextCursor}`),
              )
          },
          false,
        )
      },
    )

  common(
    program.command('record <scheme> <id>').description('one record: source, mapped payload, attempts, responses'),
  ).action(async (scheme: string, id: string, c: Common) => {
    await withHost(
      o,
      c,
      async (h) => {
        const s = h.scheme(scheme)
        const r = await h.ports.ledger.getRecord({ schemeId: s.id, recordId: id })
        if (r === undefined) throw RecordNotFound([s.id, id])
        if (c.json === true) json(recordJson(r))
        else out(recordText(r, s.target === undefined))
      },
      false,
    )
  })

  common(program.command('retry <scheme> [ids...]').description('requeue failed records and run the target stage'))
    .option('--all-failed', 'every record in the failed-record queue')
    .option('--no-run', 'only requeue; the next scheduled run writes them')
    .action(async (scheme: string, ids: string[], c: Common & { allFailed?: boolean; run: boolean }) => {
      await withHost(o, c, async (h) => {
        const s = h.scheme(scheme)
        if (ids.length === 0 && c.allFailed !== true) throw RetryNothing([])
        await h.ports.schemes.resume(s.id)
        const { requeued } = await h.ports.ledger.requeue(s.id, ids.length === 0 ? { allFailed: true } : { ids })
        const summary = c.run
          ? await runWithProgress(h, s.id, { stages: ['target'], json: c.json === true })
          : undefined
        if (c.json === true) json({ requeued, summary })
        else {
          out(`requeued ${requeued.length} record${requeued.length === 1 ? '' : 's'}`)
          if (summary !== undefined) out(summaryText(summary))
        }
      })
    })

  common(program.command('edit <scheme> <id>').description('edit the mapped payload of a record, then retry it'))
    .option('--payload <json>', 'the new payload as JSON, or @file')
    .option('--no-run', 'only save and requeue')
    .action(async (scheme: string, id: string, c: Common & { payload?: string; run: boolean }) => {
      await withHost(o, c, async (h) => {
        const s = h.scheme(scheme)
        const ref = { schemeId: s.id, recordId: id }
        const r = await h.ports.ledger.getRecord(ref)
        if (r === undefined) throw RecordNotFound([s.id, id])
        const payload = c.payload !== undefined ? readPayload(c.payload) : editInEditor(r.payload ?? undefined)
        await h.ports.ledger.editPayload(ref, payload)
        await h.ports.ledger.requeue(s.id, { ids: [id] })
        const summary = c.run
          ? await runWithProgress(h, s.id, { stages: ['target'], json: c.json === true })
          : undefined
        const after = await h.ports.ledger.getRecord(ref)
        if (c.json === true) json({ record: after === undefined ? undefined : recordJson(after), summary })
        else out(`saved; record ${id} is now ${after?.status ?? '?'}`)
      })
    })

  common(
    program
      .command('resolve <scheme> <id>')
      .description('mark a failed record as settled by a person (it is never written)'),
  )
    .option('--note <text>', 'why', 'resolved by hand')
    .action(async (scheme: string, id: string, c: Common & { note: string }) => {
      await withHost(
        o,
        c,
        async (h) => {
          const s = h.scheme(scheme)
          const ref = { schemeId: s.id, recordId: id }
          await h.ports.ledger.resolve(ref, c.note)
          const r = await h.ports.ledger.getRecord(ref)
          if (c.json === true) json(r === undefined ? undefined : recordJson(r))
          else out(`record ${id} resolved`)
        },
        false,
      )
    })
}

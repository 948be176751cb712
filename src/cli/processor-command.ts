/**
 * `ferry processor test <file> --record r.json [--hook <name>]`: run one hook of a compiled
 * processor on one record (a page for afterFetch, a target answer for afterWrite) and print what
 * it returns, with its log lines on stderr. Same time limit and coded errors as in a run.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { EngineLogger } from '../engine/ports.js'
import { HOOK_NAMES, type HookName } from '../processors/define.js'
import { ProcessorTestInput } from '../processors/errors.js'
import { loadProcessorFile } from '../processors/loader.js'
import { callHook, DEFAULT_HOOK_TIMEOUT_MS } from '../processors/runner.js'
import { reportFailure } from './command-host.js'

const stderrLog: EngineLogger = {
  debug: (o, m) => process.stderr.write(`debug ${m ?? ''} ${JSON.stringify(o)}\n`),
  info: (o, m) => process.stderr.write(`info  ${m ?? ''} ${JSON.stringify(o)}\n`),
  warn: (o, m) => process.stderr.write(`warn  ${m ?? ''} ${JSON.stringify(o)}\n`),
  error: (o, m) => process.stderr.write(`error ${m ?? ''} ${JSON.stringify(o)}\n`),
}

function readRecord(file: string, hook: HookName): unknown {
  let v: unknown
  try {
    v = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw ProcessorTestInput([`${file}: ${e instanceof Error ? e.message : String(e)}`])
  }
  const wantsList = hook === 'afterFetch'
  if (wantsList ? !Array.isArray(v) : typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw ProcessorTestInput([`${file}: ${hook} takes ${wantsList ? 'a JSON array (one page)' : 'one JSON object'}`])
  }
  return v
}

export function registerProcessorCommand(program: Command): void {
  const proc = program.command('processor').description('custom processors (docs/processors.md)')
  proc
    .command('test <file>')
    .description('run one hook of a compiled processor (.mjs/.js) on one record and print the result')
    .requiredOption('--record <file>', 'JSON: the record (a page array for afterFetch, an answer for afterWrite)')
    .option('--hook <name>', `${HOOK_NAMES.join(', ')} (default: the processor's only hook)`)
    .option('--id <recordId>', 'record id for the hook context and logs', 'test')
    .option('--scheme <id>', 'scheme id for the hook context', 'test')
    .option('--payload <file>', 'afterWrite: the payload that was written (JSON object)')
    .action(
      async (file: string, c: { record: string; hook?: string; id: string; scheme: string; payload?: string }) => {
        try {
          const p = await loadProcessorFile(file)
          const defined = HOOK_NAMES.filter((h) => typeof p[h] === 'function')
          const hook = (c.hook ?? (defined.length === 1 ? defined[0] : undefined)) as HookName | undefined
          if (hook === undefined)
            throw ProcessorTestInput([`${p.name} defines ${defined.join(', ')}: choose one with --hook`])
          if (!defined.includes(hook))
            throw ProcessorTestInput([`${p.name} has no ${hook} hook; it defines ${defined.join(', ')}`])
          const input = readRecord(c.record, hook)
          const extra =
            hook === 'beforeWrite'
              ? { record: input }
              : hook === 'afterWrite'
                ? { payload: c.payload === undefined ? {} : readRecord(c.payload, 'beforeWrite'), key: c.id }
                : {}
          const result = await callHook(
            p,
            hook,
            input,
            { scheme: c.scheme, recordId: c.id, recordIds: [c.id] },
            stderrLog,
            DEFAULT_HOOK_TIMEOUT_MS,
            extra,
          )
          // Returning nothing keeps the input unchanged, as in a run.
          process.stdout.write(`${JSON.stringify(result === undefined ? input : result, null, 2)}\n`)
        } catch (e) {
          reportFailure(e, false)
        }
      },
    )
}

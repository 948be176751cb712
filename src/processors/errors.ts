/**
 * Error codes of custom processors: loading the operator's modules, and a hook that throws or
 * overruns its time limit (the record is parked with the code and the hook's name).
 */
import { defineError } from '../core/errors.js'

export const ProcessorNotFound = defineError(
  {
    code: 'ERR_PROCESSOR_NOT_FOUND',
    kind: 'config',
    meaning: 'A scheme names a processor that is not in the processors folder as a compiled .mjs or .js file.',
    fix: 'Compile the processor (`npx tsc -p <folder>`) so <name>.mjs is in the folder set by `processors.dir`, or fix the name.',
  },
  (name: string, dir: string, hint: string) => `processor "${name}" not found in ${dir}${hint}`,
)

export const ProcessorInvalid = defineError(
  {
    code: 'ERR_PROCESSOR_INVALID',
    kind: 'config',
    meaning: 'A processor module does not default-export a processor made with defineProcessor.',
    fix: 'Default-export defineProcessor({name, beforeStore() {…}, …}) with only the documented hooks.',
  },
  (file: string, problem: string) => `${file}: ${problem}`,
)

export const ProcessorHookFailed = defineError(
  {
    code: 'ERR_PROCESSOR_HOOK',
    kind: 'data',
    meaning: 'A custom processor hook threw an error; the record it was processing is parked.',
    fix: 'Read the message (the hook and its error), fix the processor or the record, then `ferry retry` the record (beforeStore: fetch it again; afterWrite: only the hook runs again, the document is not sent again).',
  },
  (processor: string, hook: string, reason: string) => `processor ${processor} hook ${hook} failed: ${reason}`,
)

export const ProcessorHookTimeout = defineError(
  {
    code: 'ERR_PROCESSOR_TIMEOUT',
    kind: 'data',
    meaning: 'A custom processor hook did not finish within its time limit; the record it was processing is parked.',
    fix: 'Make the hook faster or raise its `timeoutMs` (or `processors.timeoutMs`), then `ferry retry` the record.',
  },
  (processor: string, hook: string, ms: number) => `processor ${processor} hook ${hook} did not finish within ${ms} ms`,
)

export const ProcessorTestInput = defineError(
  {
    code: 'ERR_PROCESSOR_TEST_INPUT',
    kind: 'user',
    meaning: '`ferry processor test` was given a record file or hook it cannot use.',
    fix: 'Pass --record <file> holding one JSON object (a page: a JSON array for afterFetch) and a --hook the processor defines.',
  },
  (reason: string) => reason,
)

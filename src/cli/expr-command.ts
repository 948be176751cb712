/**
 * `ferry expr '<value>'`: evaluate one mapping value exactly as a target field would and print
 * the result as JSON. For people debugging a scheme and for tests.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { FerryError, isFerryError } from '../core/errors.js'
import { ExprCliArgument } from '../expr/errors.js'
import { DEFAULT_TIME_ZONE, evaluate, parseValue, type EvalContext } from '../expr/index.js'
import { arrayLookupProvider } from '../expr/memory-lookup.js'

interface ExprOptions {
  record?: string
  row?: string
  rowPath?: string
  var: string[]
  now?: string
  tz: string
  lookup: string[]
  compat?: boolean
  arrayField?: boolean
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v]
}

function readJson(option: string, text: string): unknown {
  const source = text.startsWith('@') ? readFileText(option, text.slice(1)) : text
  try {
    return JSON.parse(source) as unknown
  } catch (e) {
    throw ExprCliArgument([`${option} is not valid JSON: ${(e as Error).message}`])
  }
}

function readFileText(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw ExprCliArgument([`${option}: cannot read ${path}: ${(e as Error).message}`])
  }
}

function readObject(option: string, text: string): Record<string, unknown> {
  const v = readJson(option, text)
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw ExprCliArgument([`${option} must be a JSON object`])
  return v as Record<string, unknown>
}

/** `--var NAME=VALUE`; numeric values become numbers (variables such as LAST_SYNC_TIME are Unix seconds). */
function parseVars(list: readonly string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {}
  for (const item of list) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw ExprCliArgument([`--var ${item}: write NAME=VALUE`])
    const value = item.slice(eq + 1)
    vars[item.slice(0, eq)] =
      /^-?\d+(\.\d+)?$/.test(value) && Number.isSafeInteger(Math.trunc(Number(value))) ? Number(value) : value
  }
  return vars
}

function parseLookups(list: readonly string[]): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {}
  for (const item of list) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw ExprCliArgument([`--lookup ${item}: write <collection>=<json-array-file>`])
    const rows = readJson('--lookup', '@' + item.slice(eq + 1))
    if (!Array.isArray(rows)) throw ExprCliArgument([`--lookup ${item}: the file must hold a JSON array of records`])
    out[item.slice(0, eq)] = rows as Record<string, unknown>[]
  }
  return out
}

async function run(value: string, opts: ExprOptions): Promise<void> {
  const now = opts.now === undefined ? new Date() : new Date(opts.now)
  if (Number.isNaN(now.getTime())) throw ExprCliArgument([`--now ${opts.now}: use ISO-8601, e.g. 2024-01-01T00:00:00Z`])
  const ctx: EvalContext = {
    record: opts.record === undefined ? {} : readObject('--record', opts.record),
    ...(opts.row === undefined ? {} : { row: readObject('--row', opts.row) }),
    ...(opts.rowPath === undefined ? {} : { rowPath: opts.rowPath }),
    vars: parseVars(opts.var),
    now,
    tz: opts.tz,
    lookups: arrayLookupProvider(parseLookups(opts.lookup)),
    compat: opts.compat === true,
  }
  try {
    const result = await evaluate(parseValue(value, { arrayField: opts.arrayField === true }), ctx)
    process.stdout.write(`${JSON.stringify(result === undefined ? null : result)}\n`)
  } catch (e) {
    // The CLI prints `code  message`; keep the position inside the expression in the message.
    if (isFerryError(e) && e.location !== undefined) {
      throw new FerryError(e.code, e.kind, `${e.message} (at ${e.location})`, { location: e.location, cause: e })
    }
    throw e
  }
}

export function registerExprCommand(program: Command): void {
  program
    .command('expr')
    .description('Evaluate one mapping value (template, _function or _findCollection) and print the result as JSON')
    .argument('<value>', 'the value as written in the scheme, e.g. "_function abs({{qty}})"')
    .option('--record <json>', 'the source document as JSON (or @file.json)')
    .option('--row <json>', 'the current detail row when evaluating a child field (or @file.json)')
    .option('--row-path <name>', 'the detail array the row comes from, e.g. items')
    .option('--var <NAME=VALUE>', 'a variable such as LAST_SYNC_TIME=1704067200 (repeatable)', collect, [])
    .option('--now <iso>', 'the evaluation time (ISO-8601); default now')
    .option('--tz <zone>', 'IANA time zone', DEFAULT_TIME_ZONE)
    .option(
      '--lookup <collection=file>',
      'records for _findCollection from a JSON array file (repeatable)',
      collect,
      [],
    )
    .option('--compat', "the platform's text substitution; a failing _function returns its text")
    .option('--array-field', 'evaluate as a target array field (a bare name is the source array key)')
    .action((value: string, opts: ExprOptions) => run(value, opts))
}

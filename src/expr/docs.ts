/**
 * Renders the function reference of docs/expressions.md from the registry, so the docs and the
 * console's function help cannot drift from the implementation (a test compares them).
 * Regenerate with `npx tsx src/expr/docs.ts --write`.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { listFunctions, type FunctionSpec } from './builtins.js'

export const DOC_BEGIN =
  '<!-- functions:begin (generated from src/expr/fn-*.ts by `npx tsx src/expr/docs.ts --write`) -->'
export const DOC_END = '<!-- functions:end -->'

const TITLES: Record<FunctionSpec['category'], string> = {
  control: 'Control flow',
  number: 'Numbers',
  string: 'Text',
  date: 'Dates and times',
  aggregate: 'Aggregates over a detail array',
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

export function renderFunctionReference(): string {
  const lines: string[] = [DOC_BEGIN]
  for (const cat of Object.keys(TITLES) as FunctionSpec['category'][]) {
    lines.push(
      '',
      `### ${TITLES[cat]}`,
      '',
      '| Function | What it does | Example | Result |',
      '| --- | --- | --- | --- |',
    )
    for (const f of listFunctions().filter((x) => x.category === cat)) {
      const ex = f.examples[0]!
      const names = f.aliases === undefined ? '' : ` (also ${f.aliases.join(', ')})`
      const input = ex.record === undefined ? '' : ` with \`${JSON.stringify(ex.record)}\``
      lines.push(
        `| \`${cell(f.signature)}\`${names} | ${cell(f.description)} | \`${cell(ex.value)}\`${cell(input)} | \`${cell(JSON.stringify(ex.result))}\` |`,
      )
    }
  }
  lines.push('', DOC_END)
  return lines.join('\n')
}

export const DOC_PATH = fileURLToPath(new URL('../../docs/expressions.md', import.meta.url))

/** Replace the generated block inside docs/expressions.md. */
export function writeFunctionReference(path = DOC_PATH): void {
  const doc = readFileSync(path, 'utf8')
  const start = doc.indexOf(DOC_BEGIN)
  const end = doc.indexOf(DOC_END)
  if (start < 0 || end < 0) throw new Error(`${path} has no generated function block`)
  writeFileSync(path, doc.slice(0, start) + renderFunctionReference() + doc.slice(end + DOC_END.length))
}

if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === process.argv[1] &&
  process.argv.includes('--write')
) {
  writeFunctionReference()
}

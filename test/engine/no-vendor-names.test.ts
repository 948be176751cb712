import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILTIN_CONNECTORS } from '../../src/connectors/builtin.js'

const root = join(import.meta.dirname, '../..')
const engine = join(root, 'src/engine')

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** What only a connector may know: its name, its api paths and the business key fields it declares. */
function vendorStrings(): string[] {
  const out = new Set<string>()
  for (const c of BUILTIN_CONNECTORS) {
    out.add(c.name)
    for (const a of c.apis) {
      out.add(a.api)
      if (a.businessKey !== undefined) out.add(a.businessKey)
    }
  }
  return [...out]
}

describe('the engine knows no vendor', () => {
  it('names no registered connector, vendor api path or business key field anywhere in src/engine', () => {
    const strings = vendorStrings()
    expect(strings).toContain('/jdy/v2/scm/inv_check_loss_bill')
    const hits: string[] = []
    for (const file of files(engine)) {
      const lines = readFileSync(file, 'utf8').split('\n')
      lines.forEach((line, i) => {
        for (const s of strings)
          if (line.toLowerCase().includes(s.toLowerCase())) hits.push(`${relative(root, file)}:${i + 1}: ${s}`)
      })
    }
    expect(hits).toEqual([])
  })
})

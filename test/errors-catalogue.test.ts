import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadFullCatalogue, renderErrorsDoc } from '../src/core/catalogue.js'
import { ERROR_KINDS } from '../src/core/errors.js'

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

describe('error catalogue', () => {
  it('docs/errors.md has exactly one row per code in the catalogue (run `npm run docs:errors` to regenerate)', async () => {
    const specs = await loadFullCatalogue()
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
    expect(doc).toBe(renderErrorsDoc(specs))
  })

  it('gives every code a known kind, a meaning and a fix', async () => {
    for (const s of await loadFullCatalogue()) {
      expect(ERROR_KINDS).toContain(s.kind)
      expect(s.meaning.length, s.code).toBeGreaterThan(10)
      expect(s.fix.length, s.code).toBeGreaterThan(5)
    }
  })

  it('declares error codes only in errors.ts files, so the catalogue loader sees them all', () => {
    const offenders = walk(new URL('../src', import.meta.url).pathname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('/errors.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /\bdefineError\s*\(/.test(readFileSync(f, 'utf8')))
    expect(offenders.filter((f) => !f.endsWith('/core/errors.ts'))).toEqual([])
  })
})

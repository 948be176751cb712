import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DICTIONARIES, LANGUAGES, translate } from '../../console/src/i18n/dictionaries.js'
import { ROLES } from '../../src/server/auth/roles.js'
import { RECORD_STATUSES } from '../../src/store/ledger-types.js'
import { RUN_STATUSES } from '../../src/store/runs.js'

const SRC = join(import.meta.dirname, '../../console/src')

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : []
  })
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('console translations', () => {
  it('has the same keys in every language, none of them empty', () => {
    const all = new Set(LANGUAGES.flatMap((l) => Object.keys(DICTIONARIES[l])))
    for (const lang of LANGUAGES) {
      const dict = DICTIONARIES[lang] as Record<string, string | undefined>
      const missing = [...all].filter((k) => dict[k] === undefined)
      expect(missing, `keys missing in ${lang}`).toEqual([])
      const empty = [...all].filter((k) => dict[k]?.trim() === '')
      expect(empty, `empty strings in ${lang}`).toEqual([])
    }
  })

  it('uses the same placeholders in every language', () => {
    for (const key of Object.keys(DICTIONARIES.en) as (keyof typeof DICTIONARIES.en)[]) {
      for (const lang of LANGUAGES)
        expect(placeholders(DICTIONARIES[lang][key]), `${lang} ${key}`).toEqual(placeholders(DICTIONARIES.en[key]))
    }
  })

  it('has a key for every t("…") the console calls, and for every member of a t(`prefix.${…}`) family', () => {
    const keys = new Set(Object.keys(DICTIONARIES.en))
    const files = sources(SRC)
    expect(files.length).toBeGreaterThan(5)
    let literal = 0
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bt\(\s*'([^']+)'/g)) {
        literal++
        expect(keys.has(m[1]!), `${file}: t('${m[1]}')`).toBe(true)
      }
      // Dynamic keys name a family; each family must have at least the members the API can answer.
      for (const m of text.matchAll(/\bt\(\s*`([a-zA-Z]+)\.\$\{/g))
        expect(
          [...keys].some((k) => k.startsWith(`${m[1]}.`)),
          `${file}: ${m[1]}.*`,
        ).toBe(true)
    }
    expect(literal).toBeGreaterThan(40)
    // The members come from the server's own lists, so a status added there needs a translation here.
    const families: Record<string, readonly string[]> = { status: RECORD_STATUSES, run: RUN_STATUSES, role: ROLES }
    for (const [family, members] of Object.entries(families))
      for (const m of members) expect(keys.has(`${family}.${m}`), `${family}.${m}`).toBe(true)
  })

  it('defaults to zh-CN and fills placeholders', () => {
    expect(LANGUAGES[0]).toBe('zh-CN')
    expect(translate('en', 'records.page', { page: 3 })).toBe('Page 3')
    expect(translate('zh-CN', 'records.page', { page: 3 })).toBe('第 3 页')
    expect(translate('en', 'records.page')).toBe('Page {page}')
  })
})

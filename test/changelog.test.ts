import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const HEADINGS = ['### Added', '### Changed', '### Fixed', '### Security']

describe('CHANGELOG.md', () => {
  it('has each of Added, Changed, Fixed, Security at most once per release section, and no other heading', () => {
    const text = readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8')
    const sections = text.split(/^## /m).slice(1)
    expect(sections.length).toBeGreaterThan(0)
    for (const section of sections) {
      const name = section.split('\n')[0]
      const headings = section.split('\n').filter((l) => l.startsWith('### '))
      expect(
        headings.filter((h) => !HEADINGS.includes(h)),
        name,
      ).toEqual([])
      expect(new Set(headings).size, `${name}: ${headings.join(', ')}`).toBe(headings.length)
    }
  })
})

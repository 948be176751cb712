import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUILTIN_CONNECTORS } from '../../../src/connectors/builtin.js'
import { defineConnector } from '../../../src/connectors/contract.js'
import { renderSettingsTable, withSettingsTable } from '../../../src/connectors/docs.js'

const docsDir = new URL('../../../docs/connectors/', import.meta.url)

describe('connector settings tables in docs/connectors', () => {
  it.each(BUILTIN_CONNECTORS.map((c) => [c.name, c] as const))(
    'docs/connectors/%s.md holds the table generated from its config spec (npm run docs)',
    (name, def) => {
      const doc = readFileSync(new URL(`${name}.md`, docsDir), 'utf8')
      expect(doc).toContain(renderSettingsTable(def))
      for (const key of Object.keys(def.config)) expect(doc).toContain(`| \`${key}\` |`)
    },
  )

  it('marks required fields, shows defaults and escapes pipes in a meaning', () => {
    const def = defineConnector({
      name: 'tiny',
      title: 'Tiny',
      version: 1,
      config: {
        url: { type: 'url', required: true, description: 'Where it lives.' },
        mode: { type: 'string', default: 'a', description: '`a` | `b`' },
        tag: { type: 'string', default: '' },
        key: { type: 'secret', title: 'API key' },
      },
      apis: [{ api: '/q', effect: 'QUERY', title: 'q' }],
      errorCatalogue: [],
      budget: {},
      open: () => Promise.resolve({ close: () => Promise.resolve() }),
    })
    const table = renderSettingsTable(def)
    expect(table).toContain('| `url` | url | required | Where it lives. |')
    expect(table).toContain('| `mode` | string | `a` | `a` \\| `b` |')
    expect(table).toContain('| `tag` | string | empty |  |')
    expect(table).toContain('| `key` | secret | — | API key |')
    expect(() => withSettingsTable('# no markers', def, 'x.md')).toThrow(/no generated settings block/)
  })
})

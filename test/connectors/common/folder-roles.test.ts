import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUILTIN_CONNECTORS } from '../../../src/connectors/builtin.js'

const src = new URL('../../../src/connectors/', import.meta.url)

/** The files every connector folder has, each with one role (docs/connectors/README.md, "Adding a connector"). */
const ROLES = ['index.ts', 'config.ts', 'catalogue.ts', 'errors.ts', 'runtime.ts']

describe('connector folders', () => {
  it.each(BUILTIN_CONNECTORS.map((c) => [c.name] as const))(
    'src/connectors/%s/ has the same file roles as every other connector',
    (name) => {
      for (const file of ROLES) expect(existsSync(new URL(`${name}/${file}`, src)), `${name}/${file}`).toBe(true)
      // The declaration stays a declaration: the wiring lives in runtime.ts.
      const index = readFileSync(new URL(`${name}/index.ts`, src), 'utf8')
      expect(index).toMatch(/from '\.\/runtime\.js'/)
      expect(index).not.toMatch(/new HttpClient/)
    },
  )

  it('registers each builtin connector with one line in src/connectors/builtin.ts', () => {
    const builtin = readFileSync(new URL('builtin.ts', src), 'utf8')
    for (const c of BUILTIN_CONNECTORS)
      expect(builtin.split('\n').filter((l) => l.includes(`from './${c.name}/index.js'`))).toHaveLength(1)
  })
})

/**
 * Renders each connector's settings table in docs/connectors/<name>.md from its config spec, so
 * the docs, the validation and the console's connection form cannot drift apart. `npm run docs`
 * rewrites the block between the markers; CI fails when the committed docs are not in step.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import type { ConfigField, ConnectorDefinition } from './contract.js'

export const SETTINGS_BEGIN = '<!-- settings:begin (generated from the connector config spec by `npm run docs`) -->'
export const SETTINGS_END = '<!-- settings:end -->'

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function defaultOf(f: ConfigField): string {
  if (f.required === true) return 'required'
  if (f.default === undefined) return '—'
  if (f.default === '') return 'empty'
  return typeof f.default === 'string' ? `\`${f.default}\`` : String(f.default)
}

/** The settings table of one connector, markers included. */
export function renderSettingsTable(def: ConnectorDefinition): string {
  const rows = Object.entries(def.config).map(
    ([key, f]) => `| \`${key}\` | ${f.type} | ${defaultOf(f)} | ${cell(f.description ?? f.title ?? '')} |`,
  )
  return [
    SETTINGS_BEGIN,
    '',
    '| Field | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    SETTINGS_END,
  ].join('\n')
}

/** Replace the generated block of `doc` (a Markdown text); throws when the markers are missing. */
export function withSettingsTable(doc: string, def: ConnectorDefinition, path: string): string {
  const start = doc.indexOf(SETTINGS_BEGIN)
  const end = doc.indexOf(SETTINGS_END)
  if (start < 0 || end < start) throw new Error(`${path} has no generated settings block (${SETTINGS_BEGIN})`)
  return doc.slice(0, start) + renderSettingsTable(def) + doc.slice(end + SETTINGS_END.length)
}

/** Rewrite docs/connectors/<name>.md of every connector under `docsDir`; returns the files written. */
export function writeSettingsTables(defs: readonly ConnectorDefinition[], docsDir: string): string[] {
  return defs.map((def) => {
    const path = `${docsDir}/${def.name}.md`
    writeFileSync(path, withSettingsTable(readFileSync(path, 'utf8'), def, path))
    return path
  })
}

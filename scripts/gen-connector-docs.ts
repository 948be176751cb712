import { fileURLToPath } from 'node:url'
import { BUILTIN_CONNECTORS } from '../src/connectors/builtin.js'
import { writeSettingsTables } from '../src/connectors/docs.js'

const written = writeSettingsTables(BUILTIN_CONNECTORS, fileURLToPath(new URL('../docs/connectors', import.meta.url)))
console.log(`docs/connectors: ${written.length} settings tables`)

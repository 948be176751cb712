import { writeFileSync } from 'node:fs'
import { loadFullCatalogue, renderErrorsDoc } from '../src/core/catalogue.js'

const specs = await loadFullCatalogue()
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc(specs))
console.log(`docs/errors.md: ${specs.length} codes`)

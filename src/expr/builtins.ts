/** Registers every built-in once; import `findFunction`/`listFunctions` from here. */
import { DATE_FUNCTIONS } from './fn-date.js'
import { NUMBER_FUNCTIONS } from './fn-number.js'
import { STRING_FUNCTIONS } from './fn-string.js'
import { registerFunctions } from './registry.js'

registerFunctions([...NUMBER_FUNCTIONS, ...STRING_FUNCTIONS, ...DATE_FUNCTIONS])

export { findFunction, listFunctions } from './registry.js'
export type { FunctionSpec, FunctionExample } from './registry.js'

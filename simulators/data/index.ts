/** The seeded dataset generator and its record types. */
export { generateDataset, DEFAULT_START_MS, type GenerateOptions } from './generate.js'
export { formatShanghai, formatShanghaiDate, parseShanghai } from './shanghai-time.js'
export * from './types.js'

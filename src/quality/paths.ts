/** Payload paths shared with the engine's built-in checks (`a[].b` walks every element of `a`). */
export { valuesAt } from '../engine/quality.js'

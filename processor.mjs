// Runtime entry of `ferry/processor` for compiled processors: defineProcessor is an identity
// helper; its types are src/processors/define.ts (package.json "exports").
export function defineProcessor(p) {
  return p
}

/** The 聚水潭 (JST) simulator: see docs/sandbox.md. */
export { startJstSimulator, type JstSimulator, type JstCredentials } from './simulator.js'
export {
  DEFAULT_PIPELINE,
  type JstApp,
  type JstBehaviour,
  type JstSimulatorOptions,
  type OrderMode,
  type PipelineStep,
} from './options.js'
export { jstSign, jstSignBase } from './signing.js'
export { JstCode, JstMsg } from './codes.js'
export type { Mutation } from './admin-routes.js'
export type { HookFn, HookWindow } from './hooks.js'
export type { TokenData } from './tokens.js'

/**
 * The connectors Ferry ships: one line per connector. Adding a connector is a folder under
 * src/connectors/<name>/ plus its line here (docs/connectors/README.md); nothing else in Ferry
 * names a vendor.
 */
import type { ConnectorDefinition } from './contract.js'
import { batchHttp } from './batch-http/index.js'
import { jushuitan } from './jushuitan/index.js'
import { kingdeeJdy } from './kingdee-jdy/index.js'

export const BUILTIN_CONNECTORS: readonly ConnectorDefinition[] = [
  jushuitan, // 聚水潭: source
  kingdeeJdy, // 金蝶云星辰: target and master data
  batchHttp, // generic batch target
]

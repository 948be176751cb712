/**
 * A deliberately broken `ferry` for the chaos suite's self-test: the JDY target's `probe`
 * always answers "absent". The engine therefore re-writes blindly after an unknown outcome, and
 * the connector's own pre-check and duplicate resolution (which call the same `probe`) are blind
 * too. Everything else is the real CLI (`ferry run`, `ferry retry`, …).
 *
 * The engine has no switch for this (no `engine.unsafeDisableProbe`); the wrapper lives here,
 * in the test folder, and never ships.
 */
import { Command } from 'commander'
import type { ConnectorDefinition, ConnectorRuntime, ProbeResult } from '../../src/connectors/contract.js'
import { jushuitan } from '../../src/connectors/jushuitan/index.js'
import { kingdeeJdy } from '../../src/connectors/kingdee-jdy/index.js'
import { registerEngineCommands } from '../../src/cli/engine-commands.js'
import { openHost } from '../../src/engine/host.js'
import { createLogger } from '../../src/engine/logger.js'

export const blindJdy: ConnectorDefinition = {
  ...kingdeeJdy,
  async open(ctx): Promise<ConnectorRuntime> {
    const runtime = await kingdeeJdy.open(ctx)
    // An own property shadows the class method, so the connector's internal calls see it too.
    if (runtime.target !== undefined)
      Object.assign(runtime.target, { probe: (): Promise<ProbeResult> => Promise.resolve({ exists: false }) })
    return runtime
  },
}

const program = new Command().name('ferry-no-probe')
registerEngineCommands(program, {
  openHost: (cfg) => openHost(cfg, { log: createLogger(), connectors: [jushuitan, blindJdy] }),
})
program.parseAsync(process.argv).then(
  () => {
    process.exitCode ??= 0
  },
  (e: unknown) => {
    process.stderr.write(`ERR_INTERNAL  ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 2
  },
)

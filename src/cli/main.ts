/**
 * The `ferry` command. Each area registers its own subcommands (one `register*` function per
 * file under src/cli/), so this file only composes them.
 */
import { Command } from 'commander'
import { isFerryError } from '../core/errors.js'
import { registerAlertsCommand } from './alerts-command.js'
import { registerExprCommand } from './expr-command.js'
import { registerSandboxCommand } from './sandbox-command.js'
import { registerSchemeCommands } from './scheme-commands.js'
import { registerDemoCommand } from './demo-command.js'
import { registerEngineCommands } from './engine-commands.js'
import { registerProcessorCommand } from './processor-command.js'
import { registerProofCommands } from './proof-commands.js'
import { registerServeCommands } from './serve-command.js'
import { registerWorkerCommands } from './worker-command.js'

export function buildProgram(): Command {
  const program = new Command()
  program
    .name('ferry')
    .description('Runs QingQiCloud-dialect integration schemes exactly once, with proof.')
    .version('0.1.0')
    .showHelpAfterError()
  // register:begin (one line per command module; keep sorted)
  registerAlertsCommand(program)
  registerDemoCommand(program)
  registerEngineCommands(program)
  registerExprCommand(program)
  registerProcessorCommand(program)
  registerProofCommands(program)
  registerSandboxCommand(program)
  registerServeCommands(program)
  registerSchemeCommands(program)
  registerWorkerCommands(program)
  // register:end
  return program
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (e) {
    if (isFerryError(e)) {
      process.stderr.write(`${e.code}  ${e.message}\n`)
      return 1
    }
    process.stderr.write(`ERR_INTERNAL  ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    return 2
  }
}

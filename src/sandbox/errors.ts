/** Errors of `ferry sandbox` (the built-in simulators run from the CLI; see docs/sandbox.md). */
import { defineError } from '../core/errors.js'

export const SandboxOption = defineError(
  {
    code: 'ERR_SANDBOX_OPTION',
    kind: 'user',
    meaning: 'An option of `ferry sandbox` is out of range or unreadable.',
    fix: 'Check the option named in the message against `ferry sandbox --help` and docs/sandbox.md.',
  },
  (option: string, problem: string) => `${option}: ${problem}`,
)

export const SandboxListen = defineError(
  {
    code: 'ERR_SANDBOX_LISTEN',
    kind: 'user',
    meaning: '`ferry sandbox` could not listen on the requested port.',
    fix: 'Pick a free port with --port (the JDY simulator uses the next port), or omit --port to use free ports.',
  },
  (port: number, reason: string) => `cannot listen on port ${port}: ${reason}`,
)

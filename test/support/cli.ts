/**
 * Run the `ferry` command in this process, as a user would type it, capturing what it prints.
 * `process.exitCode` is cleared before and after so one command's failure cannot leak into the
 * next command or the test runner.
 */
import { vi } from 'vitest'
import { main } from '../../src/cli/main.js'

export interface CliResult {
  code: number
  out: string
  err: string
}

export async function ferry(...args: string[]): Promise<CliResult> {
  let out = ''
  let err = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out += String(c)
    return true
  })
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    err += String(c)
    return true
  })
  process.exitCode = undefined
  try {
    return { code: await main(['node', 'ferry', ...args]), out, err }
  } finally {
    o.mockRestore()
    e.mockRestore()
    process.exitCode = undefined
  }
}

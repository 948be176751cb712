/**
 * What every check of the configuration shares: the problems collected so far (all reported
 * together, see load.ts) and the environment `${VAR}`s are read from.
 */
import type { FerryError } from '../core/errors.js'

export type Env = Readonly<Record<string, string | undefined>>

export class Problems {
  readonly list: FerryError[] = []
  /** Deferred mode: connection-setting paths whose `${VAR}` is unset → the variable's name. */
  readonly deferred = new Map<string, string>()
  constructor(readonly deferConnections = false) {}
  add(e: FerryError): void {
    this.list.push(e)
  }
  /** One problem per path: a missing environment variable is not also reported as a missing setting. */
  has(location: string): boolean {
    return this.list.some((e) => e.location === location)
  }
}

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

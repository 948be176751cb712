/**
 * An in-memory {@link CredentialStore} for tests and the demo. The real store (encrypted at rest)
 * lives with the state store; this one honours `expiresAt` against an injectable clock so token
 * expiry can be tested without waiting.
 */
import type { CredentialStore } from './contract.js'

export class MemoryCredentialStore implements CredentialStore {
  private readonly values = new Map<string, { value: string; expiresAt?: Date }>()

  constructor(private readonly now: () => Date = () => new Date()) {}

  get(connectionId: string, name: string): Promise<string | undefined> {
    const key = `${connectionId}\u0000${name}`
    const hit = this.values.get(key)
    if (hit === undefined) return Promise.resolve(undefined)
    if (hit.expiresAt !== undefined && hit.expiresAt.getTime() <= this.now().getTime()) {
      this.values.delete(key)
      return Promise.resolve(undefined)
    }
    return Promise.resolve(hit.value)
  }

  set(connectionId: string, name: string, value: string, expiresAt?: Date): Promise<void> {
    this.values.set(`${connectionId}\u0000${name}`, expiresAt === undefined ? { value } : { value, expiresAt })
    return Promise.resolve()
  }

  delete(connectionId: string, name: string): Promise<void> {
    this.values.delete(`${connectionId}\u0000${name}`)
    return Promise.resolve()
  }

  /** Names stored for a connection (values stay private), for test assertions. */
  names(connectionId: string): string[] {
    const prefix = `${connectionId}\u0000`
    return [...this.values.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .sort()
  }
}

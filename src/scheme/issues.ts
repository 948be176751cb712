/**
 * Collects every validation finding instead of stopping at the first, plus the small typed
 * checks the validators share. Each check reports at a JSON path and returns whether it passed.
 */
import type { FerryError } from '../core/errors.js'
import { SchemeMissingKey, SchemeType } from './errors.js'
import { describeType, isPlainObject, join } from './path.js'
import type { SchemeWarning } from './types.js'

export class Issues {
  readonly errors: FerryError[] = []
  readonly warnings: SchemeWarning[] = []

  error(e: FerryError): void {
    this.errors.push(e)
  }

  warn(code: SchemeWarning['code'], path: string, message: string): void {
    this.warnings.push({ code, path, message })
  }

  /** Warn about keys outside `known`; they are kept as they are. */
  unknownKeys(obj: Record<string, unknown>, known: ReadonlySet<string>, path: string): void {
    for (const k of Object.keys(obj)) {
      if (!known.has(k))
        this.warn('WARN_UNKNOWN_KEY', join(path, k), `unknown key "${k}" is kept as it is but has no effect in Ferry`)
    }
  }

  type(path: string, expected: string, got: unknown): void {
    this.error(SchemeType([expected, describeType(got)], { location: path }))
  }

  missing(path: string, key: string, hint = ''): void {
    this.error(SchemeMissingKey([key, hint], { location: join(path, key) }))
  }

  /** A required non-empty string. */
  requireString(obj: Record<string, unknown>, key: string, path: string, hint = ''): string | undefined {
    const v = obj[key]
    if (v === undefined || v === null || v === '') {
      this.missing(path, key, hint)
      return undefined
    }
    if (typeof v !== 'string') {
      this.type(join(path, key), 'a string', v)
      return undefined
    }
    return v
  }

  optionalString(obj: Record<string, unknown>, key: string, path: string): string | undefined {
    const v = obj[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'string') {
      this.type(join(path, key), 'a string', v)
      return undefined
    }
    return v
  }

  optionalBoolean(obj: Record<string, unknown>, key: string, path: string): boolean | undefined {
    const v = obj[key]
    if (v === undefined) return undefined
    if (typeof v !== 'boolean') {
      this.type(join(path, key), 'true or false', v)
      return undefined
    }
    return v
  }

  optionalObject(obj: Record<string, unknown>, key: string, path: string): Record<string, unknown> | undefined {
    const v = obj[key]
    if (v === undefined) return undefined
    if (!isPlainObject(v)) {
      this.type(join(path, key), 'an object', v)
      return undefined
    }
    return v
  }

  optionalArray(obj: Record<string, unknown>, key: string, path: string): unknown[] | undefined {
    const v = obj[key]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) {
      this.type(join(path, key), 'a list', v)
      return undefined
    }
    return v as unknown[]
  }

  /** A list of non-empty strings. */
  stringList(v: unknown, path: string): string[] | undefined {
    if (!Array.isArray(v)) {
      this.type(path, 'a list of field names', v)
      return undefined
    }
    let ok = true
    v.forEach((s, i) => {
      if (typeof s !== 'string' || s.trim() === '') {
        this.type(join(path, i), 'a non-empty field name', s)
        ok = false
      }
    })
    return ok ? (v as string[]) : undefined
  }
}

/**
 * One error base and one catalogue for all of Ferry.
 *
 * Every error a user can meet has a stable `code` (for programs and docs), a `kind` that decides
 * what the engine does with it, a message a person can act on, and where it applies a `location`
 * (a JSON path such as `source.metadata.condition[0][1].logic`, or `line:column` inside an
 * expression). Errors cross process and storage boundaries, so callers check `code`/`kind`,
 * never `instanceof`.
 *
 * Codes are declared with {@link defineError} in files named `errors.ts` only; `docs/errors.md`
 * is generated from the catalogue (`npm run docs:errors`) and a test keeps the two in step.
 */

/** What an error means for the engine; see docs/errors.md for the behaviour of each kind. */
export type ErrorKind = 'config' | 'user' | 'transient' | 'rate_limited' | 'data' | 'system'

export const ERROR_KINDS: readonly ErrorKind[] = ['config', 'user', 'transient', 'rate_limited', 'data', 'system']

export interface ErrorSpec {
  readonly code: string
  readonly kind: ErrorKind
  /** One sentence: what happened, for the docs table. */
  readonly meaning: string
  /** One sentence: what the user does about it. */
  readonly fix: string
}

export interface ErrorOptions {
  /** JSON path (`a.b[0].c`) or `line:column`. */
  readonly location?: string
  readonly cause?: unknown
  /** Machine-readable extras (never secrets): retryAfterMs, status, key, … */
  readonly details?: Readonly<Record<string, unknown>>
}

export class FerryError extends Error {
  readonly code: string
  readonly kind: ErrorKind
  readonly location: string | undefined
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: string, kind: ErrorKind, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'FerryError'
    this.code = code
    this.kind = kind
    this.location = options.location
    this.details = options.details ?? {}
  }

  /** `CODE  location  message`, the line format of `ferry validate` and the CLI. */
  toLine(): string {
    return [this.code, this.location ?? '-', this.message].join('  ')
  }

  toJSON(): { code: string; kind: ErrorKind; message: string; location?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.location === undefined ? {} : { location: this.location }),
      ...(Object.keys(this.details).length === 0 ? {} : { details: { ...this.details } }),
    }
  }
}

export interface ErrorFactory<A extends unknown[]> extends ErrorSpec {
  /** Build the error; `opts` adds location, cause and details. */
  (args: A, opts?: ErrorOptions): FerryError
  /** The message the error would carry, without building it (no stack capture): for records that store code and message only. */
  text(args: A): string
  /** True when `e` carries this code (works across serialisation boundaries). */
  is(e: unknown): boolean
}

const catalogue = new Map<string, ErrorSpec>()

/**
 * Declare one error code. Call it at module top level in an `errors.ts` file.
 *
 * @example
 * export const UnknownOperator = defineError(
 *   { code: 'ERR_UNKNOWN_OPERATOR', kind: 'config', meaning: 'A condition uses an operator Ferry does not know.',
 *     fix: 'Use one of the listed operators.' },
 *   (op: string, known: string) => `unknown operator "${op}"; expected one of ${known}`)
 * throw UnknownOperator(['lte', 'eq, neq'], { location: 'source.metadata.condition[0][1].logic' })
 */
export function defineError<A extends unknown[]>(spec: ErrorSpec, message: (...args: A) => string): ErrorFactory<A> {
  if (!/^ERR_[A-Z0-9_]+$/.test(spec.code)) throw new Error(`error code ${spec.code} must match ERR_[A-Z0-9_]+`)
  const existing = catalogue.get(spec.code)
  if (existing !== undefined && existing.meaning !== spec.meaning) {
    throw new Error(`error code ${spec.code} is defined twice`)
  }
  catalogue.set(spec.code, spec)
  const factory = ((args: A, opts?: ErrorOptions) =>
    new FerryError(spec.code, spec.kind, message(...args), opts)) as ErrorFactory<A>
  Object.assign(factory, spec, {
    is: (e: unknown) => isFerryError(e) && e.code === spec.code,
    text: (args: A) => message(...args),
  })
  return factory
}

/** Every code declared so far (in declaration order). */
export function errorCatalogue(): ErrorSpec[] {
  return [...catalogue.values()]
}

export function isFerryError(e: unknown): e is FerryError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { kind?: unknown }).kind === 'string' &&
    ERROR_KINDS.includes((e as { kind: ErrorKind }).kind)
  )
}

/** Turn anything thrown into a FerryError without losing the original as `cause`. */
export function toFerryError(e: unknown): FerryError {
  if (e instanceof FerryError) return e
  if (isFerryError(e)) {
    return new FerryError(e.code, e.kind, e.message, { location: e.location, details: e.details })
  }
  return Internal([e instanceof Error ? e.message : String(e)], { cause: e })
}

export const Internal = defineError(
  {
    code: 'ERR_INTERNAL',
    kind: 'system',
    meaning: 'An invariant inside Ferry broke; this is a bug.',
    fix: 'Report it with the run id and the log lines around it.',
  },
  (detail: string) => `internal error: ${detail}`,
)

export const JsonTooDeep = defineError(
  {
    code: 'ERR_JSON_TOO_DEEP',
    kind: 'data',
    meaning:
      'A JSON value (a record, a payload, a vendor answer) nests objects and lists deeper than Ferry accepts (docs/schemes.md, Limits).',
    fix: 'Check where the value came from: no vendor record or payload nests this deep; fix the data or the mapping that built it.',
  },
  (what: string, max: number, path: string) =>
    `${what} nests deeper than ${max} levels at ${path === '' ? 'its top' : path}`,
)

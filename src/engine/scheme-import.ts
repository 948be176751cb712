/**
 * Which version of a scheme runs at start: its scheme file, or a newer version saved from the
 * console. The file is stored as a new version only when the file itself changed since it was
 * last imported (its hash is kept in `ferry_meta` as `scheme-file:<id>`); an unchanged file lets
 * the newest stored version run. When both changed, the file wins: it is what was deployed last,
 * and the console's versions stay stored (nothing is lost), so the log names them.
 */
import { contentHash } from '../store/index.js'
import type { Store } from '../store/index.js'
import type { EngineLogger } from './ports.js'

/** The version a scheme runs and why, as the start-up log and `GET /schemes/{id}` tell it. */
export interface RunningVersion {
  readonly version: number
  /** `file`: the scheme file's content; `store`: a version saved since (from the console). */
  readonly from: 'file' | 'store'
  readonly reason: string
}

export interface ImportedScheme extends RunningVersion {
  /** The stored definition to run instead of the file's (when `from` is `store`). */
  readonly rawJson?: string
}

interface LastImport {
  readonly hash: string
  readonly version: number
}

const metaKey = (id: string) => `scheme-file:${id}`

function lastImport(text: string | undefined): LastImport | undefined {
  if (text === undefined) return undefined
  try {
    const v = JSON.parse(text) as Partial<LastImport>
    return typeof v.hash === 'string' && typeof v.version === 'number'
      ? { hash: v.hash, version: v.version }
      : undefined
  } catch {
    return undefined
  }
}

/** Apply the start rule for one scheme file's definition; logs which version runs and why. */
export async function importSchemeFile(
  store: Store,
  definition: { readonly id: string; readonly name: string },
  file: string,
  log: EngineLogger,
): Promise<ImportedScheme> {
  const id = definition.id
  const rawJson = JSON.stringify(definition)
  const hash = contentHash(JSON.parse(rawJson))
  const last = lastImport(await store.meta.get(metaKey(id)))
  const before = await store.schemes.get(id)
  if (before !== undefined && last !== undefined && last.hash === hash) {
    if (before.currentVersion === last.version) {
      const reason = `the scheme file ${file} is unchanged and is the newest version`
      log.info({ scheme: id, version: last.version, from: 'file', reason }, 'scheme version running')
      return { version: last.version, from: 'file', reason }
    }
    const stored = await store.schemes.getVersion(id, before.currentVersion)
    const reason = `the scheme file ${file} is unchanged since it was imported as version ${last.version}; version ${stored.version}, saved since, runs`
    log.info({ scheme: id, version: stored.version, from: 'store', reason }, 'scheme version running')
    return { version: stored.version, from: 'store', reason, rawJson: stored.rawJson }
  }
  const saved = await store.schemes.save(id, rawJson, { name: definition.name })
  await store.meta.set(metaKey(id), JSON.stringify({ hash, version: saved.version } satisfies LastImport))
  if (before === undefined) {
    const reason = `the scheme file ${file} was stored as its first version`
    log.info({ scheme: id, version: saved.version, from: 'file', reason }, 'scheme version running')
    return { version: saved.version, from: 'file', reason }
  }
  if (!saved.changed) {
    const reason = `the scheme file ${file} equals the newest version`
    log.info({ scheme: id, version: saved.version, from: 'file', reason }, 'scheme version running')
    return { version: saved.version, from: 'file', reason }
  }
  // The file changed (or was never recorded: a store from before this rule, where the file always won).
  const since = last === undefined ? undefined : last.version
  const superseded =
    since !== undefined && before.currentVersion > since
      ? since + 1 === before.currentVersion
        ? `version ${before.currentVersion}, saved since its last import, is superseded (still stored)`
        : `versions ${since + 1}–${before.currentVersion}, saved since its last import, are superseded (still stored)`
      : `version ${before.currentVersion} stays stored`
  const reason = `the scheme file ${file} changed${since === undefined ? '' : ` since it was imported as version ${since}`}; stored as version ${saved.version}; ${superseded}`
  const supersedes = since !== undefined && before.currentVersion > since
  const line = { scheme: id, version: saved.version, from: 'file', reason }
  if (supersedes) log.warn(line, 'scheme version running; console versions superseded by the scheme file')
  else log.info(line, 'scheme version running')
  return { version: saved.version, from: 'file', reason }
}

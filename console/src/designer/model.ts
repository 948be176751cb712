/**
 * The flow designer's model: the stages a scheme is drawn as, which part of the document each
 * stage edits, which stage a validation problem belongs to (by its JSON path), and the counters
 * shown on the edges during a run. Pure functions, so the page stays about layout.
 */
// Structural copies of the API's shapes (api/designer.ts), so this file stays free of the DOM and
// the Node tests can import it.
interface Problem {
  readonly code: string
  readonly message: string
  readonly location?: string
}
interface Warning {
  readonly code: string
  readonly path: string
  readonly message: string
}

export const STAGES = ['source', 'condition', 'reshape', 'mapping', 'quality', 'target'] as const
export type StageId = (typeof STAGES)[number]

export type Doc = Record<string, unknown>
type Obj = Record<string, unknown>

const str = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})

/** Path prefix → stage; the first match wins (more specific first). Scheme-level keys belong to no stage. */
const OWNERS: readonly [RegExp, StageId][] = [
  [/^source\.metadata\.condition(\b|\[|$)/, 'condition'],
  [/^source\.metadata\.beatFlat(\b|\[|$)/, 'reshape'],
  [/^target\.metadata\.groupCalculate(\b|\[|$)/, 'reshape'],
  [/^target\.metadata\.(request|otherRequest)(\b|\[|$)/, 'mapping'],
  [/^target\.quality(\b|\[|$)/, 'quality'],
  [/^source(\.|\[|$)/, 'source'],
  [/^target(\.|\[|$)/, 'target'],
]

/** `target.metadata.request[0].value@1:11` → path and position. */
export function splitLocation(loc: string | undefined): { path: string; line?: number; col?: number } {
  if (loc === undefined) return { path: '' }
  const m = /^(.*)@(\d+):(\d+)$/.exec(loc)
  return m === null ? { path: loc } : { path: m[1] ?? '', line: Number(m[2]), col: Number(m[3]) }
}

export function stageOf(path: string): StageId | undefined {
  for (const [re, stage] of OWNERS) if (re.test(path)) return stage
  return undefined
}

export interface PlacedProblem {
  readonly severity: 'error' | 'warning'
  readonly code: string
  readonly path: string
  readonly message: string
}

export function placeProblems(
  errors: readonly Problem[],
  warnings: readonly Warning[],
): { byStage: Record<StageId, PlacedProblem[]>; scheme: PlacedProblem[] } {
  const byStage = Object.fromEntries(STAGES.map((s) => [s, [] as PlacedProblem[]])) as Record<StageId, PlacedProblem[]>
  const scheme: PlacedProblem[] = []
  const all: PlacedProblem[] = [
    ...errors.map((e) => ({
      severity: 'error' as const,
      code: e.code,
      path: splitLocation(e.location).path,
      message: e.message,
    })),
    ...warnings.map((w) => ({ severity: 'warning' as const, code: w.code, path: w.path, message: w.message })),
  ]
  for (const p of all) {
    const s = stageOf(p.path)
    if (s === undefined) scheme.push(p)
    else byStage[s].push(p)
  }
  return { byStage, scheme }
}

/** The part of the document a stage's editor shows (a copy). */
export function sectionOf(doc: Doc, stage: StageId): unknown {
  const source = obj(doc.source)
  const target = obj(doc.target)
  const sm = obj(source.metadata)
  const tm = obj(target.metadata)
  switch (stage) {
    case 'source': {
      const { condition: _c, beatFlat: _b, ...metadata } = sm
      return { ...source, metadata }
    }
    case 'condition':
      return sm.condition ?? []
    case 'reshape':
      return {
        ...(sm.beatFlat === undefined ? {} : { beatFlat: sm.beatFlat }),
        ...(tm.groupCalculate === undefined ? {} : { groupCalculate: tm.groupCalculate }),
      }
    case 'mapping':
      return tm.request ?? []
    case 'quality':
      return target.quality ?? []
    case 'target': {
      const { request: _r, groupCalculate: _g, ...metadata } = tm
      const { quality: _q, ...rest } = target
      return { ...rest, metadata }
    }
  }
}

function put(o: Obj, key: string, value: unknown): Obj {
  const out = { ...o }
  if (value === undefined) delete out[key]
  else out[key] = value
  return out
}

/** The document with a stage's section replaced; keys the section does not own are kept. */
export function withSection(doc: Doc, stage: StageId, value: unknown): Doc {
  const source = obj(doc.source)
  const target = obj(doc.target)
  const sm = obj(source.metadata)
  const tm = obj(target.metadata)
  switch (stage) {
    case 'source': {
      const v = obj(value)
      const metadata = { ...obj(v.metadata) }
      if (sm.condition !== undefined) metadata.condition = sm.condition
      if (sm.beatFlat !== undefined) metadata.beatFlat = sm.beatFlat
      return { ...doc, source: { ...v, metadata } }
    }
    case 'condition':
      return { ...doc, source: { ...source, metadata: put(sm, 'condition', value) } }
    case 'reshape': {
      const v = obj(value)
      return {
        ...doc,
        source: { ...source, metadata: put(sm, 'beatFlat', v.beatFlat) },
        ...(doc.target === undefined
          ? {}
          : { target: { ...target, metadata: put(tm, 'groupCalculate', v.groupCalculate) } }),
      }
    }
    case 'mapping':
      return { ...doc, target: { ...target, metadata: put(tm, 'request', value) } }
    case 'quality':
      return { ...doc, target: put(target, 'quality', Array.isArray(value) && value.length === 0 ? undefined : value) }
    case 'target': {
      const v = obj(value)
      const metadata = { ...obj(v.metadata) }
      if (tm.request !== undefined) metadata.request = tm.request
      if (tm.groupCalculate !== undefined) metadata.groupCalculate = tm.groupCalculate
      return {
        ...doc,
        target: { ...v, metadata, ...(target.quality === undefined ? {} : { quality: target.quality }) },
      }
    }
  }
}

/** One line of a stage card: what it does, in a few words (numbers, names; no translation needed). */
export function summaryOf(doc: Doc, stage: StageId): { key: string; vars?: Record<string, string | number> } {
  const source = obj(doc.source)
  const target = obj(doc.target)
  const sm = obj(source.metadata)
  const tm = obj(target.metadata)
  switch (stage) {
    case 'source':
      return {
        key: 'designer.summary.api',
        vars: { connector: str(source.connector), api: str(sm.api) },
      }
    case 'condition': {
      const groups = Array.isArray(sm.condition) ? sm.condition : []
      const clauses = groups.reduce<number>((n, g) => n + (Array.isArray(g) ? g.length : 0), 0)
      return groups.length === 0
        ? { key: 'designer.summary.noCondition' }
        : { key: 'designer.summary.condition', vars: { groups: groups.length, clauses } }
    }
    case 'reshape': {
      const flat = Array.isArray(sm.beatFlat) ? sm.beatFlat.join(', ') : ''
      const group = tm.groupCalculate === undefined ? '' : 'groupCalculate'
      return flat === '' && group === ''
        ? { key: 'designer.summary.noReshape' }
        : {
            key: 'designer.summary.reshape',
            vars: { what: [flat && `beatFlat ${flat}`, group].filter(Boolean).join(' · ') },
          }
    }
    case 'mapping':
      return { key: 'designer.summary.mapping', vars: { fields: countFields(tm.request) } }
    case 'quality':
      return {
        key: 'designer.summary.quality',
        vars: { rules: Array.isArray(target.quality) ? target.quality.length : 0 },
      }
    case 'target':
      return doc.target === undefined
        ? { key: 'designer.summary.collection' }
        : {
            key: 'designer.summary.api',
            vars: { connector: str(target.connector), api: str(tm.api) },
          }
  }
}

function countFields(fields: unknown): number {
  if (!Array.isArray(fields)) return 0
  return fields.reduce<number>((n, f) => n + 1 + countFields(obj(f).children), 0)
}

/** Counters shown on the edge leaving each stage while a run goes (names of RunCounters). */
export function edgeCount(stage: StageId, c: Readonly<Record<string, number>>): number | undefined {
  const n = (k: string) => c[k] ?? 0
  switch (stage) {
    case 'source':
      return c.fetched
    case 'condition':
      return c.kept
    case 'reshape':
      return c.inserted === undefined ? undefined : n('inserted') + n('updated') + n('unchanged')
    case 'mapping':
      return c.written === undefined && c.failed === undefined
        ? undefined
        : n('written') + n('alreadyExisted') + n('failed') + n('retrying') + n('unknown')
    case 'quality':
      return c.written === undefined ? undefined : n('written') + n('alreadyExisted')
    case 'target':
      return undefined
  }
}

/** Every leaf path of a sample record (`io_id`, `items.sku_id`), arrays read through their first rows. */
export function fieldPaths(record: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  if (depth > 6) return out
  if (Array.isArray(record)) {
    const first: unknown = (record as unknown[]).find((r) => r !== null && typeof r === 'object')
    if (first !== undefined) fieldPaths(first, prefix, out, depth + 1)
    else if (prefix !== '') out.push(prefix)
    return out
  }
  if (record !== null && typeof record === 'object') {
    for (const [k, v] of Object.entries(record as Obj))
      fieldPaths(v, prefix === '' ? k : `${prefix}.${k}`, out, depth + 1)
    return out
  }
  if (prefix !== '') out.push(prefix)
  return out
}

/** A target field of the mapping: its place in `request`, label, value and the detail array it reads from. */
export interface TargetField {
  readonly key: string
  /** Index path into `request` / `children`. */
  readonly at: readonly number[]
  readonly field: string
  readonly label?: string
  readonly value: string
  readonly isArray: boolean
  readonly rowPath?: string
  readonly depth: number
}

export function targetFields(request: unknown, at: number[] = [], rowPath?: string, depth = 0): TargetField[] {
  if (!Array.isArray(request)) return []
  const out: TargetField[] = []
  request.forEach((f, i) => {
    const o = obj(f)
    const value = str(o.value)
    const children = Array.isArray(o.children) ? o.children : undefined
    const here = [...at, i]
    const field = str(o.field)
    out.push({
      key: here.join('.'),
      at: here,
      field,
      ...(typeof o.label === 'string' ? { label: o.label } : {}),
      value,
      isArray: children !== undefined,
      ...(rowPath === undefined ? {} : { rowPath }),
      depth,
    })
    if (children !== undefined) {
      // A detail array's value names the source array its rows come from (`items`), as the compiler reads it.
      const key = value.trim()
      out.push(...targetFields(children, here, key === '' ? field : key, depth + 1))
    }
  })
  return out
}

/** `request` with the value at `at` replaced. */
export function setFieldValue(request: unknown, at: readonly number[], value: string): unknown[] {
  const list: unknown[] = Array.isArray(request) ? [...(request as unknown[])] : []
  const [i, ...rest] = at
  if (i === undefined) return list
  const f = obj(list[i])
  list[i] = rest.length === 0 ? { ...f, value } : { ...f, children: setFieldValue(f.children, rest, value) }
  return list
}

/** A lineage target (`items.qty` inside the `items` row, `var:…`, `lookup:…`) as a sample field path. */
export function lineageSource(target: string, rowPath: string | undefined): string | undefined {
  if (target.startsWith('var:') || target.startsWith('lookup:')) return undefined
  if (rowPath !== undefined && !target.startsWith(`${rowPath}.`)) return `${rowPath}.${target}`
  return target
}

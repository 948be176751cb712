/**
 * The mapping editor: source fields (from a sample record) on the left, the target's fields on
 * the right, a line from each source field a target value reads (its lineage, `targets()` on the
 * server), and the value editor of the chosen target field evaluated against the sample.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { designer, type FunctionHelp, type SampleRecord } from '../api/designer.js'
import { useI18n } from '../i18n/context.js'
import { fieldPaths, lineageSource, setFieldValue, targetFields, type PlacedProblem } from './model.js'
import { ValueEditor } from './value-editor.js'

interface Props {
  readonly request: unknown
  readonly onChange: (request: unknown[]) => void
  readonly samples: readonly SampleRecord[]
  readonly functions: readonly FunctionHelp[]
  readonly timezone: string
  readonly readOnly: boolean
  readonly problems: readonly PlacedProblem[]
}

interface Line {
  readonly from: string
  readonly to: string
  readonly d: string
}

export function MappingEditor({ request, onChange, samples, functions, timezone, readOnly, problems }: Props) {
  const { t } = useI18n()
  const [sampleIndex, setSampleIndex] = useState(0)
  const sample = samples[sampleIndex]
  const fields = useMemo(() => targetFields(request), [request])
  const [selected, setSelected] = useState(() => fields.find((f) => !f.isArray)?.key ?? '')
  const current = fields.find((f) => f.key === selected)
  const sourcePaths = useMemo(() => fieldPaths(sample?.content ?? {}), [sample])
  const [lineage, setLineage] = useState<Record<string, string[]>>({})

  // Lineage of every value, asked again a moment after a value changes.
  const values = fields.map((f) => f.value)
  const valuesKey = JSON.stringify(values)
  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      designer.targets(values).then(
        (r) => {
          if (!live) return
          const out: Record<string, string[]> = {}
          fields.forEach((f, i) => {
            out[f.key] = (r[i]?.targets ?? [])
              .map((x) => {
                const own = lineageSource(x, f.rowPath)
                return own !== undefined && !sourcePaths.includes(own) && sourcePaths.includes(x) ? x : own
              })
              .filter((x): x is string => x !== undefined)
          })
          setLineage(out)
        },
        () => undefined,
      )
    }, 200)
    return () => {
      live = false
      clearTimeout(timer)
    }
    // valuesKey stands for the values; fields change with them.
  }, [valuesKey, sourcePaths])

  const box = useRef<HTMLDivElement>(null)
  const [lines, setLines] = useState<Line[]>([])
  useLayoutEffect(() => {
    const measure = () => {
      const root = box.current
      if (root === null) return
      const r0 = root.getBoundingClientRect()
      const pos = (sel: string) => {
        const el = root.querySelector<HTMLElement>(sel)
        if (el === null) return undefined
        const r = el.getBoundingClientRect()
        return { left: r.left - r0.left, right: r.right - r0.left, y: r.top - r0.top + r.height / 2 }
      }
      const out: Line[] = []
      for (const [to, froms] of Object.entries(lineage)) {
        const b = pos(`[data-target="${CSS.escape(to)}"]`)
        if (b === undefined) continue
        for (const from of froms) {
          const a = pos(`[data-source="${CSS.escape(from)}"]`)
          if (a === undefined) continue
          const mid = (a.right + b.left) / 2
          out.push({ from, to, d: `M${a.right},${a.y} C${mid},${a.y} ${mid},${b.y} ${b.left},${b.y}` })
        }
      }
      setLines(out)
    }
    measure()
    window.addEventListener('resize', measure)
    return () => window.removeEventListener('resize', measure)
  }, [lineage, sourcePaths, fields])

  const problemsOf = (at: readonly number[]) => {
    const path = `target.metadata.request${at.map((i, k) => (k === 0 ? `[${i}]` : `.children[${i}]`)).join('')}`
    return problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`))
  }
  const used = new Set(Object.entries(lineage).flatMap(([k, v]) => (k === selected ? v : [])))

  return (
    <div className="mapping" data-testid="mapping-editor">
      <div className="mapping-cols" ref={box}>
        <div className="mapping-list" aria-label={t('mapping.sourceFields')}>
          <h4>{t('mapping.sourceFields')}</h4>
          {samples.length > 1 && (
            <label className="small">
              {t('mapping.sample')}{' '}
              <select value={sampleIndex} onChange={(e) => setSampleIndex(Number(e.target.value))}>
                {samples.map((s, i) => (
                  <option key={s.id} value={i}>
                    {s.number}
                  </option>
                ))}
              </select>
            </label>
          )}
          {sourcePaths.length === 0 && <p className="muted small">{t('mapping.noSample')}</p>}
          <ul>
            {sourcePaths.map((p) => (
              <li key={p} data-source={p} className={used.has(p) ? 'hot' : undefined} title={p}>
                <span className="mono">{p}</span>
              </li>
            ))}
          </ul>
        </div>
        <svg className="mapping-lines" aria-hidden="true">
          {lines.map((l) => (
            <path key={`${l.from}>${l.to}`} d={l.d} className={l.to === selected ? 'hot' : undefined} />
          ))}
        </svg>
        <div className="mapping-list targets" aria-label={t('mapping.targetFields')}>
          <h4>{t('mapping.targetFields')}</h4>
          <ul>
            {fields.map((f) => {
              const bad = problemsOf(f.at)
              return (
                <li key={f.key} data-target={f.key} style={{ paddingLeft: `${0.4 + f.depth}rem` }}>
                  <button
                    type="button"
                    className={`field${f.key === selected ? ' selected' : ''}${bad.length > 0 ? ' bad' : ''}`}
                    aria-pressed={f.key === selected}
                    data-field={f.field}
                    onClick={() => setSelected(f.key)}
                    title={bad.map((p) => p.message).join('\n') || f.label}
                  >
                    <span className="mono">{f.field}</span>
                    {f.label !== undefined && <span className="muted small"> {f.label}</span>}
                    {bad.length > 0 && <span className="badge s-error">{bad.length}</span>}
                  </button>
                </li>
              )
            })}
          </ul>
        </div>
      </div>
      <div className="mapping-value">
        {current === undefined ? (
          <p className="muted">{t('mapping.pickField')}</p>
        ) : (
          <>
            <h4>
              {t('mapping.valueOf', { field: current.field })}
              {current.rowPath !== undefined && (
                <span className="muted small"> {t('mapping.perRow', { rows: current.rowPath })}</span>
              )}
            </h4>
            <ValueEditor
              key={current.key}
              value={current.value}
              onChange={(v) => onChange(setFieldValue(request, current.at, v))}
              fields={sourcePaths}
              functions={functions}
              record={sample?.content}
              {...(current.rowPath === undefined ? {} : { rowPath: current.rowPath })}
              timezone={timezone}
              readOnly={readOnly}
              label={t('mapping.valueOf', { field: current.field })}
            />
            {problemsOf(current.at).map((p, i) => (
              <p key={i} className="error small" role="alert">
                <code>{p.code}</code> {p.message}
              </p>
            ))}
          </>
        )}
      </div>
    </div>
  )
}

/**
 * One scheme value: a textarea over a highlighted copy (so the text stays a native, accessible
 * input), completion of sample fields inside `{{` and of functions in `_function`, help of the
 * function at the caret (from the server's function registry), and the value evaluated against
 * the sample record as you type, the error shown in place at its position.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { ApiError } from '../api/client.js'
import { designer, type Evaluation, type FunctionHelp } from '../api/designer.js'
import { useI18n } from '../i18n/context.js'
import { completionAt, functionAt, offsetOf, tokenize } from './highlight.js'

const VARIABLES = ['LAST_SYNC_TIME', 'CURRENT_TIME', 'PAGINATION_PAGE_SIZE', 'PAGINATION_START_PAGE']

interface Props {
  readonly value: string
  readonly onChange: (value: string) => void
  readonly fields: readonly string[]
  readonly functions: readonly FunctionHelp[]
  readonly record: Record<string, unknown> | undefined
  readonly rowPath?: string
  readonly timezone: string
  readonly readOnly: boolean
  readonly label: string
}

export function ValueEditor({ value, onChange, fields, functions, record, rowPath, timezone, readOnly, label }: Props) {
  const { t } = useI18n()
  const id = useId()
  const area = useRef<HTMLTextAreaElement>(null)
  const mirror = useRef<HTMLPreElement>(null)
  const [caret, setCaret] = useState(value.length)
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(0)
  const [evaluation, setEvaluation] = useState<Evaluation | { ok: false; stage: 'network'; message: string }>()

  const byName = useMemo(() => {
    const m = new Map<string, FunctionHelp>()
    for (const f of functions) for (const n of [f.name, ...f.aliases]) m.set(n.toUpperCase(), f)
    return m
  }, [functions])
  const isFunction = (n: string) => byName.has(n.toUpperCase())

  const ctx = completionAt(value, caret)
  const options = useMemo(() => {
    if (ctx === undefined) return []
    const p = ctx.prefix.toLowerCase()
    const pool =
      ctx.kind === 'field'
        ? [...fields, ...VARIABLES].map((f) => ({ label: f, insert: `${f}}}`, detail: '' }))
        : functions.map((f) => ({ label: f.name, insert: `${f.name}(`, detail: f.signature }))
    return pool.filter((o) => o.label.toLowerCase().startsWith(p) && o.label.toLowerCase() !== p).slice(0, 8)
  }, [ctx?.kind, ctx?.prefix, fields, functions])
  const showList = open && options.length > 0 && !readOnly

  // Evaluate a moment after typing stops; a late answer for older text is dropped.
  useEffect(() => {
    if (record === undefined) return
    let live = true
    const timer = setTimeout(() => {
      designer.evaluate({ value, record, timezone, ...(rowPath === undefined ? {} : { rowPath }) }).then(
        (r) => live && setEvaluation(r),
        (e: unknown) =>
          live &&
          setEvaluation({ ok: false, stage: 'network', message: e instanceof ApiError ? e.message : String(e) }),
      )
    }, 250)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [value, record, rowPath, timezone])

  const errorAt =
    evaluation !== undefined && !evaluation.ok && evaluation.stage !== 'network'
      ? offsetOf(value, evaluation.error.location)
      : undefined
  const tokens = tokenize(value, isFunction)
  const help = byName.get(functionAt(value, caret, isFunction) ?? '')

  const accept = (i: number) => {
    const o = options[i]
    if (o === undefined || ctx === undefined) return
    const end = caret + (/^[\w.]*\}?\}?/.exec(value.slice(caret))?.[0].length ?? 0)
    const next = value.slice(0, ctx.from) + o.insert + value.slice(ctx.kind === 'field' ? end : caret)
    const pos = ctx.from + o.insert.length
    onChange(next)
    setOpen(false)
    requestAnimationFrame(() => {
      area.current?.setSelectionRange(pos, pos)
      setCaret(pos)
    })
  }

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!showList) {
      if (e.key === ' ' && e.ctrlKey) {
        e.preventDefault()
        setOpen(true)
      }
      return
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length)
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault()
      accept(Math.min(active, options.length - 1))
    } else if (e.key === 'Escape') {
      e.preventDefault()
      e.stopPropagation()
      setOpen(false)
    }
  }

  return (
    <div className="value-editor">
      <div className="ve-box">
        <pre className="ve-mirror mono" aria-hidden="true" ref={mirror}>
          {tokens.map((tok, i) => {
            const hit = errorAt !== undefined && errorAt >= tok.start && errorAt < tok.start + tok.text.length
            if (!hit)
              return (
                <span key={i} className={`tk-${tok.kind}`}>
                  {tok.text}
                </span>
              )
            const k = errorAt - tok.start
            return (
              <span key={i} className={`tk-${tok.kind}`}>
                {tok.text.slice(0, k)}
                <span className="tk-err">{tok.text.slice(k, k + 1)}</span>
                {tok.text.slice(k + 1)}
              </span>
            )
          })}
          {errorAt !== undefined && errorAt >= value.length && <span className="tk-err"> </span>}
          {'\n'}
        </pre>
        <textarea
          ref={area}
          className="ve-input mono"
          aria-label={label}
          data-testid="value-input"
          value={value}
          readOnly={readOnly}
          spellCheck={false}
          role="combobox"
          aria-expanded={showList}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={showList ? `${id}-opt-${active}` : undefined}
          aria-invalid={evaluation !== undefined && !evaluation.ok}
          onChange={(e) => {
            onChange(e.target.value)
            setCaret(e.target.selectionStart)
            setOpen(true)
            setActive(0)
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKey}
          onBlur={() => setOpen(false)}
          onScroll={(e) => {
            if (mirror.current !== null) mirror.current.scrollTop = e.currentTarget.scrollTop
          }}
        />
        {showList && (
          <ul className="ve-list" role="listbox" id={`${id}-list`} data-testid="completions">
            {options.map((o, i) => (
              <li
                key={o.label}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault()
                  accept(i)
                }}
              >
                <span className="mono">{o.label}</span> <span className="muted small">{o.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {help !== undefined && (
        <div className="ve-help small" data-testid="function-help">
          <code>{help.signature}</code> {help.description}
          {help.examples[0] !== undefined && (
            <div className="muted">
              {t('mapping.example')} <code>{help.examples[0].value}</code> →{' '}
              <code>{JSON.stringify(help.examples[0].result)}</code>
            </div>
          )}
        </div>
      )}
      <div className="ve-result small" data-testid="value-result" aria-live="polite">
        {record === undefined ? (
          <span className="muted">{t('mapping.noSample')}</span>
        ) : evaluation === undefined ? (
          <span className="muted">{t('common.loading')}</span>
        ) : evaluation.ok ? (
          <>
            <span className="muted">{t('mapping.result')}</span>{' '}
            <code data-testid="value-ok">{JSON.stringify(evaluation.result)}</code>
          </>
        ) : (
          <span className="error-inline" role="alert" data-testid="value-error">
            {evaluation.stage === 'network' ? (
              evaluation.message
            ) : (
              <>
                <code>{evaluation.error.code}</code> {evaluation.error.message}
                {evaluation.error.location !== undefined && ` (${evaluation.error.location})`}
              </>
            )}
          </span>
        )}
      </div>
    </div>
  )
}

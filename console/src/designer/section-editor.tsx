/** A stage's part of the scheme as JSON, checked in place; Apply puts it into the draft. */
import { useState } from 'react'
import { useI18n } from '../i18n/context.js'
import type { PlacedProblem } from './model.js'

interface Props {
  readonly value: unknown
  readonly readOnly: boolean
  readonly problems: readonly PlacedProblem[]
  readonly onApply: (value: unknown) => void
  readonly label: string
}

export function SectionEditor({ value, readOnly, problems, onApply, label }: Props) {
  const { t } = useI18n()
  const [text, setText] = useState(() => JSON.stringify(value, null, 2))
  let error: string | undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    error = e instanceof Error ? e.message : String(e)
  }
  const changed = error === undefined && JSON.stringify(parsed) !== JSON.stringify(value)
  return (
    <div className="section-editor">
      {problems.length > 0 && (
        <ul className="problems" data-testid="section-problems">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              <code>{p.code}</code> <span className="mono small">{p.path}</span> {p.message}
            </li>
          ))}
        </ul>
      )}
      <textarea
        className="mono payload"
        aria-label={label}
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        aria-invalid={error !== undefined}
        onChange={(e) => setText(e.target.value)}
      />
      {error !== undefined && (
        <p className="error small" role="alert">
          {t('action.invalidJson', { message: error })}
        </p>
      )}
      {!readOnly && (
        <div className="actions">
          <button type="button" className="primary" disabled={!changed} onClick={() => onApply(parsed)}>
            {t('designer.apply')}
          </button>
        </div>
      )}
    </div>
  )
}

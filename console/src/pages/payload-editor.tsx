/** Edit-and-retry: the mapped payload as JSON, checked in place before it is sent. */
import { useState } from 'react'
import { useI18n } from '../i18n/context.js'

interface Props {
  initial: Record<string, unknown> | null
  busy: boolean
  onSave: (payload: Record<string, unknown>) => void
  onCancel: () => void
}

export function parsePayload(
  text: string,
): { payload: Record<string, unknown> } | { error: 'json'; message: string } | { error: 'object' } {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    return { error: 'json', message: e instanceof Error ? e.message : String(e) }
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? { payload: v as Record<string, unknown> }
    : { error: 'object' }
}

export function PayloadEditor({ initial, busy, onSave, onCancel }: Props) {
  const { t } = useI18n()
  const [text, setText] = useState(() => JSON.stringify(initial ?? {}, null, 2))
  const parsed = parsePayload(text)
  const problem =
    'payload' in parsed
      ? undefined
      : parsed.error === 'json'
        ? t('action.invalidJson', { message: parsed.message })
        : t('action.notObject')
  return (
    <form
      className="resolve"
      onSubmit={(e) => {
        e.preventDefault()
        if ('payload' in parsed) onSave(parsed.payload)
      }}
    >
      <label>
        {t('action.editHelp')}
        <textarea
          className="mono payload"
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          aria-invalid={problem !== undefined}
          autoFocus
        />
      </label>
      {problem !== undefined && (
        <p className="error small" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || problem !== undefined}>
          {t('action.saveAndRetry')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('action.cancel')}
        </button>
      </div>
    </form>
  )
}

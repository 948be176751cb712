/**
 * One record: source, mapped payload, attempts and history, the target's answer, and (for
 * operators) retry and resolve. Escape closes it; focus moves into it when it opens.
 */
import { useEffect, useRef, useState } from 'react'
import { ApiError } from '../api/client.js'
import { records } from '../api/endpoints.js'
import { Can } from '../auth.js'
import { ErrorNote, Json, Loading, Section, StatusBadge } from '../components/common.js'
import { useSchemeZone } from '../components/scheme-zone.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'
import type { MessageKey } from '../i18n/dictionaries.js'
import { PayloadEditor } from './payload-editor.js'

interface Props {
  scheme: string
  recordId: string
  onClose: () => void
  onChanged: () => void
}

export function RecordDrawer({ scheme, recordId, onClose, onChanged }: Props) {
  const { t, time } = useI18n()
  const zone = useSchemeZone(scheme)
  const [state, reload, answers] = useLoad(() => records.get(scheme, recordId), `${scheme}/${recordId}`)
  const [busy, setBusy] = useState(false)
  // Kept as a key, not text, so it follows a language switch.
  const [notice, setNotice] = useState<MessageKey | undefined>()
  const [failure, setFailure] = useState<ApiError | undefined>()
  const [mode, setMode] = useState<'view' | 'resolve' | 'edit'>('view')
  const [note, setNote] = useState('')
  // Set after an action to the answer count then: only later answers tell whether the record settled.
  const [watchAfter, setWatchAfter] = useState<number | undefined>()
  const panel = useRef<HTMLElement>(null)

  // The parent passes a new onClose on every render; the listener reads the latest through a ref.
  const close = useRef(onClose)
  close.current = onClose
  useEffect(() => {
    panel.current?.focus()
  }, [recordId])
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close.current()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  useEffect(() => {
    setNotice(undefined)
    setFailure(undefined)
    setMode('view')
    setNote('')
    setWatchAfter(undefined)
  }, [recordId])

  // After a retry, follow the record until the target run has settled it (done, or failed again).
  const pending =
    state.phase === 'ok' &&
    (state.data.record.inFlight || ['queued', 'waiting', 'unknown'].includes(state.data.record.status))
  useEffect(() => {
    if (watchAfter === undefined || answers <= watchAfter) return undefined
    if (!pending && state.phase === 'ok') {
      setWatchAfter(undefined)
      onChanged()
      return undefined
    }
    const timer = setTimeout(reload, 1000)
    return () => clearTimeout(timer)
  }, [watchAfter, answers, pending, state, reload, onChanged])

  const act = (fn: () => Promise<MessageKey>) => {
    setBusy(true)
    setFailure(undefined)
    fn()
      .then(
        (msg) => {
          setNotice(msg)
          setWatchAfter(answers)
          reload()
          onChanged()
        },
        (e: unknown) => setFailure(e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e))),
      )
      .finally(() => setBusy(false))
  }
  const retry = () =>
    act(async () => {
      const r = await records.retry(scheme, recordId)
      return r.runId === null ? 'action.retriedJoined' : 'action.retried'
    })
  const resolve = () =>
    act(async () => {
      await records.resolve(scheme, recordId, note.trim())
      setMode('view')
      return 'action.resolvedDone'
    })
  const saveEdit = (payload: Record<string, unknown>) =>
    act(async () => {
      const r = await records.edit(scheme, recordId, payload)
      setMode('view')
      return r.runId === null ? 'action.retriedJoined' : 'action.retried'
    })

  return (
    <aside
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby="drawer-title"
      ref={panel}
      tabIndex={-1}
      data-testid="record-drawer"
    >
      <header className="drawer-head">
        <h2 id="drawer-title">{t('detail.title', { id: recordId })}</h2>
        <button type="button" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      {state.phase === 'loading' && <Loading />}
      {state.phase === 'failed' && <ErrorNote error={state.error} onRetry={reload} />}
      {state.phase === 'ok' &&
        (() => {
          const { record: r, events } = state.data
          const writable = r.status === 'error' && r.resolvedAt === null
          return (
            <div className="drawer-body">
              <dl className="facts">
                <dt>{t('records.status')}</dt>
                <dd>
                  <StatusBadge status={r.status} />
                </dd>
                <dt>{t('records.number')}</dt>
                <dd>{r.number ?? t('common.none')}</dd>
                <dt>{t('detail.attempts')}</dt>
                <dd>{r.attempts}</dd>
                <dt>{t('detail.targetId')}</dt>
                <dd className="mono">{r.targetId ?? t('common.none')}</dd>
                <dt>{t('records.updated')}</dt>
                <dd>{time(r.updatedAt, zone)}</dd>
              </dl>
              {r.lastError !== null && (
                <div className="error" role="note">
                  <code>{r.lastError.code}</code> {r.lastError.message}
                </div>
              )}
              {r.resolvedNote !== null && <p className="note">{t('detail.resolved', { note: r.resolvedNote })}</p>}
              {r.changedAfterSync && <p className="note">{t('detail.changedAfterSync')}</p>}
              {notice !== undefined && (
                <p className="ok" role="status">
                  {t(notice)}
                </p>
              )}
              {failure !== undefined && <ErrorNote error={failure} />}
              {writable && (
                <Can role="operator">
                  <div className="actions">
                    <button type="button" className="primary" disabled={busy} onClick={retry}>
                      {t('action.retry')}
                    </button>
                    {mode === 'view' && (
                      <button type="button" disabled={busy} onClick={() => setMode('edit')}>
                        {t('action.edit')}
                      </button>
                    )}
                    {mode === 'view' && (
                      <button type="button" disabled={busy} onClick={() => setMode('resolve')}>
                        {t('action.resolve')}
                      </button>
                    )}
                  </div>
                  {mode === 'edit' && (
                    <PayloadEditor initial={r.payload} busy={busy} onSave={saveEdit} onCancel={() => setMode('view')} />
                  )}
                  {mode === 'resolve' && (
                    <form
                      className="resolve"
                      onSubmit={(e) => {
                        e.preventDefault()
                        if (note.trim() !== '') resolve()
                      }}
                    >
                      <label>
                        {t('action.resolveNote')}
                        <textarea
                          value={note}
                          onChange={(e) => setNote(e.target.value)}
                          maxLength={1000}
                          required
                          autoFocus
                        />
                      </label>
                      <div className="actions">
                        <button type="submit" className="primary" disabled={busy || note.trim() === ''}>
                          {t('action.confirmResolve')}
                        </button>
                        <button type="button" onClick={() => setMode('view')}>
                          {t('action.cancel')}
                        </button>
                      </div>
                    </form>
                  )}
                </Can>
              )}
              <Section title={t('detail.source')}>
                <Json value={r.content} label={t('detail.source')} />
              </Section>
              <Section title={`${t('detail.payload')}${r.payloadEdited ? ` (${t('detail.payloadEdited')})` : ''}`}>
                {r.payload === null ? (
                  <p className="muted">{t('detail.notMapped')}</p>
                ) : (
                  <Json value={r.payload} label={t('detail.payload')} />
                )}
              </Section>
              <Section title={t('detail.answer')}>
                {r.response === null || r.response === undefined ? (
                  <p className="muted">{t('detail.noAnswer')}</p>
                ) : (
                  <Json value={r.response} label={t('detail.answer')} />
                )}
              </Section>
              <Section title={t('detail.history')}>
                <ol className="history">
                  {events.map((e, i) => (
                    <li key={i}>
                      <span className="small muted">{time(e.at, zone)}</span> <b>{e.event}</b>
                      {e.detail !== null && <code className="small"> {JSON.stringify(e.detail)}</code>}
                    </li>
                  ))}
                </ol>
              </Section>
            </div>
          )
        })()}
    </aside>
  )
}

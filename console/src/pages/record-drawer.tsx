/**
 * One record: source, mapped payload, attempts and history, the target's answer, and (for
 * operators) retry and resolve. Escape closes it; focus moves into it when it opens.
 */
import { useEffect, useRef, useState } from 'react'
import { ApiError } from '../api/client.js'
import { records } from '../api/endpoints.js'
import { Can } from '../auth.js'
import { ErrorNote, Json, Loading, Section, StatusBadge } from '../components/common.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'

interface Props { scheme: string; recordId: string; onClose: () => void; onChanged: () => void }

export function RecordDrawer({ scheme, recordId, onClose, onChanged }: Props) {
  const { t, time } = useI18n()
  const [state, reload] = useLoad(() => records.get(scheme, recordId), `${scheme}/${recordId}`)
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState<string | undefined>()
  const [failure, setFailure] = useState<ApiError | undefined>()
  const [resolving, setResolving] = useState(false)
  const [note, setNote] = useState('')
  const panel = useRef<HTMLElement>(null)

  useEffect(() => {
    panel.current?.focus()
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose() }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  useEffect(() => { setNotice(undefined); setFailure(undefined); setResolving(false); setNote('') }, [recordId])

  const act = (fn: () => Promise<string>) => {
    setBusy(true)
    setFailure(undefined)
    fn().then((msg) => { setNotice(msg); reload(); onChanged() },
      (e: unknown) => setFailure(e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e))))
      .finally(() => setBusy(false))
  }
  const retry = () => act(async () => {
    const r = await records.retry(scheme, recordId)
    return r.runId === null ? t('action.retriedJoined') : t('action.retried')
  })
  const resolve = () => act(async () => {
    await records.resolve(scheme, recordId, note.trim())
    setResolving(false)
    return t('action.resolvedDone')
  })

  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-labelledby="drawer-title" ref={panel} tabIndex={-1} data-testid="record-drawer">
      <header className="drawer-head">
        <h2 id="drawer-title">{t('detail.title', { id: recordId })}</h2>
        <button type="button" onClick={onClose} aria-label={t('common.close')}>×</button>
      </header>
      {state.phase === 'loading' && <Loading />}
      {state.phase === 'failed' && <ErrorNote error={state.error} onRetry={reload} />}
      {state.phase === 'ok' && (() => {
        const { record: r, events } = state.data
        const writable = r.status === 'error' && r.resolvedAt === null
        return (
          <div className="drawer-body">
            <dl className="facts">
              <dt>{t('records.status')}</dt><dd><StatusBadge status={r.status} /></dd>
              <dt>{t('records.number')}</dt><dd>{r.number ?? t('common.none')}</dd>
              <dt>{t('detail.attempts')}</dt><dd>{r.attempts}</dd>
              <dt>{t('detail.targetId')}</dt><dd className="mono">{r.targetId ?? t('common.none')}</dd>
              <dt>{t('records.updated')}</dt><dd>{time(r.updatedAt)}</dd>
            </dl>
            {r.lastError !== null && (
              <div className="error" role="note"><code>{r.lastError.code}</code> {r.lastError.message}</div>
            )}
            {r.resolvedNote !== null && <p className="note">{t('detail.resolved', { note: r.resolvedNote })}</p>}
            {r.changedAfterSync && <p className="note">{t('detail.changedAfterSync')}</p>}
            {notice !== undefined && <p className="ok" role="status">{notice}</p>}
            {failure !== undefined && <ErrorNote error={failure} />}
            {writable && (
              <Can role="operator">
                <div className="actions">
                  <button type="button" className="primary" disabled={busy} onClick={retry}>{t('action.retry')}</button>
                  {!resolving && <button type="button" disabled={busy} onClick={() => setResolving(true)}>{t('action.resolve')}</button>}
                </div>
                {resolving && (
                  <form className="resolve" onSubmit={(e) => { e.preventDefault(); if (note.trim() !== '') resolve() }}>
                    <label>{t('action.resolveNote')}<textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} required autoFocus /></label>
                    <div className="actions">
                      <button type="submit" className="primary" disabled={busy || note.trim() === ''}>{t('action.confirmResolve')}</button>
                      <button type="button" onClick={() => setResolving(false)}>{t('action.cancel')}</button>
                    </div>
                  </form>
                )}
              </Can>
            )}
            <Section title={t('detail.source')}><Json value={r.content} label={t('detail.source')} /></Section>
            <Section title={`${t('detail.payload')}${r.payloadEdited ? ` (${t('detail.payloadEdited')})` : ''}`}>
              {r.payload === null ? <p className="muted">{t('detail.notMapped')}</p> : <Json value={r.payload} label={t('detail.payload')} />}
            </Section>
            <Section title={t('detail.answer')}>
              {r.response === null || r.response === undefined ? <p className="muted">{t('detail.noAnswer')}</p> : <Json value={r.response} label={t('detail.answer')} />}
            </Section>
            <Section title={t('detail.history')}>
              <ol className="history">
                {events.map((e, i) => (
                  <li key={i}><span className="small muted">{time(e.at)}</span> <b>{e.event}</b>
                    {e.detail !== null && <code className="small"> {JSON.stringify(e.detail)}</code>}</li>
                ))}
              </ol>
            </Section>
          </div>
        )
      })()}
    </aside>
  )
}

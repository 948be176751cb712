/**
 * The record explorer: filters and paging live in the URL (shareable, back button works); the
 * server pages by cursor, so 100,000 records cost one page at a time. `?record=<id>` opens the
 * detail drawer over the list.
 */
import { useState, type FormEvent } from 'react'
import { ApiError } from '../api/client.js'
import { bulk as bulkApi, records, type RecordFilter } from '../api/endpoints.js'
import { Can, useCan } from '../auth.js'
import { RECORD_STATUSES, type RecordStatus } from '../api/types.js'
import { ErrorNote, Loading, StatusBadge } from '../components/common.js'
import { useSchemeZone } from '../components/scheme-zone.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'
import { href, navigate, type Route } from '../router.js'
import { RecordDrawer } from './record-drawer.js'

const PAGE = 50
const ERROR_CODE = /^ERR_[A-Z0-9_]+$/

const isStatus = (s: string | null): s is RecordStatus =>
  s !== null && (RECORD_STATUSES as readonly string[]).includes(s)

function filterOf(q: URLSearchParams): RecordFilter {
  const status = q.get('status')
  return {
    ...(isStatus(status) ? { status } : {}),
    ...(q.get('errorCode') ? { errorCode: q.get('errorCode') ?? '' } : {}),
    ...(q.get('number') ? { number: q.get('number') ?? '' } : {}),
    ...(q.get('from') ? { from: q.get('from') ?? '' } : {}),
    ...(q.get('to') ? { to: q.get('to') ?? '' } : {}),
  }
}

export function RecordsPage({ route }: { route: Route }) {
  const { t, time } = useI18n()
  const scheme = route.params.scheme ?? ''
  const filter = filterOf(route.query)
  // Cursors of the pages before this one, so "previous" needs no backwards query.
  const cursors = (route.query.get('pages') ?? '').split(',').filter((c) => c !== '')
  const cursor = cursors.at(-1)
  const open = route.query.get('record') ?? undefined
  const zone = useSchemeZone(scheme)
  const go = (over: Record<string, string | undefined>) => {
    const base = {
      status: filter.status,
      errorCode: filter.errorCode,
      number: filter.number,
      from: filter.from,
      to: filter.to,
      pages: cursors.join(','),
      record: open,
    }
    navigate(href('records', { scheme }, { ...base, ...over }))
  }

  const [state, reload] = useLoad(
    () => records.search(scheme, { ...filter, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) }),
    JSON.stringify([scheme, filter, cursor]),
  )

  const empty = { status: '', errorCode: '', number: '', from: '', to: '' }
  const [form, setForm] = useState({
    status: filter.status ?? '',
    errorCode: filter.errorCode ?? '',
    number: filter.number ?? '',
    from: filter.from ?? '',
    to: filter.to ?? '',
  })
  const [bulk, setBulk] = useState<{ busy: boolean; requeued?: number; error?: ApiError }>({ busy: false })
  const retryAll = () => {
    setBulk({ busy: true })
    records.retryAllFailed(scheme).then(
      (r) => {
        setBulk({ busy: false, requeued: r.requeued.length })
        reload()
      },
      (e: unknown) =>
        setBulk({ busy: false, error: e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e)) }),
    )
  }
  // Hand-picked rows for "retry the selection": kept across pages (ids), cleared by a new search.
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set())
  const canWrite = useCan('operator')
  const toggle = (id: string) =>
    setPicked((cur) => {
      const next = new Set(cur)
      if (next.has(id)) next.delete(id)
      else next.add(id)
      return next
    })
  const retryPicked = () => {
    setBulk({ busy: true })
    bulkApi.retry(scheme, [...picked]).then(
      (r) => {
        setBulk({ busy: false, requeued: r.requeued.length })
        setPicked(new Set())
        reload()
      },
      (e: unknown) =>
        setBulk({ busy: false, error: e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e)) }),
    )
  }
  const codeInvalid = form.errorCode !== '' && !ERROR_CODE.test(form.errorCode)
  const apply = (e: FormEvent) => {
    e.preventDefault()
    if (codeInvalid) return
    setPicked(new Set())
    go({ ...form, number: form.number.trim(), pages: undefined, record: undefined })
  }

  return (
    <main className="page">
      <header className="page-head">
        <h1>{t('records.title', { scheme })}</h1>
        <a href={href('dashboard')}>{t('nav.dashboard')}</a>
      </header>
      <form className="filters" onSubmit={apply} role="search">
        <label>
          {t('records.filter.status')}
          <select name="status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">{t('records.filter.anyStatus')}</option>
            {RECORD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('records.filter.errorCode')}
          <input
            name="errorCode"
            value={form.errorCode}
            placeholder="ERR_…"
            aria-invalid={codeInvalid}
            onChange={(e) => setForm({ ...form, errorCode: e.target.value.toUpperCase() })}
          />
        </label>
        <label>
          {t('records.filter.number')}
          <input name="number" value={form.number} onChange={(e) => setForm({ ...form, number: e.target.value })} />
        </label>
        <label>
          {t('records.filter.from')}
          <input
            name="from"
            type="datetime-local"
            value={form.from}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
          />
        </label>
        <label>
          {t('records.filter.to')}
          <input
            name="to"
            type="datetime-local"
            value={form.to}
            onChange={(e) => setForm({ ...form, to: e.target.value })}
          />
        </label>
        <button type="submit" className="primary" disabled={codeInvalid}>
          {t('records.filter.apply')}
        </button>
        <button
          type="button"
          onClick={() => {
            setForm(empty)
            navigate(href('records', { scheme }))
          }}
        >
          {t('records.filter.clear')}
        </button>
        {codeInvalid && <span className="error small">{t('records.invalidErrorCode')}</span>}
      </form>

      <Can role="operator">
        <div className="actions">
          <button
            type="button"
            data-testid="retry-selected"
            disabled={bulk.busy || picked.size === 0}
            onClick={retryPicked}
          >
            {t('records.retrySelected', { count: picked.size })}
          </button>
          {picked.size > 0 && (
            <button type="button" className="link" onClick={() => setPicked(new Set())}>
              {t('records.clearSelection')}
            </button>
          )}
          {filter.status === 'error' && (
            <button type="button" disabled={bulk.busy} onClick={retryAll}>
              {t('action.retryAllFailed')}
            </button>
          )}
          {bulk.requeued !== undefined && (
            <span className="ok" role="status">
              {t('action.retriedAll', { count: bulk.requeued })}
            </span>
          )}
        </div>
        {bulk.error !== undefined && <ErrorNote error={bulk.error} />}
      </Can>
      {state.phase === 'loading' && <Loading />}
      {state.phase === 'failed' && <ErrorNote error={state.error} onRetry={reload} />}
      {state.phase === 'ok' &&
        (state.data.records.length === 0 ? (
          <p className="muted">{t('records.empty')}</p>
        ) : (
          <table className="grid clickable" data-testid="records">
            <thead>
              <tr>
                {canWrite && (
                  <th>
                    <input
                      type="checkbox"
                      aria-label={t('records.selectPage')}
                      checked={state.data.records.length > 0 && state.data.records.every((r) => picked.has(r.id))}
                      onChange={(e) => {
                        const all = e.target.checked
                        setPicked((cur) => {
                          const next = new Set(cur)
                          for (const r of state.data.records)
                            if (all) next.add(r.id)
                            else next.delete(r.id)
                          return next
                        })
                      }}
                    />
                  </th>
                )}
                <th>{t('records.number')}</th>
                <th>{t('records.id')}</th>
                <th>{t('records.status')}</th>
                <th className="num">{t('records.attempts')}</th>
                <th>{t('records.error')}</th>
                <th>{t('records.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.records.map((r) => (
                <tr
                  key={r.id}
                  data-record={r.id}
                  aria-selected={r.id === open}
                  tabIndex={0}
                  onClick={() => go({ record: r.id })}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') go({ record: r.id })
                  }}
                >
                  {canWrite && (
                    <td onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
                      <input
                        type="checkbox"
                        data-testid="pick"
                        aria-label={t('records.select', { id: r.id })}
                        checked={picked.has(r.id)}
                        onChange={() => toggle(r.id)}
                      />
                    </td>
                  )}
                  <td>{r.number ?? t('common.none')}</td>
                  <td className="mono small">{r.id}</td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td className="num">{r.attempts}</td>
                  <td>{r.lastError === null ? '' : <code title={r.lastError.message}>{r.lastError.code}</code>}</td>
                  <td className="small">{time(r.updatedAt, zone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <nav className="pager" aria-label={t('records.page', { page: cursors.length + 1 })}>
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => go({ pages: cursors.slice(0, -1).join(','), record: undefined })}
        >
          {t('records.prev')}
        </button>
        <span>{t('records.page', { page: cursors.length + 1 })}</span>
        <button
          type="button"
          disabled={state.phase !== 'ok' || state.data.nextCursor === undefined}
          onClick={() => {
            if (state.phase === 'ok' && state.data.nextCursor !== undefined)
              go({ pages: [...cursors, state.data.nextCursor].join(','), record: undefined })
          }}
        >
          {t('records.next')}
        </button>
      </nav>
      {open !== undefined && (
        <RecordDrawer scheme={scheme} recordId={open} onClose={() => go({ record: undefined })} onChanged={reload} />
      )}
    </main>
  )
}

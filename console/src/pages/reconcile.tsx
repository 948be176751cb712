/**
 * Reconcile a scheme: operators start a range (a background job on the server), everyone reads
 * the stored results and each result's differences (missing, extra, mismatched, duplicate).
 * `?result=<run id>` opens one result. Times are in the scheme's time zone; the range is entered
 * as Asia/Shanghai local time, as the API reads it.
 */
import { useEffect, useState, type FormEvent } from 'react'
import { ApiError } from '../api/client.js'
import { reconcile, schemes } from '../api/endpoints.js'
import type { ReconcileDifference } from '../api/types.js'
import { Can } from '../auth.js'
import { ErrorNote, Loading, RunBadge } from '../components/common.js'
import { labelOr } from '../components/format.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'
import { href, navigate, type Route } from '../router.js'

const COUNTS = ['matched', 'missing', 'extra', 'mismatched', 'duplicate'] as const
const DIFFS = ['missing', 'extra', 'mismatched', 'duplicate']

/** `YYYY-MM-DDTHH:mm` for a datetime-local input, in Asia/Shanghai (the API's zone for such times). */
function local(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16)
}

export function ReconcilePage({ route }: { route: Route }) {
  const { t, time } = useI18n()
  const id = route.params.scheme ?? ''
  const open = route.query.get('result') ?? undefined
  const [state, reload] = useLoad(
    async () => ({ scheme: await schemes.get(id), results: await reconcile.list(id) }),
    `reconcile:${id}`,
  )
  const [range, setRange] = useState(() => ({ from: local(Date.now() - 86_400_000), to: local(Date.now()) }))
  const [job, setJob] = useState<{ id: string; error?: ApiError } | undefined>(undefined)

  // Follow a started job until it settles, then open its result.
  useEffect(() => {
    if (job === undefined || job.error !== undefined) return
    let live = true
    const tick = async () => {
      try {
        const j = await reconcile.job(job.id)
        if (!live) return
        if (j.status === 'running') {
          setTimeout(() => void tick(), 1000)
          return
        }
        if (j.status === 'failed')
          setJob({ id: job.id, error: new ApiError(0, j.error?.code ?? 'ERR_RECONCILE', j.error?.message ?? '') })
        else {
          setJob(undefined)
          const runId = (j.result as { runId?: string } | undefined)?.runId
          reload()
          if (runId !== undefined) navigate(href('reconcile', { scheme: id }, { result: runId }))
        }
      } catch (e) {
        if (live) setJob({ id: job.id, error: e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e)) })
      }
    }
    void tick()
    return () => {
      live = false
    }
  }, [job, id, reload])

  const start = (e: FormEvent) => {
    e.preventDefault()
    reconcile.start(id, range.from.replace('T', ' '), range.to.replace('T', ' ')).then(
      (r) => setJob({ id: r.jobId }),
      (err: unknown) =>
        setJob({ id: '', error: err instanceof ApiError ? err : new ApiError(0, 'ERR_CONSOLE', String(err)) }),
    )
  }

  if (state.phase === 'loading')
    return (
      <main className="page">
        <Loading />
      </main>
    )
  if (state.phase === 'failed')
    return (
      <main className="page">
        <ErrorNote error={state.error} onRetry={reload} />
      </main>
    )
  const tz = state.data.scheme.schedule.timezone
  return (
    <main className="page">
      <header className="page-head">
        <h1>{t('rec.title', { scheme: state.data.scheme.name })}</h1>
        <a href={href('scheme', { scheme: id })}>{t('rec.back')}</a>
      </header>
      <Can role="operator">
        <form className="filters" onSubmit={start} data-testid="reconcile-form">
          <label>
            {t('rec.from')}
            <input
              type="datetime-local"
              name="from"
              required
              value={range.from}
              onChange={(e) => setRange({ ...range, from: e.target.value })}
            />
          </label>
          <label>
            {t('rec.to')}
            <input
              type="datetime-local"
              name="to"
              required
              value={range.to}
              onChange={(e) => setRange({ ...range, to: e.target.value })}
            />
          </label>
          <button type="submit" className="primary" disabled={job !== undefined && job.error === undefined}>
            {t('rec.start')}
          </button>
          {job !== undefined && job.error === undefined && (
            <span className="note" role="status">
              {t('rec.running')}
            </span>
          )}
          <span className="muted small">{t('rec.rangeHelp')}</span>
        </form>
        {job?.error !== undefined && <ErrorNote error={job.error} />}
      </Can>

      <section className="section">
        <h2>{t('rec.results')}</h2>
        {state.data.results.length === 0 ? (
          <p className="muted">{t('rec.none')}</p>
        ) : (
          <table className="grid clickable" data-testid="reconcile-results">
            <thead>
              <tr>
                <th>{t('schemePage.started')}</th>
                <th>{t('rec.range')}</th>
                <th>{t('dashboard.status')}</th>
                {COUNTS.map((c) => (
                  <th key={c} className="num">
                    {labelOr(t, `rec.count.${c}`, c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {state.data.results.map((r) => {
                const counts = r.counters.reconcile ?? {}
                const p = (r.params ?? {}) as { from?: string; to?: string }
                const go = () => navigate(href('reconcile', { scheme: id }, { result: r.id }))
                return (
                  <tr
                    key={r.id}
                    data-result={r.id}
                    tabIndex={0}
                    aria-selected={r.id === open}
                    onClick={go}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') go()
                    }}
                  >
                    <td className="small">{time(r.startedAt, tz)}</td>
                    <td className="small">
                      {time(p.from, tz)} – {time(p.to, tz)}
                    </td>
                    <td>
                      <RunBadge status={r.status} />
                    </td>
                    {COUNTS.map((c) => (
                      <td key={c} className={`num ${DIFFS.includes(c) && (counts[c] ?? 0) > 0 ? 'bad' : ''}`}>
                        {counts[c] ?? 0}
                      </td>
                    ))}
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
      </section>
      {open !== undefined && <Differences key={open} scheme={id} runId={open} />}
    </main>
  )
}

function Differences({ scheme, runId }: { scheme: string; runId: string }) {
  const { t } = useI18n()
  const [pages, setPages] = useState<string[]>([])
  const [state, reload] = useLoad(() => reconcile.differences(scheme, runId, pages.at(-1)), `${runId}:${pages.length}`)
  const [rows, setRows] = useState<ReconcileDifference[]>([])
  useEffect(() => {
    if (state.phase === 'ok')
      setRows((cur) => (pages.length === 0 ? state.data.differences : [...cur, ...state.data.differences]))
    // Once per page answer: the first page replaces, a later one appends.
  }, [state, pages.length])
  return (
    <section className="section" data-testid="differences">
      <h2>{t('rec.differences')}</h2>
      {state.phase === 'failed' && <ErrorNote error={state.error} onRetry={reload} />}
      {state.phase === 'loading' && rows.length === 0 && <Loading />}
      {state.phase !== 'loading' && rows.length === 0 && state.phase !== 'failed' && (
        <p className="ok">{t('rec.agrees')}</p>
      )}
      {rows.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>{t('rec.kind')}</th>
              <th>{t('rec.key')}</th>
              <th>{t('rec.reason')}</th>
              <th>{t('rec.records')}</th>
              <th>{t('detail.targetId')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d, i) => (
              <tr key={`${d.key}:${i}`} data-kind={d.kind}>
                <td>
                  <span className="badge s-error">{labelOr(t, `rec.count.${d.kind}`, d.kind)}</span>
                  <div className="small mono">{d.code}</div>
                </td>
                <td className="mono">{d.key}</td>
                <td className="small">{d.reason}</td>
                <td className="small mono">
                  {(d.recordIds ?? []).map((r) => (
                    <div key={r}>
                      <a href={href('records', { scheme }, { record: r, number: r })}>{r}</a>
                    </div>
                  ))}
                </td>
                <td className="small mono">{d.targetId ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.phase === 'ok' && state.data.nextCursor !== undefined && (
        <button type="button" onClick={() => setPages([...pages, state.data.nextCursor ?? ''])}>
          {t('rec.more')}
        </button>
      )}
    </section>
  )
}

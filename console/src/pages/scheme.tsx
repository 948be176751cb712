/**
 * One scheme: its figures (lag, failed by code, throttled, reconcile), records per day, a run
 * that operators start here with its counters moving live (Server-Sent Events), and the run
 * history with each run's counters per stage. Times are in the scheme's time zone.
 */
import { useState } from 'react'
import { ApiError } from '../api/client.js'
import { dashboard, runDetail, runs, schemes } from '../api/endpoints.js'
import { useEventStream } from '../api/sse.js'
import type { Run, RunEndEvent, RunProgressEvent, RunStatus } from '../api/types.js'
import { Can } from '../auth.js'
import { ErrorNote, Loading, RunBadge } from '../components/common.js'
import { duration, labelOr, shortDay } from '../components/format.js'
import { LazyChart } from '../components/lazy-chart.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'
import { href, type Route } from '../router.js'
import { Counters } from './counters.js'
import { ReconcileCell } from './dashboard.js'

type StageCounters = Record<string, Record<string, number>>

interface Live {
  runId: string
  counters: StageCounters
  events: number
  status: RunStatus | 'running'
  error?: { code: string; message: string }
}

const isNested = (c: RunProgressEvent['counters']): c is StageCounters =>
  Object.values(c).some((v) => typeof v === 'object')

export function SchemePage({ route }: { route: Route }) {
  const { t, time } = useI18n()
  const id = route.params.scheme ?? ''
  const [data, reload] = useLoad(async () => {
    const [scheme, figures, history] = await Promise.all([
      schemes.get(id),
      dashboard.get({ scheme: id, days: 14 }),
      runs.list(id, 20),
    ])
    return { scheme, stats: figures.schemes[0], history }
  }, `scheme:${id}`)
  const [live, setLive] = useState<Live | undefined>(undefined)
  const [startError, setStartError] = useState<ApiError | undefined>(undefined)
  const [open, setOpen] = useState<string | undefined>(undefined)

  // A run already going when the page opens is followed too.
  const running = data.phase === 'ok' ? data.data.history.find((r) => r.status === 'running') : undefined
  const follow = live?.runId ?? running?.id
  const following = live === undefined || live.status === 'running'
  const stream = useEventStream(
    follow !== undefined && following ? runDetail.eventsPath(follow) : undefined,
    (event, raw) => {
      if (event === 'progress') {
        const e = raw as RunProgressEvent
        setLive((cur) => {
          const base: Live =
            cur?.runId === e.runId ? cur : { runId: e.runId, counters: {}, events: 0, status: 'running' }
          const counters = isNested(e.counters) ? e.counters : { ...base.counters, [e.stage ?? 'run']: e.counters }
          return { ...base, counters, events: base.events + 1 }
        })
      } else {
        const e = raw as RunEndEvent
        setLive((cur) => ({
          runId: e.runId,
          counters: cur?.counters ?? {},
          events: cur?.events ?? 0,
          status: e.status ?? 'succeeded',
          ...(e.error === undefined ? {} : { error: e.error }),
        }))
        reload()
      }
    },
    { events: ['progress', 'end'], until: 'end' },
  )

  const start = () => {
    setStartError(undefined)
    runDetail.start(id).then(
      (r) => {
        setLive({ runId: r.runId, counters: {}, events: 0, status: 'running' })
        reload()
      },
      (e: unknown) => setStartError(e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e))),
    )
  }

  if (data.phase === 'loading')
    return (
      <main className="page">
        <Loading />
      </main>
    )
  if (data.phase === 'failed')
    return (
      <main className="page">
        <ErrorNote error={data.error} onRetry={reload} />
      </main>
    )
  const { scheme: s, stats, history } = data.data
  const tz = stats?.timeZone ?? s.schedule.timezone
  const isRunning = live?.status === 'running' || running !== undefined

  return (
    <main className="page">
      <header className="page-head">
        <div>
          <h1>{s.name}</h1>
          <div className="muted small">
            {s.id} · {t('schemePage.timeZone', { zone: tz ?? '' })}
          </div>
        </div>
        <div className="actions">
          <a href={href('records', { scheme: s.id })}>{t('dashboard.openRecords')}</a>
          <a href={href('reconcile', { scheme: s.id })}>{t('nav.reconcile')}</a>
          <button type="button" onClick={reload}>
            {t('common.refresh')}
          </button>
          <Can role="operator">
            <button type="button" className="primary" disabled={isRunning} onClick={start}>
              {t('schemePage.runNow')}
            </button>
          </Can>
        </div>
      </header>
      {startError !== undefined && <ErrorNote error={startError} />}

      <dl className="figures">
        <div>
          <dt>{t('dashboard.status')}</dt>
          <dd>
            {s.paused ? (
              <span className="badge paused">{t('scheme.paused')}</span>
            ) : (
              <span className="badge active">{t('scheme.active')}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('dash.lag')}</dt>
          <dd data-testid="lag">
            {stats?.lagSeconds === null || stats === undefined ? t('dash.noWindow') : duration(stats.lagSeconds, t)}
          </dd>
        </div>
        <div>
          <dt>{t('dashboard.failed')}</dt>
          <dd>{s.ledger.error ?? 0}</dd>
        </div>
        <div>
          <dt>{t('dash.throttled')}</dt>
          <dd title={t('dash.throttledHelp')}>
            {stats === undefined
              ? ''
              : t('dash.throttledOf', { throttled: stats.throttled.throttled, calls: stats.throttled.calls })}
          </dd>
        </div>
        <div>
          <dt>{t('dash.reconcile')}</dt>
          <dd>
            <ReconcileCell stats={stats} scheme={s.id} />
          </dd>
        </div>
      </dl>

      {(live !== undefined || running !== undefined) && (
        <section
          className="panel live"
          data-testid="live-run"
          data-run={live?.runId ?? running?.id}
          data-status={live?.status ?? 'running'}
          data-events={live?.events ?? 0}
          aria-live="polite"
        >
          <h2>
            {t('schemePage.liveRun')}{' '}
            {live !== undefined && live.status !== 'running' && <RunBadge status={live.status} />}
            {(live === undefined || live.status === 'running') && (
              <span className="badge r-running">
                {t(stream === 'open' ? 'schemePage.live' : 'schemePage.connecting')}
              </span>
            )}
          </h2>
          {live?.error !== undefined && <p className="error">{`${live.error.code}: ${live.error.message}`}</p>}
          <Counters counters={live?.counters ?? {}} />
        </section>
      )}

      {stats !== undefined && (
        <div className="panels">
          <section className="panel">
            <h2>{t('schemePage.perDay')}</h2>
            <LazyChart
              label={t('schemePage.perDay')}
              categories={stats.days.map((d) => shortDay(d.day))}
              series={[
                { name: t('schemePage.read'), type: 'bar', data: stats.days.map((d) => d.read), color: '#98a2b3' },
                {
                  name: t('schemePage.written'),
                  type: 'bar',
                  data: stats.days.map((d) => d.written),
                  color: '#155eef',
                },
                {
                  name: t('dash.throttled'),
                  type: 'line',
                  data: stats.days.map((d) => d.throttled),
                  color: '#b54708',
                },
              ]}
            />
          </section>
          <section className="panel">
            <h2>{t('dash.failedByCode')}</h2>
            {stats.failedByCode.length === 0 ? (
              <p className="muted">{t('dash.noFailed')}</p>
            ) : (
              <ul className="plain">
                {stats.failedByCode.map((f) => (
                  <li key={f.code}>
                    <a href={href('records', { scheme: s.id }, { status: 'error', errorCode: f.code })}>
                      <code>{f.code}</code>
                    </a>{' '}
                    <span className="strong">{f.count}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}

      <section className="section">
        <h2>{t('schemePage.history')}</h2>
        {history.length === 0 ? (
          <p className="muted">{t('dashboard.neverRun')}</p>
        ) : (
          <table className="grid" data-testid="run-history">
            <thead>
              <tr>
                <th>{t('schemePage.started')}</th>
                <th>{t('schemePage.kind')}</th>
                <th>{t('dashboard.status')}</th>
                <th>{t('schemePage.duration')}</th>
                <th>{t('records.error')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {history.map((r) => (
                <HistoryRow
                  key={r.id}
                  run={r}
                  timeZone={tz}
                  open={open === r.id}
                  onToggle={() => setOpen(open === r.id ? undefined : r.id)}
                  time={time}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  )
}

function HistoryRow({
  run,
  timeZone,
  open,
  onToggle,
  time,
}: {
  run: Run
  timeZone: string | null
  open: boolean
  onToggle: () => void
  time: (v: string | null, tz?: string | null) => string
}) {
  const { t } = useI18n()
  const secs =
    run.finishedAt === null
      ? undefined
      : (new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime()) / 1000
  return (
    <>
      <tr data-run={run.id}>
        <td className="small">{time(run.startedAt, timeZone)}</td>
        <td>{labelOr(t, `kind.${run.kind}`, run.kind)}</td>
        <td>
          <RunBadge status={run.status} />
        </td>
        <td className="small">{secs === undefined ? '' : duration(secs, t)}</td>
        <td>{run.errorCode === null ? '' : <code title={run.errorMessage ?? ''}>{run.errorCode}</code>}</td>
        <td>
          <button type="button" className="link" aria-expanded={open} onClick={onToggle}>
            {t(open ? 'schemePage.hideCounters' : 'schemePage.showCounters')}
          </button>
        </td>
      </tr>
      {open && (
        <tr className="details">
          <td colSpan={6}>
            <RunCounters id={run.id} />
          </td>
        </tr>
      )}
    </>
  )
}

function RunCounters({ id }: { id: string }) {
  const [state, reload] = useLoad(() => runDetail.get(id), id)
  if (state.phase === 'loading') return <Loading />
  if (state.phase === 'failed') return <ErrorNote error={state.error} onRetry={reload} />
  return <Counters counters={state.data.counters} />
}

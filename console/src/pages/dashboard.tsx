/**
 * Every scheme: state, last run, lag since the last closed window, failed records, written and
 * total records, throttled answers and the latest reconciliation; below, records written per day
 * (ECharts, a lazy chunk) and the failed-record queue by error code. Times are in each scheme's
 * time zone.
 */
import { dashboard, runs, schemes } from '../api/endpoints.js'
import type { Run, SchemeDetail, SchemeStats } from '../api/types.js'
import { ErrorNote, Loading, RunBadge } from '../components/common.js'
import { duration, shortDay } from '../components/format.js'
import { LazyChart } from '../components/lazy-chart.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'
import { href } from '../router.js'

interface Row {
  scheme: SchemeDetail
  lastRun: Run | undefined
  stats: SchemeStats | undefined
}

async function loadRows(): Promise<Row[]> {
  const [list, figures] = await Promise.all([schemes.list(), dashboard.get({ days: 14 })])
  return Promise.all(
    list.map(async (s) => {
      const [scheme, last] = await Promise.all([schemes.get(s.id), runs.list(s.id, 1)])
      return { scheme, lastRun: last[0], stats: figures.schemes.find((f) => f.id === s.id) }
    }),
  )
}

const total = (c: Record<string, number | undefined>) => Object.values(c).reduce<number>((a, b) => a + (b ?? 0), 0)

export function ReconcileCell({ stats, scheme }: { stats: SchemeStats | undefined; scheme: string }) {
  const { t, time } = useI18n()
  const r = stats?.reconcile
  if (r === undefined || r === null) return <span className="muted">{t('dash.reconcileNever')}</span>
  return (
    <a href={href('reconcile', { scheme }, { result: r.runId })} title={time(r.at, stats?.timeZone)}>
      {r.differences === 0 ? (
        <span className="badge s-done">{t('dash.reconcileAgrees')}</span>
      ) : (
        <span className="badge s-error">{t('dash.reconcileDiffers', { count: r.differences })}</span>
      )}
    </a>
  )
}

function Charts({ rows }: { rows: Row[] }) {
  const { t } = useI18n()
  const withStats = rows.filter((r): r is Row & { stats: SchemeStats } => r.stats !== undefined)
  const days = withStats[0]?.stats.days.map((d) => shortDay(d.day)) ?? []
  const failed = withStats.flatMap((r) => r.stats.failedByCode.map((f) => ({ scheme: r.scheme.id, ...f })))
  return (
    <div className="panels">
      <section className="panel">
        <h2>{t('dash.perDay')}</h2>
        <LazyChart
          label={t('dash.perDay')}
          categories={days}
          // A master-data scheme writes nothing to a target: its records per day are the ones it read.
          series={withStats.map((r) => ({
            name: r.scheme.name,
            type: 'bar',
            stack: 'records',
            data: r.stats.days.map((d) => (r.scheme.collection === true ? d.read : d.written)),
          }))}
        />
      </section>
      <section className="panel">
        <h2>{t('dash.failedByCode')}</h2>
        {failed.length === 0 ? (
          <p className="muted">{t('dash.noFailed')}</p>
        ) : (
          <table className="grid compact" data-testid="failed-by-code">
            <thead>
              <tr>
                <th>{t('dashboard.scheme')}</th>
                <th>{t('dash.code')}</th>
                <th className="num">{t('dash.count')}</th>
              </tr>
            </thead>
            <tbody>
              {failed.map((f) => (
                <tr key={`${f.scheme}:${f.code}`}>
                  <td>{f.scheme}</td>
                  <td>
                    <a href={href('records', { scheme: f.scheme }, { status: 'error', errorCode: f.code })}>
                      <code>{f.code}</code>
                    </a>
                  </td>
                  <td className="num">{f.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  )
}

export function DashboardPage() {
  const { t, time } = useI18n()
  const [state, reload] = useLoad(loadRows, 'dashboard')
  return (
    <main className="page">
      <header className="page-head">
        <h1>{t('dashboard.title')}</h1>
        <button type="button" onClick={reload}>
          {t('common.refresh')}
        </button>
      </header>
      {state.phase === 'loading' && <Loading />}
      {state.phase === 'failed' && <ErrorNote error={state.error} onRetry={reload} />}
      {state.phase === 'ok' &&
        (state.data.length === 0 ? (
          <p className="muted">{t('dashboard.empty')}</p>
        ) : (
          <>
            <table className="grid" data-testid="schemes">
              <thead>
                <tr>
                  <th>{t('dashboard.scheme')}</th>
                  <th>{t('dashboard.status')}</th>
                  <th>{t('dashboard.lastRun')}</th>
                  <th>{t('dash.lag')}</th>
                  <th className="num">{t('dashboard.failed')}</th>
                  <th className="num">{t('dashboard.done')}</th>
                  <th className="num">{t('dashboard.total')}</th>
                  <th className="num">{t('dash.throttled')}</th>
                  <th>{t('dash.reconcile')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {state.data.map(({ scheme: s, lastRun, stats }) => {
                  const tz = stats?.timeZone ?? s.schedule.timezone
                  const failed = s.ledger.error ?? 0
                  return (
                    <tr key={s.id} data-scheme={s.id}>
                      <td>
                        <a className="strong" href={href('scheme', { scheme: s.id })}>
                          {s.name}
                        </a>
                        <div className="muted small">
                          {s.id}
                          {s.collection === true ? ` · ${t('scheme.collection')}` : ''}
                        </div>
                      </td>
                      <td>
                        {s.paused ? (
                          <span className="badge paused" title={s.pauseReason ?? ''}>
                            {s.pauseReason === null
                              ? t('scheme.paused')
                              : t('scheme.pausedBecause', { reason: s.pauseReason })}
                          </span>
                        ) : (
                          <span className="badge active">{t('scheme.active')}</span>
                        )}
                      </td>
                      <td>
                        {lastRun === undefined ? (
                          <span className="muted">{t('dashboard.neverRun')}</span>
                        ) : (
                          <>
                            <RunBadge status={lastRun.status} />{' '}
                            <span className="small">{time(lastRun.finishedAt ?? lastRun.startedAt, tz)}</span>
                          </>
                        )}
                      </td>
                      <td className="small" data-testid="lag">
                        {stats?.lagSeconds === null || stats === undefined ? (
                          <span className="muted">{t('dash.noWindow')}</span>
                        ) : (
                          <span title={time(stats.lastSyncTime, tz)}>{duration(stats.lagSeconds, t)}</span>
                        )}
                      </td>
                      <td className="num">
                        {failed > 0 ? (
                          <a className="failed" href={href('records', { scheme: s.id }, { status: 'error' })}>
                            {failed}
                          </a>
                        ) : (
                          <span className="muted">0</span>
                        )}
                      </td>
                      <td className="num">{s.ledger.done ?? 0}</td>
                      <td className="num">{total(s.ledger)}</td>
                      <td className="num" title={t('dash.throttledHelp')}>
                        {stats === undefined
                          ? ''
                          : t('dash.throttledOf', {
                              throttled: stats.throttled.throttled,
                              calls: stats.throttled.calls,
                            })}
                      </td>
                      <td>
                        <ReconcileCell stats={stats} scheme={s.id} />
                      </td>
                      <td>
                        <a href={href('records', { scheme: s.id })}>{t('dashboard.openRecords')}</a>
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
            <Charts rows={state.data} />
          </>
        ))}
    </main>
  )
}

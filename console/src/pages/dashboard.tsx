/**
 * Every scheme: state, last run, failed records (the failed-record queue) and ledger totals.
 * Records per day, lag, throttling and reconcile status come with the next console slice.
 */
import { runs, schemes } from '../api/endpoints.js'
import type { Run, SchemeDetail } from '../api/types.js'
import { ErrorNote, Loading, RunBadge } from '../components/common.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'
import { href } from '../router.js'

interface Row {
  scheme: SchemeDetail
  lastRun: Run | undefined
}

async function loadRows(): Promise<Row[]> {
  const list = await schemes.list()
  return Promise.all(
    list.map(async (s) => {
      const [scheme, last] = await Promise.all([schemes.get(s.id), runs.list(s.id, 1)])
      return { scheme, lastRun: last[0] }
    }),
  )
}

const total = (c: Record<string, number | undefined>) => Object.values(c).reduce<number>((a, b) => a + (b ?? 0), 0)

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
          <table className="grid" data-testid="schemes">
            <thead>
              <tr>
                <th>{t('dashboard.scheme')}</th>
                <th>{t('dashboard.status')}</th>
                <th>{t('dashboard.lastRun')}</th>
                <th className="num">{t('dashboard.failed')}</th>
                <th className="num">{t('dashboard.done')}</th>
                <th className="num">{t('dashboard.total')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {state.data.map(({ scheme: s, lastRun }) => {
                const tz = s.schedule.timezone
                const failed = s.ledger.error ?? 0
                return (
                  <tr key={s.id} data-scheme={s.id}>
                    <td>
                      <div className="strong">{s.name}</div>
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
                    <td>
                      <a href={href('records', { scheme: s.id })}>{t('dashboard.openRecords')}</a>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        ))}
    </main>
  )
}

/**
 * The shell: sign-in gate, header (navigation, language, user and role), and the page for the
 * current route. Later pages (designer, mapping, runs, reconcile, connections) are lazy chunks
 * registered in PAGES so the first load stays small.
 */
import { lazy, Suspense } from 'react'
import { useAuth } from './auth.js'
import { ErrorNote, Loading } from './components/common.js'
import { useI18n } from './i18n/context.js'
import { LANGUAGES } from './i18n/dictionaries.js'
import { DashboardPage } from './pages/dashboard.js'
import { LoginPage } from './pages/login.js'
import { href, useRoute, type Route } from './router.js'

/** What `ferry serve` said about the demo's loopback sign-in (a meta tag it adds to index.html). */
function demoInfo(): { mode: 'auto' | 'remote'; user: string } | undefined {
  const m = document.querySelector<HTMLMetaElement>('meta[name="ferry-demo"]')
  if (m === null) return undefined
  return { mode: m.content === 'auto' ? 'auto' : 'remote', user: m.dataset.user ?? '' }
}
const demo = demoInfo()

// Pages other than the dashboard load on first use, as their own chunks; the designer and charts
// to come must do the same to keep the first load small.
const RecordsPage = lazy(() => import('./pages/records.js').then((m) => ({ default: m.RecordsPage })))
// The flow designer carries @xyflow/react: its own chunk, loaded when the route is opened.
const DesignerPage = lazy(() => import('./pages/designer.js').then((m) => ({ default: m.DesignerPage })))
// --- dashboard slice: scheme page, reconcile, connections ---
const SchemePage = lazy(() => import('./pages/scheme.js').then((m) => ({ default: m.SchemePage })))
const ReconcilePage = lazy(() => import('./pages/reconcile.js').then((m) => ({ default: m.ReconcilePage })))
const ConnectionsPage = lazy(() => import('./pages/connections.js').then((m) => ({ default: m.ConnectionsPage })))
// --- end of dashboard slice ---

function Page({ route }: { route: Route }) {
  const { t } = useI18n()
  switch (route.name) {
    case 'dashboard':
      return <DashboardPage />
    case 'records':
      return <RecordsPage key={route.params.scheme} route={route} />
    case 'designer':
      return <DesignerPage key={route.params.scheme} route={route} />
    // --- dashboard slice ---
    case 'scheme':
      return <SchemePage key={route.params.scheme} route={route} />
    case 'reconcile':
      return <ReconcilePage key={route.params.scheme} route={route} />
    case 'connections':
      return <ConnectionsPage />
    // --- end of dashboard slice ---
    case 'notFound':
      return (
        <main className="page">
          <h1>{t('notFound.title')}</h1>
          <a href={href('dashboard')}>{t('notFound.back')}</a>
        </main>
      )
  }
}

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n()
  const next = LANGUAGES[(LANGUAGES.indexOf(lang) + 1) % LANGUAGES.length] ?? LANGUAGES[0]
  return (
    <button
      type="button"
      className="lang"
      data-testid="lang-switch"
      aria-label={t('lang.label')}
      lang={next}
      onClick={() => setLang(next)}
    >
      {t('lang.switchTo')}
    </button>
  )
}

export function App() {
  const { t } = useI18n()
  const { state, logout, reload } = useAuth()
  const route = useRoute()
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
  if (state.phase === 'signedOut') {
    return (
      <>
        <div className="topbar">
          <span className="brand">Ferry</span>
          <span className="spacer" />
          <LanguageSwitch />
        </div>
        <LoginPage demo={demo?.mode === 'remote' ? 'remote' : undefined} />
      </>
    )
  }
  const me = state.me
  return (
    <>
      <div className="topbar">
        <a className="brand" href={href('dashboard')}>
          {t('app.title')}
        </a>
        <nav aria-label="main">
          <a href={href('dashboard')} aria-current={route.name === 'dashboard' ? 'page' : undefined}>
            {t('nav.dashboard')}
          </a>
          {/* dashboard slice */}
          <a href={href('connections')} aria-current={route.name === 'connections' ? 'page' : undefined}>
            {t('nav.connections')}
          </a>
        </nav>
        <span className="spacer" />
        <LanguageSwitch />
        <span className="user" data-testid="user">
          {t('auth.signedInAs', { name: me.name })}{' '}
          <span className={`badge role-${me.role}`} data-testid="role">
            {t(`role.${me.role}`)}
          </span>
        </span>
        {me.kind === 'user' && (
          <button
            type="button"
            onClick={() => {
              void logout()
            }}
          >
            {t('auth.signOut')}
          </button>
        )}
      </div>
      {demo?.mode === 'auto' && (
        <p className="banner" role="note">
          {t('auth.demoAuto', { name: demo.user })}
        </p>
      )}
      <Suspense
        fallback={
          <main className="page">
            <Loading />
          </main>
        }
      >
        <Page route={route} />
      </Suspense>
    </>
  )
}

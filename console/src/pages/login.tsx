import { useState, type FormEvent } from 'react'
import { ApiError } from '../api/client.js'
import { useAuth } from '../auth.js'
import { ErrorNote } from '../components/common.js'
import { useI18n } from '../i18n/context.js'

export function LoginPage({ demo }: { demo: 'remote' | undefined }) {
  const { t } = useI18n()
  const { login } = useAuth()
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | undefined>()

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    login(name, password).catch((err: unknown) => {
      setError(err instanceof ApiError ? err : new ApiError(0, 'ERR_CONSOLE', String(err)))
      setBusy(false)
    })
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('auth.title')}</h1>
        {demo === 'remote' && <p className="note">{t('auth.demoRemote')}</p>}
        <label>
          {t('auth.name')}
          <input
            name="name"
            autoComplete="username"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
          />
        </label>
        <label>
          {t('auth.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error !== undefined && <ErrorNote error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('auth.signingIn') : t('auth.submit')}
        </button>
      </form>
    </main>
  )
}

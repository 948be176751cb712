/**
 * Connections: every connection with its connector and settings. Secrets are write-only: the API
 * never returns them, so the page shows each as set or not set, and an admin editing a
 * connection types a secret only to replace it (left empty, the stored one is kept).
 */
import { useState, type FormEvent } from 'react'
import { ApiError } from '../api/client.js'
import { connections } from '../api/endpoints.js'
import type { Connection, Connector } from '../api/types.js'
import { Can } from '../auth.js'
import { ErrorNote, Loading } from '../components/common.js'
import { useLoad } from '../components/use-load.js'
import { useI18n } from '../i18n/context.js'

const SET = 'set'
const isSecret = (c: Connector | undefined, key: string) => c?.settings[key]?.type === 'secret'

export function ConnectionsPage() {
  const { t, time } = useI18n()
  const [state, reload] = useLoad(
    async () => ({ list: await connections.list(), connectors: await connections.connectors() }),
    'connections',
  )
  const [editing, setEditing] = useState<{ id: string; connector: string; isNew: boolean } | undefined>(undefined)
  const [saved, setSaved] = useState<string | undefined>(undefined)

  return (
    <main className="page">
      <header className="page-head">
        <h1>{t('conn.title')}</h1>
        <Can role="admin">
          <button
            type="button"
            onClick={() =>
              state.phase === 'ok' &&
              setEditing({ id: '', connector: state.data.connectors[0]?.name ?? '', isNew: true })
            }
          >
            {t('conn.add')}
          </button>
        </Can>
      </header>
      <p className="muted small">{t('conn.help')}</p>
      {saved !== undefined && (
        <p className="ok" role="status">
          {t('conn.saved', { id: saved })}
        </p>
      )}
      {state.phase === 'loading' && <Loading />}
      {state.phase === 'failed' && <ErrorNote error={state.error} onRetry={reload} />}
      {state.phase === 'ok' && (
        <>
          {editing !== undefined && (
            <ConnectionForm
              key={`${editing.id}:${editing.isNew}`}
              start={editing}
              connectors={state.data.connectors}
              current={state.data.list.find((c) => c.id === editing.id)}
              onDone={(id) => {
                setEditing(undefined)
                if (id !== undefined) {
                  setSaved(id)
                  reload()
                }
              }}
            />
          )}
          <table className="grid" data-testid="connections">
            <thead>
              <tr>
                <th>{t('conn.id')}</th>
                <th>{t('conn.connector')}</th>
                <th>{t('conn.source')}</th>
                <th>{t('conn.settings')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {state.data.list.map((c) => {
                const spec = state.data.connectors.find((k) => k.name === c.connector)
                return (
                  <tr key={c.id} data-connection={c.id}>
                    <td className="strong">{c.id}</td>
                    <td>{spec?.title ?? c.connector}</td>
                    <td className="small">
                      {t(c.source === 'store' ? 'conn.fromStore' : 'conn.fromConfig')}
                      {c.updatedAt !== undefined && <div className="muted">{time(c.updatedAt)}</div>}
                    </td>
                    <td>
                      <dl className="settings">
                        {/* Every secret (set or not), and the other settings that have a value. */}
                        {Object.keys(spec?.settings ?? c.settings)
                          .filter((key) => isSecret(spec, key) || c.settings[key] !== undefined)
                          .map((key) => (
                            <div key={key}>
                              <dt>{spec?.settings[key]?.title ?? key}</dt>
                              <dd data-setting={key}>
                                {isSecret(spec, key) ? (
                                  c.settings[key] === SET ? (
                                    <span className="badge s-done">{t('conn.secretSet')}</span>
                                  ) : (
                                    <span className="badge">{t('conn.secretNotSet')}</span>
                                  )
                                ) : c.settings[key] === undefined ? (
                                  <span className="muted">{t('common.none')}</span>
                                ) : (
                                  <span className="mono">{String(c.settings[key])}</span>
                                )}
                              </dd>
                            </div>
                          ))}
                      </dl>
                    </td>
                    <td>
                      <Can role="admin">
                        <button
                          type="button"
                          onClick={() => setEditing({ id: c.id, connector: c.connector, isNew: false })}
                        >
                          {t('conn.edit')}
                        </button>
                      </Can>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </>
      )}
    </main>
  )
}

function ConnectionForm({
  start,
  connectors,
  current,
  onDone,
}: {
  start: { id: string; connector: string; isNew: boolean }
  connectors: Connector[]
  current: Connection | undefined
  onDone: (savedId?: string) => void
}) {
  const { t } = useI18n()
  const [id, setId] = useState(start.id)
  const [connector, setConnector] = useState(start.connector)
  const spec = connectors.find((c) => c.name === connector)
  // Secrets start empty: the page never has them. Other fields start with the current value.
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(
      Object.entries(current?.settings ?? {})
        .filter(([k]) => !isSecret(spec, k))
        .map(([k, v]) => [k, typeof v === 'boolean' ? v : String(v)]),
    ),
  )
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | undefined>(undefined)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const settings: Record<string, string | number | boolean> = {}
    for (const [key, field] of Object.entries(spec?.settings ?? {})) {
      const v = values[key]
      // An empty field is left out: a secret keeps its stored value, a setting its default.
      if (v === undefined || v === '') continue
      settings[key] = field.type === 'number' ? Number(v) : v
    }
    setBusy(true)
    setError(undefined)
    connections.save(id.trim(), connector, settings).then(
      () => onDone(id.trim()),
      (err: unknown) => {
        setBusy(false)
        setError(err instanceof ApiError ? err : new ApiError(0, 'ERR_CONSOLE', String(err)))
      },
    )
  }
  return (
    <form className="panel conn-form" onSubmit={submit} data-testid="connection-form">
      <h2>{start.isNew ? t('conn.add') : t('conn.editing', { id: start.id })}</h2>
      <div className="filters">
        <label>
          {t('conn.id')}
          <input name="id" value={id} required disabled={!start.isNew} onChange={(e) => setId(e.target.value)} />
        </label>
        <label>
          {t('conn.connector')}
          <select
            name="connector"
            value={connector}
            disabled={!start.isNew}
            onChange={(e) => setConnector(e.target.value)}
          >
            {connectors.map((c) => (
              <option key={c.name} value={c.name}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="filters">
        {Object.entries(spec?.settings ?? {}).map(([key, field]) => {
          const secret = field.type === 'secret'
          const wasSet = current?.settings[key] === SET
          return (
            <label key={key}>
              {field.title ?? key}
              {field.type === 'boolean' ? (
                <input
                  type="checkbox"
                  name={key}
                  checked={values[key] === true}
                  onChange={(e) => setValues({ ...values, [key]: e.target.checked })}
                />
              ) : (
                <input
                  name={key}
                  type={secret ? 'password' : field.type === 'number' ? 'number' : 'text'}
                  autoComplete={secret ? 'new-password' : 'off'}
                  placeholder={
                    secret ? (wasSet ? t('conn.secretKeep') : t('conn.secretNotSet')) : String(field.default ?? '')
                  }
                  value={typeof values[key] === 'string' ? values[key] : ''}
                  onChange={(e) => setValues({ ...values, [key]: e.target.value })}
                />
              )}
            </label>
          )
        })}
      </div>
      <p className="muted small">{t('conn.appliesAt')}</p>
      {error !== undefined && <ErrorNote error={error} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || id.trim() === ''}>
          {t('conn.save')}
        </button>
        <button type="button" onClick={() => onDone()}>
          {t('action.cancel')}
        </button>
      </div>
    </form>
  )
}

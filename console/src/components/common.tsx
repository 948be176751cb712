import type { ReactNode } from 'react'
import type { ApiError } from '../api/client.js'
import type { RecordStatus, RunStatus } from '../api/types.js'
import { useI18n } from '../i18n/context.js'

export function Loading() {
  const { t } = useI18n()
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  )
}

export function ErrorNote({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t } = useI18n()
  const text = error.code === 'ERR_NETWORK' ? t('error.network') : t('error.generic', { message: error.message })
  return (
    <div className="error" role="alert">
      <span>{text}</span> {error.code !== 'ERR_NETWORK' && <code>{error.code}</code>}
      {onRetry !== undefined && (
        <button type="button" className="link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  )
}

export function StatusBadge({ status }: { status: RecordStatus }) {
  const { t } = useI18n()
  return <span className={`badge s-${status}`}>{t(`status.${status}`)}</span>
}

export function RunBadge({ status }: { status: RunStatus }) {
  const { t } = useI18n()
  return <span className={`badge r-${status}`}>{t(`run.${status}`)}</span>
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  )
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="section">
      <h3>{title}</h3>
      {children}
    </section>
  )
}

/** Before a version is saved: what it changes against the stored one, and its problems. */
import type { DraftDiff } from '../api/designer.js'
import { useI18n } from '../i18n/context.js'

const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v))

interface Props {
  readonly diff: DraftDiff
  readonly busy: boolean
  readonly onConfirm: () => void
  readonly onCancel: () => void
}

export function SaveDialog({ diff, busy, onConfirm, onCancel }: Props) {
  const { t } = useI18n()
  return (
    <section
      className="save-dialog"
      role="dialog"
      aria-modal="false"
      aria-labelledby="save-title"
      data-testid="save-dialog"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel()
      }}
    >
      <h3 id="save-title">{t('designer.diffTitle', { version: diff.against })}</h3>
      {diff.changes.length === 0 ? (
        <p className="muted">{t('designer.noChanges')}</p>
      ) : (
        <table className="grid diff" data-testid="diff">
          <thead>
            <tr>
              <th>{t('designer.diffPath')}</th>
              <th>{t('designer.diffBefore')}</th>
              <th>{t('designer.diffAfter')}</th>
            </tr>
          </thead>
          <tbody>
            {diff.changes.map((c) => (
              <tr key={c.path} className={`op-${c.op}`}>
                <td className="mono small">{c.path}</td>
                <td className="mono small del">{show(c.before)}</td>
                <td className="mono small ins">{show(c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!diff.ok && (
        <p className="error" role="alert">
          {t('designer.cannotSave', { count: diff.errors.length })}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="confirm-save"
          disabled={busy || !diff.ok || diff.changes.length === 0}
          onClick={onConfirm}
          autoFocus
        >
          {t('designer.confirmSave')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('action.cancel')}
        </button>
      </div>
    </section>
  )
}

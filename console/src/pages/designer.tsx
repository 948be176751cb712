/**
 * The flow designer (`#/schemes/<id>/designer`): the scheme's current version drawn as stages,
 * each opening its editor (the mapping editor for the mapping); the draft is checked as it
 * changes (problems on their stage), and saving shows the diff first, then stores a new version.
 * Operators can run the scheme from here and watch the counts on the edges.
 */
import { useCallback, useEffect, useMemo, useState } from 'react'
import { ApiError } from '../api/client.js'
import { designer, type DraftDiff, type FunctionHelp, type SampleRecord, type VersionInfo } from '../api/designer.js'
import { runs, schemes } from '../api/endpoints.js'
import { useRunEvents } from '../api/run-events.js'
import type { SchemeDetail } from '../api/types.js'
import { useCan } from '../auth.js'
import { ErrorNote, Loading } from '../components/common.js'
import { useLoad } from '../components/use-load.js'
import { Flow } from '../designer/flow.js'
import { MappingEditor } from '../designer/mapping-editor.js'
import { placeProblems, sectionOf, withSection, type Doc, type StageId } from '../designer/model.js'
import { SaveDialog } from '../designer/save-dialog.js'
import { SectionEditor } from '../designer/section-editor.js'
import '../designer/designer.css'
import { useI18n } from '../i18n/context.js'
import type { MessageKey } from '../i18n/dictionaries.js'
import { href, type Route } from '../router.js'

interface Loaded {
  scheme: SchemeDetail
  versions: VersionInfo[]
  functions: FunctionHelp[]
  samples: SampleRecord[]
  sampleFrom: 'ledger' | 'source' | 'none'
  runningId: string | undefined
}

export function DesignerPage({ route }: { route: Route }) {
  const id = route.params.scheme ?? ''
  const { t } = useI18n()
  const [tick, setTick] = useState(0)
  // Kept here: the designer below starts afresh from the saved version.
  const [saved, setSaved] = useState<number>()
  const [state, reload] = useLoad<Loaded>(async () => {
    const [scheme, versions, functions, recent] = await Promise.all([
      schemes.get(id),
      designer.versions(id),
      designer.functions(),
      runs.list(id, 1),
    ])
    // A sample read from the source spends the vendor's quota; a failure leaves the editor usable.
    const sample = await designer.sample(id).catch(() => ({ from: 'none' as const, records: [] }))
    return {
      scheme,
      versions,
      functions,
      samples: sample.records,
      sampleFrom: sample.from,
      runningId: recent[0]?.status === 'running' ? recent[0].id : undefined,
    }
  }, `${id}#${tick}`)
  return (
    <main className="page designer-page">
      <p className="crumbs small">
        <a href={href('dashboard')}>{t('nav.dashboard')}</a> ›{' '}
        <a href={href('records', { scheme: id })}>{t('nav.records')}</a>
      </p>
      {state.phase === 'loading' && <Loading />}
      {state.phase === 'failed' && <ErrorNote error={state.error} onRetry={reload} />}
      {saved !== undefined && (
        <p className="ok-note" role="status" data-testid="saved-note">
          {t('designer.saved', { version: saved })}
        </p>
      )}
      {state.phase === 'ok' && (
        <Designer
          key={`${state.data.scheme.version ?? 0}`}
          data={state.data}
          onSaved={(v) => {
            setSaved(v)
            setTick((n) => n + 1)
          }}
        />
      )}
    </main>
  )
}

function Designer({ data, onSaved }: { data: Loaded; onSaved: (version: number) => void }) {
  const { t, time } = useI18n()
  const canWrite = useCan('operator')
  const { scheme } = data
  const tz = scheme.schedule.timezone ?? 'Asia/Shanghai'
  const stored = scheme.definition as Doc
  const [draft, setDraft] = useState<Doc>(stored)
  const [open, setOpen] = useState<StageId>('mapping')
  const [check, setCheck] = useState<DraftDiff>()
  const [dialog, setDialog] = useState<DraftDiff>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError>()
  const [runId, setRunId] = useState(data.runningId)
  const live = useRunEvents(runId)
  const dirty = JSON.stringify(draft) !== JSON.stringify(stored)

  // The draft is checked as it changes: the diff route validates too, and viewers may call it.
  useEffect(() => {
    let alive = true
    const timer = setTimeout(() => {
      designer.diff(scheme.id, draft).then(
        (d) => alive && setCheck(d),
        (e: unknown) => alive && e instanceof ApiError && setError(e),
      )
    }, 300)
    return () => {
      alive = false
      clearTimeout(timer)
    }
  }, [draft, scheme.id])

  const placed = useMemo(() => placeProblems(check?.errors ?? [], check?.warnings ?? []), [check])
  const onOpen = useCallback((s: StageId) => {
    setOpen(s)
    requestAnimationFrame(() => document.getElementById('stage-editor')?.focus())
  }, [])
  const current = data.versions.find((v) => v.version === scheme.version)

  const save = async () => {
    setBusy(true)
    setError(undefined)
    try {
      const r = await designer.save(scheme.id, draft, scheme.version)
      setDialog(undefined)
      onSaved(r.version)
    } catch (e) {
      if (e instanceof ApiError) setError(e)
    } finally {
      setBusy(false)
    }
  }
  const review = async () => {
    setError(undefined)
    try {
      setDialog(await designer.diff(scheme.id, draft))
    } catch (e) {
      if (e instanceof ApiError) setError(e)
    }
  }
  const run = async () => {
    setError(undefined)
    try {
      setRunId((await designer.runNow(scheme.id)).runId)
    } catch (e) {
      if (e instanceof ApiError) setError(e)
    }
  }

  return (
    <>
      <div className="designer-head">
        <div>
          <h1>{t('designer.title', { scheme: scheme.name })}</h1>
          <p className="muted small" data-testid="version">
            {t('designer.version', { version: scheme.version ?? 0 })}
            {current !== undefined && ` · ${t('designer.savedAt', { time: time(current.createdAt, tz) })}`}
            {dirty && <span className="badge warn"> {t('designer.unsaved')}</span>}
          </p>
        </div>
        <span className="spacer" />
        {runId !== undefined && (
          <span className="small" data-testid="run-state">
            {live.ended ? t('designer.runEnded', { status: live.status ?? '' }) : t('designer.running')}
          </span>
        )}
        {canWrite && (
          <>
            <button type="button" onClick={() => void run()} disabled={runId !== undefined && !live.ended}>
              {t('designer.runNow')}
            </button>
            <button type="button" disabled={dirty === false} onClick={() => setDraft(stored)}>
              {t('designer.discard')}
            </button>
            <button
              type="button"
              className="primary"
              data-testid="save-version"
              disabled={!dirty}
              onClick={() => void review()}
            >
              {t('designer.saveVersion')}
            </button>
          </>
        )}
      </div>
      {error !== undefined && <ErrorNote error={error} />}
      {error?.code === 'ERR_API_SCHEME_INVALID' && (
        <ul className="problems">
          {((error.details.errors as { code: string; message: string; location?: string }[] | undefined) ?? []).map(
            (p, i) => (
              <li key={i} className="error">
                <code>{p.code}</code> <span className="mono small">{p.location}</span> {p.message}
              </li>
            ),
          )}
        </ul>
      )}
      {dialog !== undefined && (
        <SaveDialog diff={dialog} busy={busy} onConfirm={() => void save()} onCancel={() => setDialog(undefined)} />
      )}
      {placed.scheme.length > 0 && (
        <ul className="problems" data-testid="scheme-problems">
          {placed.scheme.map((p, i) => (
            <li key={i} className={p.severity}>
              <code>{p.code}</code> <span className="mono small">{p.path}</span> {p.message}
            </li>
          ))}
        </ul>
      )}
      <Flow
        doc={draft}
        problems={placed.byStage}
        selected={open}
        onOpen={onOpen}
        counters={runId === undefined ? undefined : live.counters}
        running={runId !== undefined && !live.ended}
      />
      <section className="stage-editor" id="stage-editor" tabIndex={-1} aria-labelledby="stage-editor-title">
        <h2 id="stage-editor-title">{t(`designer.stage.${open}` as MessageKey)}</h2>
        {open === 'mapping' ? (
          <>
            <p className="muted small">
              {data.sampleFrom === 'none' || data.samples.length === 0
                ? t('mapping.noSample')
                : t(data.sampleFrom === 'ledger' ? 'mapping.sampleLedger' : 'mapping.sampleSource', {
                    count: data.samples.length,
                  })}
            </p>
            <MappingEditor
              request={sectionOf(draft, 'mapping')}
              onChange={(r) => setDraft((d) => withSection(d, 'mapping', r))}
              samples={data.samples}
              functions={data.functions}
              timezone={tz}
              readOnly={!canWrite}
              problems={placed.byStage.mapping}
            />
          </>
        ) : (
          <SectionEditor
            key={`${open}:${JSON.stringify(sectionOf(draft, open))}`}
            value={sectionOf(draft, open)}
            readOnly={!canWrite}
            problems={placed.byStage[open]}
            onApply={(v) => setDraft((d) => withSection(d, open, v))}
            label={t(`designer.stage.${open}` as MessageKey)}
          />
        )}
      </section>
    </>
  )
}

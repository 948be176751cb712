/**
 * The scheme drawn as a flow with @xyflow/react: one card per stage, problems on the card they
 * belong to, and the run's counters on the edges while it goes. Cards open their editor on click
 * or Enter; the layout is fixed (the order of stages is the engine's, not the user's).
 */
import { Background, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { useMemo } from 'react'
import { useI18n } from '../i18n/context.js'
import type { MessageKey } from '../i18n/dictionaries.js'
import { edgeCount, STAGES, summaryOf, type Doc, type PlacedProblem, type StageId } from './model.js'

interface StageData extends Record<string, unknown> {
  stage: StageId
  title: string
  summary: string
  problems: readonly PlacedProblem[]
  selected: boolean
  onOpen: (stage: StageId) => void
}
type StageNode = Node<StageData, 'stage'>

function StageCard({ data }: NodeProps<StageNode>) {
  const { t } = useI18n()
  const errors = data.problems.filter((p) => p.severity === 'error')
  const warnings = data.problems.length - errors.length
  return (
    <div
      className={`stage-card${data.selected ? ' selected' : ''}${errors.length > 0 ? ' bad' : ''}`}
      data-testid={`node-${data.stage}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <button type="button" className="stage-open nodrag" onClick={() => data.onOpen(data.stage)}>
        <span className="stage-title">{data.title}</span>
        <span className="stage-summary small" title={data.summary}>
          {data.summary}
        </span>
      </button>
      {data.problems.length > 0 && (
        <div className="stage-problems small" data-testid={`problems-${data.stage}`}>
          {errors.length > 0 && <span className="badge s-error">{t('designer.errors', { count: errors.length })}</span>}
          {warnings > 0 && <span className="badge warn">{t('designer.warnings', { count: warnings })}</span>}
          <ul>
            {data.problems.slice(0, 2).map((p, i) => (
              <li key={i} className={p.severity} title={`${p.code} ${p.path}\n${p.message}`}>
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  )
}

const nodeTypes = { stage: StageCard }

interface Props {
  readonly doc: Doc
  readonly problems: Record<StageId, PlacedProblem[]>
  readonly selected: StageId | undefined
  readonly onOpen: (stage: StageId) => void
  readonly counters: Readonly<Record<string, number>> | undefined
  readonly running: boolean
}

const WIDTH = 178
const GAP = WIDTH + 24

export function Flow({ doc, problems, selected, onOpen, counters, running }: Props) {
  const { t } = useI18n()
  const stages = STAGES
  const nodes = useMemo<StageNode[]>(
    () =>
      stages.map((stage, i) => {
        const s = summaryOf(doc, stage)
        return {
          id: stage,
          type: 'stage',
          position: { x: i * GAP, y: 0 },
          data: {
            stage,
            title: t(`designer.stage.${stage}` as MessageKey),
            summary: t(s.key as MessageKey, s.vars),
            problems: problems[stage],
            selected: selected === stage,
            onOpen,
          },
          draggable: false,
          connectable: false,
          style: { width: WIDTH },
        }
      }),
    [doc, problems, selected, onOpen, t],
  )
  const edges = useMemo<Edge[]>(
    () =>
      stages.slice(0, -1).map((stage, i) => {
        const n = counters === undefined ? undefined : edgeCount(stage, counters)
        return {
          id: `${stage}-${stages[i + 1]}`,
          source: stage,
          target: stages[i + 1]!,
          animated: running,
          ...(n === undefined ? {} : { label: String(n), labelBgPadding: [4, 2] as [number, number] }),
          data: { count: n },
        }
      }),
    [counters, running],
  )
  return (
    <div className="flow" data-testid="flow" aria-label={t('designer.flow')}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.08 }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        panOnDrag={false}
        zoomOnScroll={false}
        zoomOnPinch={false}
        zoomOnDoubleClick={false}
        preventScrolling={false}
      >
        <Background gap={16} size={1} />
      </ReactFlow>
      {counters !== undefined && (
        <p className="sr-only" aria-live="polite" data-testid="edge-counts">
          {stages
            .slice(0, -1)
            .map((s) => `${s}:${edgeCount(s, counters) ?? ''}`)
            .join(' ')}
        </p>
      )}
    </div>
  )
}

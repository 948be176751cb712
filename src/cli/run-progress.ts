/** A run from the command line: per-stage progress bars on a TTY, nothing otherwise. */
import cliProgress from 'cli-progress'
import type { Host } from '../engine/host.js'
import type { Stage } from '../engine/ports.js'
import { runScheme, type RunSummary } from '../engine/run.js'

/** Run with per-stage progress bars when stdout is a TTY (and not --json). */
export async function runWithProgress(
  h: Host,
  schemeId: string,
  opts: { stages?: Stage[]; from?: Date; to?: Date; json: boolean },
): Promise<RunSummary> {
  const scheme = h.scheme(schemeId)
  const tty = process.stdout.isTTY && !opts.json
  const multi = tty
    ? new cliProgress.MultiBar(
        { format: '{stage} |{bar}| {value} {unit}', hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined
  const bars = new Map<Stage, cliProgress.SingleBar>()
  try {
    return await runScheme(h.deps, scheme, {
      ...(opts.stages === undefined ? {} : { stages: opts.stages }),
      range: {
        ...(opts.from === undefined ? {} : { from: opts.from }),
        ...(opts.to === undefined ? {} : { to: opts.to }),
      },
      onProgress: (stage, c) => {
        if (multi === undefined) return
        const value = stage === 'target' ? c.written + c.alreadyExisted + c.failed + c.retrying + c.unknown : c.fetched
        let bar = bars.get(stage)
        if (bar === undefined) {
          bar = multi.create(Math.max(value, 1), 0, {
            stage: stage.padEnd(6),
            unit: stage === 'target' ? 'records settled' : 'rows fetched',
          })
          bars.set(stage, bar)
        }
        bar.setTotal(Math.max(value, bar.getTotal()))
        bar.update(value)
      },
    })
  } finally {
    multi?.stop()
  }
}

/**
 * The alert rules: pure functions from a scheme's facts and the time to the conditions that hold
 * now. The evaluator turns conditions into incidents; a rule that could not look (no data yet) is
 * reported as not evaluated, so its open incident is neither resolved nor repeated on a guess.
 */
import type { SchemeFacts } from './facts.js'
import type { RuleName, RuleSettings, Severity } from '../config/alerts-settings.js'

export interface Finding {
  readonly rule: RuleName
  readonly key: string
  readonly severity: Severity
  readonly numbers: Readonly<Record<string, number | string>>
  readonly codes: readonly string[]
  readonly summary: { readonly en: string; readonly zh: string }
}

export interface Evaluation {
  readonly findings: readonly Finding[]
  /** Rules that looked at data this time; an open incident of any other rule is left alone. */
  readonly evaluated: ReadonlySet<RuleName>
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

export function formatAge(ms: number, lang: 'en' | 'zh'): string {
  const m = Math.max(0, Math.round(ms / 60_000))
  if (m < 60) return lang === 'zh' ? `${m} 分钟` : `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48)
    return lang === 'zh'
      ? `${h} 小时${m % 60 === 0 ? '' : ` ${m % 60} 分钟`}`
      : `${h} h${m % 60 === 0 ? '' : ` ${m % 60} min`}`
  const d = Math.floor(h / 24)
  return lang === 'zh'
    ? `${d} 天${h % 24 === 0 ? '' : ` ${h % 24} 小时`}`
    : `${d} d${h % 24 === 0 ? '' : ` ${h % 24} h`}`
}

const uniq = (xs: readonly (string | null)[]) => [...new Set(xs.filter((x): x is string => x !== null && x !== ''))]

export function evaluateRules(f: SchemeFacts, rules: RuleSettings, now: Date): Evaluation {
  const findings: Finding[] = []
  const evaluated = new Set<RuleName>()
  const add = (
    rule: RuleName,
    severity: Severity,
    numbers: Finding['numbers'],
    codes: readonly string[],
    en: string,
    zh: string,
  ) => {
    findings.push({
      rule,
      key: `${f.schemeId}:${rule}`,
      severity,
      numbers,
      codes: codes.slice(0, 5),
      summary: { en, zh },
    })
  }
  const t = now.getTime()

  const last = f.runs[0]
  if (rules.runFailed.enabled && last !== undefined) {
    evaluated.add('runFailed')
    if (last.status === 'failed') {
      add(
        'runFailed',
        rules.runFailed.severity,
        { run: last.id, stage: last.kind },
        uniq([last.errorCode]),
        `the last ${last.kind} run failed${last.errorMessage === null ? '' : `: ${last.errorMessage}`}`,
        `最近一次 ${last.kind} 运行失败${last.errorMessage === null ? '' : `:${last.errorMessage}`}`,
      )
    }
  }

  const cf = rules.consecutiveFailures
  if (cf.enabled && f.runs.length > 0) {
    evaluated.add('consecutiveFailures')
    let n = 0
    while (n < f.runs.length && f.runs[n]?.status === 'failed') n++
    if (n >= cf.count) {
      add(
        'consecutiveFailures',
        cf.severity,
        { failed: n, threshold: cf.count },
        uniq(f.runs.slice(0, n).map((r) => r.errorCode)),
        `${n} failed runs in a row`,
        `连续 ${n} 次运行失败`,
      )
    }
  }

  const fr = rules.freshness
  const ref = f.lastWindowClosedAt ?? f.since
  if (fr.enabled && ref !== undefined) {
    evaluated.add('freshness')
    const age = t - ref.getTime()
    if (age > fr.afterMs) {
      const what =
        f.lastWindowClosedAt === undefined
          ? { en: 'no source window closed yet', zh: '尚未关闭任何源时间窗口' }
          : {
              en: `no source window closed for ${formatAge(age, 'en')}`,
              zh: `已 ${formatAge(age, 'zh')} 没有关闭新的源时间窗口`,
            }
      add(
        'freshness',
        fr.severity,
        {
          lastClosed: f.lastWindowClosedAt?.toISOString() ?? '-',
          ageMinutes: Math.round(age / 60_000),
          limitMinutes: Math.round(fr.afterMs / 60_000),
        },
        uniq(f.runs.slice(0, 3).map((r) => r.errorCode)),
        `${what.en} (limit ${formatAge(fr.afterMs, 'en')})`,
        `${what.zh}(阈值 ${formatAge(fr.afterMs, 'zh')})`,
      )
    }
  }

  const vol = rules.volume
  if (vol.enabled && f.hourlyVolume !== undefined) {
    // The last complete hour against the same weekday and hour of the previous two weeks.
    const hour = Math.floor(t / HOUR) * HOUR - HOUR
    const current = f.hourlyVolume.get(hour)
    const samples = [hour - 7 * DAY, hour - 14 * DAY]
      .map((h) => f.hourlyVolume?.get(h))
      .filter((x): x is number => x !== undefined)
    if (current !== undefined && samples.length > 0) {
      evaluated.add('volume')
      const lo = Math.min(...samples)
      const hi = Math.max(...samples)
      const numbers = { hour: new Date(hour).toISOString(), records: current, usualLow: lo, usualHigh: hi }
      if (lo >= vol.minExpected && current === 0) {
        add(
          'volume',
          vol.severity,
          { ...numbers, anomaly: 'zero' },
          [],
          `no records in the hour from ${numbers.hour}; the same hour of the last two weeks had ${samples.join(' and ')}`,
          `${numbers.hour} 起的一小时没有数据;过去两周同一时段分别为 ${samples.join('、')} 条`,
        )
      } else if (lo >= vol.minExpected && current < lo * vol.dropRatio) {
        add(
          'volume',
          vol.severity,
          { ...numbers, anomaly: 'drop' },
          [],
          `${current} records in the hour from ${numbers.hour}, usually ${lo}–${hi}`,
          `${numbers.hour} 起的一小时只有 ${current} 条,往常 ${lo}–${hi} 条`,
        )
      } else if (current >= vol.spikeMin && current > Math.max(hi, 1) * vol.spikeRatio) {
        add(
          'volume',
          vol.severity,
          { ...numbers, anomaly: 'spike' },
          [],
          `${current} records in the hour from ${numbers.hour}, usually at most ${hi}`,
          `${numbers.hour} 起的一小时有 ${current} 条,往常最多 ${hi} 条`,
        )
      }
    }
  }

  const fd = rules.failedRecords
  if (fd.enabled) {
    evaluated.add('failedRecords')
    const { count, oldestAt, codes } = f.failedRecords
    const age = oldestAt === undefined ? 0 : t - oldestAt.getTime()
    if (count > fd.moreThan || (count > 0 && age > fd.olderThanMs)) {
      add(
        'failedRecords',
        fd.severity,
        { failed: count, oldestMinutes: Math.round(age / 60_000), moreThan: fd.moreThan },
        codes,
        `${count} failed records waiting, the oldest for ${formatAge(age, 'en')}`,
        `${count} 条失败记录待处理,最早的已等待 ${formatAge(age, 'zh')}`,
      )
    }
  }

  const rc = f.lastReconcile
  if (rules.reconcile.enabled && rc !== undefined) {
    evaluated.add('reconcile')
    if (rc.missing + rc.extra + rc.mismatched > 0) {
      add(
        'reconcile',
        rules.reconcile.severity,
        { run: rc.runId, missing: rc.missing, extra: rc.extra, mismatched: rc.mismatched },
        [],
        `reconcile found ${rc.missing} missing, ${rc.extra} extra, ${rc.mismatched} mismatched documents`,
        `对账发现差异:缺失 ${rc.missing},多余 ${rc.extra},不一致 ${rc.mismatched}`,
      )
    }
  }

  if (rules.paused.enabled) {
    evaluated.add('paused')
    if (f.pausedReason !== undefined) {
      const code = /\bERR_[A-Z0-9_]+/.exec(f.pausedReason)?.[0]
      add(
        'paused',
        rules.paused.severity,
        { reason: f.pausedReason },
        code === undefined ? [] : [code],
        `the scheme is paused: ${f.pausedReason}`,
        `方案已暂停:${f.pausedReason}`,
      )
    }
  }

  const cr = rules.credentials
  if (cr.enabled) {
    evaluated.add('credentials')
    const expiring = f.credentials.filter(
      (c) => !cr.autoRefreshed.includes(c.name) && c.expiresAt.getTime() - t < cr.expiringWithinMs,
    )
    const refused = f.runs.slice(0, 1).filter((r) => r.errorCode !== null && cr.refusedCodes.includes(r.errorCode))
    if (expiring.length > 0 || refused.length > 0) {
      const first = expiring[0]
      const parts = {
        en: [
          ...(first === undefined
            ? []
            : [
                `credential ${first.name} of ${first.connection} ${first.expiresAt.getTime() <= t ? 'has expired' : `expires in ${formatAge(first.expiresAt.getTime() - t, 'en')}`}`,
              ]),
          ...refused.map((r) => `the target or source refused the credentials (${r.errorCode ?? ''})`),
        ],
        zh: [
          ...(first === undefined
            ? []
            : [
                `${first.connection} 的凭证 ${first.name} ${first.expiresAt.getTime() <= t ? '已过期' : `将在 ${formatAge(first.expiresAt.getTime() - t, 'zh')} 后过期`}`,
              ]),
          ...refused.map((r) => `凭证被拒绝(${r.errorCode ?? ''})`),
        ],
      }
      add(
        'credentials',
        cr.severity,
        { expiring: expiring.length, refused: refused.length },
        uniq(refused.map((r) => r.errorCode)),
        parts.en.join('; '),
        parts.zh.join(';'),
      )
    }
  }

  const th = rules.throttled
  if (th.enabled && f.throttle !== undefined) {
    evaluated.add('throttled')
    const { calls, throttled } = f.throttle
    if (calls >= th.minCalls && throttled / calls > th.share) {
      const pct = Math.round((throttled / calls) * 100)
      add(
        'throttled',
        th.severity,
        { calls, throttled, percent: pct },
        [],
        `${pct}% of ${calls} calls in the last hour were throttled`,
        `过去一小时 ${calls} 次调用中 ${pct}% 被限流`,
      )
    }
  }
  return { findings, evaluated }
}

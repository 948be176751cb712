/** A run's counters, one column per stage; zero counters are left out except the main ones. */
import { labelOr } from '../components/format.js'
import { useI18n } from '../i18n/context.js'

const ALWAYS = new Set(['fetched', 'kept', 'written', 'failed'])

export function Counters({ counters }: { counters: Record<string, Record<string, number>> }) {
  const { t } = useI18n()
  const stages = Object.keys(counters)
  if (stages.length === 0) return <p className="muted">{t('schemePage.noCounters')}</p>
  // A counter this console has no word for (a newer engine) shows under its own name.
  const label = (prefix: 'stage' | 'counter', name: string) => labelOr(t, `${prefix}.${name}`, name)
  return (
    <div className="counters" data-testid="counters">
      {stages.map((stage) => (
        <table key={stage} className="grid compact">
          <caption>{label('stage', stage)}</caption>
          <tbody>
            {Object.entries(counters[stage] ?? {})
              .filter(([name, v]) => v !== 0 || ALWAYS.has(name))
              .map(([name, v]) => (
                <tr key={name}>
                  <th scope="row">{label('counter', name)}</th>
                  <td className="num" data-counter={`${stage}.${name}`}>
                    {v}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      ))}
    </div>
  )
}

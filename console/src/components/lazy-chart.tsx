/** The chart as a lazy chunk: ECharts is fetched the first time a page draws a chart. */
import { lazy, Suspense } from 'react'
import type { ChartProps } from './chart.js'
import { Loading } from './common.js'

const Chart = lazy(() => import('./chart.js'))

export function LazyChart(props: ChartProps) {
  return (
    <Suspense fallback={<Loading />}>
      <Chart {...props} />
    </Suspense>
  )
}

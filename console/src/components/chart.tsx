/**
 * A bar/line chart on ECharts. Only what the console draws is imported (echarts/core with the bar
 * and line charts, grid, tooltip, legend and the canvas renderer), and this module is only ever
 * loaded through React.lazy (LazyChart), so ECharts is a chunk of its own outside the first load.
 */
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { init, use, type ECharts } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { useEffect, useRef } from 'react'

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export interface Series {
  readonly name: string
  readonly type: 'bar' | 'line'
  readonly data: readonly number[]
  readonly stack?: string
  readonly color?: string
}

export interface ChartProps {
  readonly categories: readonly string[]
  readonly series: readonly Series[]
  /** What the chart shows, for screen readers (the figures are also in the page's tables). */
  readonly label: string
  readonly height?: number
}

export default function Chart({ categories, series, label, height = 220 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<ECharts | undefined>(undefined)
  useEffect(() => {
    if (box.current === null) return
    const c = init(box.current, undefined, { renderer: 'canvas' })
    chart.current = c
    const resize = () => c.resize()
    window.addEventListener('resize', resize)
    return () => {
      window.removeEventListener('resize', resize)
      c.dispose()
      chart.current = undefined
    }
  }, [])
  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 48, right: 16, top: 32, bottom: 28 },
        tooltip: { trigger: 'axis' },
        legend: { top: 0, type: 'scroll' },
        xAxis: { type: 'category', data: [...categories] },
        yAxis: { type: 'value', minInterval: 1 },
        series: series.map((s) => ({
          name: s.name,
          type: s.type,
          data: [...s.data],
          ...(s.stack === undefined ? {} : { stack: s.stack }),
          ...(s.color === undefined ? {} : { itemStyle: { color: s.color }, lineStyle: { color: s.color } }),
        })),
      },
      { notMerge: true },
    )
  }, [categories, series])
  return <div ref={box} className="chart" role="img" aria-label={label} style={{ height }} data-testid="chart" />
}

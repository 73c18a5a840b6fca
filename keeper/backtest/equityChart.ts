import * as echarts from "echarts";

/** One point of an equity curve: time in ms, equity as a multiple of the starting bankroll. */
export interface EquityPoint {
  readonly t: number;
  readonly equity: number;
}

export interface ChartOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
}

/**
 * A self-contained SVG line chart of the equity curve with its running peak, the drawdown gap
 * shaded, rendered by Apache ECharts on the server (SVG renderer, `ssr`).
 */
export function equitySvg(points: readonly EquityPoint[], options: ChartOptions = {}): string {
  const width = options.width ?? 900;
  const height = options.height ?? 360;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    let peak = -Infinity;
    const equity: [number, number][] = [];
    const gap: [number, number][] = [];
    for (const p of points) {
      peak = Math.max(peak, p.equity);
      equity.push([p.t, p.equity]);
      gap.push([p.t, peak - p.equity]);
    }
    chart.setOption({
      animation: false,
      backgroundColor: "#ffffff",
      useUTC: true,
      title: {
        text: options.title ?? "Equity",
        left: 60,
        textStyle: { fontSize: 14 },
        ...(points.length === 0 ? { subtext: "no data" } : {}),
      },
      legend: { right: 20, top: 8, data: ["equity", "drawdown from peak"] },
      grid: { left: 70, right: 20, top: 48, bottom: 40 },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: (v: number) => v.toFixed(4) } },
      series: [
        // the drawdown is stacked on the curve, so its area fills from the curve up to the running peak
        {
          name: "equity",
          type: "line",
          stack: "peak",
          data: equity,
          showSymbol: false,
          lineStyle: { color: "#1f5fbf", width: 1.5 },
          itemStyle: { color: "#1f5fbf" },
        },
        {
          name: "drawdown from peak",
          type: "line",
          stack: "peak",
          data: gap,
          showSymbol: false,
          lineStyle: { opacity: 0 },
          itemStyle: { color: "#f4b6b6" },
          areaStyle: { color: "#f4b6b6", opacity: 0.6 },
        },
      ],
    });
    return `${chart.renderToSVGString()}\n`;
  } finally {
    chart.dispose();
  }
}

import * as echarts from "echarts";

/** A scaling curve: x (count) against gas. */
export interface Curve {
  readonly title: string;
  readonly xLabel: string;
  readonly points: readonly { x: number; gas: number }[];
  /** An optional horizontal reference line (a target). */
  readonly reference?: { readonly gas: number; readonly label: string };
}

const PANEL_W = 420;
const PANEL_H = 300;

const gasLabel = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(Math.round(n)));

/**
 * An SVG with one panel per curve, side by side, rendered by Apache ECharts on the server (SVG
 * renderer, `ssr`): each curve's points marked, its target as a dashed line.
 */
export function scalingSvg(curves: readonly Curve[]): string {
  if (curves.length === 0) throw new Error("scaling chart needs at least one curve");
  for (const c of curves) if (c.points.length === 0) throw new Error(`curve "${c.title}" has no points`);
  const chart = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: PANEL_W * curves.length,
    height: PANEL_H,
  });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: "#ffffff",
      title: curves.map((c, i) => ({
        text: c.title,
        left: i * PANEL_W + PANEL_W / 2,
        textAlign: "center",
        top: 6,
        textStyle: { fontSize: 14 },
      })),
      grid: curves.map((_, i) => ({ left: i * PANEL_W + 70, width: PANEL_W - 90, top: 40, bottom: 50 })),
      xAxis: curves.map((c, i) => ({
        type: "value",
        gridIndex: i,
        name: c.xLabel,
        nameLocation: "middle",
        nameGap: 28,
        min: 0,
      })),
      yAxis: curves.map((_, i) => ({
        type: "value",
        gridIndex: i,
        name: "gas",
        nameLocation: "middle",
        nameGap: 52,
        min: 0,
        axisLabel: { formatter: gasLabel },
      })),
      series: curves.map((c, i) => ({
        name: c.title,
        type: "line",
        xAxisIndex: i,
        yAxisIndex: i,
        data: [...c.points].sort((a, b) => a.x - b.x).map((p) => [p.x, p.gas]),
        symbol: "circle",
        symbolSize: 7,
        lineStyle: { color: "#2266aa", width: 2 },
        itemStyle: { color: "#2266aa" },
        ...(c.reference
          ? {
              markLine: {
                symbol: "none",
                silent: true,
                lineStyle: { color: "#c0392b", type: "dashed" },
                label: { formatter: c.reference.label, position: "insideEndTop", color: "#c0392b" },
                data: [{ yAxis: c.reference.gas }],
              },
            }
          : {}),
      })),
    });
    return `${chart.renderToSVGString()}\n`;
  } finally {
    chart.dispose();
  }
}

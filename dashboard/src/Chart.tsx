import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** A time-series line chart (uPlot); `series[i]` are the y values for `x` (unix seconds). */
export interface ChartProps {
  readonly title: string;
  readonly x: readonly number[];
  readonly series: readonly {
    readonly label: string;
    readonly values: readonly (number | null)[];
    readonly color: string;
  }[];
  readonly height?: number;
  readonly testId?: string;
  /** x as an index (epochs) instead of time */
  readonly indexX?: boolean;
  /** decimals of the y-axis labels */
  readonly yDecimals?: number;
}

export function Chart({ title, x, series, height = 240, testId, indexX, yDecimals = 0 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const started = performance.now();
    const plot = new uPlot(
      {
        title,
        width: Math.max(320, el.clientWidth - 12),
        height,
        scales: { x: { time: !indexX } },
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { show: x.length < 60 },
          })),
        ],
        axes: [
          {},
          {
            size: 80,
            values: (_u, ticks) =>
              ticks.map((t) =>
                t.toLocaleString("en-US", {
                  minimumFractionDigits: yDecimals,
                  maximumFractionDigits: yDecimals,
                }),
              ),
          },
        ],
      },
      [x as number[], ...series.map((s) => s.values as (number | null)[])],
      el,
    );
    // the render time, read by the benchmark (bench/dashboard.ts)
    el.dataset.renderMs = (performance.now() - started).toFixed(1);
    const onResize = () => plot.setSize({ width: Math.max(320, el.clientWidth - 12), height });
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      plot.destroy();
    };
  }, [title, x, series, height, indexX, yDecimals]);
  return (
    <div
      className="chart"
      ref={box}
      data-testid={testId}
      data-points={JSON.stringify({ x, series: series.map((s) => ({ label: s.label, values: s.values })) })}
    />
  );
}

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

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A self-contained SVG line chart of the equity curve with its running peak (drawdown gap shaded). */
export function equitySvg(points: readonly EquityPoint[], options: ChartOptions = {}): string {
  const width = options.width ?? 900;
  const height = options.height ?? 360;
  const margin = { left: 70, right: 20, top: 36, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const title = escapeXml(options.title ?? "Equity");
  const header = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`;
  const background = `<rect width="${width}" height="${height}" fill="#ffffff"/><text x="${margin.left}" y="20" font-size="14" font-weight="bold">${title}</text>`;
  if (points.length === 0) {
    return `${header}${background}<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text></svg>\n`;
  }
  const t0 = points[0]?.t ?? 0;
  const t1 = points[points.length - 1]?.t ?? t0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.equity);
    hi = Math.max(hi, p.equity);
  }
  const pad = Math.max((hi - lo) * 0.1, 0.001);
  lo -= pad;
  hi += pad;
  const x = (t: number) => margin.left + (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => margin.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const fmt = (n: number) => n.toFixed(1);

  let peak = -Infinity;
  const line: string[] = [];
  const peakLine: string[] = [];
  for (const p of points) {
    peak = Math.max(peak, p.equity);
    line.push(`${fmt(x(p.t))},${fmt(y(p.equity))}`);
    peakLine.push(`${fmt(x(p.t))},${fmt(y(peak))}`);
  }
  const drawdownArea = `<polygon points="${[...peakLine, ...line.slice().reverse()].join(" ")}" fill="#f4b6b6" fill-opacity="0.6"/>`;

  const ticks: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    ticks.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${v.toFixed(4)}</text>`,
    );
    const t = t0 + ((t1 - t0) * i) / 4;
    ticks.push(
      `<text x="${fmt(x(t))}" y="${height - margin.bottom + 16}" text-anchor="middle">${new Date(t).toISOString().slice(0, 10)}</text>`,
    );
  }
  const axes = `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}" stroke="#333"/><line x1="${margin.left}" y1="${margin.top + plotH}" x2="${width - margin.right}" y2="${margin.top + plotH}" stroke="#333"/>`;
  const curve = `<polyline points="${line.join(" ")}" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>`;
  const legend = `<text x="${width - margin.right}" y="20" text-anchor="end" fill="#555">equity (blue), drawdown from peak (red)</text>`;
  return `${header}${background}${ticks.join("")}${axes}${drawdownArea}${curve}${legend}</svg>\n`;
}

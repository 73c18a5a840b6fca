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
const MARGIN = { left: 70, right: 20, top: 36, bottom: 46 };

/** Rounds `max` up to a readable axis end (1, 2 or 5 times a power of ten). */
function niceCeil(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

const fmt = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(Math.round(n)));
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function panel(curve: Curve, offsetX: number): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const xMax = niceCeil(Math.max(...curve.points.map((p) => p.x)));
  const yMax = niceCeil(Math.max(...curve.points.map((p) => p.gas), curve.reference?.gas ?? 0) * 1.1);
  const sx = (x: number) => MARGIN.left + (x / xMax) * w;
  const sy = (gas: number) => MARGIN.top + h - (gas / yMax) * h;
  const parts: string[] = [`<g transform="translate(${offsetX},0)">`];
  parts.push(
    `<text x="${PANEL_W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(curve.title)}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const gas = (yMax / 5) * i;
    const y = sy(gas).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${fmt(gas)}</text>`,
    );
    const x = (xMax / 5) * i;
    parts.push(
      `<text x="${sx(x).toFixed(1)}" y="${MARGIN.top + h + 16}" text-anchor="middle" font-size="11">${fmt(x)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + h}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${MARGIN.top + h}" y2="${MARGIN.top + h}" stroke="#333"/>`,
    `<text x="${MARGIN.left + w / 2}" y="${PANEL_H - 8}" text-anchor="middle" font-size="12">${esc(curve.xLabel)}</text>`,
    `<text transform="translate(14,${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">gas</text>`,
  );
  if (curve.reference) {
    const y = sy(curve.reference.gas).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y}" y2="${y}" stroke="#c0392b" stroke-dasharray="6 4"/>`,
      `<text x="${MARGIN.left + w}" y="${Number(y) - 5}" text-anchor="end" font-size="11" fill="#c0392b">${esc(curve.reference.label)}</text>`,
    );
  }
  const sorted = [...curve.points].sort((a, b) => a.x - b.x);
  const path = sorted.map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.x).toFixed(1)},${sy(p.gas).toFixed(1)}`);
  parts.push(`<path d="${path.join(" ")}" fill="none" stroke="#2266aa" stroke-width="2"/>`);
  for (const p of sorted) {
    parts.push(
      `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.gas).toFixed(1)}" r="3.5" fill="#2266aa"><title>${p.x}: ${p.gas} gas</title></circle>`,
    );
  }
  parts.push("</g>");
  return parts.join("\n");
}

/** An SVG with one panel per curve, side by side (no chart library). */
export function scalingSvg(curves: readonly Curve[]): string {
  if (curves.length === 0) throw new Error("scaling chart needs at least one curve");
  for (const c of curves) if (c.points.length === 0) throw new Error(`curve "${c.title}" has no points`);
  const width = PANEL_W * curves.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_H}" viewBox="0 0 ${width} ${PANEL_H}" font-family="sans-serif">`,
    `<rect width="${width}" height="${PANEL_H}" fill="#fff"/>`,
    ...curves.map((c, i) => panel(c, i * PANEL_W)),
    "</svg>",
    "",
  ].join("\n");
}

import type { ReplayReport } from "./replay.js";

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");

/** Human-readable replay report (the JSON file holds every number). */
export function renderReplayMarkdown(r: ReplayReport): string {
  const lines: string[] = [];
  lines.push("# Replay report: Jan-2026 resolved Polymarket set", "");
  lines.push(
    `${r.dataset.markets} markets, ${r.dataset.points.toLocaleString("en-US")} points, ${iso(r.dataset.firstTs)} → ${iso(r.dataset.lastTs)}; ${r.dataset.rejectedRows} rows rejected.`,
    "",
  );
  lines.push("## Assumptions", "");
  const a = r.assumptions;
  lines.push(
    `- Sizing: ${a.kellyFraction} Kelly snapped down to tiers ${a.tiers.map((t) => `${t.name} ${pct(t.fraction, 1)} (conf ≥ ${t.minConfidence})`).join(", ")}; min edge ${a.minEdge} after fees.`,
    `- Caps: per market ${pct(a.caps.perMarket, 1)}, per event ${pct(a.caps.perEvent, 1)}, per cluster ${pct(a.caps.perCluster.default, 1)} (default), total ${pct(a.caps.total, 1)}.`,
    `- Entry at the recorded price plus a half-spread of ${a.halfSpread}, plus a ${a.fee.model} taker fee (rate ${a.fee.takerRate}, exponent ${a.fee.exponent}); settled at the recorded resolution.`,
    `- Probability estimate: ${a.calibrationSource ?? "none"} (out of sample); markets have no rules text, book or scheduled end in the recording, so those gates down-weight by one tier each.`,
    `- Dutch books: complete outcome groups only, ${a.dutchBookDepthUsdPerLeg} USD depth assumed per leg.`,
    "",
  );
  lines.push("## Calibration", "");
  lines.push(
    `Brier score of recorded prices vs outcomes, over all points: **${r.calibration.brierMarket.toFixed(4)}**` +
      (r.calibration.brierCalibrated !== null
        ? `; of the calibrated estimate: ${r.calibration.brierCalibrated.toFixed(4)}`
        : "") +
      `; of each market's last price: ${r.calibration.brierLastPrice.toFixed(4)}.`,
    "",
    "| price bin | points | mean price | observed YES rate |",
    "|---|---:|---:|---:|",
  );
  for (const row of r.calibration.reliability) {
    lines.push(
      `| ${row.lo.toFixed(1)}–${row.hi.toFixed(1)} | ${row.count} | ${row.meanPrice.toFixed(4)} | ${row.observed.toFixed(4)} |`,
    );
  }
  lines.push("", "## Returns", "");
  const ret = r.returns;
  lines.push(
    `- Directional trades: ${ret.trades} (${ret.wins} won), P&L ${pct(ret.directionalPnl)} of the starting bankroll.`,
    `- Dutch-book P&L: ${pct(ret.dutchPnl)}.`,
    `- Final equity ${ret.finalEquity.toFixed(6)} (return ${pct(ret.totalReturn)}), max drawdown ${pct(ret.maxDrawdown)}.`,
    "",
    "![equity](equity.svg)",
    "",
  );
  if (ret.tradeList.length > 0) {
    lines.push(
      "| market | side | tier | entry | ask | stake | estimate | won | P&L |",
      "|---|---|---|---|---:|---:|---:|---|---:|",
    );
    for (const t of ret.tradeList) {
      lines.push(
        `| ${t.slug} | ${t.side} | ${t.tier} | ${iso(t.entryTs)} | ${t.ask.toFixed(4)} | ${pct(t.stake, 3)} | ${t.estimate.toFixed(4)} | ${t.won ? "yes" : "no"} | ${pct(t.pnl, 3)} |`,
      );
    }
    lines.push("");
  }
  lines.push("## Dutch-book opportunities", "");
  lines.push(
    `Groups checked: ${r.dutchBook.groupsChecked.join(", ") || "none"}. Episodes: ${r.dutchBook.episodes.length}.`,
    "",
  );
  if (r.dutchBook.episodes.length > 0) {
    lines.push(
      "| group | side | status | from | to | Σ mids | best profit/set | sets | capital USD | profit USD |",
      "|---|---|---|---|---|---:|---:|---:|---:|---:|",
    );
    for (const e of r.dutchBook.episodes) {
      lines.push(
        `| ${e.group} | ${e.side} | ${e.status} | ${iso(e.startTs)} | ${iso(e.endTs)} | ${e.priceSum.toFixed(4)} | ${e.bestProfitPerSet.toFixed(4)} | ${e.sets.toFixed(1)} | ${e.capitalUsd.toFixed(2)} | ${e.profitUsd.toFixed(2)} |`,
      );
    }
    lines.push("");
  }
  const perf = r.performance;
  lines.push(
    "## Performance",
    "",
    `Load ${perf.loadMs.toFixed(0)} ms, replay ${perf.replayMs.toFixed(0)} ms (${Math.round(perf.pointsPerSecond).toLocaleString("en-US")} points/s), total ${perf.totalMs.toFixed(0)} ms, peak RSS ${perf.peakRssMb.toFixed(0)} MB.`,
    "",
  );
  return lines.join("\n");
}

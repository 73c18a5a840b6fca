import type { ReplayReport, ScoreComparison } from "./replay.js";

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");
const num = (x: number | null, digits = 4) => (x === null ? "–" : x.toFixed(digits));

/** One table row of engine-vs-market scores. */
export function scoreRow(label: string, s: ScoreComparison): string {
  return `| ${label} | ${s.points.toLocaleString("en-US")} | ${num(s.brierEngine)} | ${num(s.brierMarket)} | ${num(s.logLossEngine)} | ${num(s.logLossMarket)} |`;
}

/** Human-readable replay report (the JSON file holds every number). */
export function renderReplayMarkdown(r: ReplayReport): string {
  const lines: string[] = [];
  lines.push("# Replay report: Jan-2026 resolved Polymarket set", "");
  lines.push(
    `${r.dataset.markets} markets, ${r.dataset.points.toLocaleString("en-US")} points, ${iso(r.dataset.firstTs)} → ${iso(r.dataset.lastTs)}; ${r.dataset.rejectedRows} rows rejected.`,
    `Variant: metadata ${r.variant.metadata ? "on" : "off"}, ${r.variant.spreads} spreads.`,
    "",
  );
  lines.push("## Assumptions", "");
  const a = r.assumptions;
  lines.push(
    `- Decision gate: trade only if p − ${a.decision.z}·se − (fill + fee) > 0 and p − cost ≥ ${a.minEdge}; se ≤ ${a.decision.maxStdError}.`,
    `- Sizing: ${a.kellyFraction} Kelly at the lower bound of p, snapped down to tiers ${a.tiers.map((t) => `${t.name} ${pct(t.fraction, 1)} (conf ≥ ${t.minConfidence})`).join(", ")}.`,
    `- Caps: per market ${pct(a.caps.perMarket, 1)}, per event ${pct(a.caps.perEvent, 1)}, per cluster ${pct(a.caps.perCluster.default, 1)} (default), total ${pct(a.caps.total, 1)}.`,
    `- Spreads: ${a.spreads}.`,
    `- Depth: ${a.depth}. Fee: ${a.fee.model} taker rate ${a.fee.takerRate}, exponent ${a.fee.exponent}.`,
    `- Estimators: ${a.estimators.join(", ") || "none"}; prior: ${a.prior ?? "none"} (shrinks an estimate, never used alone).`,
    `- Dutch-book guards: quotes ≤ ${a.dutchGuards.maxQuoteAgeMs / 1000} s old and ≤ ${a.dutchGuards.maxQuoteSkewMs / 1000} s apart, |Σ − 1| ≤ ${a.dutchGuards.maxDeviation}, leg depth ≥ $${a.dutchGuards.minLegDepthUsd}, min profit ${a.dutchGuards.minProfitPerSet}/set.`,
    "",
  );
  const sc = r.scores;
  lines.push("## Scores (engine p vs the market price, lower is better)", "");
  lines.push(
    `Market price on every point: Brier **${sc.all.brierMarket.toFixed(4)}**, log-loss ${sc.all.logLossMarket.toFixed(4)} over ${sc.all.points.toLocaleString("en-US")} points.` +
      (sc.priorAlone
        ? ` The favourite-bias prior read alone as a forecast (diagnostic, never traded): Brier ${sc.priorAlone.brier.toFixed(4)}, log-loss ${sc.priorAlone.logLoss.toFixed(4)}.`
        : ""),
    "",
    "| points | n | Brier engine | Brier market | log-loss engine | log-loss market |",
    "|---|---:|---:|---:|---:|---:|",
    scoreRow("with an estimate", sc.estimated),
    scoreRow("traded (at entry)", sc.traded),
    "",
    "| price bin | points | mean price | observed YES rate |",
    "|---|---:|---:|---:|",
  );
  for (const row of sc.reliability) {
    lines.push(
      `| ${row.lo.toFixed(1)}–${row.hi.toFixed(1)} | ${row.count} | ${row.meanPrice.toFixed(4)} | ${row.observed.toFixed(4)} |`,
    );
  }
  lines.push("", "## Abstentions", "", "| reason | points | example |", "|---|---:|---|");
  for (const [kind, count] of Object.entries(r.abstentions.byKind)) {
    if (count === 0) continue;
    const example = r.abstentions.examples[kind as keyof typeof r.abstentions.examples]?.[0] ?? "";
    lines.push(`| ${kind} | ${count.toLocaleString("en-US")} | ${example.replace(/\|/g, "/")} |`);
  }
  lines.push("", "## Returns", "");
  const ret = r.returns;
  const ci = ret.returnPerDollar;
  lines.push(
    `- Directional trades: ${ret.trades} (${ret.wins} won), P&L ${pct(ret.directionalPnl)} of the starting bankroll; ` +
      `realised ${pct(ci.estimate)}/$ (95 % bootstrap ${pct(ci.lo)} … ${pct(ci.hi)}) vs ${pct(ret.expectedPerDollar)}/$ expected.`,
    `- Dutch-book P&L: ${pct(ret.dutchPnl)}.`,
    `- Final equity ${ret.finalEquity.toFixed(6)} (return ${pct(ret.totalReturn)}), max drawdown ${pct(ret.maxDrawdown)}.`,
    "",
    "![equity](equity.svg)",
    "",
  );
  if (ret.tradeList.length > 0) {
    lines.push(
      "| market | side | tier | entry | fill | stake | p ± se | source | won | P&L |",
      "|---|---|---|---|---:|---:|---:|---|---|---:|",
    );
    for (const t of ret.tradeList) {
      lines.push(
        `| ${t.slug} | ${t.side} | ${t.tier} | ${iso(t.entryTs)} | ${t.fill.toFixed(4)} | ${pct(t.stake, 3)} | ${t.estimate.toFixed(3)} ± ${t.stdError.toFixed(3)} | ${t.source} | ${t.won ? "yes" : "no"} | ${pct(t.pnl, 3)} |`,
      );
    }
    lines.push("");
  }
  const d = r.dutchBook;
  lines.push("## Dutch books (the production detector)", "");
  lines.push(
    `Groups: ${d.groupsChecked.join(", ") || "none"}. ${d.checks.toLocaleString("en-US")} checks; refused by guard: ${
      Object.entries(d.refusedByGuard)
        .map(([g, n]) => `${g} ${n}`)
        .join(", ") || "none"
    }. Episodes: ${d.episodes.length}, profit $${d.totalProfitUsd.toFixed(2)}.`,
    "",
  );
  if (d.episodes.length > 0) {
    lines.push(
      "| group | side | status | from | to | Σ mids | best profit/set | sets | capital USD | profit USD |",
      "|---|---|---|---|---|---:|---:|---:|---:|---:|",
    );
    for (const e of d.episodes) {
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

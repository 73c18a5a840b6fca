import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { equitySvg } from "../../../keeper/backtest/equityChart.js";
import { defaultReplayConfig, runReplay, type ReplayReport } from "../../../keeper/backtest/replay.js";
import { parseCsv } from "../../../keeper/signals/replay/csv.js";
import { DATA_DIR } from "./helpers/recordedServer.js";

const DIR = path.join(DATA_DIR, "polymarket/resolved-markets-timeseries-jan2026");
const RBA = [
  "will-the-reserve-bank-of-australia-decrease-the-target-for-the-cash-rate-after-the-february-meeting",
  "will-the-reserve-bank-of-australia-increase-the-target-for-the-cash-rate-after-the-february-meeting",
  "will-the-reserve-bank-of-australia-make-no-change-to-the-target-for-the-cash-rate-after-the-february-meeting",
];
const SLUGS = [
  ...RBA,
  "arg-aaj-bel-2026-02-02-bel",
  "microstrategy-announces-1000-btc-purchase-january-27-february-2",
  "will-hyperliquid-reach-38-by-december-31-2026",
];

interface Row {
  slug: string;
  t: number;
  p: number;
}

describe("backtest: replay of a few recorded markets against an independent computation", function () {
  let report: ReplayReport;
  let rows: Row[];
  let outcome: Map<string, number>;
  const progress: string[] = [];
  // Two analyst estimates stand in for an estimator, so the trade path runs; the rest abstain.
  const ANALYST = {
    "arg-aaj-bel-2026-02-02-bel:yes": { p: 0.8, confidence: 0.9, source: "analyst" },
    "microstrategy-announces-1000-btc-purchase-january-27-february-2:no": {
      p: 0.9,
      confidence: 0.9,
      source: "analyst",
    },
  };
  const base = defaultReplayConfig();
  const config = defaultReplayConfig({ strategy: { ...base.strategy, estimates: ANALYST } });

  before(async function () {
    const outDir = await mkdtemp(path.join(tmpdir(), "replay-"));
    report = await runReplay({
      dataDir: DATA_DIR,
      outDir,
      onlySlugs: new Set(SLUGS),
      onProgress: (p) => progress.push(p.phase),
      config,
    });
    // Independent read: hyparquet objects (not the replay's columnar path) and a plain CSV split.
    const objects = await parquetReadObjects({
      file: await asyncBufferFromFile(path.join(DIR, "resolved_markets.parquet")),
      columns: ["timestamp", "market_slug", "price"],
      compressors,
    });
    rows = objects
      .filter((o) => SLUGS.includes(o.market_slug as string))
      .map((o) => ({
        slug: o.market_slug as string,
        t: (o.timestamp as Date).getTime(),
        p: o.price as number,
      }));
    const [, ...index] = parseCsv(await readFile(path.join(DIR, "markets_index.csv"), "utf8"));
    outcome = new Map(index.filter((r) => r.length > 3).map((r) => [r[1] as string, Number(r[3])]));
  });

  it("covers exactly the selected markets and points, and reports progress", function () {
    expect(report.dataset.markets).to.equal(SLUGS.length);
    expect(report.dataset.points).to.equal(rows.length);
    expect(report.dataset.firstTs).to.equal(Math.min(...rows.map((r) => r.t)));
    expect(report.dataset.lastTs).to.equal(Math.max(...rows.map((r) => r.t)));
    expect(progress).to.include.members(["load", "replay", "report"]);
    expect(report.variant).to.deep.equal({ metadata: true, spreads: "modelled" });
  });

  it("market Brier, log-loss and reliability match a direct computation", function () {
    let brier = 0;
    let log = 0;
    const counts = new Array(10).fill(0) as number[];
    const hits = new Array(10).fill(0) as number[];
    for (const r of rows) {
      const o = outcome.get(r.slug) as number;
      brier += (r.p - o) ** 2;
      const q = Math.min(1 - 1e-4, Math.max(1e-4, r.p));
      log += -(o === 1 ? Math.log(q) : Math.log(1 - q));
      const b = Math.min(9, Math.floor(r.p * 10));
      counts[b] = (counts[b] as number) + 1;
      hits[b] = (hits[b] as number) + o;
    }
    expect(report.scores.all.brierMarket).to.be.closeTo(brier / rows.length, 1e-12);
    expect(report.scores.all.logLossMarket).to.be.closeTo(log / rows.length, 1e-12);
    expect(report.scores.reliability.map((r) => r.count)).to.deep.equal(counts);
    report.scores.reliability.forEach((r, b) => {
      if ((counts[b] as number) > 0)
        expect(r.observed).to.be.closeTo((hits[b] as number) / (counts[b] as number), 1e-12);
    });
  });

  it("markets without an estimate abstain with their reason; the favourite-bias map never trades alone", function () {
    const traded = new Set(report.returns.tradeList.map((t) => t.slug));
    expect([...traded].every((slug) => Object.keys(ANALYST).some((k) => k.startsWith(slug)))).to.equal(true);
    expect(report.abstentions.byKind["no-estimate"]).to.be.greaterThan(0);
    expect(report.abstentions.examples["no-estimate"]?.[0]).to.equal(
      "cross-venue: no counterpart on another venue; price-threshold: not a price-threshold market",
    );
  });

  it("every trade filled at the recorded price + half-spread + slippage, passed the gate, settled at the outcome", function () {
    const { tradeList } = report.returns;
    expect(tradeList.length).to.be.greaterThan(0);
    let pnl = 0;
    let brierEngine = 0;
    let brierMarket = 0;
    const tiers = new Map(config.strategy.tiers.map((t) => [t.name, t.fraction]));
    for (const t of tradeList) {
      const printed = rows.filter((r) => r.slug === t.slug && r.t === t.entryTs).map((r) => r.p);
      expect(printed).to.include(t.recordedPrice);
      const side = t.side === "YES" ? t.recordedPrice : 1 - t.recordedPrice;
      const halfSpread = Math.max(0.0005, 0.02 * t.recordedPrice * (1 - t.recordedPrice));
      // Slippage: $2,000 within 0.02 of the ask, the tier's dollars of a $100,000 bankroll.
      const slippage = (0.02 * (tiers.get(t.tier) as number) * 100_000) / 2_000 / 2;
      expect(t.fill).to.be.closeTo(Math.min(1, side + halfSpread) + slippage, 1e-12);
      expect(t.feePerShare).to.be.closeTo(0.05 * t.fill * (1 - t.fill), 1e-12);
      const cost = t.fill + t.feePerShare;
      expect(t.shares).to.be.closeTo(t.stake / cost, 1e-12);
      expect(t.evLowerBound).to.be.closeTo(t.estimate - 1.645 * t.stdError - cost, 1e-12);
      expect(t.evLowerBound).to.be.greaterThan(0);
      const o = outcome.get(t.slug) as number;
      const won = (t.side === "YES" ? o : 1 - o) === 1;
      expect(t.won).to.equal(won);
      expect(t.pnl).to.be.closeTo((won ? t.shares : 0) - t.stake, 1e-12);
      expect(t.fraction).to.be.at.most(report.assumptions.caps.perMarket);
      pnl += t.pnl;
      const pYes = t.side === "YES" ? t.estimate : 1 - t.estimate;
      brierEngine += (pYes - o) ** 2;
      brierMarket += (t.recordedPrice - o) ** 2;
    }
    expect(report.returns.directionalPnl).to.be.closeTo(pnl, 1e-12);
    expect(report.scores.traded.points).to.equal(tradeList.length);
    expect(report.scores.traded.brierEngine).to.be.closeTo(brierEngine / tradeList.length, 1e-12);
    expect(report.scores.traded.brierMarket).to.be.closeTo(brierMarket / tradeList.length, 1e-12);
    const staked = tradeList.reduce((a, t) => a + t.stake, 0);
    expect(report.returns.returnPerDollar.estimate).to.be.closeTo(pnl / staked, 1e-12);
    expect(report.returns.returnPerDollar.lo).to.be.at.most(report.returns.returnPerDollar.estimate);
    expect(report.returns.returnPerDollar.hi).to.be.at.least(report.returns.returnPerDollar.estimate);
    // Everything settles inside the recording: equity = 1 + directional + Dutch-book P&L.
    expect(report.returns.finalEquity).to.be.closeTo(1 + pnl + report.returns.dutchPnl, 1e-9);
  });

  it("Dutch books on the RBA group go through the production detector and its guards", function () {
    const d = report.dutchBook;
    expect(d.groupsChecked).to.deep.equal(["rba-feb-2026-decision"]);
    const refused = Object.values(d.refusedByGuard).reduce((a, b) => a + b, 0);
    expect(refused).to.be.at.most(d.checks);
    expect(d.checks).to.be.greaterThan(0);
    expect(d.episodes.length).to.be.greaterThan(0);
    for (const e of d.episodes) {
      const legs = RBA.map((slug) => {
        const before = rows.filter((r) => r.slug === slug && r.t <= e.startTs);
        return before[before.length - 1] as Row;
      });
      // Quotes of one instant: every leg printed within 60 s of the check, 5 s of each other.
      const times = legs.map((r) => r.t);
      expect(e.startTs - Math.min(...times)).to.be.at.most(60_000);
      expect(Math.max(...times) - Math.min(...times)).to.be.at.most(5_000);
      const sum = legs.reduce((a, r) => a + r.p, 0);
      expect(e.priceSum).to.be.closeTo(sum, 1e-9);
      expect(Math.abs(sum - 1)).to.be.at.most(0.1 + 0.03);
      const hs = (p: number) => Math.max(0.0005, 0.02 * p * (1 - p));
      const fee = (p: number) => 0.05 * p * (1 - p);
      const profit =
        e.side === "buy-all"
          ? 1 - legs.reduce((a, r) => a + Math.min(1, r.p + hs(r.p)) + fee(Math.min(1, r.p + hs(r.p))), 0)
          : legs.reduce((a, r) => a + Math.max(0, r.p - hs(r.p)) - fee(Math.max(0, r.p - hs(r.p))), 0) - 1;
      expect(profit).to.be.at.least(0.005 - 1e-12);
      expect(e.bestProfitPerSet).to.be.at.least(profit - 1e-12);
      if (e.status === "traded" && e.sets > 0) expect(e.profitUsd / e.sets).to.be.closeTo(profit, 1e-9);
      else expect(e.profitUsd).to.equal(0);
    }
  });

  it("drawdown, equity curve and the written files agree with the returned report", async function () {
    let peak = -Infinity;
    let sampledDrawdown = 0;
    for (const p of report.equityCurve) {
      peak = Math.max(peak, p.equity);
      sampledDrawdown = Math.max(sampledDrawdown, (peak - p.equity) / peak);
    }
    // The hourly samples can only miss a trough, never invent one.
    expect(report.returns.maxDrawdown).to.be.at.least(sampledDrawdown - 1e-12);
    expect(report.equityCurve.at(-1)?.equity).to.be.closeTo(report.returns.finalEquity, 1e-12);
    const json = JSON.parse(await readFile(report.files.json, "utf8")) as ReplayReport;
    expect(json.returns.finalEquity).to.equal(report.returns.finalEquity);
    const svg = await readFile(report.files.svg, "utf8");
    expect(svg.startsWith("<svg")).to.equal(true);
    expect(svg).to.match(/<path d="M[^"]+" fill="none"[^>]*stroke="#1f5fbf"/);
    const markdown = await readFile(report.files.markdown, "utf8");
    expect(markdown).to.contain(`**${report.scores.all.brierMarket.toFixed(4)}**`);
    expect(markdown).to.contain("| no-estimate |");
    expect(markdown).not.to.contain("last price");
    expect(report.performance.peakRssMb).to.be.greaterThan(0);
  });

  it("equitySvg (ECharts, server-side SVG) draws the curve through each point and its drawdown, and says so when there is no data", function () {
    const svg = equitySvg(
      [
        { t: 0, equity: 1 },
        { t: 1_000, equity: 0.9 },
        { t: 2_000, equity: 1.1 },
      ],
      { title: "P&L <test>" },
    );
    expect(svg).to.match(/^<svg width="900" height="360"[^>]+viewBox="0 0 900 360"/);
    expect(svg).to.contain("P&amp;L &lt;test&gt;");
    // the curve: one vertex per point, left to right; the dip is the lowest on the page (largest y)
    const d = /<path d="([^"]+)" fill="none"[^>]*stroke="#1f5fbf"/.exec(svg)?.[1];
    const vertices = d!
      .split(/[ML]/)
      .filter(Boolean)
      .map((v) => v.split(" ").map(Number) as [number, number]);
    expect(vertices).to.have.length(3);
    expect(vertices[0]![0]).to.be.below(vertices[1]![0]);
    expect(vertices[1]![0]).to.be.below(vertices[2]![0]);
    expect(vertices[1]![1]).to.be.above(vertices[0]![1]);
    expect(vertices[2]![1]).to.be.below(vertices[0]![1]);
    // the drawdown between the running peak and the curve is a filled area
    expect(svg).to.match(/<path d="M[^"]+Z" fill="#f4b6b6"/);
    expect(equitySvg([])).to.contain("no data");
  });
});

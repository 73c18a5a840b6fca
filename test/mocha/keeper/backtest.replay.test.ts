import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { equitySvg } from "../../../keeper/backtest/equityChart.js";
import { favouriteBiasCalibration } from "../../../keeper/backtest/favouriteBias.js";
import { defaultReplayConfig, runReplay, type ReplayReport } from "../../../keeper/backtest/replay.js";
import { scoreAllPoints } from "../../../keeper/backtest/throughput.js";
import { loadResolvedDataset } from "../../../keeper/signals/replay/resolvedTimeseries.js";
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

  before(async function () {
    const outDir = await mkdtemp(path.join(tmpdir(), "replay-"));
    report = await runReplay({
      dataDir: DATA_DIR,
      outDir,
      onlySlugs: new Set(SLUGS),
      onProgress: (p) => progress.push(p.phase),
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
  });

  it("Brier score and reliability table match a direct computation", function () {
    let brier = 0;
    const counts = new Array(10).fill(0) as number[];
    const hits = new Array(10).fill(0) as number[];
    for (const r of rows) {
      const o = outcome.get(r.slug) as number;
      brier += (r.p - o) ** 2;
      const b = Math.min(9, Math.floor(r.p * 10));
      counts[b] = (counts[b] as number) + 1;
      hits[b] = (hits[b] as number) + o;
    }
    expect(report.calibration.brierMarket).to.be.closeTo(brier / rows.length, 1e-12);
    expect(report.calibration.reliability.map((r) => r.count)).to.deep.equal(counts);
    report.calibration.reliability.forEach((r, b) => {
      if ((counts[b] as number) > 0)
        expect(r.observed).to.be.closeTo((hits[b] as number) / (counts[b] as number), 1e-12);
    });
  });

  it("every trade entered at the recorded price plus the half-spread and settled at the recorded outcome", function () {
    const { tradeList } = report.returns;
    expect(tradeList.length).to.be.greaterThan(0);
    let pnl = 0;
    for (const t of tradeList) {
      const printed = rows.filter((r) => r.slug === t.slug && r.t === t.entryTs).map((r) => r.p);
      expect(printed).to.include(t.recordedPrice);
      const side = t.side === "YES" ? t.recordedPrice : 1 - t.recordedPrice;
      const halfSpread = Math.max(0.0005, 0.02 * t.recordedPrice * (1 - t.recordedPrice));
      expect(t.ask).to.be.closeTo(side + halfSpread, 1e-12);
      // 5 % Polymarket fee on the ask: 0.05 × ask × (1 − ask).
      expect(t.feePerShare).to.be.closeTo(0.05 * t.ask * (1 - t.ask), 1e-12);
      expect(t.shares).to.be.closeTo(t.stake / (t.ask + t.feePerShare), 1e-12);
      const won = (t.side === "YES" ? outcome.get(t.slug) : 1 - (outcome.get(t.slug) as number)) === 1;
      expect(t.won).to.equal(won);
      expect(t.pnl).to.be.closeTo((won ? t.shares : 0) - t.stake, 1e-12);
      expect(t.fraction).to.be.at.most(report.assumptions.caps.perMarket);
      pnl += t.pnl;
    }
    expect(report.returns.directionalPnl).to.be.closeTo(pnl, 1e-12);
    // Everything settles inside the recording: equity = 1 + directional + Dutch-book P&L.
    expect(report.returns.finalEquity).to.be.closeTo(1 + pnl + report.returns.dutchPnl, 1e-9);
  });

  it("Dutch-book episodes on the RBA group price the legs' last prints as recorded", function () {
    const episodes = report.dutchBook.episodes;
    expect(report.dutchBook.groupsChecked).to.deep.equal(["rba-feb-2026-decision"]);
    expect(episodes.length).to.be.greaterThan(0);
    for (const e of episodes) {
      const legs = RBA.map((slug) => {
        const before = rows.filter((r) => r.slug === slug && r.t <= e.startTs);
        return before[before.length - 1] as Row;
      });
      const sum = legs.reduce((a, r) => a + r.p, 0);
      expect(e.priceSum).to.be.closeTo(sum, 1e-9);
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
      expect(e.status === "implausible").to.equal(Math.abs(sum - 1) > 0.1);
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
    expect(svg).to.contain("<polyline");
    const markdown = await readFile(report.files.markdown, "utf8");
    expect(markdown).to.contain(`**${report.calibration.brierMarket.toFixed(4)}**`);
    expect(report.performance.peakRssMb).to.be.greaterThan(0);
  });

  it("the throughput loop scores every point with the same gates and sizing as the replay", async function () {
    const dataset = await loadResolvedDataset(DATA_DIR, { onlySlugs: new Set(SLUGS) });
    const config = defaultReplayConfig(await favouriteBiasCalibration(DATA_DIR));
    const tally = scoreAllPoints(dataset, config);
    expect(tally.scored).to.equal(rows.length);
    // Tail prices (< 0.03 or > 0.97) are blocked; count them directly.
    const tails = rows.filter((r) => r.p < 0.03 || r.p > 0.97).length;
    expect(tally.blocked).to.equal(tails);
    // Every replayed entry happened at a point the loop also sized.
    expect(tally.sized).to.be.at.least(report.returns.trades);
  });

  it("equitySvg draws the curve and its drawdown, and says so when there is no data", function () {
    const svg = equitySvg([
      { t: 0, equity: 1 },
      { t: 1_000, equity: 0.9 },
      { t: 2_000, equity: 1.1 },
    ]);
    expect(svg).to.match(/^<svg[^>]+viewBox="0 0 900 360"/);
    expect(svg.match(/<polyline points="([^"]+)"/)?.[1]?.split(" ")).to.have.length(3);
    expect(svg).to.contain("<polygon");
    expect(equitySvg([])).to.contain("no data");
  });
});

import { expect } from "chai";
import {
  replayControlSet,
  scoreWorkload,
  shortDatedStrategyConfig,
  thresholdSkill,
  thresholdWorkload,
  windowStartOf,
} from "../../../keeper/backtest/btcMarkets.js";
import { favouriteBiasCalibration } from "../../../keeper/backtest/favouriteBias.js";
import { loadDataStreamsBtc } from "../../../keeper/backtest/oracleTicks.js";
import { loadRecordedSpreads } from "../../../keeper/backtest/replay.js";
import { MODELLED_SPREAD } from "../../../keeper/backtest/spreads.js";
import { loadBtc15m, loadBtc5m } from "../../../keeper/signals/replay/recordedMarkets.js";
import { defaultEstimatorConfig, monotoneCalibration } from "../../../keeper/strategy/estimators.js";
import { DATA_DIR } from "./helpers/recordedServer.js";

describe("backtest: BTC up/down markets (control set, price-threshold skill, throughput workload)", function () {
  it("[acceptance] the 15-minute control set: with metadata, every estimate abstains on its EV lower bound", async function () {
    const series = (await loadBtc15m(DATA_DIR)).items;
    const prior = monotoneCalibration(await favouriteBiasCalibration(DATA_DIR));
    const config = shortDatedStrategyConfig({
      estimators: { ...defaultEstimatorConfig(), order: ["price-threshold"], prior },
    });
    for (const spreads of [await loadRecordedSpreads(DATA_DIR), MODELLED_SPREAD]) {
      const report = replayControlSet(series, { spreads, depthUsd: 2_000, config });
      expect(report.markets).to.equal(200);
      expect(report.snapshots).to.equal(6_800);
      expect(report.trades).to.equal(0);
      // Metadata present: no snapshot is stopped by a gate (rules, source, end date, fee all known).
      expect(report.abstentions.gate).to.equal(0);
      // Points before the window opens get p = 1/2 and fail the lower bound; the 2 × 200 prints just
      // after the open have no Jan-2026 oracle feed and abstain for that.
      expect(report.abstentions["ev-lower-bound"]).to.equal(6_400);
      expect(report.abstentions["no-estimate"]).to.equal(400);
      expect(report.examples["no-estimate"]).to.deep.equal(["price-threshold: no oracle series for BTC/USD"]);
      expect(report.estimated).to.equal(6_400);
    }
  });

  it("without the prior the same gate still refuses 6,397 of 6,400 coin flips; the 3 left are one market at 0.41", async function () {
    const series = (await loadBtc15m(DATA_DIR)).items;
    const report = replayControlSet(series, {
      spreads: await loadRecordedSpreads(DATA_DIR),
      depthUsd: 2_000,
    });
    expect(report.trades).to.equal(3);
    expect(report.abstentions["ev-lower-bound"] + report.abstentions["below-tier"]).to.equal(6_397);
  });

  it("window opens come from the slug", function () {
    expect(windowStartOf("btc-updown-15m-1768191300")).to.equal(1_768_191_300_000);
    expect(windowStartOf("not-a-window")).to.equal(null);
  });

  it("the price-threshold model has skill on the 5-minute set from the Data Streams ticks alone", async function () {
    const [markets, oracle] = await Promise.all([loadBtc5m(DATA_DIR), loadDataStreamsBtc(DATA_DIR)]);
    expect(oracle.rejected).to.deep.equal([]);
    expect(oracle.series.t.length).to.equal(78_515);
    const rows = thresholdSkill(markets.items, oracle.series, [240, 60, 10]);
    for (const row of rows) {
      expect(row.markets).to.be.greaterThan(250);
      expect(row.brierModel).to.be.lessThan(row.brierCoin);
    }
    // Closer to the close the model knows more.
    expect((rows[2] as (typeof rows)[number]).brierModel).to.be.lessThan(
      (rows[0] as (typeof rows)[number]).brierModel,
    );
  });

  it("the throughput workload puts a real estimate on every snapshot that passes the gates", async function () {
    const [markets, oracle] = await Promise.all([loadBtc5m(DATA_DIR), loadDataStreamsBtc(DATA_DIR)]);
    const workload = thresholdWorkload(markets.items, oracle.series);
    // 274 markets with a strike × 300 seconds each.
    expect(workload.items.length).to.equal(workload.snapshots.length * 300);
    const tally = scoreWorkload(workload, shortDatedStrategyConfig());
    expect(tally.scored).to.equal(workload.items.length);
    expect(tally.reachedEstimation).to.equal(tally.scored);
    expect(tally.estimated).to.be.greaterThan(0.95 * tally.scored);
    expect(tally.sized).to.be.greaterThan(0);
    expect(tally.sized).to.be.lessThan(tally.estimated);
  });
});

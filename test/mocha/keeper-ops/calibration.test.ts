import { expect } from "chai";
import { trackCalibration } from "../../../keeper/service/calibration.js";
import { createKeeperMetrics } from "../../../keeper/http/keeperMetrics.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { calibrationByEstimator } from "../../../keeper/strategy/calibration.js";

const snap = (tokenId: string, price: number, resolvedValue: 0 | 1 | null) => ({
  venue: "polymarket",
  tokenId,
  marketId: `m-${tokenId}`,
  price,
  resolvedValue,
});
const used = (tokenId: string, p: number, source = "price-threshold") => ({
  tokenId,
  marketId: `m-${tokenId}`,
  estimate: { p, stdError: 0.03, source, inputs: { strike: 100 } },
});

describe("keeper: live calibration tracking", function () {
  it("stores each estimate with its market, time and price; records the resolution when it comes", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const first = await trackCalibration(
      store,
      [snap("a", 0.6, null), snap("b", 0.3, null)],
      [used("a", 0.7), used("b", 0.2), used("unknown", 0.5)],
      1_000,
    );
    expect(first).to.deep.equal({ recorded: 2, resolved: 0 });
    const open = await store.listEstimates({ resolved: false });
    expect(open.map((e) => [e.tokenId, e.p, e.marketPrice, e.estimatedAt, e.outcome])).to.deep.equal([
      ["a", 0.7, 0.6, 1_000, null],
      ["b", 0.2, 0.3, 1_000, null],
    ]);
    expect(JSON.parse(open[0]?.inputsJson ?? "{}")).to.deep.equal({ strike: 100 });
    // Next cycle: "a" resolved YES, "b" resolved NO; a resolved market gets no new estimate.
    const second = await trackCalibration(store, [snap("a", 1, 1), snap("b", 0, 0)], [used("a", 0.9)], 2_000);
    expect(second).to.deep.equal({ recorded: 0, resolved: 2 });
    const resolved = await store.listEstimates({ resolved: true });
    expect(resolved.map((e) => [e.tokenId, e.outcome, e.resolvedAt])).to.deep.equal([
      ["a", 1, 2_000],
      ["b", 0, 2_000],
    ]);
    await store.close();
  });

  it("scores each estimator against the market baseline (worked numbers) and serves them on /metrics", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    await trackCalibration(
      store,
      [snap("a", 0.6, null), snap("b", 0.3, null)],
      [used("a", 0.7), used("b", 0.2)],
      1,
    );
    await trackCalibration(store, [snap("c", 0.5, null)], [used("c", 0.5, "cross-venue")], 1);
    await trackCalibration(store, [snap("a", 1, 1), snap("b", 0, 0)], [], 2);
    const rows = calibrationByEstimator(await store.listEstimates());
    // price-threshold: Brier ((0.3)² + (0.2)²)/2 = 0.065 vs market ((0.4)² + (0.3)²)/2 = 0.125.
    expect(rows.map((r) => r.estimator)).to.deep.equal(["cross-venue", "price-threshold"]);
    const pt = rows[1];
    expect(pt?.resolved).to.equal(2);
    expect(pt?.brierEstimate).to.be.closeTo(0.065, 1e-12);
    expect(pt?.brierMarket).to.be.closeTo(0.125, 1e-12);
    expect(pt?.logLossEstimate).to.be.closeTo(-(Math.log(0.7) + Math.log(0.8)) / 2, 1e-12);
    expect(pt?.logLossMarket).to.be.closeTo(-(Math.log(0.6) + Math.log(0.7)) / 2, 1e-12);
    expect(rows[0]).to.include({ resolved: 0, open: 1, brierEstimate: null });
    const metrics = createKeeperMetrics(store);
    const text = await metrics.registry.render();
    expect(text).to.include('keeper_estimator_brier{estimator="price-threshold",forecast="estimate"} 0.065');
    expect(text).to.include('keeper_estimator_brier{estimator="price-threshold",forecast="market"} 0.125');
    expect(text).to.include('keeper_estimator_resolved{estimator="price-threshold"} 2');
    await store.close();
  });
});

import { expect } from "chai";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Measurements,
  NAV_SCALING_POINTS,
  SETTLE_SCALING_POINTS,
  assertResultsShape,
  buildResults,
  evaluateTargets,
  median,
  percentile,
  writeResults,
} from "../../../bench/results.js";
import { renderBenchmarksMarkdown } from "../../../bench/report.js";
import { scalingSvg } from "../../../bench/scalingChart.js";
import {
  PM_CLOSE_POINTS,
  PM_MAX_SET_SIZE,
  PM_NAV_POINTS,
  PM_REFUSED_SET_SIZE,
  PM_SET_SIZES,
  type PolymarketGas,
  polymarketFigures,
} from "../../../bench/polymarketGas.js";

/** A tiny synthetic run: every operation just inside or just outside its target, chosen per test. */
function synthetic(overrides: Record<string, readonly number[]> = {}): Measurements {
  return {
    gas: {
      requestDeposit: [90_000, 100_000, 95_000],
      requestRedeem: [80_001, 80_001, 70_000],
      claimDeposit: [50_000],
      claimRedeem: [61_000],
      settle_1: [150_000],
      settle_3: [210_000],
      settle_8: [400_000],
      gate_2of3_overhead: [30_000],
      gate_2of3_exec: [60_000],
      safe_2of3_exec: [75_000],
      safe_2of3_overhead: [40_000],
      swapHandler_overhead: [45_001],
      oz4626_deposit: [50_000],
      oz4626_redeem: [40_000],
      ...overrides,
    },
    settleByRequests: Object.fromEntries(SETTLE_SCALING_POINTS.map((n) => [String(n), [150_000 + n * 10]])),
    navByConnectors: Object.fromEntries(NAV_SCALING_POINTS.map((n) => [String(n), [40_000 * n + 30_000]])),
    keeper: {
      snapshotsPerSec: 1_000,
      replaySeconds: 2.5,
      replayPeakMB: 150,
      cycleMsMedian: null,
      cycleMsP95: null,
      notMeasured: { cycleMsMedian: "synthetic", cycleMsP95: "synthetic" },
    },
    meta: { commit: "abc123", date: "2026-01-01T00:00:00.000Z" },
  };
}

describe("bench: results file writer and target classification", function () {
  it("checks the in-process cycle compute against its 100 ms median target, only when it was measured", function () {
    const measured = (median: number) => {
      const m = synthetic();
      return evaluateTargets(
        buildResults({
          ...m,
          keeper: { ...m.keeper, cycleMsMedian: median, cycleMsP95: median, notMeasured: {} },
        }),
      );
    };
    const name = "in-process keeper cycle compute, median";
    expect(measured(99.9).find((c) => c.name === name)?.status).to.equal("met");
    expect(measured(100).find((c) => c.name === name)?.status).to.equal("MISSED by 0");
    expect(measured(158.5).find((c) => c.name === name)?.status).to.equal("MISSED by 59");
    expect(evaluateTargets(buildResults(synthetic())).some((c) => c.name === name)).to.equal(false);
  });

  it("writes the issue's JSON shape with medians and derived ratios, and reads back the same", async function () {
    const results = buildResults(synthetic());
    const file = await writeResults(
      path.join(await mkdtemp(path.join(tmpdir(), "bench-")), "results.json"),
      results,
    );
    const back = JSON.parse(await readFile(file, "utf8")) as unknown;
    assertResultsShape(back);
    expect(Object.keys(back)).to.deep.equal(["gas", "scaling", "ratios", "keeper", "meta"]);
    expect(back.gas.requestDeposit).to.equal(95_000); // median of three
    expect(back.gas.nav_3).to.equal(150_000); // taken from the NAV curve at 3 connectors
    expect(Object.keys(back.scaling.settle)).to.deep.equal(["1", "10", "100", "200"]);
    expect(Object.keys(back.scaling.nav)).to.have.length(16);
    expect(back.ratios.deposit_vs_oz4626).to.equal((95_000 + 50_000) / 50_000);
    expect(back.ratios.gate_vs_safe_2of3).to.equal(0.8);
    expect(back.keeper.cycleMsMedian).to.equal(null);
    expect(back.meta).to.deep.equal({ commit: "abc123", date: "2026-01-01T00:00:00.000Z" });
  });

  it("classifies each target as met or MISSED by the excess, including derived ones", function () {
    const checks = evaluateTargets(buildResults(synthetic()));
    const status = Object.fromEntries(checks.map((c) => [c.name, c.status]));
    expect(status).to.deep.include({
      requestDeposit: "met",
      requestRedeem: "MISSED by 1",
      claimDeposit: "met",
      claimRedeem: "MISSED by 1,000",
      settle_1: "met",
      "settle, per extra connector (1 → 3)": "met", // (210k - 150k) / 2 = 30k, on the target
      "settle, per extra connector (1 → 8)": "MISSED by 5,714", // (400k - 150k) / 7 = 35,714
      "settle flat in pending requests (200 vs 1)": "met", // 152,000 <= 1.05 × 150,010
      nav_3: "met",
      gate_2of3_overhead: "met",
      "gate 2-of-3 below the Safe's": "met",
      swapHandler_overhead: "MISSED by 1",
    });
    const withClaims = evaluateTargets(
      buildResults(synthetic({ claimMint: [59_000], claimWithdraw: [60_500] })),
    );
    expect(withClaims.filter((c) => c.name.startsWith("claim")).map((c) => c.status)).to.deep.equal([
      "met",
      "MISSED by 1,000",
      "met",
      "MISSED by 500",
    ]);
    const slower = evaluateTargets(buildResults(synthetic({ gate_2of3_exec: [75_000] })));
    expect(slower.find((c) => c.name === "gate 2-of-3 below the Safe's")?.status).to.equal("MISSED by 0.000");
  });

  it("judges user-paid claims, the gated settlement and contract sizes; floors become ratios", function () {
    const measurements: Measurements = {
      ...synthetic({
        claimRedeem_full: [60_001],
        claimDeposit_firstPartial: [75_000],
        claimRedeem_firstPartial: [75_500],
        settle_gated_3funded: [259_000],
      }),
      floors: { claimRedeem_full: [40_000] },
      sizes: { AccountingManager: 22_529, VaultLens: 4_000 },
    };
    const results = buildResults(measurements);
    expect(results.ratios.claimRedeem_full_vs_floor).to.equal(1.5);
    expect(results.floors).to.deep.equal({ claimRedeem_full: 40_000 });
    const status = Object.fromEntries(evaluateTargets(results).map((c) => [c.name, c.status]));
    expect(status).to.deep.include({
      claimRedeem_full: "MISSED by 1",
      claimDeposit_firstPartial: "met",
      claimRedeem_firstPartial: "MISSED by 500",
      settle_gated_3funded: "met",
      "AccountingManager runtime size": "MISSED by 1",
      "VaultLens runtime size": "met",
    });
    const page = renderBenchmarksMarkdown(results, evaluateTargets(results));
    expect(page).to.include("| `claimRedeem_full` | 60,001 | 40,000 | 1.5 |");
    expect(page).to.include("| AccountingManager | 22,529 | 2,047 |");
  });

  it("the signal → mined section shows each block time's median and p95 from latency-results.json, or says it was not measured", function () {
    const results = buildResults(synthetic());
    const stat = (median: number, p95: number) => ({ median, p95, min: median / 2, max: p95 * 2 });
    const latency = {
      measuredAt: "2026-01-01T00:00:00.000Z",
      byBlockTime: {
        "1s": {
          samples: 20,
          failedSamples: 1,
          withdrawnProposals: 2,
          signalToMinedMs: stat(3_878, 5_563),
          signalToProposedMs: stat(1_154, 1_713),
          proposedToMinedMs: stat(2_631, 4_049),
          proposingCycleMs: stat(634, 1_195),
          proposingCycleStepsMsMedian: { signals: 151, evaluate: 9 },
        },
      },
      inProcessCycleMs: { median: 159, p95: null },
    };
    const page = renderBenchmarksMarkdown(results, evaluateTargets(results), latency);
    expect(page).to.include(
      "| 1s blocks: signal → mined (the gate's `Executed` in a block) | 20 (1 failed) | 3,878 ms | 5,563 ms | 1,939 ms – 11,126 ms |",
    );
    expect(page).to.include("signals 151 ms, evaluate 9 ms");
    expect(page).to.include("2 with 1s blocks");
    expect(page).to.include("median 159 ms, p95 not measured");
    expect(renderBenchmarksMarkdown(results, evaluateTargets(results))).to.include(
      "Not measured yet: run `npm run bench:latency`",
    );
  });

  it("the Polymarket figures: each pm_* name is described, per leg is the placing tx over its legs, the refused group is shown", function () {
    const bySize = (base: number) =>
      Object.fromEntries(PM_SET_SIZES.map((n) => [n, BigInt(base + 1_000 * n + 7)]));
    const pm: PolymarketGas = {
      buyLock: bySize(200_000),
      buyLockVenue: bySize(300_000),
      buyConvert: bySize(400_000),
      buyConvertLock: bySize(150_000),
      buyConvertVenue: bySize(310_000),
      refusedSetError: "InvalidQuestionCount(25)",
      maxSetValueGas: 451_000n,
      buyMergeBinary: 500_001n,
      buyMergeBinaryVenue: 360_002n,
      splitSellBinary: 420_003n,
      splitSellBinaryVenue: 350_004n,
      splitSell3: 610_005n,
      splitSell3Venue: 520_006n,
      redeem: 140_007n,
      nav: Object.fromEntries(PM_NAV_POINTS.map((k) => [k, BigInt(30_000 + 9_000 * k)])),
      close: Object.fromEntries(PM_CLOSE_POINTS.map((k) => [k, BigInt(60_000 + 20_000 * k)])),
      caps: { maxConditions: 10, maxOpenOrders: 32 },
    };
    const figures = polymarketFigures(pm);
    const names = Object.keys(figures);
    expect(names.every((name) => /^pm_[A-Za-z]+(_[A-Za-z0-9]+){0,2}$/.test(name))).to.equal(true);
    for (const n of PM_SET_SIZES)
      expect(figures[`pm_buyLock_${n}_perLeg`]).to.equal(pm.buyLock[n]! / BigInt(n));
    expect(names).to.include.members([
      "pm_buyMerge_binary",
      "pm_splitSell_binary",
      "pm_redeem",
      "pm_nav_10",
      "pm_close_32",
    ]);
    const gas = Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, [Number(value)]]));
    const limits = {
      caps: pm.caps,
      refusedSetError: pm.refusedSetError,
      refusedSetSize: PM_REFUSED_SET_SIZE,
      maxSetSize: PM_MAX_SET_SIZE,
    };
    const results = buildResults({ ...synthetic(gas), polymarket: limits });
    const page = renderBenchmarksMarkdown(results, evaluateTargets(results));
    for (const name of names) {
      const row = page.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).to.match(/^\| `[^`]+` \| [\d,]+ \| \S.* \|$/);
    }
    expect(page).to.include("## Polymarket connector (keeper gate vs venue operator)");
    expect(page).to.include("| 3 | 203,007 | 67,669 | 303,007 | 403,007 | — |");
    expect(page).to.include(
      "| 25 | refused: `addNegRiskMarket` reverts `InvalidQuestionCount(25)` | — | — | — | — |",
    );
    expect(renderBenchmarksMarkdown(buildResults(synthetic(gas)), [])).not.to.include(
      "## Polymarket connector",
    );
  });

  it("refuses to write a results set missing a required figure, naming it", async function () {
    const results = buildResults(synthetic());
    const broken = { ...results, keeper: { ...results.keeper, replaySeconds: undefined } };
    let message = "";
    try {
      await writeResults(path.join(tmpdir(), "never-written.json"), broken as never);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.include("keeper.replaySeconds");
    expect(() => buildResults(synthetic({ oz4626_deposit: [] }))).to.throw("median of no values");
  });

  it("the page lists every missed target as MISSED and every unmeasured keeper figure with its reason", function () {
    const results = buildResults(synthetic());
    const page = renderBenchmarksMarkdown(results, evaluateTargets(results));
    expect(page).to.include("**4 of 12 targets are missed**");
    expect(page).to.include("**MISSED by 1,000**");
    expect(page).to.include("not measured: synthetic");
    const svg = scalingSvg([
      {
        title: "t",
        xLabel: "x",
        points: [
          { x: 1, gas: 10 },
          { x: 2, gas: 20 },
        ],
      },
    ]);
    // ECharts marks each point (its SSR output tags them with their data index)
    expect(svg.match(/ecmeta_data_index="\d+"/g)).to.have.length(2);
    expect(svg).to.match(/^<svg width="420" height="300"/);
  });

  it("median and p95 by nearest rank", function () {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 2, 3])).to.equal(2.5);
    expect(
      percentile(
        [...Array(100).keys()].map((i) => i + 1),
        95,
      ),
    ).to.equal(95);
    expect(percentile([5, 1], 95)).to.equal(5);
  });
});

import { expect } from "chai";
import { parseGammaMarkets } from "../../../keeper/signals/polymarketGamma.js";
import type { FeeInfo, MarketSnapshot } from "../../../keeper/signals/types.js";
import { defaultStrategyConfig, validateStrategyConfig } from "../../../keeper/strategy/config.js";
import { buildCalibration, calibratedEstimate } from "../../../keeper/strategy/estimate.js";
import { feePerShare, orderFee } from "../../../keeper/strategy/fees.js";
import { gateSnapshot } from "../../../keeper/strategy/gates.js";
import {
  fractionalKelly,
  kellyStake,
  snapToTier,
  StrategyConfigError,
} from "../../../keeper/strategy/kelly.js";
import { addExposure, applyCaps, emptyExposure, sizeBuy } from "../../../keeper/strategy/sizing.js";
import { readRecorded } from "./helpers/recordedServer.js";

const POLY_5: FeeInfo = { model: "polymarket", takerRate: 0.05, makerRate: 0, exponent: 1 };
const KALSHI: FeeInfo = { model: "kalshi", takerRate: 0.07, makerRate: 0, exponent: 1 };

describe("strategy: fees", function () {
  it("Polymarket curve rate × (p(1 − p))^exponent, floored to 5 decimals per order", function () {
    // 0.05 × 0.52 × 0.48 = 0.05 × 0.2496 = 0.01248 per share; 100 shares = 1.248.
    expect(feePerShare(POLY_5, 0.52)).to.be.closeTo(0.01248, 1e-12);
    expect(orderFee(POLY_5, 0.52, 100)).to.equal(1.248);
    // 2026 crypto schedule shape: rate 0.25, exponent 2 at p = 0.5 → 0.25 × 0.25² = 0.015625.
    expect(feePerShare({ ...POLY_5, takerRate: 0.25, exponent: 2 }, 0.5)).to.equal(0.015625);
    // 3 shares at 0.333: 0.05 × 0.333 × 0.667 × 3 = 0.03331665 → floored 0.03331.
    expect(orderFee(POLY_5, 0.333, 3)).to.equal(0.03331);
  });

  it("Kalshi quadratic 0.07 × C × P × (1 − P), rounded up to the cent", function () {
    // 10 contracts at 0.54: 0.07 × 0.54 × 0.46 × 10 = 0.17388 → $0.18.
    expect(orderFee(KALSHI, 0.54, 10)).to.equal(0.18);
    // 100 contracts at 0.50: 0.07 × 0.25 × 100 = 1.75 exactly → $1.75 (no spurious extra cent).
    expect(orderFee(KALSHI, 0.5, 100)).to.equal(1.75);
  });

  it("notional and none models", function () {
    expect(feePerShare({ model: "notional", takerRate: 0.01, makerRate: 0, exponent: 1 }, 0.3)).to.be.closeTo(
      0.003,
      1e-15,
    );
    expect(feePerShare({ model: "none", takerRate: 0, makerRate: 0, exponent: 1 }, 0.3)).to.equal(0);
  });
});

describe("strategy: fractional Kelly, tiers and caps", function () {
  it("reproduces the seed test vectors f* = (p − c)/(1 − c)", function () {
    // (p, c, full, 1/4, 1/10) from the seeds digest, Appendix A.
    const vectors: [number, number, number, number, number][] = [
      [0.6, 0.5, 0.2, 0.05, 0.02],
      [0.7, 0.4, 0.5, 0.125, 0.05],
      [0.9, 0.5, 0.8, 0.2, 0.08],
      [0.97, 0.95, 0.4, 0.1, 0.04],
    ];
    for (const [p, c, full, quarter, tenth] of vectors) {
      expect(kellyStake(p, c)).to.be.closeTo(full, 1e-12);
      expect(fractionalKelly(p, c, 0.25)).to.be.closeTo(quarter, 1e-12);
      expect(fractionalKelly(p, c, 0.1)).to.be.closeTo(tenth, 1e-12);
    }
    // p 0.50 at c 0.55: negative edge → no bet.
    expect(kellyStake(0.5, 0.55)).to.equal(0);
    // Net-odds form: b = (1 − 0.4)/0.4 = 1.5; (1.5 × 0.7 − 0.3)/1.5 = 0.75/1.5 = 0.5, the same stake.
    const b = 0.6 / 0.4;
    expect((b * 0.7 - 0.3) / b).to.be.closeTo(kellyStake(0.7, 0.4), 1e-12);
  });

  it("refuses a Kelly fraction outside [0.10, 0.25]", function () {
    expect(() => fractionalKelly(0.6, 0.5, 0.3)).to.throw(StrategyConfigError, "kellyFraction");
    expect(() => fractionalKelly(0.6, 0.5, 0.05)).to.throw(StrategyConfigError);
    expect(() => fractionalKelly(0.6, 0.5, 1)).to.throw(StrategyConfigError);
    expect(() => validateStrategyConfig(defaultStrategyConfig({ kellyFraction: 0.5 }))).to.throw(
      StrategyConfigError,
      "kellyFraction",
    );
    expect(() =>
      validateStrategyConfig(
        defaultStrategyConfig({
          caps: { perMarket: 0.05, perEvent: 0.2, perCluster: { default: 0.3 }, total: 0.6 },
        }),
      ),
    ).to.throw(StrategyConfigError, "caps.perEvent");
  });

  it("snaps DOWN to the largest tier the stake and the confidence allow", function () {
    const { tiers } = defaultStrategyConfig(); // T1 0.5 % (≥0.2), T2 1 % (≥0.4), T3 2.5 % (≥0.6), T4 5 % (≥0.8)
    expect(snapToTier(0.03, 0.9, tiers)?.name).to.equal("T3"); // 3 % lands on 2.5 %, never rounds up to 5 %
    expect(snapToTier(0.03, 0.5, tiers)?.name).to.equal("T2"); // confidence 0.5 < 0.6 caps it at T2
    expect(snapToTier(0.03, 0.9, tiers, 1)?.name).to.equal("T2"); // one soft gate failure: one tier down
    expect(snapToTier(0.05, 0.8, tiers)?.name).to.equal("T4");
    expect(snapToTier(0.004, 1, tiers)).to.equal(null); // below the smallest tier: no trade
    expect(snapToTier(0.03, 0.1, tiers)).to.equal(null);
  });

  it("a 0.9-vs-0.5 signal at 1/4 Kelly (20 %) is clipped to the 15 % per-event cap; caps add up across markets", function () {
    const caps = { perMarket: 0.25, perEvent: 0.15, perCluster: { default: 0.2, weather: 0.1 }, total: 0.3 };
    const exposure = emptyExposure();
    const first = applyCaps(
      fractionalKelly(0.9, 0.5, 0.25),
      { marketId: "a", eventId: "e1", cluster: "politics" },
      exposure,
      caps,
    );
    expect(first).to.deep.equal({ fraction: 0.15, cappedBy: "per-event" });
    addExposure(exposure, { marketId: "a", eventId: "e1", cluster: "politics" }, first.fraction);
    // Same event, other market: the event has no room left.
    expect(
      applyCaps(0.05, { marketId: "b", eventId: "e1", cluster: "politics" }, exposure, caps).fraction,
    ).to.equal(0);
    // Other event, same cluster: 0.2 − 0.15 = 0.05 left in the cluster.
    const second = applyCaps(0.1, { marketId: "c", eventId: "e2", cluster: "politics" }, exposure, caps);
    expect(second.fraction).to.be.closeTo(0.05, 1e-12);
    expect(second.cappedBy).to.equal("cluster politics");
    // A listed cluster uses its own cap (weather 10 %).
    expect(
      applyCaps(0.12, { marketId: "d", eventId: "e3", cluster: "weather" }, exposure, caps).fraction,
    ).to.equal(0.1);
  });

  it("sizes a buy after fees: p 0.60 at ask 0.50 with a 5 % Polymarket fee", function () {
    const config = defaultStrategyConfig();
    const s = sizeBuy(0.6, 0.9, 0.5, POLY_5, 0, config);
    // fee 0.05 × 0.25 = 0.0125; cost 0.5125; EV 0.6 − 0.5125 = 0.0875/share; per dollar 0.0875/0.5125.
    expect(s.fee).to.be.closeTo(0.0125, 1e-12);
    expect(s.evPerShare).to.be.closeTo(0.0875, 1e-12);
    expect(s.evPerDollar).to.be.closeTo(0.0875 / 0.5125, 1e-12);
    // Kelly on the all-in cost: 0.0875 / 0.4875 = 0.179487…; ¼ → 0.044872 → snapped to T3 (2.5 %).
    expect(s.kellyFull).to.be.closeTo(0.0875 / 0.4875, 1e-12);
    expect(s.kellyFractional).to.be.closeTo(0.25 * (0.0875 / 0.4875), 1e-12);
    expect(s.tier?.name).to.equal("T3");
    expect(s.stake).to.equal(0.025);
  });

  it("rejects the '95 % win rate' tail trade: EV per share is p − price, before fees it is already ≤ 0", function () {
    const config = defaultStrategyConfig();
    expect(sizeBuy(0.95, 1, 0.95, POLY_5, 0, config).tier).to.equal(null);
    // At 0.97 the EV is −0.02 before fees.
    const tail = sizeBuy(0.95, 1, 0.97, POLY_5, 0, config);
    expect(tail.evPerShare).to.be.lessThan(-0.02);
    expect(tail.tier).to.equal(null);
    // A 1.5-point edge is below the 2-point minimum after fees: no trade either.
    expect(sizeBuy(0.565, 1, 0.55, { ...POLY_5, takerRate: 0 }, 0, config).tier).to.equal(null);
  });

  it("calibration: posterior (wins + s·price)/(n + s) per bin, complement below 0.5", function () {
    // 10 bets at 0.8 (8 won) and 10 at 0.3 for YES (YES lost 7 times → the 0.7 favourite won 7).
    const bets = [
      ...Array.from({ length: 10 }, (_, i) => ({ price: 0.8, won: i < 8 })),
      ...Array.from({ length: 10 }, (_, i) => ({ price: 0.3, won: i < 3 })),
    ];
    const table = buildCalibration(bets, "test", [0.5, 0.75, 1], 10);
    expect(table.bins.map((b) => [b.n, b.wins])).to.deep.equal([
      [10, 7],
      [10, 8],
    ]);
    // Price 0.8: (8 + 10 × 0.8)/(10 + 10) = 16/20 = 0.8; confidence 10/20.
    expect(calibratedEstimate(table, 0.8)).to.deep.equal({ p: 0.8, confidence: 0.5, source: "test" });
    // Price 0.3 → favourite 0.7 in bin [0.5, 0.75): (7 + 10 × 0.7)/20 = 0.7 → YES 0.3.
    expect(calibratedEstimate(table, 0.3).p).to.be.closeTo(0.3, 1e-12);
    // Price 0.6: (7 + 6)/20 = 0.65 → a 5-point edge for the favourite.
    expect(calibratedEstimate(table, 0.6).p).to.be.closeTo(0.65, 1e-12);
  });
});

describe("strategy: market gates on real recorded markets", function () {
  const hormuz = parseGammaMarkets(readRecorded("polymarket/api-samples/pmvl_ext_polymarket-market.json"), 0)
    .items[0] as MarketSnapshot;
  const now = Date.parse("2026-08-09T11:31:38Z"); // the payload's updatedAt
  const fresh = { ...hormuz, fetchedAt: now };
  const gates = defaultStrategyConfig().gates;

  it("passes a liquid, clearly settled market (Hormuz: IMF Portwatch source, 1 cent spread, 21 days left)", function () {
    expect(gateSnapshot(fresh, gates, now)).to.deep.equal({ verdict: "pass", penalty: 0, reasons: [] });
  });

  it("blocks ambiguous settlement: the recorded Rihanna/GTA market resolves 50-50 if neither happens", function () {
    const rihanna = parseGammaMarkets(
      readRecorded("polymarket/api-samples/drmanhattan_gamma_markets.json"),
      now,
    ).items[0] as MarketSnapshot;
    const result = gateSnapshot(rihanna, gates, now);
    expect(result.verdict).to.equal("block");
    expect(result.reasons).to.include('ambiguous settlement ("resolve to 50-50")');
  });

  it("blocks disputed, blacklisted, stale, wide, thin, tail-priced and about-to-resolve markets", function () {
    const blocked = (s: MarketSnapshot, reason: string) => {
      const r = gateSnapshot(s, gates, now);
      expect(r.verdict, reason).to.equal("block");
      expect(
        r.reasons.some((x) => x.startsWith(reason)),
        `${r.reasons.join("; ")} ∌ ${reason}`,
      ).to.equal(true);
    };
    blocked({ ...fresh, status: "disputed" }, "status disputed");
    blocked({ ...fresh, bestBid: 0.02, bestAsk: 0.12 }, "spread 0.1000");
    blocked({ ...fresh, liquidityUsd: 100 }, "liquidity $100");
    blocked({ ...fresh, depth: { bidUsd: 10000, askUsd: 40.99, bandAbs: 0.02 } }, "ask depth $40.99");
    blocked({ ...fresh, price: 0.01 }, "price 0.01 outside");
    blocked({ ...fresh, endDate: now + 3_600_000 }, "resolves in 1.0 h");
    blocked({ ...fresh, fetchedAt: now - 3_600_000 }, "stale snapshot (3600 s old)");
    const banned = gateSnapshot(fresh, { ...gates, blacklist: [fresh.marketId] }, now);
    expect(banned.reasons).to.deep.equal(["blacklisted"]);
  });

  it("down-weights near-resolution and unknown-end markets one tier per soft failure", function () {
    const near = gateSnapshot({ ...fresh, endDate: now + 10 * 3_600_000 }, gates, now);
    expect(near).to.deep.equal({ verdict: "downweight", penalty: 1, reasons: ["near resolution (10.0 h)"] });
    const unknown = gateSnapshot(
      { ...fresh, endDate: null, settlement: { source: null, rules: "x" } },
      gates,
      now,
    );
    expect(unknown.penalty).to.equal(2);
  });
});

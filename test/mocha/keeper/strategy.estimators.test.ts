import { expect } from "chai";
import type { FeeInfo, MarketSnapshot } from "../../../keeper/signals/types.js";
import {
  defaultStrategyConfig,
  estimationSettingsSchema,
  withEstimationSettings,
} from "../../../keeper/strategy/config.js";
import { decideBuy, fillPrice } from "../../../keeper/strategy/decision.js";
import { buildCalibration } from "../../../keeper/strategy/estimate.js";
import {
  contractDifferences,
  crossVenueEstimate,
  defaultEstimatorConfig,
  estimateProbability,
  monotoneCalibration,
  oracleSeries,
  priceThresholdEstimate,
  shrinkTowardPrior,
  type ContractTerms,
  type EstimationInputs,
} from "../../../keeper/strategy/estimators.js";
import { bootstrapInterval, logLoss, normalCdf } from "../../../keeper/strategy/stats.js";

const NOW = Date.parse("2026-07-24T12:00:00Z");
const POLY_5: FeeInfo = { model: "polymarket", takerRate: 0.05, makerRate: 0, exponent: 1 };

const snapshot = (over: Partial<MarketSnapshot> = {}): MarketSnapshot => ({
  venue: "polymarket",
  marketId: "0xm",
  tokenId: "yes-token",
  eventId: "e",
  exclusiveGroup: null,
  question: "BTC above 100,000 at noon?",
  outcome: "Yes",
  price: 0.5,
  bestBid: 0.49,
  bestAsk: 0.51,
  depth: null,
  liquidityUsd: 50_000,
  volumeUsd: null,
  endDate: NOW + 86_400_000,
  status: "open",
  resolvedValue: null,
  settlement: { source: "Chainlink", rules: "rules" },
  fee: POLY_5,
  category: "crypto",
  fetchedAt: NOW,
  ...over,
});

describe("strategy: statistics", function () {
  it("Φ and log-loss on worked numbers", function () {
    expect(normalCdf(0)).to.be.closeTo(0.5, 1e-7);
    expect(normalCdf(1.959964)).to.be.closeTo(0.975, 1e-6);
    expect(normalCdf(-1.644854)).to.be.closeTo(0.05, 1e-6);
    expect(logLoss(0.8, 1)).to.be.closeTo(-Math.log(0.8), 1e-12);
    expect(logLoss(0, 1)).to.be.closeTo(-Math.log(1e-4), 1e-9);
  });

  it("bootstrap interval of a mean brackets it and is reproducible from its seed", function () {
    const sample = Array.from({ length: 200 }, (_, i) => (i % 10) / 10);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ci = bootstrapInterval(sample, mean, { resamples: 500, seed: 7 });
    expect(ci.estimate).to.be.closeTo(0.45, 1e-12);
    expect(ci.lo).to.be.lessThan(0.45);
    expect(ci.hi).to.be.greaterThan(0.45);
    // se of the mean = 0.2872 / √200 = 0.0203: the 95 % interval is about ± 0.04.
    expect(ci.hi - ci.lo).to.be.within(0.06, 0.1);
    expect(bootstrapInterval(sample, mean, { resamples: 500, seed: 7 })).to.deep.equal(ci);
  });
});

describe("strategy: price-threshold estimator", function () {
  // Spot 101 alternating with 101·e^r every second, r² = 1/600,000: variance per ms = r²/1000,
  // so over τ = 60 s, σ√τ = 0.01 and d = ln(101/100)/0.01 = 0.99503 → p = Φ(d) = 0.84013.
  const r = Math.sqrt(1 / 600_000);
  const n = 3_601;
  const t = Float64Array.from({ length: n }, (_, i) => NOW - (n - 1 - i) * 1000);
  const price = Float64Array.from({ length: n }, (_, i) => ((n - 1 - i) % 2 === 0 ? 101 : 101 * Math.exp(r)));
  const oracle = oracleSeries("BTC/USD", "test feed", t, price);
  const config = defaultEstimatorConfig().priceThreshold;
  const inputs = (strike: number | null, windowStart: number | null = null): EstimationInputs => ({
    thresholds: new Map([
      [
        "yes-token",
        { asset: "BTC/USD", strike, windowStart, cutoff: NOW + 60_000, direction: "above" as const },
      ],
    ]),
    oracles: new Map([["BTC/USD", oracle]]),
  });

  it("P(S ≥ K) = Φ(ln(S/K)/(σ√τ)) from the oracle's own realised volatility", function () {
    const result = priceThresholdEstimate(snapshot(), inputs(100), config, NOW);
    expect(result.reason).to.equal(null);
    expect(result.estimate?.p).to.be.closeTo(normalCdf(Math.log(1.01) / 0.01), 1e-9);
    expect(result.estimate?.p).to.be.closeTo(0.84013, 1e-4);
    // Volatility sampling error φ(d)·d/√(2·3600) = 0.00285 is below the 0.03 model-error floor.
    expect(result.estimate?.stdError).to.equal(0.03);
    expect(result.estimate?.inputs).to.include({
      strike: 100,
      spot: 101,
      returns: 3600,
      oracle: "test feed",
    });
  });

  it("the NO side is the complement; before an up/down window opens p is exactly 1/2", function () {
    const no = inputs(100);
    const terms = no.thresholds?.get("yes-token");
    const below = { ...no, thresholds: new Map([["yes-token", { ...terms!, direction: "below" as const }]]) };
    expect(priceThresholdEstimate(snapshot(), below, config, NOW).estimate?.p).to.be.closeTo(
      1 - 0.84013,
      1e-4,
    );
    const early = priceThresholdEstimate(snapshot(), inputs(null, NOW + 30_000), config, NOW);
    expect(early.estimate?.p).to.equal(0.5);
    // After the open the strike is the oracle price at the open (101 at an even second).
    const open = priceThresholdEstimate(snapshot(), inputs(null, NOW - 2_000), config, NOW);
    expect(open.estimate?.inputs.strike).to.equal(101);
    expect(open.estimate?.p).to.be.closeTo(0.5, 1e-7);
  });

  it("abstains with its reason: past the cut-off, stale oracle, too few returns, unknown market", function () {
    expect(priceThresholdEstimate(snapshot(), inputs(100), config, NOW + 60_000).reason).to.equal(
      "past the cut-off",
    );
    expect(
      priceThresholdEstimate(snapshot(), inputs(100), { ...config, maxOracleAgeMs: 0 }, NOW + 5_000).reason,
    ).to.equal("oracle 5 s old");
    expect(
      priceThresholdEstimate(snapshot(), inputs(100), { ...config, minReturns: 5_000 }, NOW).reason,
    ).to.equal("3600 oracle returns in the window (< 5000)");
    expect(priceThresholdEstimate(snapshot({ tokenId: "other" }), inputs(100), config, NOW).reason).to.equal(
      "not a price-threshold market",
    );
  });
});

describe("strategy: cross-venue estimator and the contract-equivalence check", function () {
  const terms: ContractTerms = {
    eventKey: "fed-2026-09",
    resolutionSource: "Federal Reserve press release",
    cutoff: NOW + 3_600_000,
    condition: "upper bound cut by 25 bp",
  };
  const kalshi = snapshot({
    venue: "kalshi",
    marketId: "KXFED",
    tokenId: "KXFED:yes",
    bestBid: 0.6,
    bestAsk: 0.64,
  });
  const config = defaultEstimatorConfig().crossVenue;

  it("admits an equivalent contract: p is its mid, se its half-spread (floored), inputs recorded", function () {
    const inputs = {
      counterparts: new Map([["yes-token", { ours: terms, theirs: { ...terms }, quote: kalshi }]]),
    };
    const result = crossVenueEstimate(snapshot(), inputs, config, NOW);
    expect(result.estimate?.p).to.be.closeTo(0.62, 1e-12);
    expect(result.estimate?.stdError).to.be.closeTo(0.02, 1e-12);
    expect(result.estimate?.inputs).to.include({ venue: "kalshi", marketId: "KXFED", bid: 0.6, ask: 0.64 });
  });

  it("refuses a contract that differs in source, cut-off, event or condition, naming each difference", function () {
    const theirs = { ...terms, resolutionSource: "CME FedWatch", cutoff: terms.cutoff + 600_000 };
    expect(contractDifferences(terms, theirs, config.maxCutoffSkewMs)).to.deep.equal([
      'resolution source "Federal Reserve press release" ≠ "CME FedWatch"',
      "cut-offs 600 s apart",
    ]);
    const inputs = { counterparts: new Map([["yes-token", { ours: terms, theirs, quote: kalshi }]]) };
    expect(crossVenueEstimate(snapshot(), inputs, config, NOW).reason).to.match(/^not equivalent: /);
    const stale = {
      counterparts: new Map([
        ["yes-token", { ours: terms, theirs: terms, quote: { ...kalshi, fetchedAt: NOW - 120_000 } }],
      ]),
    };
    expect(crossVenueEstimate(snapshot(), stale, config, NOW).reason).to.equal("counterpart quote 120 s old");
  });
});

describe("strategy: the favourite-bias map as a monotone prior", function () {
  // The recorded non-monotone pair: 0.80–0.85 won 75 of 88, 0.85–0.90 won 84 of 103.
  const bets = [
    ...Array.from({ length: 88 }, (_, i) => ({ price: 0.82, won: i < 75 })),
    ...Array.from({ length: 103 }, (_, i) => ({ price: 0.87, won: i < 84 })),
  ];
  const table = buildCalibration(bets, "test", [0.5, 0.8, 0.85, 0.9, 1], 50);

  it("pools violating bins: both get (75 + 84)/(88 + 103) = 0.8325", function () {
    const monotone = monotoneCalibration(table);
    const rates = monotone.bins.filter((b) => b.n > 0).map((b) => b.wins / b.n);
    expect(rates[0]).to.be.closeTo(159 / 191, 1e-12);
    expect(rates[1]).to.be.closeTo(159 / 191, 1e-12);
  });

  it("shrinks an estimate by precision; the estimate's standard error is kept", function () {
    const prior = monotoneCalibration(table);
    // Bin 0.80–0.85: prior p = (73.2565 + 50 × 0.82) / 138 = 0.82795, variance p(1 − p)/138 = 0.0010317.
    const priorP = (88 * (159 / 191) + 50 * 0.82) / 138;
    const priorVar = (priorP * (1 - priorP)) / 138;
    const shrunk = shrinkTowardPrior({ p: 0.9, stdError: 0.03, source: "model", inputs: {} }, prior, 0.82);
    const w = priorVar / (priorVar + 0.0009);
    expect(shrunk.p).to.be.closeTo(w * 0.9 + (1 - w) * priorP, 1e-12);
    expect(shrunk.stdError).to.equal(0.03);
    expect(shrunk.source).to.equal("model + favourite-bias prior");
  });

  it("is never used alone: with no estimator the engine abstains", function () {
    const config = defaultEstimatorConfig({ prior: monotoneCalibration(table) });
    const result = estimateProbability(snapshot(), {}, config, NOW);
    expect(result.estimate).to.equal(null);
    expect(result.reason).to.equal(
      "cross-venue: no counterpart on another venue; price-threshold: not a price-threshold market",
    );
  });
});

describe("strategy: the statistical decision gate", function () {
  const config = defaultStrategyConfig();

  it("trades when p − z·se − cost > 0, sizing Kelly at the lower bound (worked numbers)", function () {
    // p 0.60 ± 0.02 at ask 0.50, fee 0.05 × 0.5 × 0.5 = 0.0125 → cost 0.5125; lower bound
    // 0.6 − 1.645 × 0.02 = 0.5671; EV lower bound 0.0546; Kelly (0.5671 − 0.5125)/0.4875 = 0.11200,
    // ¼ → 0.0280; confidence 1 − 0.02/0.1 = 0.8 → T3 (2.5 %).
    const result = decideBuy({ p: 0.6, stdError: 0.02 }, 0.5, null, POLY_5, 0, config);
    expect(result.abstain).to.equal(null);
    expect(result.decision?.tier.name).to.equal("T3");
    expect(result.decision?.evLowerBound).to.be.closeTo(0.0546, 1e-12);
    expect(result.decision?.kellyFractional).to.be.closeTo((0.25 * (0.5671 - 0.5125)) / 0.4875, 1e-12);
    expect(result.decision?.confidence).to.be.closeTo(0.8, 1e-12);
  });

  it("pays slippage at the available depth and steps down a tier when the size does not fit", function () {
    // T3 = $2,500 > $2,000 of depth → T2 ($1,000): fill 0.5 + 0.02 × 1000/2000/2 = 0.505.
    const depth = { askUsd: 2_000, bidUsd: 2_000, bandAbs: 0.02 };
    expect(fillPrice(0.5, depth, 1_000)).to.be.closeTo(0.505, 1e-12);
    expect(fillPrice(0.5, depth, 2_500)).to.equal(null);
    const result = decideBuy({ p: 0.6, stdError: 0.02 }, 0.5, depth, POLY_5, 0, config);
    expect(result.decision?.tier.name).to.equal("T2");
    expect(result.decision?.fill).to.be.closeTo(0.505, 1e-12);
    expect(result.decision?.cost).to.be.closeTo(0.505 + 0.05 * 0.505 * 0.495, 1e-12);
  });

  it("abstains with its reason: EV lower bound ≤ 0 at a coin flip, too uncertain, below every tier", function () {
    const coin = decideBuy({ p: 0.5, stdError: 0.03 }, 0.505, null, POLY_5, 0, config);
    expect(coin.abstain?.kind).to.equal("ev-lower-bound");
    // A point edge of 0.55 − 0.5125 = 0.0375/share that the lower bound (0.50065) does not keep.
    const thin = decideBuy({ p: 0.55, stdError: 0.03 }, 0.5, null, POLY_5, 0, config);
    expect(thin.abstain?.kind).to.equal("ev-lower-bound");
    expect(decideBuy({ p: 0.9, stdError: 0.2 }, 0.5, null, POLY_5, 0, config).abstain?.kind).to.equal(
      "uncertain",
    );
    expect(decideBuy({ p: 0.6, stdError: 0.02 }, 0.5, null, POLY_5, 3, config).abstain?.kind).to.equal(
      "below-tier",
    );
  });
});

describe("strategy: estimation settings a keeper config can carry", function () {
  it("parses, validates and applies them; an error names the field", function () {
    const parsed = estimationSettingsSchema.parse({
      order: ["price-threshold"],
      priceThreshold: { minStdError: 0.05 },
      decision: { z: 2.326 },
    });
    const config = withEstimationSettings(defaultStrategyConfig(), parsed);
    expect(config.estimators.order).to.deep.equal(["price-threshold"]);
    expect(config.estimators.priceThreshold.minStdError).to.equal(0.05);
    expect(config.estimators.priceThreshold.lookbackMs).to.equal(3_600_000);
    expect(config.decision).to.deep.equal({ z: 2.326, maxStdError: 0.1 });
    const bad = estimationSettingsSchema.safeParse({ decision: { maxStdError: 0.7 } });
    expect(bad.success).to.equal(false);
    expect(bad.error?.issues[0]?.path).to.deep.equal(["decision", "maxStdError"]);
    expect(estimationSettingsSchema.safeParse({ order: ["favourite-bias"] }).success).to.equal(false);
  });
});

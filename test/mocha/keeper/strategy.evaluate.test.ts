import { expect } from "chai";
import { parseKalshiEvents } from "../../../keeper/signals/kalshi.js";
import { parseGammaMarkets } from "../../../keeper/signals/polymarketGamma.js";
import type { MarketSnapshot } from "../../../keeper/signals/types.js";
import { defaultStrategyConfig } from "../../../keeper/strategy/config.js";
import { evaluate } from "../../../keeper/strategy/evaluate.js";
import { StrategyConfigError } from "../../../keeper/strategy/kelly.js";
import { parsePolicy } from "../../../keeper/strategy/policy.js";
import { snapshotHash } from "../../../keeper/strategy/snapshotHash.js";
import { EXAMPLE_POLICY } from "./helpers/examplePolicy.js";
import { readRecorded } from "./helpers/recordedServer.js";

const NOW = Date.parse("2026-08-09T11:31:38Z");

describe("strategy: evaluate() on real recorded snapshots", function () {
  const parsedPolicy = parsePolicy(EXAMPLE_POLICY);
  if (!parsedPolicy.ok) throw new Error("example policy invalid");
  const policy = parsedPolicy.policy;
  const fresh = (s: MarketSnapshot) => ({ ...s, fetchedAt: NOW });
  const [hormuzYes, hormuzNo] = parseGammaMarkets(
    readRecorded("polymarket/api-samples/pmvl_ext_polymarket-market.json"),
    NOW,
  ).items.map(fresh) as [MarketSnapshot, MarketSnapshot];
  const rihanna = parseGammaMarkets(
    readRecorded("polymarket/api-samples/drmanhattan_gamma_markets.json"),
    NOW,
  ).items.map(fresh)[0] as MarketSnapshot;
  const mars = parseKalshiEvents(readRecorded("kalshi/api-samples/pmvl_kalshi_events.json"), NOW)
    .items[0] as MarketSnapshot;
  // Same event as Hormuz, another deadline: tests the per-event cap across markets.
  const hormuzSibling: MarketSnapshot = { ...hormuzYes, marketId: "0xsibling", tokenId: "222" };
  const depeg: MarketSnapshot = {
    ...hormuzYes,
    marketId: "0x00000000000000000000000000000000000000000000000000000000000000aa",
    tokenId: "333",
    eventId: "usdc",
    question: "USDC below $0.99 this quarter?",
    price: 0.2,
    bestBid: 0.19,
    bestAsk: 0.21,
  };
  const snapshots = [hormuzYes, hormuzNo, rihanna, mars, hormuzSibling, depeg];
  const config = defaultStrategyConfig({
    estimates: {
      [hormuzYes.tokenId]: { p: 0.15, confidence: 0.9, source: "analyst" },
      [hormuzSibling.tokenId]: { p: 0.15, confidence: 0.9, source: "analyst" },
      [rihanna.tokenId]: { p: 0.9, confidence: 0.9, source: "analyst" },
      [mars.tokenId]: { p: 0.5, confidence: 0.9, source: "analyst" },
    },
    caps: { perMarket: 0.05, perEvent: 0.015, perCluster: { default: 0.3 }, total: 0.6 },
    dutchBook: { ...defaultStrategyConfig().dutchBook, maxFraction: 0.01 },
    tiers: [
      { name: "T1", fraction: 0.005, minConfidence: 0.2 },
      { name: "T2", fraction: 0.01, minConfidence: 0.4 },
      { name: "T3", fraction: 0.025, minConfidence: 0.6 },
      { name: "T4", fraction: 0.05, minConfidence: 0.8 },
    ],
  });

  it("sizes the one clean edge, clips its sibling at the event cap, and explains every refusal", function () {
    const result = evaluate(snapshots, policy, config, NOW);
    const [first, second] = result.recommendations;
    // Hormuz YES: ask 0.07, fees disabled → cost 0.07; EV 0.15 − 0.07 = 0.08/share = 1.142857/dollar.
    // Confidence 0.9 → se (1 − 0.9) × 0.1 = 0.01; lower bound 0.15 − 1.645 × 0.01 = 0.13355, EV lower
    // bound 0.06355 > 0; Kelly at the lower bound 0.06355 / 0.93 = 0.068333, ¼ → 0.017083 → T2 (1 %).
    expect(first).to.include({
      kind: "directional",
      tokenId: hormuzYes.tokenId,
      side: "buy",
      price: 0.07,
      tier: "T2",
      sizeFraction: 0.01,
    });
    expect(first?.edge).to.be.closeTo(0.08, 1e-12);
    expect(first?.ev).to.be.closeTo(0.08 / 0.07, 1e-12);
    // Sibling: same numbers, but the event has 1.5 % − 1 % = 0.5 % left.
    expect(second?.tokenId).to.equal("222");
    expect(second?.sizeFraction).to.be.closeTo(0.005, 1e-12);
    expect(second?.reasons.at(-1)).to.equal("clipped by per-event cap to 0.0050");
    expect(result.recommendations).to.have.length(2);

    const why = (token: string) => result.rejected.find((r) => r.tokenId === token)?.reasons ?? [];
    expect(why(rihanna.tokenId)).to.include('ambiguous settlement ("resolve to 50-50")');
    expect(why(mars.tokenId).some((r) => /^resolves in \d+ d \(> 180 d\)$/.test(r))).to.equal(true);
    expect(why(hormuzNo.tokenId)).to.deep.equal([
      "cross-venue: no counterpart on another venue; price-threshold: not a price-threshold market",
    ]);
    expect(result.rejected.find((r) => r.tokenId === hormuzNo.tokenId)?.kind).to.equal("no-estimate");
    expect(result.estimates.map((e) => e.tokenId)).to.include.members([hormuzYes.tokenId, "222"]);
    expect(first?.reasons[1]).to.equal("EV lower bound 0.0635/share > 0");
  });

  it("open positions use up cap room first: 1 % already in the Hormuz event leaves 0.5 % for new ideas", function () {
    const result = evaluate(
      snapshots,
      policy,
      {
        ...config,
        openPositions: [{ marketId: "0xold", eventId: hormuzYes.eventId, cluster: "other", fraction: 0.01 }],
      },
      NOW,
    );
    const directional = result.recommendations.filter((r) => r.kind === "directional");
    expect(directional).to.have.length(1);
    expect(directional[0]?.sizeFraction).to.be.closeTo(0.005, 1e-12);
    expect(result.rejected.find((r) => r.tokenId === "222")?.reasons).to.deep.equal([
      "per-event cap reached",
    ]);
  });

  it("the allocation comes from the depeg signal and commits to exactly that snapshot", function () {
    const result = evaluate(snapshots, policy, config, NOW);
    expect(result.allocation.weightsBps).to.deep.equal({
      "aave-usdc": 2000,
      "morpho-usdc": 1750,
      "uniswap-usdc-weth": 2000,
      idle: 4250,
    });
    expect(result.allocation.snapshotHash).to.equal(snapshotHash([depeg]));
    expect(Object.values(result.allocation.weightsBps).reduce((a, b) => a + b, 0)).to.equal(10_000);
  });

  it("is deterministic and refuses a configuration outside the risk framework", function () {
    expect(evaluate(snapshots, policy, config, NOW)).to.deep.equal(evaluate(snapshots, policy, config, NOW));
    expect(() => evaluate(snapshots, policy, { ...config, kellyFraction: 0.5 }, NOW)).to.throw(
      StrategyConfigError,
      "kellyFraction",
    );
  });
});

import { expect } from "chai";
import { defaultStrategyConfig } from "../../../keeper/strategy/config.js";
import { ctfBuyFeeTokens, ctfFeeExact, ctfSellFeeCollateral } from "../../../keeper/strategy/fees.js";
import {
  candidateSets,
  scanOutcomeSets,
  scanResolutions,
  walkSets,
  type ArbContext,
  type LegBook,
  type OutcomeArbConfig,
  type VenueEvent,
  type VenueMarket,
} from "../../../keeper/strategy/outcomes/index.js";
import { emptyExposure } from "../../../keeper/strategy/sizing.js";

const MARKET_ID = `0x${"ab".repeat(31)}00`;
const qid = (i: number) => `0x${"ab".repeat(31)}${i.toString(16).padStart(2, "0")}`;
const cid = (i: number) => `0x${i.toString(16).padStart(64, "0")}`;

function market(i: number, overrides: Partial<VenueMarket> = {}): VenueMarket {
  return {
    conditionId: cid(i),
    questionId: qid(i),
    slug: `rba-leg-${i}`,
    question: `leg ${i}`,
    yesTokenId: `${i}1`,
    noTokenId: `${i}0`,
    negRiskMarketId: MARKET_ID,
    eventId: "evt-rba",
    resolutionSource: "Reserve Bank of Australia",
    endDate: 1_770_000_000_000,
    status: "open",
    feeRateBps: 0,
    tickSize: 0.01,
    ...overrides,
  };
}

const EVENT: VenueEvent = {
  id: "evt-rba",
  negRisk: true,
  negRiskMarketId: MARKET_ID,
  negRiskAugmented: false,
  marketConditionIds: [cid(0), cid(1), cid(2)],
};
const CHAIN = new Map([[MARKET_ID, { questionCount: 3, feeBips: 0, determined: false }]]);
const NOW = 1_769_600_000_000;

function book(
  tokenId: string,
  asks: [number, number][],
  bids: [number, number][] = [],
  quotedAt = NOW,
): LegBook {
  return {
    tokenId,
    asks: asks.map(([price, size]) => ({ price, size })),
    bids: bids.map(([price, size]) => ({ price, size })),
    quotedAt,
  };
}

function config(overrides: Partial<OutcomeArbConfig> = {}): OutcomeArbConfig {
  const base = defaultStrategyConfig();
  return {
    guards: { ...base.dutchBook, minLegDepthUsd: 10 },
    minProfitUsd: 1,
    caps: { ...base.caps, perCluster: { default: 0.3 } },
    setStep: 0.01,
    ...overrides,
  };
}

const ctx = (overrides: Partial<ArbContext> = {}): ArbContext => ({
  navUsd: 100_000,
  capitalUsd: 50_000,
  exposure: emptyExposure(),
  now: NOW,
  ...overrides,
});

describe("outcome arbitrage: exhaustive sets from venue metadata", function () {
  it("a binary market is a YES/NO set; a negRisk market is a set when the event list and the adapter's count agree", function () {
    const binary = market(9, { negRiskMarketId: null, questionId: null, eventId: "evt-b" });
    const { sets, refused } = candidateSets({
      markets: [market(0), market(1), market(2), binary],
      events: [EVENT],
      onChain: CHAIN,
    });
    expect(refused).to.deep.equal([]);
    const nr = sets.find((s) => s.kind === "negRisk")!;
    expect(nr.legs.map((l) => [l.tokenId, l.complementTokenId, l.questionIndex])).to.deep.equal([
      ["01", "00", 0],
      ["11", "10", 1],
      ["21", "20", 2],
    ]);
    expect(nr.questionCount).to.equal(3);
    const b = sets.find((s) => s.kind === "binary")!;
    expect(b.legs.map((l) => l.tokenId)).to.deep.equal(["91", "90"]);
  });

  it("refuses, by name: augmented, a market missing from the list, a count that differs on chain, no count, a closed leg, mixed sources and dates", function () {
    const reasonOf = (input: Partial<Parameters<typeof candidateSets>[0]>) =>
      candidateSets({
        markets: [market(0), market(1), market(2)],
        events: [EVENT],
        onChain: CHAIN,
        ...input,
      }).refused.map((r) => r.reason);
    expect(reasonOf({ events: [{ ...EVENT, negRiskAugmented: true }] })).to.deep.equal(["augmented"]);
    expect(reasonOf({ markets: [market(0), market(1)] })).to.deep.equal(["event-list-mismatch"]);
    expect(reasonOf({ events: [] })).to.deep.equal(["event-list-mismatch"]);
    // a question added on chain after the event was listed: the YES set no longer covers every outcome
    expect(
      reasonOf({ onChain: new Map([[MARKET_ID, { questionCount: 4, feeBips: 0, determined: false }]]) }),
    ).to.deep.equal(["question-count-mismatch"]);
    expect(reasonOf({ onChain: new Map() })).to.deep.equal(["question-count-unknown"]);
    expect(reasonOf({ markets: [market(0), market(1, { status: "paused" }), market(2)] })).to.deep.equal([
      "leg-not-open",
    ]);
    expect(
      reasonOf({ markets: [market(0), market(1, { resolutionSource: "ABS" }), market(2)] }),
    ).to.deep.equal(["mixed-resolution-source"]);
    expect(reasonOf({ markets: [market(0), market(1, { endDate: 1 }), market(2)] })).to.deep.equal([
      "mixed-end-date",
    ]);
    expect(reasonOf({ markets: [market(0), market(1, { questionId: qid(7) }), market(2)] })).to.deep.equal([
      "inconsistent-metadata",
    ]);
  });

  it("a group proposed from slug patterns is a pseudo-set unless it is exactly the venue's negRisk market", function () {
    const weather = [4, 5].map((i) =>
      market(i, {
        negRiskMarketId: null,
        questionId: null,
        eventId: `w${i}`,
        resolutionSource: i === 4 ? "NOAA" : "Weather Underground",
      }),
    );
    const { refused, sets } = candidateSets({
      markets: [market(0), market(1), market(2), ...weather],
      events: [EVENT],
      onChain: CHAIN,
      proposed: [
        { id: "slug:temp", conditionIds: [cid(4), cid(5)], basis: "slug pattern highest-temperature-*" },
        { id: "venue", conditionIds: [cid(0), cid(1), cid(2)], basis: "recorded group" },
        { id: "subset", conditionIds: [cid(0), cid(1)], basis: "recorded group" },
      ],
    });
    expect(refused.map((r) => [r.id, r.reason])).to.deep.equal([
      ["slug:temp", "pseudo-set"],
      ["subset", "pseudo-set"],
    ]);
    expect(refused[0]!.detail).to.contain("different resolution sources");
    // the proposed groups add nothing: only the venue's own sets are candidates
    expect(sets.map((s) => s.kind)).to.deep.equal(["binary", "binary", "negRisk"]);
  });
});

describe("outcome arbitrage: CTF Exchange fees and depth", function () {
  it("fees follow the exchange's CalculatorHelper: BUY in tokens (rate·min(p,1−p)·n/p), SELL in collateral; the integer form agrees", function () {
    expect(ctfBuyFeeTokens(100, 0.4, 100)).to.be.closeTo(1, 1e-12);
    expect(ctfBuyFeeTokens(100, 0.8, 100)).to.be.closeTo(0.25, 1e-12);
    expect(ctfSellFeeCollateral(100, 0.8, 100)).to.be.closeTo(0.2, 1e-12);
    // 100 tokens for 40 USDC at 100 bps: 1 token fee; 100 tokens sold for 80 USDC: 0.2 USDC fee
    expect(ctfFeeExact(100n, 100_000_000n, 40_000_000n, 100_000_000n, "BUY")).to.equal(1_000_000n);
    expect(ctfFeeExact(100n, 100_000_000n, 100_000_000n, 80_000_000n, "SELL")).to.equal(200_000n);
    expect(ctfFeeExact(0n, 100_000_000n, 40_000_000n, 100_000_000n, "BUY")).to.equal(0n);
    for (let i = 0; i < 200; i++) {
      const p = 0.01 * (1 + (i % 98));
      const tokens = 1_000_000n * BigInt(1 + i);
      const maker = (tokens * BigInt(Math.round(p * 100))) / 100n;
      const exact = Number(ctfFeeExact(250n, tokens, maker, tokens, "BUY")) / 1e6;
      expect(exact).to.be.closeTo(ctfBuyFeeTokens(250, p, Number(tokens) / 1e6), 2e-6);
    }
  });

  it("the walk takes sets level by level while the marginal set stays below par − minimum profit", function () {
    // leg a: 100 @ 0.30 then 100 @ 0.40; leg b: 150 @ 0.55 then 500 @ 0.66
    const walk = walkSets(
      [
        {
          tokenId: "a",
          levels: [
            { price: 0.3, size: 100 },
            { price: 0.4, size: 100 },
          ],
          feeRateBps: 0,
        },
        {
          tokenId: "b",
          levels: [
            { price: 0.55, size: 150 },
            { price: 0.66, size: 500 },
          ],
          feeRateBps: 0,
        },
      ],
      "BUY",
      0.99,
      { maxSets: Infinity, budget: Infinity },
    );
    // 100 sets at 0.85, 50 at 0.95, then 0.40 + 0.66 = 1.06 > 0.99 stops
    expect(walk.sets).to.be.closeTo(150, 1e-9);
    expect(walk.collateral).to.be.closeTo(100 * 0.85 + 50 * 0.95, 1e-9);
    expect(walk.legs[0]!.levels).to.deep.equal([
      { price: 0.3, tokens: 100 },
      { price: 0.4, tokens: 50 },
    ]);
    expect(walk.legs[0]!.limitPrice).to.equal(0.4);
    // with a fee in tokens each leg buys more gross to net the same sets
    const fee = walkSets(
      [
        { tokenId: "a", levels: [{ price: 0.3, size: 1000 }], feeRateBps: 100 },
        { tokenId: "b", levels: [{ price: 0.6, size: 1000 }], feeRateBps: 100 },
      ],
      "BUY",
      0.99,
      { maxSets: 10, budget: Infinity },
    );
    const grossA = 10 / (1 - ctfBuyFeeTokens(100, 0.3, 1));
    expect(fee.legs[0]!.tokens).to.be.closeTo(grossA, 1e-9);
    expect(fee.collateral).to.be.closeTo(
      grossA * 0.3 + (10 / (1 - ctfBuyFeeTokens(100, 0.6, 1))) * 0.6,
      1e-9,
    );
  });
});

describe("outcome arbitrage: strategies and sizing", function () {
  const sets = candidateSets({
    markets: [market(0), market(1), market(2)],
    events: [EVENT],
    onChain: CHAIN,
  }).sets;
  const yes = (a: [number, number], b: [number, number], c: [number, number], quotedAt = NOW) =>
    new Map([
      ["01", book("01", [a], [], quotedAt)],
      ["11", book("11", [b], [], quotedAt)],
      ["21", book("21", [c], [], quotedAt)],
    ]);

  it("Dutch book on a negRisk YES set: Σ asks 0.93 at depth, held as a set; sized by the thinnest leg", function () {
    const scan = scanOutcomeSets(sets, yes([0.3, 1000], [0.33, 400], [0.3, 800]), ctx(), config());
    expect(scan.rejected.filter((r) => r.strategy === "dutch-book")).to.deep.equal([]);
    const [opp] = scan.opportunities;
    expect(opp).to.include({ strategy: "dutch-book", lock: "hold-set" });
    expect(opp!.sets).to.be.closeTo(400, 1e-9);
    expect(opp!.costUsd).to.be.closeTo(400 * 0.93, 1e-6);
    expect(opp!.profitUsd).to.be.closeTo(400 * 0.07, 1e-6);
  });

  it("refuses with the Dutch-book guards' names: stale, skew, implausible Σ, thin leg; no edge and crossed books too", function () {
    const reasons = (books: Map<string, LegBook>, c = config()) =>
      scanOutcomeSets(sets, books, ctx(), c).rejected.map((r) => r.reason);
    expect(reasons(yes([0.3, 1000], [0.33, 400], [0.3, 800], NOW - 120_000))).to.deep.equal(["stale"]);
    const skewed = yes([0.3, 1000], [0.33, 400], [0.3, 800]);
    skewed.set("21", book("21", [[0.3, 800]], [], NOW - 10_000));
    expect(reasons(skewed)).to.deep.equal(["skew"]);
    expect(reasons(yes([0.1, 1000], [0.1, 400], [0.1, 800]))[0]).to.equal("implausible");
    expect(reasons(yes([0.3, 1000], [0.33, 10], [0.3, 800]))[0]).to.equal("depth");
    expect(reasons(yes([0.34, 1000], [0.33, 400], [0.34, 800]))[0]).to.equal("no-edge");
    const crossed = yes([0.3, 1000], [0.33, 400], [0.3, 800]);
    crossed.set("01", book("01", [[0.3, 1000]], [[0.31, 5]]));
    expect(reasons(crossed)).to.deep.equal(["crossed-book"]);
    expect(reasons(new Map([["01", book("01", [[0.3, 100]])]]))).to.deep.equal(["book-missing"]);
  });

  it("the connector's caps as it counts them (every question of a negRisk set), the capital and the minimum profit bound the size", function () {
    const big = yes([0.3, 100_000], [0.33, 100_000], [0.3, 100_000]);
    const caps = { ...defaultStrategyConfig().caps, perMarket: 0.2, perCluster: { default: 0.3 } };
    // the connector counts 3 × sets against its 30 % group cap: at most 0.98 × 10,000 × 0.1 sets
    const capped = scanOutcomeSets(sets, big, ctx({ navUsd: 10_000 }), config({ caps })).opportunities[0]!;
    expect(capped.sets).to.be.at.most(980 + 1e-9);
    expect(capped.sets).to.be.above(979);
    expect(capped.cappedBy).to.equal("connector group cap");
    // with a wide group cap the connector's per-question count meets the 15 % event cap in sets, which
    // binds before the keeper's own event cap on cost (a set costs less than its par)
    const wide = { ...caps, perCluster: { default: 0.9 } };
    const eventBound = scanOutcomeSets(sets, big, ctx({ navUsd: 10_000 }), config({ caps: wide }))
      .opportunities[0]!;
    expect(eventBound.sets).to.be.closeTo(1_470, 1);
    expect(eventBound.costUsd).to.be.below(1_500);
    const poor = scanOutcomeSets(sets, big, ctx({ capitalUsd: 93 }), config()).opportunities[0]!;
    expect(poor.sets).to.be.closeTo(100, 1e-9);
    expect(poor.cappedBy).to.equal("capital");
    const small = scanOutcomeSets(sets, big, ctx({ capitalUsd: 9.3 }), config({ minProfitUsd: 1 }));
    expect(small.rejected.map((r) => r.reason)).to.include("below-min-profit");
    const exposure = emptyExposure();
    exposure.event.set("evt-rba", 0.15);
    const full = scanOutcomeSets(sets, big, ctx({ exposure }), config());
    expect(full.rejected.map((r) => [r.strategy, r.reason])).to.deep.include(["dutch-book", "capped"]);
  });

  it("mint-and-sell on a binary market when Σ bids − fees > 1; NO-set conversion on negRisk when Σ NO asks < n − 1", function () {
    const binary = candidateSets({
      markets: [market(9, { negRiskMarketId: null, questionId: null, feeRateBps: 100 })],
      events: [],
      onChain: new Map(),
    }).sets;
    const books = new Map([
      ["91", book("91", [[0.6, 500]], [[0.56, 500]])],
      ["90", book("90", [[0.5, 500]], [[0.47, 300]])],
    ]);
    const [mint] = scanOutcomeSets(binary, books, ctx(), config()).opportunities;
    expect(mint).to.include({ strategy: "mint-and-sell", lock: "split-first" });
    expect(mint!.sets).to.be.closeTo(300, 1e-9);
    // 300 × (0.56 + 0.47) less fees 1 % × min(p, 1 − p): 0.44 and 0.47 per 100
    const fees = 300 * 0.01 * (0.44 + 0.47);
    expect(mint!.profitUsd).to.be.closeTo(300 * 1.03 - fees - 300, 1e-6);

    const noBooks = yes([0.4, 1000], [0.4, 1000], [0.4, 1000]);
    for (const [t, p] of [
      ["00", 0.6],
      ["10", 0.65],
      ["20", 0.66],
    ] as const)
      noBooks.set(t, book(t, [[p, 200]]));
    const scan = scanOutcomeSets(sets, noBooks, ctx(), config());
    const [conv] = scan.opportunities;
    expect(conv).to.include({ strategy: "no-conversion", lock: "convert" });
    // 3 NO for 1.91 convert into 2 USDC: 0.09 a set, 200 sets
    expect(conv!.profitUsd).to.be.closeTo(200 * 0.09, 1e-6);
    expect(scan.rejected.find((r) => r.strategy === "dutch-book")?.reason).to.equal("no-edge");
  });

  it("resolution arbitrage trades only an outcome verified on chain", function () {
    const resolved = market(9, { negRiskMarketId: null, questionId: null, status: "resolved" });
    const books = new Map([["91", book("91", [[0.97, 1000]])]]);
    const unverified = scanResolutions([resolved], new Map(), books, ctx(), config());
    expect(unverified.rejected.map((r) => r.reason)).to.deep.equal(["resolution-unverified"]);
    const verified = scanResolutions(
      [resolved],
      new Map([[cid(9), { conditionId: cid(9), winningTokenId: "91", source: "ctf-payout" as const }]]),
      books,
      ctx(),
      config(),
    );
    expect(verified.opportunities[0]).to.include({ strategy: "resolution", lock: "redeem" });
    expect(verified.opportunities[0]!.profitUsd).to.be.closeTo(1000 * 0.03, 1e-6);
  });
});

import path from "node:path";
import { expect } from "chai";
import { gammaEventGroups, kalshiEventGroups } from "../../../keeper/signals/groups.js";
import { parseKalshiEvents } from "../../../keeper/signals/kalshi.js";
import {
  readHourlyPrices,
  readOutcomeGroups,
  RESOLVED_DIR,
} from "../../../keeper/signals/replay/resolvedTimeseries.js";
import type { FeeInfo, MarketSnapshot } from "../../../keeper/signals/types.js";
import { defaultStrategyConfig } from "../../../keeper/strategy/config.js";
import { checkDutchBook, detectDutchBook, type DutchLeg } from "../../../keeper/strategy/dutchBook.js";
import { evaluate } from "../../../keeper/strategy/evaluate.js";
import { parsePolicy } from "../../../keeper/strategy/policy.js";
import { DATA_DIR, readRecorded } from "./helpers/recordedServer.js";
import { EXAMPLE_POLICY } from "./helpers/examplePolicy.js";

const NOTIONAL_1PCT: FeeInfo = { model: "notional", takerRate: 0.01, makerRate: 0, exponent: 1 };
const NO_FEE: FeeInfo = { model: "none", takerRate: 0, makerRate: 0, exponent: 1 };
const KALSHI: FeeInfo = { model: "kalshi", takerRate: 0.07, makerRate: 0, exponent: 1 };

const leg = (
  id: string,
  bid: number | null,
  ask: number | null,
  shares: number | null,
  fee: FeeInfo,
): DutchLeg => ({
  id,
  bestBid: bid,
  bestAsk: ask,
  askShares: shares,
  bidShares: shares,
  fee,
});

describe("strategy: Dutch-book detection", function () {
  it("seed vector: asks 0.30/0.33/0.32 with a 1 % notional fee lock in 0.0405 per set, sized by the thinnest leg", function () {
    const book = detectDutchBook(
      [
        leg("a", 0.29, 0.3, 100, NOTIONAL_1PCT),
        leg("b", 0.32, 0.33, 50, NOTIONAL_1PCT),
        leg("c", 0.31, 0.32, 80, NOTIONAL_1PCT),
      ],
      0.005,
    );
    // Σ asks 0.95, fees 1 % × 0.95 = 0.0095 → 1 − 0.95 − 0.0095 = 0.0405 per set; leg b has 50 shares.
    expect(book?.side).to.equal("buy-all");
    expect(book?.profitPerSet).to.be.closeTo(0.0405, 1e-12);
    expect(book?.sets).to.equal(50);
    expect(book?.limitingLeg).to.equal("b");
    expect(book?.capitalUsd).to.be.closeTo(50 * 0.9595, 1e-9);
    expect(book?.profitUsd).to.be.closeTo(50 * 0.0405, 1e-9);
  });

  it("seed vector: asks 0.34/0.33/0.34 (Σ 1.01) is no trade; bids summing above 1 + fees is the sell-side book", function () {
    expect(
      detectDutchBook(
        [
          leg("a", 0.33, 0.34, 10, NOTIONAL_1PCT),
          leg("b", 0.32, 0.33, 10, NOTIONAL_1PCT),
          leg("c", 0.33, 0.34, 10, NOTIONAL_1PCT),
        ],
        0,
      ),
    ).to.equal(null);
    const sell = detectDutchBook(
      [
        leg("a", 0.4, 0.41, 10, NOTIONAL_1PCT),
        leg("b", 0.35, 0.36, 7, NOTIONAL_1PCT),
        leg("c", 0.3, 0.31, 9, NOTIONAL_1PCT),
      ],
      0.005,
    );
    // Σ bids 1.05, fees 0.0105 → 0.0395 per minted set; thinnest leg b: 7 sets, 7 USD of collateral.
    expect(sell).to.include({ side: "sell-all", sets: 7, limitingLeg: "b" });
    expect(sell?.profitPerSet).to.be.closeTo(0.0395, 1e-12);
    expect(sell?.capitalUsd).to.equal(7);
  });

  it("a leg without a quote or with unknown depth gives no size", function () {
    expect(detectDutchBook([leg("a", 0.3, null, 10, NO_FEE), leg("b", 0.3, 0.3, 10, NO_FEE)], 0)).to.equal(
      null,
    );
    const unknownDepth = detectDutchBook(
      [leg("a", 0.3, 0.3, null, NO_FEE), leg("b", 0.3, 0.3, 10, NO_FEE)],
      0,
    );
    expect(unknownDepth?.sets).to.equal(0);
  });

  it("real Kalshi NATO event: Σ YES asks 0.99 < 1, but the quadratic fees turn it into a loss", function () {
    const events = parseKalshiEvents(readRecorded("kalshi/api-samples/pmvl_kalshi_events.json"), 0);
    const yes = events.items.filter(
      (s) => s.exclusiveGroup === "KXNEXTNATOSECGEN-99" && s.tokenId.endsWith(":yes"),
    );
    const asks = yes.map((s) => s.bestAsk as number);
    expect(asks).to.deep.equal([0.14, 0.1, 0.1, 0.1, 0.1, 0.13, 0.17, 0.15]);
    // Fees 0.07 × Σ a(1 − a) = 0.07 × (0.1204 + 4 × 0.09 + 0.1131 + 0.1411 + 0.1275) = 0.07 × 0.8621 = 0.060347.
    const legs = yes.map((s) => leg(s.tokenId, s.bestBid, s.bestAsk, 1000, KALSHI));
    expect(detectDutchBook(legs, 0)).to.equal(null);
    const free = detectDutchBook(
      legs.map((l) => ({ ...l, fee: NO_FEE })),
      0,
    );
    expect(free?.profitPerSet).to.be.closeTo(0.01, 1e-9);
  });
});

describe("strategy: Dutch books on the real Jan-2026 outcome groups (prices_hourly.csv)", function () {
  const dir = path.join(DATA_DIR, RESOLVED_DIR);

  async function groupHours(group: string) {
    const groups = await readOutcomeGroups(dir);
    const members = groups.find((g) => g.group === group)?.marketIndexes ?? [];
    const hourly = await readHourlyPrices(dir);
    // Independent pass: hour → member → price, keeping hours where every leg printed.
    const byHour = new Map<number, Map<number, number>>();
    for (const row of hourly) {
      if (!members.includes(row.market)) continue;
      // Each row is the last print of its UTC hour; legs print at different seconds, so key by hour.
      const key = Math.floor(row.t / 3_600_000) * 3_600_000;
      const hour = byHour.get(key) ?? new Map<number, number>();
      hour.set(row.market, row.p);
      byHour.set(key, hour);
    }
    const complete = [...byHour.entries()].filter(([, m]) => m.size === members.length);
    return { members, complete, groups };
  }

  it("Costa Rica (25 legs): the extreme hours are a buy-all and a sell-all book at mid prices", async function () {
    const { members, complete } = await groupHours("costa-rica-2026-most-seats");
    expect(members).to.have.length(25);
    const sums = complete.map(([t, m]) => ({
      t,
      sum: [...m.values()].reduce((a, b) => a + b, 0),
      prices: m,
    }));
    const low = sums.reduce((a, b) => (b.sum < a.sum ? b : a));
    const high = sums.reduce((a, b) => (b.sum > a.sum ? b : a));
    // The data README: Costa Rica sums range 0.957–1.087.
    expect(low.sum).to.be.closeTo(0.957, 0.0005);
    expect(high.sum).to.be.closeTo(1.087, 0.0005);
    const legsAt = (prices: Map<number, number>, fee: FeeInfo) =>
      [...prices].map(([m, p]) => leg(String(m), p, p, 1_000 / p, fee));
    const buy = detectDutchBook(legsAt(low.prices, NO_FEE), 0.005);
    expect(buy?.side).to.equal("buy-all");
    expect(buy?.profitPerSet).to.be.closeTo(1 - low.sum, 1e-9);
    // Depth 1,000 USD per leg: the priciest leg has the fewest shares and limits the size.
    const maxPrice = Math.max(...low.prices.values());
    expect(buy?.sets).to.be.closeTo(1_000 / maxPrice, 1e-6);
    const sell = detectDutchBook(legsAt(high.prices, NO_FEE), 0.005);
    expect(sell?.side).to.equal("sell-all");
    expect(sell?.profitPerSet).to.be.closeTo(high.sum - 1, 1e-9);
    // With a 5 % Polymarket fee the sell side still clears: fees are Σ 0.05 × p(1 − p), computed here.
    const fees = [...high.prices.values()].reduce((a, p) => a + 0.05 * p * (1 - p), 0);
    const taxed = detectDutchBook(
      legsAt(high.prices, { model: "polymarket", takerRate: 0.05, makerRate: 0, exponent: 1 }),
      0.005,
    );
    expect(taxed?.profitPerSet).to.be.closeTo(high.sum - fees - 1, 1e-9);
  });

  it("RBA decision (3 legs): Σ 0.906–1.022; the median hour (Σ ≈ 1.000) is no book", async function () {
    const { complete } = await groupHours("rba-feb-2026-decision");
    const sums = complete.map(([, m]) => [...m.values()].reduce((a, b) => a + b, 0)).sort((a, b) => a - b);
    expect(sums[0]).to.be.closeTo(0.906, 0.0005);
    expect(sums[sums.length - 1]).to.be.closeTo(1.022, 0.0005);
    const median = complete.find(([, m]) => Math.abs([...m.values()].reduce((a, b) => a + b, 0) - 1) < 1e-9);
    expect(median, "an hour summing to exactly 1").to.not.equal(undefined);
    const legs = [...(median?.[1] ?? new Map<number, number>())].map(([m, p]) =>
      leg(String(m), p, p, 100, NO_FEE),
    );
    expect(detectDutchBook(legs, 0.001)).to.equal(null);
  });

  it("evaluate() books only groups declared exhaustive: the incomplete Seattle set (Σ ≈ 0.5) is a pseudo-set, not arbitrage", async function () {
    const { complete: seattle, groups } = await groupHours("seattle-high-temp-feb-2");
    const { complete: rba } = await groupHours("rba-feb-2026-decision");
    const [tSeattle, seattlePrices] = seattle[0] as [number, Map<number, number>];
    const [tRba, rbaPrices] = rba.reduce((a, b) =>
      [...b[1].values()].reduce((x, y) => x + y, 0) < [...a[1].values()].reduce((x, y) => x + y, 0) ? b : a,
    );
    const snap = (group: string, market: number, price: number, t: number): MarketSnapshot => ({
      venue: "polymarket",
      marketId: `m${market}`,
      tokenId: `t${market}`,
      eventId: group,
      exclusiveGroup: group,
      question: group,
      outcome: "Yes",
      price,
      bestBid: price,
      bestAsk: price,
      depth: { bidUsd: 500, askUsd: 500, bandAbs: 0.02 },
      liquidityUsd: null,
      volumeUsd: null,
      endDate: t + 86_400_000,
      status: "open",
      resolvedValue: null,
      settlement: { source: "recorded", rules: null },
      fee: NO_FEE,
      category: "test",
      fetchedAt: t,
    });
    const now = Math.max(tSeattle, tRba);
    const snapshots = [
      ...[...seattlePrices].map(([m, p]) => snap("seattle-high-temp-feb-2", m, p, now)),
      ...[...rbaPrices].map(([m, p]) => snap("rba-feb-2026-decision", m, p, now)),
    ];
    const seattleSum = [...seattlePrices.values()].reduce((a, b) => a + b, 0);
    expect(seattleSum).to.be.lessThan(0.9);
    const exhaustive = groups.filter((g) => g.looksComplete).map((g) => g.group);
    expect(exhaustive).to.not.include("seattle-high-temp-feb-2");
    const policy = parsePolicy(EXAMPLE_POLICY);
    if (!policy.ok) throw new Error("example policy invalid");
    const config = { ...defaultStrategyConfig({ exhaustiveGroups: exhaustive, bankrollUsd: 10_000 }) };
    const result = evaluate(snapshots, policy.policy, config, now);
    const books = result.recommendations.filter((r) => r.kind === "dutch-book");
    expect(books.map((b) => b.marketId)).to.deep.equal(["rba-feb-2026-decision"]);
    const rbaSum = [...rbaPrices.values()].reduce((a, b) => a + b, 0);
    expect(books[0]?.edge).to.be.closeTo(1 - rbaSum, 1e-9);
    // 500 USD per leg; the priciest leg bounds the sets; capital = sets × Σ asks ≤ 10 % of 10,000.
    const sets = Math.min(500 / Math.max(...rbaPrices.values()), 1_000 / rbaSum);
    expect(books[0]?.sizeFraction).to.be.closeTo((sets * rbaSum) / 10_000, 1e-9);
  });
});

describe("strategy: checkDutchBook guards (production and replay)", function () {
  const NOW = 1_000_000;
  const guards = {
    minProfitPerSet: 0.005,
    maxQuoteAgeMs: 60_000,
    maxQuoteSkewMs: 5_000,
    maxDeviation: 0.1,
    minLegDepthUsd: 100,
  };
  const quoted = (id: string, ask: number, shares: number, quotedAt: number) => ({
    ...leg(id, ask - 0.01, ask, shares, NO_FEE),
    quotedAt,
  });
  // Σ asks 0.96: a 0.04 book per set, with fresh quotes of one instant and 1,000 shares a leg.
  const fresh = [
    quoted("a", 0.3, 1000, NOW),
    quoted("b", 0.3, 1000, NOW - 1_000),
    quoted("c", 0.36, 1000, NOW),
  ];

  it("prices a fresh, synchronous, deep, plausible set", function () {
    const check = checkDutchBook(fresh, true, guards, NOW);
    expect(check.refused).to.equal(null);
    expect(check.book?.side).to.equal("buy-all");
    expect(check.book?.profitPerSet).to.be.closeTo(0.04, 1e-12);
    expect(check.book?.sets).to.equal(1000);
  });

  it("refuses a set not known to be exhaustive", function () {
    expect(checkDutchBook(fresh, false, guards, NOW).refused?.guard).to.equal("exhaustive");
  });

  it("refuses a stale leg and legs quoted apart (not prices of one instant)", function () {
    const stale = [...fresh.slice(0, 2), quoted("c", 0.36, 1000, NOW - 61_000)];
    expect(checkDutchBook(stale, true, guards, NOW).refused).to.deep.equal({
      guard: "stale",
      detail: "stale leg (61 s old)",
    });
    const skewed = [...fresh.slice(0, 2), quoted("c", 0.36, 1000, NOW - 6_000)];
    expect(checkDutchBook(skewed, true, guards, NOW).refused?.guard).to.equal("skew");
  });

  it("refuses an implausible sum (Σ 0.30–0.37 stale prints) and a thin leg", function () {
    const stalePrints = [
      quoted("a", 0.1, 1000, NOW),
      quoted("b", 0.12, 1000, NOW),
      quoted("c", 0.11, 1000, NOW),
    ];
    const implausible = checkDutchBook(stalePrints, true, guards, NOW);
    expect(implausible.refused?.guard).to.equal("implausible");
    expect(implausible.refused?.detail).to.equal("implausible Σ 0.3300 (stale or empty books)");
    // 300 shares at 0.30 = $90 < $100.
    const thin = [quoted("a", 0.3, 300, NOW), ...fresh.slice(1)];
    expect(checkDutchBook(thin, true, guards, NOW).refused).to.deep.equal({
      guard: "depth",
      detail: "thinnest leg $90 < $100",
    });
  });

  it("no book at fair prices is not a refusal", function () {
    const fair = [quoted("a", 0.34, 1000, NOW), quoted("b", 0.33, 1000, NOW), quoted("c", 0.34, 1000, NOW)];
    expect(checkDutchBook(fair, true, guards, NOW)).to.deep.equal({ book: null, refused: null });
  });
});

describe("strategy: exhaustiveness from venue metadata", function () {
  const NOW = Date.parse("2026-08-09T12:00:00Z");
  const leg = (group: string, i: number, price: number): MarketSnapshot => ({
    venue: "polymarket",
    marketId: `${group}-m${i}`,
    tokenId: `${group}-t${i}`,
    eventId: group,
    exclusiveGroup: group,
    question: `${group} leg ${i}`,
    outcome: "Yes",
    price,
    bestBid: price - 0.01,
    bestAsk: price,
    depth: { bidUsd: 500, askUsd: 500, bandAbs: 0.02 },
    liquidityUsd: null,
    volumeUsd: null,
    endDate: NOW + 86_400_000,
    status: "open",
    resolvedValue: null,
    settlement: { source: "recorded", rules: null },
    fee: NO_FEE,
    category: "test",
    fetchedAt: NOW,
  });
  // Three legs asking 0.31 each: Σ 0.93, a 0.07 book per set if the set is exhaustive.
  const event = (id: string, augmented: boolean) => ({
    id,
    negRisk: true,
    negRiskMarketID: id,
    negRiskAugmented: augmented,
    markets: [{}, {}, {}],
  });

  it("books a negRisk group the Gamma event marks exhaustive; refuses an augmented one and a missing leg", function () {
    const groups = gammaEventGroups([
      event("full", false),
      event("augmented", true),
      event("partial", false),
    ]);
    expect(groups.get("full")).to.deep.equal({ legs: 3, exhaustive: true, source: "gamma negRisk event" });
    expect(groups.get("augmented")?.exhaustive).to.equal(false);
    const snapshots = [
      ...[0, 1, 2].map((i) => leg("full", i, 0.31)),
      ...[0, 1, 2].map((i) => leg("augmented", i, 0.31)),
      ...[0, 1].map((i) => leg("partial", i, 0.31)),
    ];
    const policy = parsePolicy(EXAMPLE_POLICY);
    if (!policy.ok) throw new Error("example policy invalid");
    const result = evaluate(
      snapshots,
      policy.policy,
      { ...defaultStrategyConfig({ bankrollUsd: 10_000 }), groupMetadata: groups },
      NOW,
    );
    const books = result.recommendations.filter((r) => r.kind === "dutch-book");
    expect(books.map((b) => b.marketId)).to.deep.equal(["full"]);
    expect(books[0]?.edge).to.be.closeTo(0.07, 1e-12);
    const refusal = result.rejected.find((r) => r.tokenId === "partial");
    expect(refusal?.kind).to.equal("dutch-guard");
    expect(refusal?.reasons).to.deep.equal(["2 of the 3 legs the venue lists (gamma negRisk event)"]);
  });

  it("a Kalshi mutually exclusive event is at most one YES, never marked exhaustive", function () {
    const groups = kalshiEventGroups(readRecorded("kalshi/api-samples/pmvl_kalshi_events.json"));
    expect([...groups.keys()]).to.deep.equal(["KXNEXTNATOSECGEN-99"]);
    expect(groups.get("KXNEXTNATOSECGEN-99")).to.include({ legs: 8, exhaustive: false });
  });
});

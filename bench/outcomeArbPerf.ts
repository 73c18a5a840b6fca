import type { Address } from "viem";
import { connectorOrderHash, connectorOrder } from "../keeper/planning/outcomeActions.js";
import { planOutcomeBatch } from "../keeper/planning/outcomeOrders.js";
import type { BookLevel } from "../keeper/signals/types.js";
import { defaultStrategyConfig } from "../keeper/strategy/config.js";
import {
  candidateSets,
  scanOutcomeSets,
  type LegBook,
  type OutcomeArbConfig,
  type VenueEvent,
  type VenueMarket,
} from "../keeper/strategy/outcomes/index.js";
import { emptyExposure } from "../keeper/strategy/sizing.js";
import { median, percentile } from "./results.js";

/**
 * Keeper time from a book snapshot to signed orders: candidate sets from the metadata, every
 * strategy on every set at depth, sizing, the exact batch, and each order's exchange struct and
 * EIP-712 hash (a POLY_1271 order is "signed" by the connector recording that hash; its signature
 * field is empty). One n-leg negRisk group whose asks sum below 1, three book levels per leg.
 */
export interface SnapshotToOrders {
  readonly legs: number;
  readonly orders: number;
  readonly msMedian: number;
  readonly msP95: number;
}

const MARKET = `0x${"cd".repeat(31)}00`;
const CONNECTOR = "0x1111111111111111111111111111111111111111" as Address;
const EXCHANGE = "0x2222222222222222222222222222222222222222" as Address;

function group(n: number, now: number) {
  const markets: VenueMarket[] = Array.from({ length: n }, (_, i) => ({
    conditionId: `0x${(i + 1).toString(16).padStart(64, "0")}`,
    questionId: `${MARKET.slice(0, 64)}${i.toString(16).padStart(2, "0")}`,
    slug: `leg-${i}`,
    question: `leg ${i}`,
    yesTokenId: String(10_000 + i),
    noTokenId: String(20_000 + i),
    negRiskMarketId: MARKET,
    eventId: "bench",
    resolutionSource: "bench",
    endDate: null,
    status: "open",
    feeRateBps: 100,
    tickSize: 0.01,
  }));
  const event: VenueEvent = {
    id: "bench",
    negRisk: true,
    negRiskMarketId: MARKET,
    negRiskAugmented: false,
    marketConditionIds: markets.map((m) => m.conditionId),
  };
  // Σ best asks 0.97: a Dutch book of 3 cents a set before fees, spread over the legs on the 0.01 grid
  const cents = Array.from({ length: n }, (_, i) => Math.floor(97 / n) + (i < 97 % n ? 1 : 0));
  const levels = (p: number): BookLevel[] =>
    [0, 1, 2].map((k) => ({ price: Number((p + k * 0.01).toFixed(2)), size: 400 * (k + 1) }));
  const books = new Map<string, LegBook>();
  for (const [i, m] of markets.entries()) {
    const price = cents[i]! / 100;
    books.set(m.yesTokenId, { tokenId: m.yesTokenId, asks: levels(price), bids: [], quotedAt: now });
    books.set(m.noTokenId, {
      tokenId: m.noTokenId,
      asks: levels(Math.min(0.97, 1.01 - price)),
      bids: [],
      quotedAt: now,
    });
  }
  return { markets, event, books };
}

export function measureSnapshotToOrders(legs: number, runs = 200): SnapshotToOrders {
  const now = 1_769_600_000_000;
  const { markets, event, books } = group(legs, now);
  const base = defaultStrategyConfig();
  const arb: OutcomeArbConfig = {
    guards: { ...base.dutchBook, minLegDepthUsd: 1 },
    minProfitUsd: 0.01,
    caps: { ...base.caps, perMarket: 0.15 },
    setStep: 0.01,
  };
  const samples: number[] = [];
  let orders = 0;
  for (let i = 0; i < runs + 10; i++) {
    const t0 = performance.now();
    const { sets } = candidateSets({
      markets,
      events: [event],
      onChain: new Map([[MARKET, { questionCount: legs, feeBips: 0, determined: false }]]),
    });
    const scan = scanOutcomeSets(
      sets,
      books,
      { navUsd: 1_000_000, capitalUsd: 1_000_000, exposure: emptyExposure(), now },
      arb,
    );
    const opp = scan.opportunities[0];
    if (!opp)
      throw new Error(`no opportunity on the ${legs}-leg bench group: ${JSON.stringify(scan.rejected)}`);
    const batch = planOutcomeBatch(opp, {
      now: now / 1000,
      ttlSeconds: 120,
      nonce: 0n,
      books,
      sizeStep: 10_000n,
      minProfit: 1n,
    });
    const signed = batch.orders.map((o) => ({
      order: connectorOrder(o, CONNECTOR),
      hash: connectorOrderHash(o, CONNECTOR, 31_337, EXCHANGE),
    }));
    const dt = performance.now() - t0;
    orders = signed.length;
    if (i >= 10) samples.push(dt);
  }
  return {
    legs,
    orders,
    msMedian: Number(median(samples).toFixed(3)),
    msP95: Number(percentile(samples, 95).toFixed(3)),
  };
}

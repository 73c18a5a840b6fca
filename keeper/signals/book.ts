import type { BookDepth, BookLevel, OrderBookSummary, Venue } from "./types.js";

/** Sorts levels best-first and measures USD depth within `band` of the mid on each side. */
export function summarizeBook(input: {
  venue: Venue;
  marketId: string;
  tokenId: string;
  bids: readonly BookLevel[];
  asks: readonly BookLevel[];
  timestamp: number;
  hash: string | null;
  band: number;
}): OrderBookSummary {
  const bids = input.bids.filter((l) => l.size > 0).sort((a, b) => b.price - a.price);
  const asks = input.asks.filter((l) => l.size > 0).sort((a, b) => a.price - b.price);
  const bestBid = bids[0]?.price ?? null;
  const bestAsk = asks[0]?.price ?? null;
  const mid = bestBid !== null && bestAsk !== null ? (bestBid + bestAsk) / 2 : null;
  return {
    venue: input.venue,
    marketId: input.marketId,
    tokenId: input.tokenId,
    bids,
    asks,
    bestBid,
    bestAsk,
    mid,
    depth: depthAround(bids, asks, mid, input.band),
    timestamp: input.timestamp,
    hash: input.hash,
  };
}

/** USD (price × size) resting within `band` of `mid`; with no mid, within `band` of each best price. */
export function depthAround(
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  mid: number | null,
  band: number,
): BookDepth {
  const bidFloor = (mid ?? bids[0]?.price ?? 0) - band;
  const askCeiling = (mid ?? asks[0]?.price ?? 1) + band;
  let bidUsd = 0;
  for (const level of bids) if (level.price >= bidFloor - 1e-12) bidUsd += level.price * level.size;
  let askUsd = 0;
  for (const level of asks) if (level.price <= askCeiling + 1e-12) askUsd += level.price * level.size;
  return { bidUsd: round2(bidUsd), askUsd: round2(askUsd), bandAbs: band };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

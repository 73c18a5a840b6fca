import type { MarketSnapshot } from "../signals/types.js";
import type { GateConfig, SoftFailure } from "./config.js";

export interface GateResult {
  readonly verdict: "pass" | "downweight" | "block";
  /** Tiers to step down (one per soft failure). */
  readonly penalty: number;
  readonly reasons: string[];
}

const HOUR = 3_600_000;

/**
 * Applies the market-selection gates to one snapshot: status and blacklist, freshness, settlement
 * clarity, liquidity and spread on the side we would buy, price tails, and time to resolution.
 */
export function gateSnapshot(s: MarketSnapshot, gates: GateConfig, now: number): GateResult {
  const blocks: string[] = [];
  const soft: string[] = [];
  const fail = (mode: SoftFailure, reason: string) => (mode === "block" ? blocks : soft).push(reason);

  if (s.status !== "open") blocks.push(`status ${s.status}`);
  if (
    gates.blacklist.includes(s.marketId) ||
    gates.blacklist.includes(s.eventId) ||
    gates.blacklist.includes(s.tokenId)
  ) {
    blocks.push("blacklisted");
  }
  if (now - s.fetchedAt > gates.maxSnapshotAgeMs)
    blocks.push(`stale snapshot (${Math.round((now - s.fetchedAt) / 1000)} s old)`);

  const rules = s.settlement.rules?.toLowerCase() ?? null;
  const ambiguous =
    rules === null
      ? undefined
      : gates.ambiguousSettlementPatterns.find((p) => rules.includes(p.toLowerCase()));
  if (ambiguous !== undefined) blocks.push(`ambiguous settlement ("${ambiguous}")`);
  else if (s.settlement.source === null && rules === null)
    fail(gates.unknownSettlement, "settlement rules unknown");
  else if (s.settlement.source === null) soft.push("no named resolution source");

  if (s.depth !== null) {
    if (s.depth.askUsd < gates.minDepthUsd)
      blocks.push(`ask depth $${s.depth.askUsd} < $${gates.minDepthUsd}`);
  } else if (s.liquidityUsd !== null) {
    if (s.liquidityUsd < gates.minLiquidityUsd)
      blocks.push(`liquidity $${s.liquidityUsd} < $${gates.minLiquidityUsd}`);
  } else fail(gates.unknownLiquidity, "liquidity unknown");

  if (s.bestBid !== null && s.bestAsk !== null) {
    const spread = s.bestAsk - s.bestBid;
    if (spread > gates.maxSpread + 1e-12) blocks.push(`spread ${spread.toFixed(4)} > ${gates.maxSpread}`);
  } else if (s.bestAsk === null) soft.push("no ask quoted");

  if (s.price < gates.minPrice || s.price > gates.maxPrice)
    blocks.push(`price ${s.price} outside [${gates.minPrice}, ${gates.maxPrice}]`);

  if (s.endDate === null) soft.push("end date unknown");
  else {
    const hours = (s.endDate - now) / HOUR;
    if (hours < gates.minHoursToResolution)
      blocks.push(`resolves in ${hours.toFixed(1)} h (< ${gates.minHoursToResolution} h)`);
    else if (hours > gates.maxDaysToResolution * 24)
      blocks.push(`resolves in ${(hours / 24).toFixed(0)} d (> ${gates.maxDaysToResolution} d)`);
    else if (hours < gates.nearResolutionHours) soft.push(`near resolution (${hours.toFixed(1)} h)`);
  }

  if (blocks.length > 0) return { verdict: "block", penalty: 0, reasons: [...blocks, ...soft] };
  if (soft.length > 0) return { verdict: "downweight", penalty: soft.length, reasons: soft };
  return { verdict: "pass", penalty: 0, reasons: [] };
}

import type { FeeInfo } from "../signals/types.js";
import type { CapConfig, StrategyConfig } from "./config.js";
import { feePerShare } from "./fees.js";
import { kellyStake, snapToTier, type ConfidenceTier } from "./kelly.js";

/** Edge, EV and stake for buying one share at `ask` with win probability `p`. */
export interface BuySizing {
  /** p − ask, before fees. */
  readonly edge: number;
  readonly fee: number;
  /** ask + fee: what one share costs all-in. */
  readonly cost: number;
  /** p − cost: expected profit per share after fees. */
  readonly evPerShare: number;
  /** evPerShare / cost: expected profit per dollar staked. */
  readonly evPerDollar: number;
  readonly kellyFull: number;
  readonly kellyFractional: number;
  /** Null when the stake is below the lowest reachable tier or the edge is below `minEdge`. */
  readonly tier: ConfidenceTier | null;
  /** The tier's fraction (0 without a tier); caps are applied separately. */
  readonly stake: number;
}

/**
 * Sizes a buy: EV after fees must reach `minEdge`; fractional Kelly on the all-in cost is then
 * snapped down to a confidence tier (stepping down `penalty` tiers for soft gate failures).
 */
export function sizeBuy(
  p: number,
  confidence: number,
  ask: number,
  fee: FeeInfo,
  penalty: number,
  config: StrategyConfig,
): BuySizing {
  const f = feePerShare(fee, ask);
  const cost = ask + f;
  const evPerShare = p - cost;
  const kellyFull = kellyStake(p, cost);
  const kellyFractional = config.kellyFraction * kellyFull;
  const tier =
    evPerShare >= config.minEdge ? snapToTier(kellyFractional, confidence, config.tiers, penalty) : null;
  return {
    edge: p - ask,
    fee: f,
    cost,
    evPerShare,
    evPerDollar: cost > 0 ? evPerShare / cost : 0,
    kellyFull,
    kellyFractional,
    tier,
    stake: tier?.fraction ?? 0,
  };
}

/** Running exposure (bankroll fractions) by market, event and cluster. */
export interface Exposure {
  readonly market: Map<string, number>;
  readonly event: Map<string, number>;
  readonly cluster: Map<string, number>;
  total: number;
}

export function emptyExposure(): Exposure {
  return { market: new Map(), event: new Map(), cluster: new Map(), total: 0 };
}

export interface CapKeys {
  readonly marketId: string;
  readonly eventId: string;
  readonly cluster: string;
}

/** Clips a stake so no cap is exceeded; reports the binding cap. */
export function applyCaps(
  stake: number,
  keys: CapKeys,
  exposure: Exposure,
  caps: CapConfig,
): { fraction: number; cappedBy: string | null } {
  const clusterCap = Object.hasOwn(caps.perCluster, keys.cluster)
    ? (caps.perCluster[keys.cluster] as number)
    : caps.perCluster.default;
  const room: [string, number][] = [
    ["per-market", caps.perMarket - (exposure.market.get(keys.marketId) ?? 0)],
    ["per-event", caps.perEvent - (exposure.event.get(keys.eventId) ?? 0)],
    [`cluster ${keys.cluster}`, clusterCap - (exposure.cluster.get(keys.cluster) ?? 0)],
    ["total", caps.total - exposure.total],
  ];
  let fraction = stake;
  let cappedBy: string | null = null;
  for (const [name, available] of room) {
    if (available < fraction - 1e-12) {
      fraction = Math.max(0, available);
      cappedBy = name;
    }
  }
  return { fraction, cappedBy };
}

export function addExposure(exposure: Exposure, keys: CapKeys, fraction: number): void {
  exposure.market.set(keys.marketId, (exposure.market.get(keys.marketId) ?? 0) + fraction);
  exposure.event.set(keys.eventId, (exposure.event.get(keys.eventId) ?? 0) + fraction);
  exposure.cluster.set(keys.cluster, (exposure.cluster.get(keys.cluster) ?? 0) + fraction);
  exposure.total += fraction;
}

export function removeExposure(exposure: Exposure, keys: CapKeys, fraction: number): void {
  addExposure(exposure, keys, -fraction);
}

import type { BookDepth, FeeInfo } from "../signals/types.js";
import type { StrategyConfig } from "./config.js";
import type { Estimate } from "./estimators.js";
import { feePerShare } from "./fees.js";
import { kellyStake, type ConfidenceTier } from "./kelly.js";

/** The statistical decision gate's settings. */
export interface DecisionConfig {
  /** One-sided z of the lower confidence bound on p (1.645 = 95 %). */
  readonly z: number;
  /** Estimates with a larger standard error are not traded; confidence = 1 − stdError / maxStdError. */
  readonly maxStdError: number;
}

/** Why a snapshot was not traded, as a stable key the replay and /metrics count by. */
export type AbstainKind =
  "gate" | "no-estimate" | "uncertain" | "ev-lower-bound" | "below-tier" | "depth" | "caps" | "dutch-guard";

export const ABSTAIN_KINDS: readonly AbstainKind[] = [
  "gate",
  "no-estimate",
  "uncertain",
  "ev-lower-bound",
  "below-tier",
  "depth",
  "caps",
  "dutch-guard",
];

/**
 * Average price of buying `stakeUsd` on a side whose best ask is `ask`, with `depth.askUsd` resting
 * uniformly between ask and ask + band (the stated slippage model when only a depth band is known).
 * Null when the size does not fit in the known depth. Unknown depth: the ask, no slippage.
 */
export function fillPrice(ask: number, depth: BookDepth | null, stakeUsd: number): number | null {
  if (depth === null) return ask;
  if (stakeUsd > depth.askUsd) return null;
  return Math.min(1, ask + (depth.bandAbs * stakeUsd) / depth.askUsd / 2);
}

export interface BuyDecision {
  readonly tier: ConfidenceTier;
  /** Bankroll fraction (the tier's), before caps. */
  readonly stake: number;
  readonly fill: number;
  readonly fee: number;
  /** fill + fee. */
  readonly cost: number;
  readonly confidence: number;
  /** p − cost: expected profit per share at the point estimate. */
  readonly evPerShare: number;
  /** p − z·se − cost: the lower bound the gate requires above zero. */
  readonly evLowerBound: number;
  readonly evPerDollar: number;
  /** Fractional Kelly at the lower bound of p (shrunk for estimation error). */
  readonly kellyFractional: number;
}

export type DecisionResult =
  | { readonly decision: BuyDecision; readonly abstain: null }
  | { readonly decision: null; readonly abstain: { readonly kind: AbstainKind; readonly detail: string } };

/**
 * The statistical decision gate for buying one outcome at `ask`:
 * 1. the estimate's standard error must be ≤ `maxStdError`;
 * 2. Kelly is computed at the lower bound p − z·se (shrinking the stake for estimation error),
 *    times `kellyFraction`, and snapped down to a tier (confidence floor, `penalty` tiers lower);
 * 3. at that tier's size the fill price (slippage at the available depth) plus the fee gives the
 *    cost; the trade stands only if p − z·se − cost > 0 and p − cost ≥ `minEdge`, else the next
 *    tier down is tried. Abstaining is the default and carries its reason.
 */
export function decideBuy(
  estimate: Pick<Estimate, "p" | "stdError">,
  ask: number,
  depth: BookDepth | null,
  fee: FeeInfo,
  penalty: number,
  config: StrategyConfig,
): DecisionResult {
  const abstain = (kind: AbstainKind, detail: string): DecisionResult => ({
    decision: null,
    abstain: { kind, detail },
  });
  const { z, maxStdError } = config.decision;
  if (!(estimate.stdError <= maxStdError))
    return abstain("uncertain", `standard error ${estimate.stdError.toFixed(4)} > ${maxStdError}`);
  const lower = estimate.p - z * estimate.stdError;
  const topCost = ask + feePerShare(fee, ask);
  if (!(lower - topCost > 0))
    return abstain(
      "ev-lower-bound",
      `EV lower bound ${(lower - topCost).toFixed(4)}/share ≤ 0 (p ${estimate.p.toFixed(4)} − ${z}·${estimate.stdError.toFixed(4)} − cost ${topCost.toFixed(4)})`,
    );
  const confidence = 1 - estimate.stdError / maxStdError;
  const kellyFractional = config.kellyFraction * kellyStake(lower, topCost);
  const tiers = config.tiers;
  let top = -1;
  for (let i = 0; i < tiers.length; i++) {
    const tier = tiers[i] as ConfidenceTier;
    if (tier.fraction <= kellyFractional + 1e-12 && tier.minConfidence <= confidence) top = i;
  }
  top -= penalty;
  if (top < 0)
    return abstain(
      "below-tier",
      `Kelly ${kellyFractional.toFixed(4)} at confidence ${confidence.toFixed(2)} reaches no tier (penalty ${penalty})`,
    );
  let last = "";
  for (let i = top; i >= 0; i--) {
    const tier = tiers[i] as ConfidenceTier;
    const fill = fillPrice(ask, depth, tier.fraction * config.bankrollUsd);
    if (fill === null) {
      last = `tier ${tier.name} ($${(tier.fraction * config.bankrollUsd).toFixed(0)}) exceeds ask depth $${depth?.askUsd ?? 0}`;
      continue;
    }
    const f = feePerShare(fee, fill);
    const cost = fill + f;
    const evLowerBound = lower - cost;
    const evPerShare = estimate.p - cost;
    if (evLowerBound > 0 && evPerShare >= config.minEdge) {
      return {
        abstain: null,
        decision: {
          tier,
          stake: tier.fraction,
          fill,
          fee: f,
          cost,
          confidence,
          evPerShare,
          evLowerBound,
          evPerDollar: evPerShare / cost,
          kellyFractional,
        },
      };
    }
    last =
      evLowerBound > 0
        ? `EV ${evPerShare.toFixed(4)}/share < min edge ${config.minEdge}`
        : `EV lower bound ${evLowerBound.toFixed(4)}/share ≤ 0 after slippage to ${fill.toFixed(4)}`;
  }
  return abstain(last.startsWith("tier") ? "depth" : "ev-lower-bound", last);
}

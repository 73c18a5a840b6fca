/** Refused outside this range: full Kelly is never used, and below 1/10 the tiers do the sizing. */
export const MIN_KELLY_FRACTION = 0.1;
export const MAX_KELLY_FRACTION = 0.25;

export class StrategyConfigError extends Error {
  override readonly name = "StrategyConfigError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/**
 * Full Kelly stake (fraction of bankroll) for buying a binary share at all-in cost `cost` when the
 * estimated win probability is `p`: f* = (p − c) / (1 − c). Net odds b = (1 − c) / c give the same
 * value as (bp − q) / b. Zero when there is no edge.
 */
export function kellyStake(p: number, cost: number): number {
  if (!(cost > 0 && cost < 1) || !(p >= 0 && p <= 1) || p <= cost) return 0;
  return (p - cost) / (1 - cost);
}

export function assertKellyFraction(fraction: number): void {
  if (!(fraction >= MIN_KELLY_FRACTION && fraction <= MAX_KELLY_FRACTION)) {
    throw new StrategyConfigError(
      "kellyFraction",
      `must be within [${MIN_KELLY_FRACTION}, ${MAX_KELLY_FRACTION}], got ${fraction}`,
    );
  }
}

/** Fractional Kelly; the fraction is refused outside [0.10, 0.25]. */
export function fractionalKelly(p: number, cost: number, fraction: number): number {
  assertKellyFraction(fraction);
  return fraction * kellyStake(p, cost);
}

/** A discrete position size. A tier is only reachable with at least `minConfidence` in the estimate. */
export interface ConfidenceTier {
  readonly name: string;
  /** Stake as a fraction of bankroll. */
  readonly fraction: number;
  readonly minConfidence: number;
}

/**
 * Snaps a stake DOWN to the largest tier not above it whose confidence floor is met, then steps
 * `penalty` tiers further down (one per soft gate the market failed). Null when nothing fits.
 * `tiers` must be sorted by ascending fraction.
 */
export function snapToTier(
  stake: number,
  confidence: number,
  tiers: readonly ConfidenceTier[],
  penalty = 0,
): ConfidenceTier | null {
  let chosen = -1;
  for (let i = 0; i < tiers.length; i++) {
    const tier = tiers[i] as ConfidenceTier;
    if (tier.fraction <= stake + 1e-12 && tier.minConfidence <= confidence) chosen = i;
  }
  chosen -= penalty;
  return chosen >= 0 ? (tiers[chosen] as ConfidenceTier) : null;
}

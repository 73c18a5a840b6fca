import { z } from "zod";
import type { FeeInfo } from "../signals/types.js";
import type { DecisionConfig } from "./decision.js";
import { defaultEstimatorConfig, type EstimatorConfig } from "./estimators.js";
import { assertKellyFraction, StrategyConfigError, type ConfidenceTier } from "./kelly.js";

/** Hard ceiling from the risk framework: no single event may carry more than 15 % of the bankroll. */
export const MAX_EVENT_CAP = 0.15;

export type SoftFailure = "block" | "downweight";

/** Market-selection gates. "downweight" drops a trade one confidence tier per soft failure. */
export interface GateConfig {
  /** Minimum USD within the depth band on the side we would trade. */
  readonly minDepthUsd: number;
  /** Used when no book depth is known: minimum venue-reported liquidity. */
  readonly minLiquidityUsd: number;
  /** Maximum bid/ask spread (absolute probability). */
  readonly maxSpread: number;
  /** Markets resolving sooner than this are blocked (resolution risk, no time to exit). */
  readonly minHoursToResolution: number;
  /** Markets resolving within this window are down-weighted. */
  readonly nearResolutionHours: number;
  /** Markets resolving later than this are blocked (capital locked too long). */
  readonly maxDaysToResolution: number;
  /** Snapshots older than this are refused. */
  readonly maxSnapshotAgeMs: number;
  /** Tail prices are where "95 % win rate" traps live; outside [minPrice, maxPrice] is blocked. */
  readonly minPrice: number;
  readonly maxPrice: number;
  /** Case-insensitive patterns in the rules that make settlement ambiguous or subjective. */
  readonly ambiguousSettlementPatterns: readonly string[];
  /** What to do when neither a resolution source nor rules are known. */
  readonly unknownSettlement: SoftFailure;
  /** What to do when neither depth nor liquidity is known. */
  readonly unknownLiquidity: SoftFailure;
  /** Market ids, event ids or token ids never traded. */
  readonly blacklist: readonly string[];
}

export interface CapConfig {
  readonly perMarket: number;
  /** ≤ 0.15 (refused above). */
  readonly perEvent: number;
  /** Cap per cluster (theme); `default` applies to clusters not listed. */
  readonly perCluster: Readonly<Record<string, number>> & { readonly default: number };
  /** Total exposure across all signal-mode positions. */
  readonly total: number;
}

export interface DutchBookConfig {
  /** Minimum locked-in profit per complete set after fees (USD per $1 set). */
  readonly minProfitPerSet: number;
  /** Depth assumed per leg when a snapshot carries none; 0 = unknown depth means no size. */
  readonly assumedDepthUsd: number;
  /** Largest bankroll fraction committed to one Dutch book. */
  readonly maxFraction: number;
  /** Every leg's quote must be at most this old (ms). */
  readonly maxQuoteAgeMs: number;
  /** The legs' quotes must lie within this window of each other: prices of one instant. */
  readonly maxQuoteSkewMs: number;
  /** |Σ prices − 1| above this is a stale or empty book, not arbitrage: refused and reported. */
  readonly maxDeviation: number;
  /** Each leg must show at least this much USD at its best price. */
  readonly minLegDepthUsd: number;
}

/** An explicit estimate from configuration (an analyst's number). */
export interface ProbabilityEstimate {
  readonly p: number;
  /** 0..1: how much the estimate is trusted; without `stdError`, se = (1 − confidence) × decision.maxStdError. */
  readonly confidence: number;
  readonly stdError?: number;
  readonly source: string;
}

export interface StrategyConfig {
  /** Fraction of full Kelly, refused outside [0.10, 0.25]. */
  readonly kellyFraction: number;
  /** Ascending by fraction. */
  readonly tiers: readonly ConfidenceTier[];
  readonly caps: CapConfig;
  /** Minimum edge after fees and spread (probability points) before any entry. */
  readonly minEdge: number;
  readonly gates: GateConfig;
  /** Fee assumed when a snapshot does not say. */
  readonly assumedFee: FeeInfo;
  /** Half-spread assumed when a snapshot has no ask/bid (entry at price ± this). */
  readonly assumedHalfSpread: number;
  /** Estimators whose information is not the traded price (cross-venue, price-threshold) and the prior. */
  readonly estimators: EstimatorConfig;
  /** The statistical decision gate: lower confidence bound of EV after costs must be > 0. */
  readonly decision: DecisionConfig;
  /** Explicit estimates by token id; they take precedence over the estimators. */
  readonly estimates?: Readonly<Record<string, ProbabilityEstimate>>;
  /**
   * Exclusive groups an operator declares exhaustive (exactly one outcome wins). Groups the venue
   * metadata marks exhaustive (`EvaluationConfig.groupMetadata`) are checked too.
   */
  readonly exhaustiveGroups: readonly string[];
  readonly dutchBook: DutchBookConfig;
  /** Bankroll in USD, to turn book depth into a bankroll fraction. */
  readonly bankrollUsd: number;
}

export const DEFAULT_TIERS: readonly ConfidenceTier[] = [
  { name: "T1", fraction: 0.005, minConfidence: 0.2 },
  { name: "T2", fraction: 0.01, minConfidence: 0.4 },
  { name: "T3", fraction: 0.025, minConfidence: 0.6 },
  { name: "T4", fraction: 0.05, minConfidence: 0.8 },
];

export function defaultStrategyConfig(overrides: Partial<StrategyConfig> = {}): StrategyConfig {
  return {
    kellyFraction: 0.25,
    tiers: DEFAULT_TIERS,
    caps: { perMarket: 0.05, perEvent: MAX_EVENT_CAP, perCluster: { default: 0.3 }, total: 0.6 },
    minEdge: 0.02,
    gates: {
      minDepthUsd: 500,
      minLiquidityUsd: 5_000,
      maxSpread: 0.05,
      minHoursToResolution: 2,
      nearResolutionHours: 24,
      maxDaysToResolution: 180,
      maxSnapshotAgeMs: 15 * 60_000,
      minPrice: 0.03,
      maxPrice: 0.97,
      ambiguousSettlementPatterns: ["resolve to 50-50", "sole discretion", "at its discretion", "subjective"],
      unknownSettlement: "block",
      unknownLiquidity: "block",
      blacklist: [],
    },
    assumedFee: { model: "polymarket", takerRate: 0.05, makerRate: 0, exponent: 1 },
    assumedHalfSpread: 0.01,
    estimators: defaultEstimatorConfig(),
    decision: { z: 1.645, maxStdError: 0.1 },
    exhaustiveGroups: [],
    dutchBook: {
      minProfitPerSet: 0.005,
      assumedDepthUsd: 0,
      maxFraction: 0.1,
      maxQuoteAgeMs: 60_000,
      maxQuoteSkewMs: 5_000,
      maxDeviation: 0.1,
      minLegDepthUsd: 100,
    },
    bankrollUsd: 100_000,
    ...overrides,
  };
}

/** Refuses a configuration that breaks the risk framework; the error names the field. */
export function validateStrategyConfig(config: StrategyConfig): void {
  assertKellyFraction(config.kellyFraction);
  const { caps } = config;
  if (!(caps.perEvent > 0 && caps.perEvent <= MAX_EVENT_CAP)) {
    throw new StrategyConfigError(
      "caps.perEvent",
      `must be within (0, ${MAX_EVENT_CAP}], got ${caps.perEvent}`,
    );
  }
  for (const [key, value] of Object.entries({
    perMarket: caps.perMarket,
    total: caps.total,
    ...prefixed(caps.perCluster),
  })) {
    if (!(value > 0 && value <= 1))
      throw new StrategyConfigError(`caps.${key}`, `must be within (0, 1], got ${value}`);
  }
  let previous = 0;
  config.tiers.forEach((tier, i) => {
    if (!(tier.fraction > previous))
      throw new StrategyConfigError(`tiers[${i}].fraction`, "tiers must ascend by fraction");
    if (tier.fraction > caps.perMarket) {
      throw new StrategyConfigError(`tiers[${i}].fraction`, `above the per-market cap ${caps.perMarket}`);
    }
    previous = tier.fraction;
  });
  if (!(config.minEdge >= 0)) throw new StrategyConfigError("minEdge", "must be ≥ 0");
  if (!(config.decision.z >= 0)) throw new StrategyConfigError("decision.z", "must be ≥ 0");
  if (!(config.decision.maxStdError > 0 && config.decision.maxStdError < 0.5))
    throw new StrategyConfigError("decision.maxStdError", "must be within (0, 0.5)");
  if (!(config.bankrollUsd > 0)) throw new StrategyConfigError("bankrollUsd", "must be > 0");
  if (!(config.dutchBook.maxFraction > 0 && config.dutchBook.maxFraction <= caps.perEvent)) {
    throw new StrategyConfigError("dutchBook.maxFraction", `must be within (0, caps.perEvent]`);
  }
}

function prefixed(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [`perCluster.${k}`, v]));
}

/**
 * The estimator and decision-gate settings a keeper config file may carry (`strategy.estimation`),
 * validated by zod; every field is optional and falls back to the default. The favourite-bias prior
 * is a data-derived table and is passed in code, not in the file.
 */
export const estimationSettingsSchema = z
  .object({
    order: z.array(z.enum(["cross-venue", "price-threshold"])).optional(),
    crossVenue: z
      .object({
        maxCutoffSkewMs: z.number().int().min(0).optional(),
        maxQuoteAgeMs: z.number().int().positive().optional(),
        minStdError: z.number().min(0).max(0.5).optional(),
      })
      .strict()
      .optional(),
    priceThreshold: z
      .object({
        lookbackMs: z.number().int().positive().optional(),
        minReturns: z.number().int().min(2).optional(),
        maxOracleAgeMs: z.number().int().positive().optional(),
        minStdError: z.number().min(0).max(0.5).optional(),
      })
      .strict()
      .optional(),
    decision: z
      .object({ z: z.number().min(0).max(5).optional(), maxStdError: z.number().gt(0).lt(0.5).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type EstimationSettings = z.output<typeof estimationSettingsSchema>;

/** Applies validated estimation settings to a strategy configuration. */
export function withEstimationSettings(config: StrategyConfig, settings: EstimationSettings): StrategyConfig {
  const e = config.estimators;
  return {
    ...config,
    estimators: {
      ...e,
      order: settings.order ?? e.order,
      crossVenue: { ...e.crossVenue, ...stripUndefined(settings.crossVenue) },
      priceThreshold: { ...e.priceThreshold, ...stripUndefined(settings.priceThreshold) },
    },
    decision: { ...config.decision, ...stripUndefined(settings.decision) },
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

import type { ExclusiveGroupInfo } from "../signals/groups.js";
import type { MarketSnapshot } from "../signals/types.js";
import { computeAllocation, type AllocationInputs, type TargetAllocation } from "./allocation.js";
import { validateStrategyConfig, type StrategyConfig } from "./config.js";
import { decideBuy, type AbstainKind } from "./decision.js";
import { checkDutchBook, type QuotedLeg } from "./dutchBook.js";
import {
  estimateProbability,
  type Estimate,
  type EstimateResult,
  type EstimationInputs,
} from "./estimators.js";
import { gateSnapshot } from "./gates.js";
import type { AllocationPolicy } from "./policy.js";
import { addExposure, applyCaps, emptyExposure, type CapKeys } from "./sizing.js";

/** A signal-mode trade idea for a market the vault cannot hold itself. */
export interface TradeRecommendation {
  readonly kind: "directional" | "dutch-book";
  readonly venue: string;
  readonly marketId: string;
  /** Token bought (directional) or the exclusive group (Dutch book). */
  readonly tokenId: string;
  readonly eventId: string;
  readonly outcome: string;
  readonly side: "buy" | "buy-all" | "sell-all";
  /** Entry price per share (directional) or Σ prices per set (Dutch book). */
  readonly price: number;
  /** Stake as a fraction of bankroll, after tiers and caps. */
  readonly sizeFraction: number;
  /** p − ask (directional) or locked-in profit per set after fees (Dutch book). */
  readonly edge: number;
  /** Expected profit per dollar staked, after fees. */
  readonly ev: number;
  readonly tier: string;
  readonly reasons: string[];
  /** Dutch-book legs (token ids); empty for directional trades. */
  readonly legs: string[];
}

export interface RejectedSnapshot {
  readonly venue: string;
  readonly marketId: string;
  readonly tokenId: string;
  /** The abstention's kind, counted by the replay and /metrics. */
  readonly kind: AbstainKind;
  readonly reasons: string[];
}

/** A signal-mode position already open; it uses up cap room before new ideas are sized. */
export interface OpenPosition extends CapKeys {
  /** Bankroll fraction committed. */
  readonly fraction: number;
}

/** What the venue says about an exclusive group (`gammaEventGroups`, `kalshiEventGroups`). */
export type GroupMetadata = ExclusiveGroupInfo;

export interface EvaluationConfig extends StrategyConfig, AllocationInputs {
  readonly openPositions?: readonly OpenPosition[];
  /** Oracle series, threshold terms and cross-venue counterparts for the estimators. */
  readonly estimationInputs?: EstimationInputs;
  /** Venue metadata of exclusive groups, by group id. */
  readonly groupMetadata?: ReadonlyMap<string, GroupMetadata>;
}

export interface Evaluation {
  readonly allocation: TargetAllocation;
  readonly recommendations: TradeRecommendation[];
  readonly rejected: RejectedSnapshot[];
  /** Every estimate used, with its inputs: goes into the provenance and the calibration store. */
  readonly estimates: { readonly tokenId: string; readonly marketId: string; readonly estimate: Estimate }[];
}

export function clusterOfSnapshot(s: MarketSnapshot): string {
  return s.category ?? "other";
}

/** An explicit configured estimate, else the estimators (never the traded price alone). */
export function estimateFor(
  s: MarketSnapshot,
  config: StrategyConfig,
  inputs: EstimationInputs,
  now: number,
): EstimateResult {
  const explicit = config.estimates?.[s.tokenId];
  if (explicit) {
    const stdError = explicit.stdError ?? (1 - explicit.confidence) * config.decision.maxStdError;
    return {
      estimate: { p: explicit.p, stdError, source: explicit.source, inputs: { configured: "estimates" } },
      reason: null,
    };
  }
  return estimateProbability(s, inputs, config.estimators, now);
}

/** Only YES legs of an exclusive set form the outcome partition. */
function isYesLeg(s: MarketSnapshot): boolean {
  return s.venue === "kalshi" ? s.tokenId.endsWith(":yes") : s.outcome.toLowerCase() === "yes";
}

/**
 * The strategy entry point: gates every snapshot, sizes directional ideas (edge and EV after
 * fees, fractional Kelly snapped down to confidence tiers, then per-market / per-event /
 * per-cluster / total caps, best EV first), finds Dutch books in exhaustive groups, and computes
 * the vault's target allocation from the policy. Pure: the same inputs give the same output.
 * Throws `StrategyConfigError` for a configuration outside the risk framework.
 */
export function evaluate(
  snapshots: readonly MarketSnapshot[],
  policy: AllocationPolicy,
  config: EvaluationConfig,
  now: number,
): Evaluation {
  validateStrategyConfig(config);
  const rejected: RejectedSnapshot[] = [];
  const estimates: Evaluation["estimates"][number][] = [];
  const candidates: {
    s: MarketSnapshot;
    rec: Omit<TradeRecommendation, "sizeFraction">;
    stake: number;
    keys: CapKeys;
  }[] = [];

  for (const s of snapshots) {
    const reject = (kind: AbstainKind, reasons: string[]) =>
      rejected.push({ venue: s.venue, marketId: s.marketId, tokenId: s.tokenId, kind, reasons });
    const gate = gateSnapshot(s, config.gates, now);
    if (gate.verdict === "block") {
      reject("gate", gate.reasons);
      continue;
    }
    const result = estimateFor(s, config, config.estimationInputs ?? {}, now);
    if (!result.estimate) {
      reject("no-estimate", [result.reason, ...gate.reasons]);
      continue;
    }
    const estimate = result.estimate;
    estimates.push({ tokenId: s.tokenId, marketId: s.marketId, estimate });
    const ask = s.bestAsk ?? Math.min(1, s.price + config.assumedHalfSpread);
    const outcome = decideBuy(estimate, ask, s.depth, s.fee ?? config.assumedFee, gate.penalty, config);
    if (!outcome.decision) {
      reject(outcome.abstain.kind, [outcome.abstain.detail, ...gate.reasons]);
      continue;
    }
    const d = outcome.decision;
    candidates.push({
      s,
      stake: d.stake,
      keys: { marketId: s.marketId, eventId: s.eventId, cluster: clusterOfSnapshot(s) },
      rec: {
        kind: "directional",
        venue: s.venue,
        marketId: s.marketId,
        tokenId: s.tokenId,
        eventId: s.eventId,
        outcome: s.outcome,
        side: "buy",
        price: d.fill,
        edge: estimate.p - d.fill,
        ev: d.evPerDollar,
        tier: d.tier.name,
        reasons: [
          `p ${estimate.p.toFixed(4)} ± ${estimate.stdError.toFixed(4)} (${estimate.source}) vs fill ${d.fill.toFixed(4)} + fee ${d.fee.toFixed(4)}`,
          `EV lower bound ${d.evLowerBound.toFixed(4)}/share > 0`,
          `${config.kellyFraction} Kelly at the lower bound ${d.kellyFractional.toFixed(4)} → tier ${d.tier.name} ${d.stake}`,
          ...gate.reasons,
        ],
        legs: [],
      },
    });
  }

  candidates.sort((a, b) => b.rec.ev - a.rec.ev);
  const exposure = emptyExposure();
  for (const position of config.openPositions ?? []) addExposure(exposure, position, position.fraction);
  const recommendations: TradeRecommendation[] = [];
  for (const c of candidates) {
    const { fraction, cappedBy } = applyCaps(c.stake, c.keys, exposure, config.caps);
    if (fraction <= 0) {
      rejected.push({
        venue: c.s.venue,
        marketId: c.s.marketId,
        tokenId: c.s.tokenId,
        kind: "caps",
        reasons: [`${cappedBy} cap reached`],
      });
      continue;
    }
    addExposure(exposure, c.keys, fraction);
    recommendations.push({
      ...c.rec,
      sizeFraction: fraction,
      reasons: cappedBy
        ? [...c.rec.reasons, `clipped by ${cappedBy} cap to ${fraction.toFixed(4)}`]
        : c.rec.reasons,
    });
  }

  recommendations.push(...dutchBooks(snapshots, config, now, rejected));
  const allocation = computeAllocation(snapshots, policy, config, now);
  return { allocation, recommendations, rejected, estimates };
}

/** Exclusive groups to check: declared by the operator, or marked exhaustive by the venue metadata. */
function exhaustiveGroupIds(config: EvaluationConfig): string[] {
  const ids = new Set(config.exhaustiveGroups);
  for (const [group, meta] of config.groupMetadata ?? []) if (meta.exhaustive) ids.add(group);
  return [...ids];
}

/** The leg `checkDutchBook` sees for one snapshot: its quotes, depth in shares and quote time. */
export function dutchLegOf(s: MarketSnapshot, config: StrategyConfig): QuotedLeg {
  const ask = s.bestAsk ?? Math.min(1, s.price + config.assumedHalfSpread);
  const bid = s.bestBid ?? Math.max(0, s.price - config.assumedHalfSpread);
  return {
    id: s.tokenId,
    bestAsk: ask,
    bestBid: bid,
    askShares: (s.depth?.askUsd ?? config.dutchBook.assumedDepthUsd) / ask,
    bidShares: bid > 0 ? (s.depth?.bidUsd ?? config.dutchBook.assumedDepthUsd) / bid : 0,
    fee: s.fee ?? config.assumedFee,
    quotedAt: s.fetchedAt,
  };
}

function dutchBooks(
  snapshots: readonly MarketSnapshot[],
  config: EvaluationConfig,
  now: number,
  rejected: RejectedSnapshot[],
): TradeRecommendation[] {
  const out: TradeRecommendation[] = [];
  for (const group of exhaustiveGroupIds(config)) {
    const members = snapshots.filter((s) => s.exclusiveGroup === group && isYesLeg(s));
    if (members.length < 2) continue;
    const first = members[0] as MarketSnapshot;
    const refuse = (reason: string) =>
      rejected.push({
        venue: first.venue,
        marketId: group,
        tokenId: group,
        kind: "dutch-guard",
        reasons: [reason],
      });
    const meta = config.groupMetadata?.get(group);
    if (meta && meta.legs !== members.length) {
      refuse(`${members.length} of the ${meta.legs} legs the venue lists (${meta.source})`);
      continue;
    }
    if (members.some((s) => s.status !== "open")) {
      refuse("a leg is not open");
      continue;
    }
    const check = checkDutchBook(
      members.map((s) => dutchLegOf(s, config)),
      true,
      config.dutchBook,
      now,
    );
    if (check.refused !== null) refuse(check.refused.detail);
    const book = check.book;
    if (!book || book.sets <= 0) continue;
    const capitalPerSet = book.capitalUsd / book.sets;
    const sets = Math.min(book.sets, (config.dutchBook.maxFraction * config.bankrollUsd) / capitalPerSet);
    out.push({
      kind: "dutch-book",
      venue: first.venue,
      marketId: group,
      tokenId: group,
      eventId: first.eventId,
      outcome: `${members.length} legs`,
      side: book.side,
      price: book.priceSum,
      sizeFraction: (sets * capitalPerSet) / config.bankrollUsd,
      edge: book.profitPerSet,
      ev: book.profitPerSet / capitalPerSet,
      tier: "arbitrage",
      reasons: [
        `Σ ${book.side === "buy-all" ? "asks" : "bids"} ${book.priceSum.toFixed(4)}, fees ${book.feeSum.toFixed(4)}, profit/set ${book.profitPerSet.toFixed(4)}`,
        `${sets.toFixed(2)} sets (thinnest leg ${book.limitingLeg} allows ${book.sets.toFixed(2)})`,
      ],
      legs: members.map((s) => s.tokenId),
    });
  }
  return out;
}

import type { MarketSnapshot } from "../signals/types.js";
import { computeAllocation, type AllocationInputs, type TargetAllocation } from "./allocation.js";
import { validateStrategyConfig, type ProbabilityEstimate, type StrategyConfig } from "./config.js";
import { detectDutchBook, type DutchLeg } from "./dutchBook.js";
import { calibratedEstimate } from "./estimate.js";
import { gateSnapshot } from "./gates.js";
import type { AllocationPolicy } from "./policy.js";
import { addExposure, applyCaps, emptyExposure, sizeBuy, type CapKeys } from "./sizing.js";

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
  readonly reasons: string[];
}

/** A signal-mode position already open; it uses up cap room before new ideas are sized. */
export interface OpenPosition extends CapKeys {
  /** Bankroll fraction committed. */
  readonly fraction: number;
}

export interface EvaluationConfig extends StrategyConfig, AllocationInputs {
  readonly openPositions?: readonly OpenPosition[];
}

export interface Evaluation {
  readonly allocation: TargetAllocation;
  readonly recommendations: TradeRecommendation[];
  readonly rejected: RejectedSnapshot[];
}

export function clusterOfSnapshot(s: MarketSnapshot): string {
  return s.category ?? "other";
}

function estimateFor(s: MarketSnapshot, config: StrategyConfig): ProbabilityEstimate | null {
  const explicit = config.estimates?.[s.tokenId];
  if (explicit) return explicit;
  return config.calibration ? calibratedEstimate(config.calibration, s.price) : null;
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
  const candidates: {
    s: MarketSnapshot;
    rec: Omit<TradeRecommendation, "sizeFraction">;
    stake: number;
    keys: CapKeys;
  }[] = [];

  for (const s of snapshots) {
    const reject = (reasons: string[]) =>
      rejected.push({ venue: s.venue, marketId: s.marketId, tokenId: s.tokenId, reasons });
    const gate = gateSnapshot(s, config.gates, now);
    if (gate.verdict === "block") {
      reject(gate.reasons);
      continue;
    }
    const estimate = estimateFor(s, config);
    if (!estimate) {
      reject(["no probability estimate"]);
      continue;
    }
    const ask = s.bestAsk ?? Math.min(1, s.price + config.assumedHalfSpread);
    const sizing = sizeBuy(
      estimate.p,
      estimate.confidence,
      ask,
      s.fee ?? config.assumedFee,
      gate.penalty,
      config,
    );
    if (!sizing.tier) {
      reject([
        sizing.evPerShare < config.minEdge
          ? `EV ${sizing.evPerShare.toFixed(4)}/share after fees < min edge ${config.minEdge}`
          : `stake ${sizing.kellyFractional.toFixed(4)} below the lowest reachable tier`,
        ...gate.reasons,
      ]);
      continue;
    }
    candidates.push({
      s,
      stake: sizing.stake,
      keys: { marketId: s.marketId, eventId: s.eventId, cluster: clusterOfSnapshot(s) },
      rec: {
        kind: "directional",
        venue: s.venue,
        marketId: s.marketId,
        tokenId: s.tokenId,
        eventId: s.eventId,
        outcome: s.outcome,
        side: "buy",
        price: ask,
        edge: sizing.edge,
        ev: sizing.evPerDollar,
        tier: sizing.tier.name,
        reasons: [
          `p ${estimate.p.toFixed(4)} (${estimate.source}, confidence ${estimate.confidence.toFixed(2)}) vs ask ${ask} + fee ${sizing.fee.toFixed(4)}`,
          `${config.kellyFraction} Kelly ${sizing.kellyFractional.toFixed(4)} → tier ${sizing.tier.name} ${sizing.stake}`,
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

  recommendations.push(...dutchBooks(snapshots, config, now));
  const allocation = computeAllocation(snapshots, policy, config, now);
  return { allocation, recommendations, rejected };
}

function dutchBooks(
  snapshots: readonly MarketSnapshot[],
  config: StrategyConfig,
  now: number,
): TradeRecommendation[] {
  const out: TradeRecommendation[] = [];
  for (const group of config.exhaustiveGroups) {
    const members = snapshots.filter((s) => s.exclusiveGroup === group && isYesLeg(s));
    if (members.length < 2) continue;
    const unusable = members.find(
      (s) => s.status !== "open" || now - s.fetchedAt > config.gates.maxSnapshotAgeMs,
    );
    if (unusable) continue;
    const legs: DutchLeg[] = members.map((s) => {
      const ask = s.bestAsk ?? Math.min(1, s.price + config.assumedHalfSpread);
      const bid = s.bestBid ?? Math.max(0, s.price - config.assumedHalfSpread);
      return {
        id: s.tokenId,
        bestAsk: ask,
        bestBid: bid,
        askShares: (s.depth?.askUsd ?? config.dutchBook.assumedDepthUsd) / ask,
        bidShares: bid > 0 ? (s.depth?.bidUsd ?? config.dutchBook.assumedDepthUsd) / bid : 0,
        fee: s.fee ?? config.assumedFee,
      };
    });
    const book = detectDutchBook(legs, config.dutchBook.minProfitPerSet);
    if (!book || book.sets <= 0) continue;
    const capitalPerSet = book.capitalUsd / book.sets;
    const sets = Math.min(book.sets, (config.dutchBook.maxFraction * config.bankrollUsd) / capitalPerSet);
    const first = members[0] as MarketSnapshot;
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

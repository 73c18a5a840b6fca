import type { BookLevel } from "../../signals/types.js";
import type { CapConfig } from "../config.js";
import { refuseBook, refuseQuotes, type DutchGuardName, type DutchGuards } from "../dutchBook.js";
import { addExposure, applyCaps, type CapKeys, type Exposure } from "../sizing.js";
import { walkSets, type SetWalk, type WalkLeg } from "./depth.js";
import type { OutcomeSet, SetRefusalReason, VenueMarket } from "./sets.js";

/** The four strategies that need no directional estimate. */
export const OUTCOME_STRATEGIES = ["dutch-book", "mint-and-sell", "no-conversion", "resolution"] as const;
export type OutcomeStrategy = (typeof OUTCOME_STRATEGIES)[number];

/**
 * How an opportunity's profit is locked once its orders fill:
 * - `merge`: a binary full set merged back into collateral (CTF `mergePositions`);
 * - `hold-set`: a negRisk YES set held, valued at par while the adapter's question count is unchanged;
 * - `convert`: a negRisk NO set converted into (n − 1) collateral per set (adapter `convertPositions`);
 * - `redeem`: winning tokens of a resolution verified on chain, redeemed;
 * - `split-first`: collateral split (and for negRisk converted) into a set before the SELL orders.
 */
export type LockKind = "merge" | "hold-set" | "convert" | "redeem" | "split-first";

/** One leg's order book as the CLOB served it. */
export interface LegBook {
  readonly tokenId: string;
  /** Best first. */
  readonly asks: readonly BookLevel[];
  readonly bids: readonly BookLevel[];
  /** When the book was read (ms since epoch). */
  readonly quotedAt: number;
}

/** An outcome verified on chain (CTF payouts or the NegRiskAdapter's result), never from an off-chain feed. */
export interface VerifiedResolution {
  readonly conditionId: string;
  /** The token that pays 1. */
  readonly winningTokenId: string;
  readonly source: "ctf-payout" | "negrisk-adapter";
}

export interface OutcomeArbConfig {
  /** Dutch-book guards shared with `checkDutchBook` (stale, skew, implausible, depth, minimum profit per set). */
  readonly guards: DutchGuards;
  /** An opportunity locking less than this (USD, after sizing) is not traded. */
  readonly minProfitUsd: number;
  /** Exposure caps as bankroll (NAV) fractions: per set, per event (≤ 15 %), per group (cluster), total. */
  readonly caps: CapConfig;
  /** Sets are traded in multiples of this many tokens (the CLOB's size step). */
  readonly setStep: number;
  /** The cap cluster of an event (the correlated group); default: the event itself. */
  readonly clusterOf?: (eventId: string) => string;
}

export interface ArbContext {
  /** Last settled NAV in USD: the caps' bankroll. */
  readonly navUsd: number;
  /** Collateral the connector can commit now. */
  readonly capitalUsd: number;
  /** Exposure already held (open batches), updated as opportunities are taken. */
  readonly exposure: Exposure;
  readonly now: number;
}

export interface OutcomeOpportunity {
  readonly strategy: OutcomeStrategy;
  readonly set: OutcomeSet;
  /** Orders per leg (BUY legs for dutch-book / no-conversion / resolution, SELL legs for mint-and-sell). */
  readonly walk: SetWalk;
  readonly sets: number;
  /** Collateral committed: Σ paid (BUY strategies) or the collateral split (mint-and-sell). */
  readonly costUsd: number;
  /** Collateral the lock returns, or par value of the held set. */
  readonly payoutUsd: number;
  readonly profitUsd: number;
  readonly profitPerSet: number;
  readonly lock: LockKind;
  /** The cap that bound the size, if any. */
  readonly cappedBy: string | null;
  readonly reasons: readonly string[];
}

export const OPPORTUNITY_REJECTIONS = [
  "book-missing",
  "crossed-book",
  "no-edge",
  "below-min-profit",
  "capped",
  "no-capital",
  "resolution-unverified",
  "convert-fee",
  "superseded",
  /** the set was traded recently and its depth has not refilled */
  "cooldown",
] as const;
export type RejectionReason = (typeof OPPORTUNITY_REJECTIONS)[number] | DutchGuardName | SetRefusalReason;

export interface OpportunityRejection {
  readonly setId: string;
  readonly strategy: OutcomeStrategy | "set";
  readonly reason: RejectionReason;
  readonly detail: string;
}

export interface OpportunityScan {
  readonly opportunities: OutcomeOpportunity[];
  readonly rejected: OpportunityRejection[];
}

const floorTo = (x: number, step: number): number => Math.floor(x / step + 1e-9) * step;

/**
 * Every strategy on every exhaustive set, the most profitable one per set kept and sized: Dutch
 * book (buy every leg when Σ asks + fees < par at depth), mint-and-sell (split a set and sell every
 * leg when Σ bids − fees > 1), NO-set conversion (negRisk: buy every NO when Σ NO asks + fees <
 * (n − 1) net of the adapter's fee). The quote guards (stale, skew) and the book guards
 * (implausible Σ, thin leg) are `checkDutchBook`'s own; sizes respect the caps (per set, event,
 * group, total), the capital and the minimum profit. Every set that trades nothing says why.
 */
export function scanOutcomeSets(
  sets: readonly OutcomeSet[],
  books: ReadonlyMap<string, LegBook>,
  ctx: ArbContext,
  config: OutcomeArbConfig,
): OpportunityScan {
  const opportunities: OutcomeOpportunity[] = [];
  const rejected: OpportunityRejection[] = [];
  for (const set of sets) {
    const reject = (strategy: OutcomeStrategy | "set", reason: RejectionReason, detail: string) =>
      rejected.push({ setId: set.id, strategy, reason, detail });
    const legBooks = set.legs.map((l) => books.get(l.tokenId));
    const noBooks = set.kind === "negRisk" ? set.legs.map((l) => books.get(l.complementTokenId)) : [];
    const missing = set.legs.find((_, i) => !legBooks[i]);
    if (missing) {
      reject("set", "book-missing", `no book for ${missing.outcome} (${missing.tokenId})`);
      continue;
    }
    const present = [...legBooks, ...noBooks].filter((b): b is LegBook => b !== undefined);
    const quotes = refuseQuotes(present, true, config.guards, ctx.now);
    if (quotes) {
      reject("set", quotes.guard, quotes.detail);
      continue;
    }
    const crossed = present.find((b) => b.bids[0] && b.asks[0] && b.bids[0].price >= b.asks[0].price);
    if (crossed) {
      reject("set", "crossed-book", `book of ${crossed.tokenId} is crossed (bid ≥ ask)`);
      continue;
    }
    const candidates: OutcomeOpportunity[] = [];
    const yesBooks = legBooks as LegBook[];
    const dutch = priceStrategy(set, "dutch-book", yesBooks, ctx, config);
    if ("reason" in dutch) reject("dutch-book", dutch.reason, dutch.detail);
    else candidates.push(dutch);
    if (set.kind === "negRisk" && set.convertFeeBips > 0)
      reject(
        "mint-and-sell",
        "convert-fee",
        `minting a YES set converts through a ${set.convertFeeBips} bps fee`,
      );
    else {
      const mint = priceStrategy(set, "mint-and-sell", yesBooks, ctx, config);
      if ("reason" in mint) reject("mint-and-sell", mint.reason, mint.detail);
      else candidates.push(mint);
    }
    if (set.kind === "negRisk") {
      if (noBooks.some((b) => !b)) reject("no-conversion", "book-missing", "a NO leg has no book");
      else {
        const conv = priceStrategy(set, "no-conversion", noBooks as LegBook[], ctx, config);
        if ("reason" in conv) reject("no-conversion", conv.reason, conv.detail);
        else candidates.push(conv);
      }
    }
    candidates.sort((a, b) => b.profitUsd - a.profitUsd);
    const [best, ...rest] = candidates;
    for (const r of rest)
      reject(r.strategy, "superseded", `${best!.strategy} locks more ($${best!.profitUsd.toFixed(2)})`);
    if (best) {
      opportunities.push(best);
      addExposure(ctx.exposure, capKeys(set, config), best.costUsd / ctx.navUsd);
    }
  }
  return { opportunities, rejected };
}

/**
 * Resolution arbitrage: the winning token of a market whose outcome is verified on chain, bought
 * below 1 − fees − minimum profit and redeemed. A market the venue reports resolved (or closed)
 * without an on-chain verification is refused: the source named in the rules has not spoken where
 * the keeper can check it.
 */
export function scanResolutions(
  markets: readonly VenueMarket[],
  verified: ReadonlyMap<string, VerifiedResolution>,
  books: ReadonlyMap<string, LegBook>,
  ctx: ArbContext,
  config: OutcomeArbConfig,
): OpportunityScan {
  const opportunities: OutcomeOpportunity[] = [];
  const rejected: OpportunityRejection[] = [];
  for (const m of markets) {
    if (m.status === "open") continue;
    const resolution = verified.get(m.conditionId.toLowerCase());
    const reject = (reason: RejectionReason, detail: string) =>
      rejected.push({ setId: m.conditionId, strategy: "resolution", reason, detail });
    if (!resolution) {
      reject("resolution-unverified", `${m.slug} is ${m.status} but no payout is reported on chain`);
      continue;
    }
    const book = books.get(resolution.winningTokenId);
    if (!book) {
      reject("book-missing", `no book for the winning token ${resolution.winningTokenId}`);
      continue;
    }
    const quotes = refuseQuotes([book], true, config.guards, ctx.now);
    if (quotes) {
      reject(quotes.guard, quotes.detail);
      continue;
    }
    const set: OutcomeSet = {
      id: m.conditionId,
      kind: "binary",
      eventId: m.eventId,
      legs: [
        {
          conditionId: m.conditionId,
          tokenId: resolution.winningTokenId,
          complementTokenId: resolution.winningTokenId === m.yesTokenId ? m.noTokenId : m.yesTokenId,
          outcome: resolution.winningTokenId === m.yesTokenId ? "Yes" : "No",
          questionIndex: null,
          feeRateBps: m.feeRateBps,
          tickSize: m.tickSize,
        },
      ],
      questionCount: null,
      convertFeeBips: 0,
      source: `resolution verified on chain (${resolution.source})`,
    };
    const priced = priceStrategy(set, "resolution", [book], ctx, config);
    if ("reason" in priced) reject(priced.reason, priced.detail);
    else {
      opportunities.push(priced);
      addExposure(ctx.exposure, capKeys(set, config), priced.costUsd / ctx.navUsd);
    }
  }
  return { opportunities, rejected };
}

function capKeys(set: OutcomeSet, config: OutcomeArbConfig): CapKeys {
  return { marketId: set.id, eventId: set.eventId, cluster: config.clusterOf?.(set.eventId) ?? set.eventId };
}

/** Below the connector's caps by this margin: it measures against its last settled NAV, the keeper the live one. */
const CONNECTOR_CAP_MARGIN = 0.98;

/**
 * The most sets of `set` the PolymarketConnector's on-chain caps admit. The connector measures a
 * negRisk set's exposure on every one of its n questions (each question's YES or NO inventory, open
 * orders counted as filled), so `sets` counts against the event cap and n × sets against the group
 * cap; sizing within those keeps the keeper from planning a batch the connector refuses
 * (`GroupExposureAboveCap`). A binary set's two legs are one condition: the caps above cover it.
 */
function connectorSetLimit(set: OutcomeSet, config: OutcomeArbConfig, navUsd: number): number {
  if (set.kind !== "negRisk") return Infinity;
  const { cluster } = capKeys(set, config);
  const groupCap = Object.hasOwn(config.caps.perCluster, cluster)
    ? (config.caps.perCluster[cluster] as number)
    : config.caps.perCluster.default;
  return CONNECTOR_CAP_MARGIN * navUsd * Math.min(config.caps.perEvent, groupCap / set.legs.length);
}

/** Par collateral per set the lock returns (or the held set is valued at). */
function parOf(set: OutcomeSet, strategy: OutcomeStrategy): number {
  if (strategy === "no-conversion") return (set.legs.length - 1) * (1 - set.convertFeeBips / 10_000);
  return 1;
}

function lockOf(set: OutcomeSet, strategy: OutcomeStrategy): LockKind {
  if (strategy === "mint-and-sell") return "split-first";
  if (strategy === "no-conversion") return "convert";
  if (strategy === "resolution") return "redeem";
  return set.kind === "binary" ? "merge" : "hold-set";
}

function priceStrategy(
  set: OutcomeSet,
  strategy: OutcomeStrategy,
  books: readonly LegBook[],
  ctx: ArbContext,
  config: OutcomeArbConfig,
): OutcomeOpportunity | { reason: RejectionReason; detail: string } {
  const side = strategy === "mint-and-sell" ? "SELL" : "BUY";
  const par = parOf(set, strategy);
  const minPerSet = config.guards.minProfitPerSet;
  const walkLegs: WalkLeg[] = books.map((b, i) => ({
    tokenId: b.tokenId,
    levels: side === "BUY" ? b.asks : b.bids,
    feeRateBps: set.legs[i]!.feeRateBps,
  }));
  const best = walkLegs.map((l) => l.levels[0]);
  if (best.some((l) => !l))
    return { reason: "no-edge", detail: `a leg has no ${side === "BUY" ? "asks" : "bids"}` };
  const priceSum = best.reduce((s, l) => s + l!.price, 0);
  const thinnestUsd = Math.min(...best.map((l) => l!.price * l!.size));
  // a single winning token is priced against 1 alone; the Σ guard is for sets of several legs
  const bookRefusal =
    strategy === "resolution"
      ? refuseBook(priceSum, thinnestUsd, { ...config.guards, maxDeviation: Infinity }, par)
      : refuseBook(priceSum, thinnestUsd, config.guards, par);
  const limit = side === "BUY" ? par - minPerSet : par + minPerSet;
  const open = walkSets(walkLegs, side, limit, { maxSets: Infinity, budget: Infinity });
  if (open.sets <= 0)
    return {
      reason: "no-edge",
      detail: `Σ best ${side === "BUY" ? "asks" : "bids"} ${priceSum.toFixed(4)} + fees leaves < ${minPerSet} per set against par ${par.toFixed(4)}`,
    };
  if (bookRefusal) return { reason: bookRefusal.guard, detail: bookRefusal.detail };
  const capitalPerSet = side === "BUY" ? open.collateral / open.sets : 1;
  const { fraction, cappedBy } = applyCaps(
    (open.sets * capitalPerSet) / ctx.navUsd,
    capKeys(set, config),
    ctx.exposure,
    config.caps,
  );
  const budget = Math.min(fraction * ctx.navUsd, ctx.capitalUsd);
  if (fraction <= 0) return { reason: "capped", detail: `${cappedBy} cap leaves no room` };
  if (ctx.capitalUsd <= 0) return { reason: "no-capital", detail: "no collateral in the connector" };
  const connectorSets = connectorSetLimit(set, config, ctx.navUsd);
  const maxSets = Math.min(side === "BUY" ? Infinity : budget, connectorSets);
  const sized = walkSets(walkLegs, side, limit, { maxSets, budget });
  const sets = floorTo(sized.sets, config.setStep);
  const walk =
    sets === sized.sets ? sized : walkSets(walkLegs, side, limit, { maxSets: sets, budget: Infinity });
  const costUsd = side === "BUY" ? walk.collateral : walk.sets;
  const payoutUsd = side === "BUY" ? walk.sets * par : walk.collateral;
  const profitUsd = payoutUsd - costUsd;
  if (!(walk.sets > 0) || profitUsd < config.minProfitUsd)
    return {
      reason: "below-min-profit",
      detail: `${walk.sets.toFixed(2)} sets lock $${profitUsd.toFixed(2)} < $${config.minProfitUsd}`,
    };
  const bound =
    walk.sets >= connectorSets - config.setStep
      ? "connector group cap"
      : ctx.capitalUsd < fraction * ctx.navUsd
        ? "capital"
        : cappedBy;
  return {
    strategy,
    set,
    walk,
    sets: walk.sets,
    costUsd,
    payoutUsd,
    profitUsd,
    profitPerSet: profitUsd / walk.sets,
    lock: lockOf(set, strategy),
    cappedBy: bound,
    reasons: [
      `Σ best ${side === "BUY" ? "asks" : "bids"} ${priceSum.toFixed(4)}, fees $${walk.feeUsd.toFixed(4)}, par ${par.toFixed(4)}`,
      `${walk.sets.toFixed(2)} sets at depth (${walk.legs.map((l) => l.levels.length).join("/")} levels), cost $${costUsd.toFixed(2)}, locks $${profitUsd.toFixed(2)}`,
      ...(bound ? [`size bound by ${bound}`] : []),
    ],
  };
}

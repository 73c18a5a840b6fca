import type { FeeInfo } from "../signals/types.js";
import { feePerShare } from "./fees.js";

/** One outcome of a mutually exclusive, exhaustive set. */
export interface DutchLeg {
  readonly id: string;
  readonly bestBid: number | null;
  readonly bestAsk: number | null;
  /** Shares available at (or near) the best ask / bid; null when unknown. */
  readonly askShares: number | null;
  readonly bidShares: number | null;
  readonly fee: FeeInfo;
}

export interface DutchBook {
  /** buy-all: buy one share of every leg for < 1; sell-all: mint a set for 1 and sell every leg for > 1. */
  readonly side: "buy-all" | "sell-all";
  readonly priceSum: number;
  readonly feeSum: number;
  /** Locked-in USD per complete set after fees. */
  readonly profitPerSet: number;
  /** Sets executable: the thinnest leg's depth (0 if any leg's depth is unknown). */
  readonly sets: number;
  /** The leg that limits `sets`. */
  readonly limitingLeg: string | null;
  /** USD committed: cost of `sets` sets (buy-all) or the collateral minted (sell-all). */
  readonly capitalUsd: number;
  readonly profitUsd: number;
}

/** A leg with the time its quote was taken, for the staleness guards. */
export interface QuotedLeg extends DutchLeg {
  readonly quotedAt: number;
}

/** The guards every Dutch-book candidate passes, in production and in the replay alike. */
export interface DutchGuards {
  readonly minProfitPerSet: number;
  readonly maxQuoteAgeMs: number;
  readonly maxQuoteSkewMs: number;
  readonly maxDeviation: number;
  readonly minLegDepthUsd: number;
}

export type DutchGuardName = "exhaustive" | "stale" | "skew" | "implausible" | "depth";

export interface DutchRefusal {
  readonly guard: DutchGuardName;
  readonly detail: string;
}

export type DutchCheck =
  | { readonly book: DutchBook; readonly refused: null }
  /** `refused` names the guard that stopped a book; null = no book at these prices. */
  | { readonly book: null; readonly refused: DutchRefusal | null };

/** A quote of one leg as the guards see it: when it was taken. */
export interface GuardedQuote {
  readonly quotedAt: number;
}

/**
 * The guards that need no prices: a set not known to be exhaustive, quotes older than
 * `maxQuoteAgeMs`, or quotes further apart than `maxQuoteSkewMs` (not prices of one instant).
 * Null when the set passes. Shared by `checkDutchBook` and the outcome-arbitrage strategies.
 */
export function refuseQuotes(
  legs: readonly GuardedQuote[],
  exhaustive: boolean,
  guards: Pick<DutchGuards, "maxQuoteAgeMs" | "maxQuoteSkewMs">,
  now: number,
): DutchRefusal | null {
  if (!exhaustive) return { guard: "exhaustive", detail: "outcome set not known to be exhaustive" };
  let oldest = Infinity;
  let newest = -Infinity;
  for (const leg of legs) {
    oldest = Math.min(oldest, leg.quotedAt);
    newest = Math.max(newest, leg.quotedAt);
  }
  if (now - oldest > guards.maxQuoteAgeMs)
    return { guard: "stale", detail: `stale leg (${Math.round((now - oldest) / 1000)} s old)` };
  if (newest - oldest > guards.maxQuoteSkewMs)
    return { guard: "skew", detail: `legs quoted ${Math.round((newest - oldest) / 1000)} s apart` };
  return null;
}

/**
 * The guards on a priced book: a Σ of best prices more than `maxDeviation` from `par` (stale prints,
 * empty books; par is 1 for a YES set, n − 1 for a NO set of n questions) or a thinnest leg showing
 * less than `minLegDepthUsd` at its best price. Null when the book passes.
 */
export function refuseBook(
  priceSum: number,
  thinnestUsd: number,
  guards: Pick<DutchGuards, "maxDeviation" | "minLegDepthUsd">,
  par = 1,
): DutchRefusal | null {
  if (Math.abs(priceSum - par) > guards.maxDeviation)
    return {
      guard: "implausible",
      detail: `implausible Σ ${priceSum.toFixed(4)} (stale or empty books)`,
    };
  if (thinnestUsd < guards.minLegDepthUsd)
    return {
      guard: "depth",
      detail: `thinnest leg $${thinnestUsd.toFixed(0)} < $${guards.minLegDepthUsd}`,
    };
  return null;
}

/**
 * The one Dutch-book detector: refuses a set that is not known to be exhaustive, whose quotes are
 * older than `maxQuoteAgeMs` or further apart than `maxQuoteSkewMs` (not prices of one instant),
 * then prices it with `detectDutchBook`; a book whose Σ prices is more than `maxDeviation` from 1
 * (stale prints, empty books) or whose thinnest leg shows less than `minLegDepthUsd` is refused.
 */
export function checkDutchBook(
  legs: readonly QuotedLeg[],
  exhaustive: boolean,
  guards: DutchGuards,
  now: number,
): DutchCheck {
  const quotes = refuseQuotes(legs, exhaustive, guards, now);
  if (quotes) return { book: null, refused: quotes };
  const book = detectDutchBook(legs, guards.minProfitPerSet);
  if (!book) return { book: null, refused: null };
  let thinnestUsd = Infinity;
  for (const leg of legs) {
    const price = book.side === "buy-all" ? leg.bestAsk : leg.bestBid;
    const shares = book.side === "buy-all" ? leg.askShares : leg.bidShares;
    thinnestUsd = Math.min(thinnestUsd, (shares ?? 0) * (price ?? 0));
  }
  const refused = refuseBook(book.priceSum, thinnestUsd, guards);
  return refused ? { book: null, refused } : { book, refused: null };
}

/**
 * Checks a complete outcome set for a Dutch book: Σ asks + fees < 1 − minProfit (buy every leg)
 * or Σ bids − fees > 1 + minProfit (sell every leg). Size is the thinnest leg's depth.
 * The caller must only pass sets known to be exhaustive; a set missing an outcome is not arbitrage.
 */
export function detectDutchBook(legs: readonly DutchLeg[], minProfitPerSet: number): DutchBook | null {
  if (legs.length < 2) return null;
  const buy = evaluateSide(legs, "buy-all");
  if (buy && buy.profitPerSet >= minProfitPerSet) return buy;
  const sell = evaluateSide(legs, "sell-all");
  if (sell && sell.profitPerSet >= minProfitPerSet) return sell;
  return null;
}

function evaluateSide(legs: readonly DutchLeg[], side: "buy-all" | "sell-all"): DutchBook | null {
  let priceSum = 0;
  let feeSum = 0;
  let sets = Infinity;
  let limitingLeg: string | null = null;
  for (const leg of legs) {
    const price = side === "buy-all" ? leg.bestAsk : leg.bestBid;
    if (price === null) return null;
    priceSum += price;
    feeSum += feePerShare(leg.fee, price);
    const shares = side === "buy-all" ? leg.askShares : leg.bidShares;
    const available = shares ?? 0;
    if (available < sets) {
      sets = available;
      limitingLeg = leg.id;
    }
  }
  const profitPerSet = side === "buy-all" ? 1 - priceSum - feeSum : priceSum - feeSum - 1;
  const capitalPerSet = side === "buy-all" ? priceSum + feeSum : 1;
  return {
    side,
    priceSum,
    feeSum,
    profitPerSet,
    sets,
    limitingLeg,
    capitalUsd: sets * capitalPerSet,
    profitUsd: sets * profitPerSet,
  };
}

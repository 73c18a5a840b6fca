/** Venues the keeper reads odds from. `replay` marks snapshots rebuilt from recorded files. */
export type Venue = "polymarket" | "kalshi";

/** Lifecycle of a market as far as the strategy cares. */
export type ResolutionStatus = "open" | "closed" | "resolved" | "disputed";

/**
 * Trading-fee model of one market. Polymarket charges takers `C * rate * (p * (1 - p)) ^ exponent`;
 * Kalshi charges `ceil_cent(rate * multiplier * C * p * (1 - p))`; `notional` is `rate * C * p` (used for
 * assumptions, e.g. "1 % of notional"). `none` means the venue reported no fee.
 */
export interface FeeInfo {
  readonly model: "polymarket" | "kalshi" | "notional" | "none";
  /** Taker rate as a fraction (0.07 = 7 %), already multiplied by any venue multiplier. */
  readonly takerRate: number;
  readonly makerRate: number;
  /** Exponent of `p * (1 - p)` in the Polymarket curve (1 for Kalshi). */
  readonly exponent: number;
}

/** USD resting within `bandAbs` (absolute price distance) of the mid, per side. */
export interface BookDepth {
  readonly bidUsd: number;
  readonly askUsd: number;
  readonly bandAbs: number;
}

/** What the market says about how it settles; used by the settlement-clarity gate. */
export interface SettlementInfo {
  /** Named resolution source(s), or null when the venue gave none. */
  readonly source: string | null;
  /** Rules / description text, or null when not fetched. */
  readonly rules: string | null;
}

/**
 * One outcome of one market at one instant, normalised across venues. Every price is a probability
 * in [0, 1]; unknown values are `null` (never `undefined`) so the canonical JSON used for the
 * provenance hash is stable.
 */
export interface MarketSnapshot {
  readonly venue: Venue;
  /** Polymarket conditionId or Kalshi market ticker. */
  readonly marketId: string;
  /** Outcome token id (Polymarket) or `<ticker>:<side>` (Kalshi). */
  readonly tokenId: string;
  /** Event the market belongs to (Gamma event id / negRisk id, Kalshi event ticker). Caps apply per event. */
  readonly eventId: string;
  /** Mutually exclusive set this outcome belongs to (negRisk market id, Kalshi mutually-exclusive event), or null. */
  readonly exclusiveGroup: string | null;
  readonly question: string;
  readonly outcome: string;
  /** Implied probability of `outcome`: mid when a book is known, else the venue's displayed price. */
  readonly price: number;
  readonly bestBid: number | null;
  readonly bestAsk: number | null;
  readonly depth: BookDepth | null;
  /** Venue-reported liquidity in USD (Gamma `liquidityNum`, Kalshi `liquidity_dollars`), or null. */
  readonly liquidityUsd: number | null;
  readonly volumeUsd: number | null;
  /** Scheduled end / close time in ms since epoch, or null. */
  readonly endDate: number | null;
  readonly status: ResolutionStatus;
  /** 1 if this outcome won, 0 if it lost, null while unresolved. */
  readonly resolvedValue: 0 | 1 | null;
  readonly settlement: SettlementInfo;
  readonly fee: FeeInfo | null;
  /** Free-form category from the venue or the replay classifier (e.g. "weather", "politics"). */
  readonly category: string | null;
  /** When the data was fetched (or recorded), ms since epoch. */
  readonly fetchedAt: number;
}

/** A single price observation, used by price-history endpoints and replay files. */
export interface PricePoint {
  /** ms since epoch */
  readonly t: number;
  readonly p: number;
}

/** One price level of an order book. */
export interface BookLevel {
  readonly price: number;
  readonly size: number;
}

/** An order book reduced to what the strategy needs, best-first on both sides. */
export interface OrderBookSummary {
  readonly venue: Venue;
  readonly marketId: string;
  readonly tokenId: string;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly bestBid: number | null;
  readonly bestAsk: number | null;
  readonly mid: number | null;
  readonly depth: BookDepth;
  readonly timestamp: number;
  readonly hash: string | null;
}

/** Per-adapter counters; a rejected item increments `rejected`, a failed request `httpErrors`. */
export interface AdapterStats {
  requests: number;
  retries: number;
  httpErrors: number;
  itemsSeen: number;
  accepted: number;
  rejected: number;
}

export function emptyStats(): AdapterStats {
  return { requests: 0, retries: 0, httpErrors: 0, itemsSeen: 0, accepted: 0, rejected: 0 };
}

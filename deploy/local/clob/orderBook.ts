import type { Hex } from "viem";
import { BUY, type ExchangeOrder, PRICE_SCALE, SELL } from "./orders.js";

/**
 * The CLOB's books and its price-time matching, pure (no chain, no HTTP). One book per binary
 * market: an order on either outcome token is visible from both sides, as on Polymarket (a BUY of NO
 * at q is a SELL of YES at 1 − q). A taker matches the best effective price first and, at one price,
 * the oldest order first, against three kinds of maker order, the exchange's match types:
 * COMPLEMENTARY (the opposite side of the same token), MINT (two BUYs of complementary tokens: the
 * exchange splits collateral into a set) and MERGE (two SELLs: the exchange merges a set).
 */

export type MatchType = "COMPLEMENTARY" | "MINT" | "MERGE";

/** An order resting on a book. `remaining` is in the order's maker asset (collateral for a BUY, tokens for a SELL). */
export interface RestingOrder {
  readonly id: Hex;
  readonly order: ExchangeOrder;
  /** limit price in units of 0.0001 */
  readonly price: bigint;
  remaining: bigint;
  /** arrival order: the time priority */
  readonly sequence: number;
}

/** One maker order's part of a match, in the amounts `matchOrders` takes and moves. */
export interface MakerFill {
  readonly maker: RestingOrder;
  readonly matchType: MatchType;
  /** the maker's fill amount: its maker asset given up */
  readonly making: bigint;
  /** what the maker receives at its own price: floor(making × takerAmount / makerAmount) */
  readonly taking: bigint;
  /** outcome tokens of the taker's token the taker buys or sells through this fill */
  readonly shares: bigint;
  /** the taker's contribution (its maker asset) to this fill */
  readonly takerGives: bigint;
  /** what the taker receives from this fill (its taker asset) */
  readonly takerGets: bigint;
}

export interface MatchPlan {
  readonly fills: readonly MakerFill[];
  /** `takerFillAmount` of `matchOrders`: the taker's maker asset spent */
  readonly takerFillAmount: bigint;
  /** the taker's taker asset received before fees */
  readonly takerReceives: bigint;
  /** outcome tokens of the taker's token matched */
  readonly shares: bigint;
}

export interface TakerRequest {
  readonly order: ExchangeOrder;
  /** limit price in units of 0.0001 */
  readonly price: bigint;
  /** outcome tokens still to buy or sell */
  readonly shares: bigint;
  /** the complementary token of `order.tokenId` */
  readonly complement: bigint;
  /** current chain time: makers expired at it are not matched */
  readonly now: bigint;
  /** makers not to match (found invalid on chain) */
  readonly exclude?: ReadonlySet<Hex>;
}

/** One aggregated price level as `/book` shows it: price and size in outcome tokens. */
export interface Level {
  readonly price: bigint;
  readonly shares: bigint;
}

const floorMulDiv = (a: bigint, b: bigint, c: bigint) => (a * b) / c;

/** What the maker receives for giving `making` at its own price (the exchange's calculateTakingAmount). */
export function takingFor(order: ExchangeOrder, making: bigint): bigint {
  return floorMulDiv(making, order.takerAmount, order.makerAmount);
}

/** Outcome tokens a resting order still offers or asks for (its own token). */
export function restingShares(resting: RestingOrder): bigint {
  return resting.order.side === SELL ? resting.remaining : takingFor(resting.order, resting.remaining);
}

/** The largest m with floor(m × num / den) ≤ limit (num > 0). */
function largestWithin(limit: bigint, num: bigint, den: bigint): bigint {
  return ((limit + 1n) * den - 1n) / num;
}

function expired(order: ExchangeOrder, now: bigint): boolean {
  return order.expiration !== 0n && order.expiration <= now;
}

export class OrderBooks {
  private readonly byToken = new Map<bigint, RestingOrder[]>();
  private readonly byId = new Map<Hex, RestingOrder>();
  private sequence = 0;

  /** Next arrival number (time priority). */
  nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  add(resting: RestingOrder): void {
    if (this.byId.has(resting.id)) throw new Error(`order ${resting.id} is already on the book`);
    const list = this.byToken.get(resting.order.tokenId) ?? [];
    list.push(resting);
    this.byToken.set(resting.order.tokenId, list);
    this.byId.set(resting.id, resting);
  }

  get(id: Hex): RestingOrder | undefined {
    return this.byId.get(id);
  }

  remove(id: Hex): RestingOrder | undefined {
    const resting = this.byId.get(id);
    if (!resting) return undefined;
    this.byId.delete(id);
    const list = this.byToken.get(resting.order.tokenId) ?? [];
    this.byToken.set(
      resting.order.tokenId,
      list.filter((r) => r.id !== id),
    );
    return resting;
  }

  /** Every resting order on `tokenId`. */
  ordersOn(tokenId: bigint): readonly RestingOrder[] {
    return this.byToken.get(tokenId) ?? [];
  }

  all(): readonly RestingOrder[] {
    return [...this.byId.values()];
  }

  /** Removes the orders expired at `now` and returns them. */
  pruneExpired(now: bigint): RestingOrder[] {
    const gone = this.all().filter((r) => expired(r.order, now));
    for (const r of gone) this.remove(r.id);
    return gone;
  }

  /**
   * The book of `tokenId` as `/book` shows it: bids (BUYs of the token and SELLs of the complement at
   * 1 − price) and asks (SELLs of the token and BUYs of the complement at 1 − price), aggregated per
   * price, best level first.
   */
  levels(tokenId: bigint, complement: bigint): { bids: Level[]; asks: Level[] } {
    const bids = new Map<bigint, bigint>();
    const asks = new Map<bigint, bigint>();
    const addTo = (levels: Map<bigint, bigint>, price: bigint, shares: bigint) => {
      if (shares > 0n) levels.set(price, (levels.get(price) ?? 0n) + shares);
    };
    for (const r of this.ordersOn(tokenId))
      addTo(r.order.side === BUY ? bids : asks, r.price, restingShares(r));
    for (const r of this.ordersOn(complement))
      addTo(r.order.side === BUY ? asks : bids, PRICE_SCALE - r.price, restingShares(r));
    const sorted = (levels: Map<bigint, bigint>, bestFirst: (a: bigint, b: bigint) => number) =>
      [...levels.entries()]
        .map(([price, shares]) => ({ price, shares }))
        .sort((a, b) => bestFirst(a.price, b.price));
    return {
      bids: sorted(bids, (a, b) => (a > b ? -1 : a < b ? 1 : 0)),
      asks: sorted(asks, (a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    };
  }

  /**
   * The makers a taker order matches, best effective price first and oldest first at one price, with
   * the fill amounts the exchange computes; the taker buys or sells at most `shares` tokens. Nothing is
   * changed: `apply` books a plan once it has settled.
   */
  plan(taker: TakerRequest): MatchPlan {
    const { order } = taker;
    const buying = order.side === BUY;
    const candidates: { maker: RestingOrder; matchType: MatchType; effective: bigint }[] = [];
    for (const maker of this.ordersOn(order.tokenId)) {
      if (maker.order.side === order.side) continue;
      candidates.push({ maker, matchType: "COMPLEMENTARY", effective: maker.price });
    }
    for (const maker of this.ordersOn(taker.complement)) {
      if (maker.order.side !== order.side) continue;
      candidates.push({ maker, matchType: buying ? "MINT" : "MERGE", effective: PRICE_SCALE - maker.price });
    }
    const crossing = candidates
      .filter(({ maker, effective }) => {
        if (expired(maker.order, taker.now) || taker.exclude?.has(maker.id) || maker.remaining <= 0n)
          return false;
        return buying ? effective <= taker.price : effective >= taker.price;
      })
      .sort((a, b) => {
        if (a.effective !== b.effective)
          return (buying ? a.effective < b.effective : a.effective > b.effective) ? -1 : 1;
        return a.maker.sequence - b.maker.sequence;
      });

    const fills: MakerFill[] = [];
    let left = taker.shares;
    for (const { maker, matchType } of crossing) {
      if (left <= 0n) break;
      const fill = fillAgainst(maker, matchType, left);
      if (!fill) continue;
      fills.push(fill);
      left -= fill.shares;
    }
    // The exchange refuses a taker that receives less than its own price gives (TooLittleTokensReceived);
    // rounding in the makers' favour never does that, but a plan is checked, never assumed.
    while (fills.length > 0 && !takerPriceHolds(order, fills)) fills.pop();
    return summarize(fills);
  }

  /**
   * Books a settled plan: every maker's remaining shrinks by its fill and makers with nothing left
   * leave the book. Returns the makers that were filled completely.
   */
  apply(plan: MatchPlan): RestingOrder[] {
    const done: RestingOrder[] = [];
    for (const fill of plan.fills) {
      const resting = this.byId.get(fill.maker.id);
      if (!resting) continue;
      resting.remaining -= fill.making;
      if (resting.remaining <= 0n || restingShares(resting) === 0n) {
        this.remove(resting.id);
        done.push(resting);
      }
    }
    return done;
  }
}

/** One maker's fill for a taker that wants at most `left` outcome tokens, or undefined when it is dust. */
function fillAgainst(maker: RestingOrder, matchType: MatchType, left: bigint): MakerFill | undefined {
  const o = maker.order;
  let making: bigint;
  if (o.side === SELL) {
    // COMPLEMENTARY vs a BUY taker, or MERGE vs a SELL taker: the maker gives tokens, one per share
    making = maker.remaining < left ? maker.remaining : left;
  } else {
    // COMPLEMENTARY vs a SELL taker, or MINT vs a BUY taker: the maker gives collateral and
    // takes floor(making × takerAmount / makerAmount) tokens, one per share matched
    const most = largestWithin(left, o.takerAmount, o.makerAmount);
    making = maker.remaining < most ? maker.remaining : most;
  }
  if (making <= 0n) return undefined;
  const taking = takingFor(o, making);
  if (taking <= 0n) return undefined;
  switch (matchType) {
    case "COMPLEMENTARY":
      // taker BUY vs maker SELL: the taker pays the maker's price; taker SELL vs maker BUY: the taker
      // delivers the tokens the maker takes and gets the maker's collateral
      return o.side === SELL
        ? { maker, matchType, making, taking, shares: making, takerGives: taking, takerGets: making }
        : { maker, matchType, making, taking, shares: taking, takerGives: taking, takerGets: making };
    case "MINT":
      // `taking` sets are minted from the maker's collateral plus the taker's; each side gets its token
      if (taking <= making) return undefined;
      return {
        maker,
        matchType,
        making,
        taking,
        shares: taking,
        takerGives: taking - making,
        takerGets: taking,
      };
    case "MERGE":
      // `making` sets are merged into collateral: the maker is paid `taking`, the taker the rest
      if (making <= taking) return undefined;
      return {
        maker,
        matchType,
        making,
        taking,
        shares: making,
        takerGives: making,
        takerGets: making - taking,
      };
  }
}

function summarize(fills: readonly MakerFill[]): MatchPlan {
  let takerFillAmount = 0n;
  let takerReceives = 0n;
  let shares = 0n;
  for (const f of fills) {
    takerFillAmount += f.takerGives;
    takerReceives += f.takerGets;
    shares += f.shares;
  }
  return { fills, takerFillAmount, takerReceives, shares };
}

function takerPriceHolds(order: ExchangeOrder, fills: readonly MakerFill[]): boolean {
  const { takerFillAmount, takerReceives } = summarize(fills);
  return takingFor(order, takerFillAmount) <= takerReceives;
}

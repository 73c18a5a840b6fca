import { encodeAbiParameters, keccak256, type Hex } from "viem";
import type { BookLevel } from "../signals/types.js";
import { ctfFeeExact } from "../strategy/fees.js";
import type { OutcomeOpportunity, OutcomeStrategy } from "../strategy/outcomes/index.js";

/** Collateral and outcome tokens have 6 decimals on Polymarket (USDC.e, CTF positions). */
export const OUTCOME_UNIT = 1_000_000n;

/**
 * The economic terms of one CTF Exchange order the connector places (ICtfExchange.Order less the
 * maker, signer and signature, which the connector fills in: it is maker and signer, POLY_1271).
 * JSON-safe: amounts as decimal strings.
 */
export interface OrderTerms {
  /** Index of the set leg the order is for. */
  readonly leg: number;
  readonly tokenId: string;
  readonly conditionId: string;
  readonly side: "BUY" | "SELL";
  /** BUY: collateral paid; SELL: tokens sold (6 decimals). */
  readonly makerAmount: string;
  /** BUY: tokens received before the fee; SELL: collateral received before the fee. */
  readonly takerAmount: string;
  /** The level's price: makerAmount / takerAmount (BUY) or takerAmount / makerAmount (SELL). */
  readonly price: number;
  readonly feeRateBps: string;
  readonly expiration: string;
  readonly salt: string;
  readonly nonce: string;
}

/** A locking step after (or, for mint-and-sell, before) the orders. */
export type LockStep =
  | { readonly kind: "pmMerge"; readonly conditionId: string; readonly amount: string }
  | { readonly kind: "pmSplit"; readonly conditionId: string; readonly amount: string }
  | {
      readonly kind: "pmConvert";
      readonly marketId: string;
      readonly indexSet: string;
      readonly amount: string;
    }
  /** `amount`: the winning tokens the batch holds, the least the redemption must pay. */
  | { readonly kind: "pmRedeem"; readonly conditionId: string; readonly amount: string };

/** One opportunity as orders and locking steps, in exact integer amounts. */
export interface OutcomeBatch {
  /** Hash of the batch's terms: the same opportunity at the same time is the same batch. */
  readonly id: Hex;
  readonly strategy: OutcomeStrategy;
  readonly setId: string;
  readonly setKind: "binary" | "negRisk";
  /** Steps before the orders (mint-and-sell: split, and for negRisk convert, into a YES set). */
  readonly before: readonly LockStep[];
  readonly orders: readonly OrderTerms[];
  /** Steps once every order filled (merge, convert, redeem); a held YES set has none. */
  readonly after: readonly LockStep[];
  /** Net units every leg delivers (BUY) or sells (SELL): full sets. */
  readonly sets: string;
  /** Σ BUY makerAmount, or the collateral split for mint-and-sell. */
  readonly cost: string;
  /** What the lock returns (or the held set's par value), at the exact fees. */
  readonly payout: string;
  readonly profit: string;
  /**
   * The most the batch can lose if legs do not fill (the unwind bound): the collateral paid for
   * tokens that end up outside a full set, at most `cost`. Stated, and checked by the tracker.
   */
  readonly maxLoss: string;
  readonly expiration: string;
  readonly tokenIds: readonly string[];
}

export interface BatchParams {
  /** Unix seconds. */
  readonly now: number;
  /** Order lifetime; the connector refuses more than its MAX_ORDER_TTL. */
  readonly ttlSeconds: number;
  /** The connector's exchange nonce (`exchange.nonces(connector)`). */
  readonly nonce: bigint;
  /** Current books of the legs traded (tokenId → levels best first, the side the strategy trades). */
  readonly books: ReadonlyMap<
    string,
    { readonly asks: readonly BookLevel[]; readonly bids: readonly BookLevel[] }
  >;
  /** Tokens traded in multiples of this many units (the CLOB's size step; 0.01 share = 10 000). */
  readonly sizeStep: bigint;
  /** Smallest profit accepted after exact rounding (units). */
  readonly minProfit: bigint;
}

export class BatchPlanError extends Error {
  constructor(
    readonly reason: "rounding" | "depth-changed" | "below-min-profit" | "tick",
    message: string,
  ) {
    super(message);
    this.name = "BatchPlanError";
  }
}

/** Price in exact units per token: price × 10^6 must be an integer (tick grids are 0.1 … 0.0001). */
function priceUnits(price: number): bigint {
  const units = Math.round(price * 1_000_000);
  if (Math.abs(units - price * 1_000_000) > 1e-6 || units <= 0 || units >= 1_000_000)
    throw new BatchPlanError("tick", `price ${price} is not on a 10^-6 grid inside (0, 1)`);
  return BigInt(units);
}

/**
 * A book size in token units (6 decimals): rounded, not floored, since a size like 1063.83 is
 * 1063829999.9999999 units in binary floating point, and a floored size off the size step makes an
 * order whose amounts put its price off the tick (the CLOB refuses it).
 */
const sizeUnits = (size: number): bigint => BigInt(Math.round(size * 1_000_000));

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
const roundDown = (x: bigint, step: bigint): bigint => (x / step) * step;
const roundUp = (x: bigint, step: bigint): bigint => ceilDiv(x, step) * step;

/** Net tokens a BUY of `gross` tokens at `p` (units per token) delivers after the exchange's fee in tokens. */
function netBought(feeRateBps: bigint, p: bigint, gross: bigint): bigint {
  const maker = (gross * p) / OUTCOME_UNIT;
  return gross - ctfFeeExact(feeRateBps, gross, maker, gross, "BUY");
}

/**
 * One leg's BUY orders for `target` net tokens: level by level, the smallest gross size (a multiple
 * of `step`) whose net after the fee reaches what is still needed, each at its level's price.
 */
function buyLevels(
  levels: readonly BookLevel[],
  target: bigint,
  feeRateBps: bigint,
  step: bigint,
): { price: number; gross: bigint; maker: bigint; net: bigint }[] {
  const out: { price: number; gross: bigint; maker: bigint; net: bigint }[] = [];
  let need = target;
  for (const level of levels) {
    if (need <= 0n) break;
    const p = priceUnits(level.price);
    const available = roundDown(sizeUnits(level.size), step);
    if (available <= 0n) continue;
    let gross = roundUp(need, step);
    while (gross < available && netBought(feeRateBps, p, gross) < need) gross += step;
    gross = gross > available ? available : gross;
    const net = netBought(feeRateBps, p, gross);
    out.push({ price: level.price, gross, maker: (gross * p) / OUTCOME_UNIT, net });
    need -= net;
  }
  if (need > 0n) throw new BatchPlanError("depth-changed", `the book no longer holds ${target} net tokens`);
  return out;
}

/** One leg's SELL orders for exactly `target` tokens, level by level. */
function sellLevels(
  levels: readonly BookLevel[],
  target: bigint,
  feeRateBps: bigint,
): { price: number; gross: bigint; taker: bigint; net: bigint }[] {
  const out: { price: number; gross: bigint; taker: bigint; net: bigint }[] = [];
  let left = target;
  for (const level of levels) {
    if (left <= 0n) break;
    const p = priceUnits(level.price);
    const available = sizeUnits(level.size);
    const gross = left < available ? left : available;
    if (gross <= 0n) continue;
    const taker = (gross * p) / OUTCOME_UNIT;
    out.push({
      price: level.price,
      gross,
      taker,
      net: taker - ctfFeeExact(feeRateBps, gross, gross, taker, "SELL"),
    });
    left -= gross;
  }
  if (left > 0n) throw new BatchPlanError("depth-changed", `the bids no longer absorb ${target} tokens`);
  return out;
}

/**
 * Turns an opportunity into an exact batch: one limit order per leg and book level at that level's
 * price (so each fill's fee is the exchange's fee at the planned price), sized so every leg delivers
 * `sets` net tokens, expiring `ttlSeconds` from now, with deterministic salts (the same plan gives
 * the same order hashes). Refuses (BatchPlanError) when exact rounding or the current books leave
 * less than `minProfit`.
 */
export function planOutcomeBatch(opportunity: OutcomeOpportunity, params: BatchParams): OutcomeBatch {
  const { set, strategy } = opportunity;
  const step = params.sizeStep;
  const sets = roundDown(BigInt(Math.floor(opportunity.sets * 1_000_000)), step);
  if (sets <= 0n) throw new BatchPlanError("rounding", `${opportunity.sets} sets round to none`);
  const expiration = BigInt(params.now + params.ttlSeconds);
  const side = strategy === "mint-and-sell" ? "SELL" : "BUY";
  const legs =
    strategy === "no-conversion" ? set.legs.map((l) => ({ ...l, tokenId: l.complementTokenId })) : set.legs;
  const key = keccak256(
    encodeAbiParameters(
      [{ type: "string" }, { type: "string" }, { type: "uint256" }, { type: "uint256" }],
      [strategy, set.id, sets, expiration],
    ),
  );
  const orders: OrderTerms[] = [];
  let cost = 0n;
  let proceeds = 0n;
  for (const [index, leg] of legs.entries()) {
    const book = params.books.get(leg.tokenId);
    if (!book) throw new BatchPlanError("depth-changed", `no book for ${leg.tokenId}`);
    const fee = BigInt(leg.feeRateBps);
    const levels =
      side === "BUY"
        ? buyLevels(book.asks, sets, fee, step).map((l) => ({
            price: l.price,
            maker: l.maker,
            taker: l.gross,
            value: l.maker,
          }))
        : sellLevels(book.bids, sets, fee).map((l) => ({
            price: l.price,
            maker: l.gross,
            taker: l.taker,
            value: l.net,
          }));
    for (const l of levels) {
      if (side === "BUY") cost += l.value;
      else proceeds += l.value;
      const salt = BigInt(
        keccak256(
          encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [key, BigInt(orders.length)]),
        ),
      );
      orders.push({
        leg: index,
        tokenId: leg.tokenId,
        conditionId: leg.conditionId,
        side,
        makerAmount: l.maker.toString(),
        takerAmount: l.taker.toString(),
        price: l.price,
        feeRateBps: fee.toString(),
        expiration: expiration.toString(),
        // the CLOB API carries the salt as a JSON number: keep it below 2^53
        salt: BigInt.asUintN(53, salt).toString(),
        nonce: params.nonce.toString(),
      });
    }
  }
  const n = BigInt(set.legs.length);
  const convertFee = BigInt(set.convertFeeBips);
  let payout: bigint;
  const before: LockStep[] = [];
  const after: LockStep[] = [];
  const allQuestions = ((1n << n) - 1n).toString();
  if (strategy === "mint-and-sell") {
    cost = sets;
    payout = proceeds;
    const first = set.legs[0]!;
    before.push({ kind: "pmSplit", conditionId: first.conditionId, amount: sets.toString() });
    if (set.kind === "negRisk")
      before.push({
        kind: "pmConvert",
        marketId: set.id,
        indexSet: (1n << BigInt(first.questionIndex ?? 0)).toString(),
        amount: sets.toString(),
      });
  } else if (strategy === "no-conversion") {
    const out = sets - (sets * convertFee) / 10_000n;
    payout = (n - 1n) * out;
    after.push({ kind: "pmConvert", marketId: set.id, indexSet: allQuestions, amount: sets.toString() });
  } else if (strategy === "resolution") {
    payout = sets;
    after.push({ kind: "pmRedeem", conditionId: set.legs[0]!.conditionId, amount: sets.toString() });
  } else {
    payout = sets;
    if (set.kind === "binary") after.push({ kind: "pmMerge", conditionId: set.id, amount: sets.toString() });
  }
  const profit = payout - cost;
  if (profit < params.minProfit)
    throw new BatchPlanError(
      "below-min-profit",
      `exact amounts lock ${profit} units < ${params.minProfit} (rounding, fees at depth)`,
    );
  const maxLoss = strategy === "mint-and-sell" ? sets : cost;
  return {
    id: key,
    strategy,
    setId: set.id,
    setKind: set.kind,
    before,
    orders,
    after,
    sets: sets.toString(),
    cost: cost.toString(),
    payout: payout.toString(),
    profit: profit.toString(),
    maxLoss: maxLoss.toString(),
    expiration: expiration.toString(),
    tokenIds: legs.map((l) => l.tokenId),
  };
}

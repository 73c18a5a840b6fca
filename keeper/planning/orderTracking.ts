import type { LockStep, OrderTerms, OutcomeBatch } from "./outcomeOrders.js";
import { ctfFeeExact } from "../strategy/fees.js";

/**
 * Lifecycle of one order: `placed` (open on the exchange, nothing filled) → `partial` (some filled)
 * → `filled` (all of makerAmount), or `expired` (its expiration passed with part unfilled) or
 * `cancelled` (closed by the connector's `closeOrders` or the exchange). The last three are final.
 */
export const ORDER_STATUSES = ["placed", "partial", "filled", "expired", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface TrackedOrder {
  readonly hash: string;
  readonly terms: OrderTerms;
  readonly status: OrderStatus;
  /** makerAmount units filled so far. */
  readonly filled: string;
  /** What the fills delivered net of the exchange fee: tokens (BUY) or collateral (SELL). */
  readonly received: string;
}

export type OrderEvent =
  /** `makerFilled` more of makerAmount filled, delivering `taken` (tokens for a BUY, collateral for a SELL) before the fee. */
  | { readonly kind: "fill"; readonly makerFilled: bigint; readonly taken: bigint }
  | { readonly kind: "cancelled" }
  | { readonly kind: "tick"; readonly now: number };

export class OrderTransitionError extends Error {
  constructor(
    readonly hash: string,
    message: string,
  ) {
    super(message);
    this.name = "OrderTransitionError";
  }
}

const FINAL: ReadonlySet<OrderStatus> = new Set(["filled", "expired", "cancelled"]);

export function isFinal(status: OrderStatus): boolean {
  return FINAL.has(status);
}

export function placedOrder(hash: string, terms: OrderTerms): TrackedOrder {
  return { hash, terms, status: "placed", filled: "0", received: "0" };
}

/**
 * The order after one event. A fill on a final order, a fill beyond makerAmount or a fill that
 * delivers less than the order's price allows is refused (OrderTransitionError): the exchange
 * never does that, so the report is wrong and the batch must be re-read from the chain.
 */
export function applyOrderEvent(order: TrackedOrder, event: OrderEvent): TrackedOrder {
  if (event.kind === "tick") {
    if (isFinal(order.status) || event.now < Number(order.terms.expiration)) return order;
    return { ...order, status: "expired" };
  }
  if (event.kind === "cancelled") {
    if (order.status === "filled") return order;
    return isFinal(order.status) ? order : { ...order, status: "cancelled" };
  }
  if (isFinal(order.status))
    throw new OrderTransitionError(order.hash, `fill reported on a ${order.status} order`);
  const maker = BigInt(order.terms.makerAmount);
  const taker = BigInt(order.terms.takerAmount);
  const filled = BigInt(order.filled) + event.makerFilled;
  if (event.makerFilled <= 0n || filled > maker)
    throw new OrderTransitionError(order.hash, `fill of ${event.makerFilled} exceeds what is open`);
  if (event.taken * maker < event.makerFilled * taker)
    throw new OrderTransitionError(order.hash, "fill delivers less than the order's limit price");
  const fee = ctfFeeExact(
    BigInt(order.terms.feeRateBps),
    order.terms.side === "BUY" ? event.taken : event.makerFilled,
    event.makerFilled,
    event.taken,
    order.terms.side,
  );
  return {
    ...order,
    status: filled === maker ? "filled" : "partial",
    filled: filled.toString(),
    received: (BigInt(order.received) + event.taken - fee).toString(),
  };
}

/** What the keeper does next with a batch. */
export type BatchStep =
  | { readonly kind: "wait"; readonly open: readonly string[] }
  /** Every order filled: run the lock steps (merge / convert / redeem), or hold the YES set. */
  | { readonly kind: "lock"; readonly steps: readonly LockStep[]; readonly held: readonly HeldRemainder[] }
  /**
   * A leg did not fill by its expiry: close every order not filled or cancelled (`pmCloseOrders`), lock the full sets
   * that formed, hold the rest at 0. `loss` is the collateral paid for the held remainder, never
   * more than the batch's `maxLoss`.
   */
  | {
      readonly kind: "unwind";
      readonly close: readonly string[];
      readonly steps: readonly LockStep[];
      readonly held: readonly HeldRemainder[];
      readonly fullSets: string;
      readonly loss: string;
    };

/** Tokens of one leg left outside a full set, valued at 0. */
export interface HeldRemainder {
  readonly tokenId: string;
  readonly amount: string;
  /** Collateral paid for them (pro rata of the leg's cost). */
  readonly paid: string;
}

/**
 * The bounded unwind rule, pure. For BUY batches: full sets = the least any leg received; once
 * every order filled the lock steps run on `sets`; when an order expired or was cancelled with a
 * leg short, every still-open order is closed, the full sets that formed are merged / converted /
 * held, and each leg's excess is held at 0. The loss is the collateral paid for that excess, so it
 * is at most Σ BUY makerAmount (`batch.maxLoss`). SELL batches (mint-and-sell) held a full set
 * before selling: an unsold remainder of every leg is still a set (merged back), the rest is held.
 */
export function nextBatchStep(batch: OutcomeBatch, orders: readonly TrackedOrder[], now: number): BatchStep {
  const ticked = orders.map((o) => applyOrderEvent(o, { kind: "tick", now }));
  const open = ticked.filter((o) => !isFinal(o.status)).map((o) => o.hash);
  const allFilled = ticked.every((o) => o.status === "filled");
  // expired orders are closed too: closing drops the connector's allowance and its record of them
  const toClose = ticked.filter((o) => o.status !== "filled" && o.status !== "cancelled").map((o) => o.hash);
  const legs = batch.tokenIds.length;
  const perLeg = Array.from({ length: legs }, () => ({ received: 0n, paid: 0n, sold: 0n }));
  for (const o of ticked) {
    const leg = perLeg[o.terms.leg]!;
    if (o.terms.side === "BUY") {
      leg.received += BigInt(o.received);
      leg.paid += BigInt(o.filled);
    } else leg.sold += BigInt(o.filled);
  }
  const sets = BigInt(batch.sets);
  if (allFilled) return { kind: "lock", steps: batch.after, held: [] };
  const anyDone = ticked.some((o) => o.status === "expired" || o.status === "cancelled");
  if (!anyDone) return { kind: "wait", open };
  if (batch.strategy === "mint-and-sell") {
    // each leg still holds sets − sold; the least of those is a full set again
    const left = perLeg.map((l) => sets - l.sold);
    const full = left.reduce((a, b) => (a < b ? a : b));
    const held = left
      .map((amount, i) => ({ tokenId: batch.tokenIds[i]!, amount: (amount - full).toString(), paid: "0" }))
      .filter((h) => h.amount !== "0");
    const steps = full > 0n ? mergeSteps(batch, full) : [];
    const proceeds = ticked.reduce((s, o) => s + BigInt(o.received), 0n);
    const loss = sets - full - proceeds;
    return {
      kind: "unwind",
      close: toClose,
      steps,
      held,
      fullSets: full.toString(),
      loss: (loss > 0n ? loss : 0n).toString(),
    };
  }
  const full = perLeg.map((l) => l.received).reduce((a, b) => (a < b ? a : b));
  const held: HeldRemainder[] = [];
  let loss = 0n;
  for (const [i, l] of perLeg.entries()) {
    const excess = l.received - full;
    if (excess <= 0n) continue;
    const paid = l.received > 0n ? (l.paid * excess) / l.received : 0n;
    loss += paid;
    held.push({ tokenId: batch.tokenIds[i]!, amount: excess.toString(), paid: paid.toString() });
  }
  return {
    kind: "unwind",
    close: toClose,
    steps: full > 0n ? lockSteps(batch, full) : [],
    held,
    fullSets: full.toString(),
    loss: loss.toString(),
  };
}

/** The batch's lock steps re-sized to `amount` full sets. */
function lockSteps(batch: OutcomeBatch, amount: bigint): LockStep[] {
  return batch.after.map((s) => ({ ...s, amount: amount.toString() }));
}

/** After a partial mint-and-sell: merge back what is still a full set (binary: CTF merge; negRisk: held as a set). */
function mergeSteps(batch: OutcomeBatch, amount: bigint): LockStep[] {
  const split = batch.before.find((s) => s.kind === "pmSplit");
  if (!split || batch.setKind !== "binary") return [];
  return [{ kind: "pmMerge", conditionId: split.conditionId, amount: amount.toString() }];
}

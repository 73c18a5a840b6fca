import { type Address, type Hex, hashTypedData } from "viem";
import { CTF_ORDER_TYPES, ctfExchangeDomain } from "../../../keeper/planning/outcomeActions.js";

/**
 * The CTF Exchange order as the exchange takes it (its EIP-712 `Order` plus the signature), with the
 * enum values of the exchange: side BUY = 0 / SELL = 1; signature type EOA = 0, POLY_PROXY = 1,
 * POLY_GNOSIS_SAFE = 2, POLY_1271 = 3.
 */
export interface ExchangeOrder {
  readonly salt: bigint;
  readonly maker: Address;
  readonly signer: Address;
  readonly taker: Address;
  readonly tokenId: bigint;
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
  readonly expiration: bigint;
  readonly nonce: bigint;
  readonly feeRateBps: bigint;
  readonly side: 0 | 1;
  readonly signatureType: 0 | 1 | 2 | 3;
  readonly signature: Hex;
}

export const BUY = 0;
export const SELL = 1;
export const SIGNATURE_TYPE_EOA = 0;
export const SIGNATURE_TYPE_POLY_1271 = 3;

/** Polymarket's order-type names (`orderType` of `POST /order`). */
export type OrderType = "GTC" | "GTD" | "FOK" | "FAK";

/** Prices are held as integers in units of 0.0001, the finest tick Polymarket has. */
export const PRICE_SCALE = 10_000n;

/** The order's EIP-712 hash, which is also its CLOB order id. */
export function orderHash(order: ExchangeOrder, chainId: number, exchange: Address): Hex {
  const { signature: _signature, ...message } = order;
  return hashTypedData({
    domain: ctfExchangeDomain(chainId, exchange),
    types: CTF_ORDER_TYPES,
    primaryType: "Order",
    message,
  });
}

/** Outcome tokens the order buys or sells at its limit price (6 decimals, like the collateral). */
export function orderShares(order: Pick<ExchangeOrder, "side" | "makerAmount" | "takerAmount">): bigint {
  return order.side === BUY ? order.takerAmount : order.makerAmount;
}

/**
 * The limit price in units of 0.0001 when it is an exact multiple of `tickSize` (in the same units)
 * inside [tick, 1 − tick], else undefined. BUY price = collateral / tokens, SELL = the reverse.
 */
export function limitPrice(
  order: Pick<ExchangeOrder, "side" | "makerAmount" | "takerAmount">,
  tickSize: bigint,
): bigint | undefined {
  const [collateral, tokens] =
    order.side === BUY ? [order.makerAmount, order.takerAmount] : [order.takerAmount, order.makerAmount];
  if (tokens === 0n || collateral === 0n) return undefined;
  const perTick = PRICE_SCALE / tickSize;
  // price / tick = collateral * perTick / tokens must be a whole number
  if ((collateral * perTick) % tokens !== 0n) return undefined;
  const price = ((collateral * perTick) / tokens) * tickSize;
  if (price < tickSize || price > PRICE_SCALE - tickSize) return undefined;
  return price;
}

/** The order's price as a decimal string ("0.55"), exact for tick-valid prices. */
export function formatPrice(price: bigint): string {
  const whole = price / PRICE_SCALE;
  const fraction = (price % PRICE_SCALE).toString().padStart(4, "0").replace(/0+$/, "");
  return fraction === "" ? whole.toString() : `${whole}.${fraction}`;
}

/** A 6-decimal amount as a decimal string without trailing zeros ("12.5"). */
export function formatAmount(amount: bigint): string {
  const whole = amount / 1_000_000n;
  const fraction = (amount % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return fraction === "" ? whole.toString() : `${whole}.${fraction}`;
}

/** A tick size string of the API ("0.01") in units of 0.0001. */
export function tickUnits(tickSize: TickSize): bigint {
  return { "0.1": 1000n, "0.01": 100n, "0.001": 10n, "0.0001": 1n }[tickSize];
}

export type TickSize = "0.1" | "0.01" | "0.001" | "0.0001";

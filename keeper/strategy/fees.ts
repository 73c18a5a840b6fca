import type { FeeInfo } from "../signals/types.js";

/**
 * Taker fee in USD per share bought or sold at `price`:
 * - polymarket: `rate × (p × (1 − p)) ^ exponent` (the venue's fee curve, taker only);
 * - kalshi: `rate × p × (1 − p)` (the quadratic schedule before per-order cent rounding);
 * - notional: `rate × p` (a flat share of the amount traded);
 * - none: 0.
 */
export function feePerShare(fee: FeeInfo, price: number): number {
  if (fee.model === "none" || fee.takerRate === 0) return 0;
  if (fee.model === "notional") return fee.takerRate * price;
  const variance = price * (1 - price);
  if (fee.model === "kalshi") return fee.takerRate * variance;
  return fee.takerRate * (fee.exponent === 1 ? variance : variance ** fee.exponent);
}

/**
 * Fee actually charged for one order of `shares` at `price`: Polymarket floors to 5 decimals,
 * Kalshi rounds up to the next cent.
 */
export function orderFee(fee: FeeInfo, price: number, shares: number): number {
  const raw = feePerShare(fee, price) * shares;
  if (fee.model === "kalshi") return Math.ceil(raw * 100 - 1e-9) / 100;
  return Math.floor(raw * 1e5 + 1e-9) / 1e5;
}

/** Basis-point divisor and the largest fee rate the CTF Exchange accepts (`FeeTooHigh` above it). */
export const CTF_BPS = 10_000;
export const CTF_MAX_FEE_RATE_BPS = 1_000;

/**
 * Polymarket CTF Exchange fee on a BUY, in outcome tokens, as its CalculatorHelper computes it:
 * `feeRateBps × min(p, 1 − p) × tokens / (p × 10 000)` with p = collateral / tokens of the order.
 * In collateral terms that is `rate × min(p, 1 − p)` per token, the same as a SELL.
 */
export function ctfBuyFeeTokens(feeRateBps: number, price: number, tokens: number): number {
  if (feeRateBps === 0 || !(price > 0 && price <= 1)) return 0;
  return (feeRateBps * Math.min(price, 1 - price) * tokens) / (price * CTF_BPS);
}

/** CTF Exchange fee on a SELL, in collateral: `feeRateBps × min(p, 1 − p) × tokens / 10 000`. */
export function ctfSellFeeCollateral(feeRateBps: number, price: number, tokens: number): number {
  if (feeRateBps === 0 || !(price > 0 && price <= 1)) return 0;
  return (feeRateBps * Math.min(price, 1 - price) * tokens) / CTF_BPS;
}

const ONE = 10n ** 18n;

/**
 * The same fee in the exchange's own integer arithmetic (1e18 fixed-point price, floor division),
 * for an order of `makerAmount` / `takerAmount` filled for `outcomeTokens`: a BUY pays in outcome
 * tokens, a SELL in collateral. Exact to the unit, so planned amounts equal what the exchange moves.
 */
export function ctfFeeExact(
  feeRateBps: bigint,
  outcomeTokens: bigint,
  makerAmount: bigint,
  takerAmount: bigint,
  side: "BUY" | "SELL",
): bigint {
  if (feeRateBps === 0n || makerAmount === 0n || takerAmount === 0n) return 0n;
  const price = side === "BUY" ? (makerAmount * ONE) / takerAmount : (takerAmount * ONE) / makerAmount;
  if (price === 0n || price > ONE) return 0n;
  const m = price < ONE - price ? price : ONE - price;
  return side === "BUY"
    ? (feeRateBps * m * outcomeTokens) / (price * BigInt(CTF_BPS))
    : (feeRateBps * m * outcomeTokens) / (BigInt(CTF_BPS) * ONE);
}

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

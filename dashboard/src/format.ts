import { formatUnits } from "viem";

export function units(value: bigint | string, decimals: number, digits = 2): string {
  const n = Number(formatUnits(BigInt(value), decimals));
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const usdc = (value: bigint | string) => `${units(value, 6)} USDC`;

export function shortHex(hex: string): string {
  return `${hex.slice(0, 10)}…${hex.slice(-6)}`;
}

export function time(seconds: number | bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 16) + "Z";
}

/**
 * A decimal amount typed by a user, in base units; a sentence when it is not one (empty, not a
 * number, negative, more decimals than the token has, zero).
 */
export function parseAmount(text: string, decimals: number, what: string): bigint | string {
  const t = text.trim();
  if (t === "") return `enter the ${what}`;
  if (!/^\d+(\.\d+)?$/.test(t)) return `"${t}" is not a positive decimal number`;
  const [whole, fraction = ""] = t.split(".");
  if (fraction.length > decimals)
    return `"${t}" has ${fraction.length} decimals; the ${what} has at most ${decimals}`;
  const value = BigInt(whole!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (value === 0n) return `the ${what} must be more than zero`;
  return value;
}

/**
 * The vault's high-water mark is the price of one share *unit* scaled by 1e27 (SharesMath.PRICE_SCALE);
 * as a price per whole share in base-asset units it is hwm · 10^shareDecimals / 1e27.
 */
export function highWaterMarkPerShare(hwm: bigint | string, shareDecimals: number): bigint {
  return (BigInt(hwm) * 10n ** BigInt(shareDecimals)) / 10n ** 27n;
}

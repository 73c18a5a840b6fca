import type { DepegBands } from "../config/schema.js";

/**
 * Monitors are pure functions over readings taken elsewhere: same readings, same verdict. All
 * prices are integers in one fixed-point unit chosen by the caller (e.g. 1e18 = 1 base unit).
 */

export type Severity = "ok" | "warn" | "critical";

export interface Finding {
  readonly monitor: "nav" | "oracle" | "depeg";
  readonly subject: string;
  readonly severity: Severity;
  readonly message: string;
  /** Measured deviation in basis points (signed for NAV moves). */
  readonly bps: number;
}

const BPS = 10_000n;

/** `numerator / denominator` in basis points, rounded toward zero, as a plain number. */
function toBps(numerator: bigint, denominator: bigint): number {
  return Number((numerator * BPS * 100n) / denominator) / 100;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function positive(name: string, value: bigint): void {
  if (value <= 0n) throw new RangeError(`${name} must be positive, got ${value}`);
}

export interface NavReading {
  readonly vault: string;
  readonly previousPricePerShare: bigint;
  readonly currentPricePerShare: bigint;
}

/**
 * The price-per-share move a settlement would make, against the band the vault enforces: a move
 * beyond it would revert (or pause) on-chain, so the keeper refuses to send it and alerts instead.
 */
export function navGuardrail(
  reading: NavReading,
  bandBps: number,
): Finding & { readonly withinBand: boolean } {
  positive("previousPricePerShare", reading.previousPricePerShare);
  positive("currentPricePerShare", reading.currentPricePerShare);
  const delta = reading.currentPricePerShare - reading.previousPricePerShare;
  const withinBand = abs(delta) * BPS <= BigInt(bandBps) * reading.previousPricePerShare;
  const bps = toBps(delta, reading.previousPricePerShare);
  return {
    monitor: "nav",
    subject: reading.vault,
    severity: withinBand ? "ok" : "critical",
    withinBand,
    bps,
    message: withinBand
      ? `price per share moved ${bps} bps, within ±${bandBps} bps`
      : `price per share would move ${bps} bps, beyond the ±${bandBps} bps guardrail`,
  };
}

export interface OracleReading {
  readonly token: string;
  readonly primary: bigint;
  readonly secondary: bigint;
}

/** Primary vs secondary source deviation, relative to the primary (e.g. Chainlink vs TWAP). */
export function oracleDeviation(reading: OracleReading, maxDeviationBps: number): Finding {
  positive("primary", reading.primary);
  positive("secondary", reading.secondary);
  const diff = abs(reading.primary - reading.secondary);
  const breach = diff * BPS > BigInt(maxDeviationBps) * reading.primary;
  const bps = toBps(diff, reading.primary);
  return {
    monitor: "oracle",
    subject: reading.token,
    severity: breach ? "critical" : "ok",
    bps,
    message: breach
      ? `primary and secondary prices differ by ${bps} bps (max ${maxDeviationBps})`
      : `sources agree within ${bps} bps`,
  };
}

export type DepegLevel = "ok" | "watch" | "reduce" | "exit";

export interface DepegReading {
  readonly token: string;
  /** Market price of the stablecoin, never assumed to be the peg. */
  readonly price: bigint;
  /** The peg in the same unit (e.g. 1e18 for $1). */
  readonly peg: bigint;
}

/** Depeg band for one price: deviation strictly above watch / reduce / exit (50 / 200 / 500 bps by default). */
export function depegLevel(reading: DepegReading, bands: DepegBands): { level: DepegLevel; bps: number } {
  positive("peg", reading.peg);
  if (reading.price < 0n) throw new RangeError(`price must not be negative, got ${reading.price}`);
  const scaled = abs(reading.price - reading.peg) * BPS;
  const above = (band: number) => scaled > BigInt(band) * reading.peg;
  const level: DepegLevel = above(bands.exitBps)
    ? "exit"
    : above(bands.reduceBps)
      ? "reduce"
      : above(bands.watchBps)
        ? "watch"
        : "ok";
  return { level, bps: toBps(abs(reading.price - reading.peg), reading.peg) };
}

const LEVEL_ORDER: Record<DepegLevel, number> = { ok: 0, watch: 1, reduce: 2, exit: 3 };
const LEVEL_SEVERITY: Record<DepegLevel, Severity> = {
  ok: "ok",
  watch: "warn",
  reduce: "critical",
  exit: "critical",
};

export interface DepegAssessment extends Finding {
  readonly level: DepegLevel;
  /** Venues whose own price is beyond the watch band. */
  readonly venuesOff: number;
  /** Every venue is off the peg: a protocol-level depeg, not one venue's dislocation. */
  readonly uniform: boolean;
}

/**
 * Depeg verdict across venues: the level of the median price, and whether the dislocation is
 * uniform (all venues off: an exit signal) or local to some venues (an arbitrage candidate, not a
 * reason to move the vault). With one venue the level stands on its own.
 */
export function assessDepeg(
  token: string,
  peg: bigint,
  venuePrices: readonly { venue: string; price: bigint }[],
  bands: DepegBands,
): DepegAssessment {
  if (venuePrices.length === 0) throw new RangeError(`no prices for ${token}`);
  const sorted = [...venuePrices].map((v) => v.price).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2n;
  const { level, bps } = depegLevel({ token, price: median, peg }, bands);
  const venuesOff = venuePrices.filter(
    (v) => LEVEL_ORDER[depegLevel({ token, price: v.price, peg }, bands).level] >= LEVEL_ORDER.watch,
  ).length;
  const uniform = venuesOff === venuePrices.length;
  return {
    monitor: "depeg",
    subject: token,
    level,
    bps,
    venuesOff,
    uniform,
    severity: LEVEL_SEVERITY[level],
    message:
      level === "ok"
        ? venuesOff > 0
          ? `${venuesOff} of ${venuePrices.length} venues off peg, median within bands (local dislocation)`
          : `on peg (median ${bps} bps off)`
        : `median ${bps} bps off peg: ${level}${uniform ? " (all venues)" : ` (${venuesOff}/${venuePrices.length} venues)`}`,
  };
}

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
  /** What the vault's own guardrail compares, read from the chain (absent: only the operator band applies). */
  readonly chain?: ChainNavReading;
}

/** The vault's guardrail parameters (`AccountingManager.guardrails()`), as GuardrailMath reads them. */
export interface ChainGuardrails {
  readonly toleranceBps: number;
  readonly maxIncreaseBpsPerYear: number;
  readonly maxDecreaseBpsPerYear: number;
}

/** The NAVs a settlement now would compare: the last accepted one, the live one, the seconds between. */
export interface ChainNavReading {
  readonly lastNav: bigint;
  readonly nav: bigint;
  readonly elapsedSeconds: bigint;
  readonly guardrails: ChainGuardrails;
}

const YEAR_SECONDS = 365n * 86_400n;

/**
 * The vault's rule, exactly as `GuardrailMath.withinBand` (contracts/vault/lib/GuardrailMath.sol)
 * decides it: a fixed tolerance plus an annualised rate times the elapsed time, separately up and
 * down, on NAVs offset by one. Outside the band a keeper settlement pauses the vault, so the keeper
 * alerts instead of settling and says what the chain would decide.
 */
export function chainNavGuardrail(
  vault: string,
  reading: ChainNavReading,
): Finding & { readonly withinBand: boolean } {
  const { lastNav, nav, elapsedSeconds, guardrails: g } = reading;
  const last = lastNav + 1n;
  const now = nav + 1n;
  const up = now >= last;
  const rate = BigInt(up ? g.maxIncreaseBpsPerYear : g.maxDecreaseBpsPerYear);
  const bandBps = BigInt(g.toleranceBps) + (rate * elapsedSeconds) / YEAR_SECONDS;
  const withinBand = up
    ? now * BPS <= last * (BPS + bandBps)
    : bandBps >= BPS || now * BPS >= last * (BPS - bandBps);
  const bps = toBps(now - last, last);
  const band = `${up ? "+" : "-"}${bandBps} bps (tolerance ${g.toleranceBps} + ${rate} bps/year over ${elapsedSeconds} s)`;
  return {
    monitor: "nav",
    subject: vault,
    severity: withinBand ? "ok" : "critical",
    withinBand,
    bps,
    message: withinBand
      ? `NAV moved ${bps} bps since the last settlement, inside the vault's band ${band}`
      : `NAV moved ${bps} bps since the last settlement, outside the vault's band ${band}: a keeper settlement now would pause the vault`,
  };
}

/**
 * The price-per-share move a settlement would make, against the operator's own band
 * (`monitors.operatorNavBandBps`), a stricter setting than the vault's rule (`chainNavGuardrail`).
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
      ? `price per share moved ${bps} bps, within the operator's ±${bandBps} bps band`
      : `price per share would move ${bps} bps, beyond the operator's ±${bandBps} bps band`,
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

/**
 * Every NAV finding for a reading: the vault's rule when the chain part was read, and the
 * operator's stricter band when one is configured.
 */
export function navFindings(
  reading: NavReading,
  operatorBandBps: number | undefined,
): (Finding & { readonly withinBand: boolean })[] {
  const findings: (Finding & { readonly withinBand: boolean })[] = [];
  if (reading.chain) findings.push(chainNavGuardrail(reading.vault, reading.chain));
  if (operatorBandBps !== undefined) findings.push(navGuardrail(reading, operatorBandBps));
  return findings;
}

import type { ProbabilityEstimate } from "./config.js";

/**
 * Price→probability map learned on a disjoint, resolved sample (the 2023–2024 favourite-bias
 * bets), so the estimate is not the traded price echoed back. Bins cover the favourite's price
 * in [0.5, 1]; a price below 0.5 is read through its complement.
 */
export interface CalibrationTable {
  readonly source: string;
  readonly bins: readonly CalibrationBin[];
  /** Pseudo-observations at the market price: shrinks thin bins toward the market. */
  readonly priorStrength: number;
}

export interface CalibrationBin {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly wins: number;
}

/** One resolved bet: the favourite's entry price and whether it won. */
export interface ResolvedBet {
  readonly price: number;
  readonly won: boolean;
}

/**
 * Default bin edges on the favourite's price: narrow near 1, where prices crowd and a coarse bin
 * would lend 0.99-market win rates to 0.95 markets.
 */
export const DEFAULT_CALIBRATION_EDGES: readonly number[] = [
  0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 1,
];

/** Buckets resolved bets by favourite price between consecutive `edges` (ascending, 0.5 … 1). */
export function buildCalibration(
  bets: readonly ResolvedBet[],
  source: string,
  edges: readonly number[] = DEFAULT_CALIBRATION_EDGES,
  priorStrength = 50,
): CalibrationTable {
  const bins = edges.slice(0, -1).map((lo, i) => ({ lo, hi: edges[i + 1] as number, n: 0, wins: 0 }));
  for (const bet of bets) {
    const fav = bet.price >= 0.5 ? bet.price : 1 - bet.price;
    const won = bet.price >= 0.5 ? bet.won : !bet.won;
    const bin = bins.find((b) => fav >= b.lo && fav < b.hi) ?? bins[bins.length - 1];
    if (!bin) continue;
    bin.n += 1;
    if (won) bin.wins += 1;
  }
  return { source, bins, priorStrength };
}

/**
 * Posterior win probability at `price`: (wins + s·price) / (n + s) in the price's bin, with
 * confidence n / (n + s). Prices under 0.5 use 1 − estimate(1 − price).
 */
export function calibratedEstimate(table: CalibrationTable, price: number): ProbabilityEstimate {
  const complement = price < 0.5;
  const fav = complement ? 1 - price : price;
  const bins = table.bins;
  let bin = bins[bins.length - 1];
  for (const b of bins) {
    if (fav >= b.lo && fav < b.hi) {
      bin = b;
      break;
    }
  }
  const n = bin?.n ?? 0;
  const s = table.priorStrength;
  const p = ((bin?.wins ?? 0) + s * fav) / (n + s);
  return { p: complement ? 1 - p : p, confidence: n / (n + s), source: table.source };
}

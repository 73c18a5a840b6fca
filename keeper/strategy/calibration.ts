import { brier, logLoss } from "./stats.js";

/** What the calibration report needs of one stored, resolved estimate. */
export interface ScoredEstimate {
  readonly estimator: string;
  readonly p: number;
  readonly marketPrice: number;
  readonly outcome: 0 | 1 | null;
}

/** Brier and log-loss of one estimator against the market price over the same resolved estimates. */
export interface EstimatorCalibration {
  readonly estimator: string;
  readonly resolved: number;
  readonly open: number;
  readonly brierEstimate: number | null;
  readonly brierMarket: number | null;
  readonly logLossEstimate: number | null;
  readonly logLossMarket: number | null;
}

/**
 * Live calibration per estimator: each resolved estimate scored against its outcome, beside the
 * market price it was made against. An estimator earns trust only where its Brier beats the market's.
 */
export function calibrationByEstimator(records: readonly ScoredEstimate[]): EstimatorCalibration[] {
  const sums = new Map<string, { n: number; open: number; be: number; bm: number; le: number; lm: number }>();
  for (const r of records) {
    const s = sums.get(r.estimator) ?? { n: 0, open: 0, be: 0, bm: 0, le: 0, lm: 0 };
    sums.set(r.estimator, s);
    if (r.outcome === null) {
      s.open++;
      continue;
    }
    s.n++;
    s.be += brier(r.p, r.outcome);
    s.bm += brier(r.marketPrice, r.outcome);
    s.le += logLoss(r.p, r.outcome);
    s.lm += logLoss(r.marketPrice, r.outcome);
  }
  const avg = (x: number, n: number) => (n > 0 ? x / n : null);
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([estimator, s]) => ({
      estimator,
      resolved: s.n,
      open: s.open,
      brierEstimate: avg(s.be, s.n),
      brierMarket: avg(s.bm, s.n),
      logLossEstimate: avg(s.le, s.n),
      logLossMarket: avg(s.lm, s.n),
    }));
}

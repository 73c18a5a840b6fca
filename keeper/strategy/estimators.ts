import type { MarketSnapshot } from "../signals/types.js";
import type { CalibrationTable } from "./estimate.js";
import { normalCdf, normalPdf } from "./stats.js";

/**
 * A win probability for one outcome token, from information other than that token's own price,
 * with its standard error and the inputs it was computed from (recorded in the provenance).
 */
export interface Estimate {
  readonly p: number;
  /** Standard error of `p`: what the decision gate subtracts before it trusts an edge. */
  readonly stdError: number;
  /** Estimator that produced it, plus "+ favourite-bias prior" when the prior shrank it. */
  readonly source: string;
  readonly inputs: Readonly<Record<string, string | number>>;
}

export type EstimateResult =
  | { readonly estimate: Estimate; readonly reason: null }
  | { readonly estimate: null; readonly reason: string };

/** What a contract settles on; two contracts are the same bet only when all four agree. */
export interface ContractTerms {
  /** Venue-independent key of the event (e.g. "fed-2026-03-decision"), set by whoever pairs contracts. */
  readonly eventKey: string;
  /** Named resolution source, e.g. "Chainlink BTC/USD Data Stream" or "BLS CPI release". */
  readonly resolutionSource: string;
  /** Cut-off (observation / close) time, ms since epoch. */
  readonly cutoff: number;
  /** The condition the YES side pays on, normalised ("btc/usd >= 100000 at cutoff"). */
  readonly condition: string;
}

/** The equivalent contract on the other venue, with both sides' terms and its latest quote. */
export interface Counterpart {
  readonly ours: ContractTerms;
  readonly theirs: ContractTerms;
  /** Snapshot of the outcome on the other venue that pays when our token pays. */
  readonly quote: MarketSnapshot;
}

/** A price-threshold contract: the token pays if the asset's oracle price at `cutoff` is above/below `strike`. */
export interface ThresholdTerms {
  readonly asset: string;
  /** Strike in the oracle's units; null = the oracle price at `windowStart` (up/down markets). */
  readonly strike: number | null;
  readonly windowStart: number | null;
  readonly cutoff: number;
  readonly direction: "above" | "below";
}

/**
 * An oracle price series (Chainlink rounds or Data Streams ticks), time-ascending, with the running
 * sum of squared log returns so realised variance over any window costs two binary searches.
 */
export interface OracleSeries {
  readonly asset: string;
  readonly source: string;
  readonly t: Float64Array;
  readonly price: Float64Array;
  /** cumSquaredReturns[i] = Σ_{j ≤ i} ln(price[j] / price[j − 1])². */
  readonly cumSquaredReturns: Float64Array;
}

export function oracleSeries(
  asset: string,
  source: string,
  t: Float64Array,
  price: Float64Array,
): OracleSeries {
  const cum = new Float64Array(t.length);
  for (let i = 1; i < t.length; i++) {
    const r = Math.log((price[i] as number) / (price[i - 1] as number));
    cum[i] = (cum[i - 1] as number) + r * r;
  }
  return { asset, source, t, price, cumSquaredReturns: cum };
}

/** Index of the last observation at or before `time`, or −1. */
export function lastIndexAtOrBefore(times: Float64Array, time: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Data the I/O layer hands the estimators; each map is keyed by our snapshot's token id (oracles by asset). */
export interface EstimationInputs {
  readonly counterparts?: ReadonlyMap<string, Counterpart>;
  readonly thresholds?: ReadonlyMap<string, ThresholdTerms>;
  readonly oracles?: ReadonlyMap<string, OracleSeries>;
}

export type EstimatorName = "cross-venue" | "price-threshold";

export interface EstimatorConfig {
  /** Estimators tried in this order; the first that gives an estimate is used. Empty = abstain always. */
  readonly order: readonly EstimatorName[];
  readonly crossVenue: {
    /** Largest difference between the two contracts' cut-off times still treated as one event. */
    readonly maxCutoffSkewMs: number;
    /** The other venue's quote must be at most this old. */
    readonly maxQuoteAgeMs: number;
    /** Floor of the standard error (venue basis risk even for equal terms). */
    readonly minStdError: number;
  };
  readonly priceThreshold: {
    /** Realised volatility is measured over this window before `now`. */
    readonly lookbackMs: number;
    /** At least this many returns in the window, or no estimate. */
    readonly minReturns: number;
    /** The latest oracle observation must be at most this old. */
    readonly maxOracleAgeMs: number;
    /**
     * Floor of the standard error (model error: jumps, fat tails, oracle vs settlement source).
     * Default 0.03: the 292 resolved BTC 5-minute windows (140 Up / 152 Down) pin the model's
     * base rate of 1/2 only to ±0.029.
     */
    readonly minStdError: number;
  };
  /** Monotone favourite-bias map that shrinks an estimate toward the calibrated price; never used alone. */
  readonly prior: CalibrationTable | null;
}

export function defaultEstimatorConfig(overrides: Partial<EstimatorConfig> = {}): EstimatorConfig {
  return {
    order: ["cross-venue", "price-threshold"],
    crossVenue: { maxCutoffSkewMs: 5 * 60_000, maxQuoteAgeMs: 60_000, minStdError: 0.02 },
    priceThreshold: { lookbackMs: 3_600_000, minReturns: 30, maxOracleAgeMs: 120_000, minStdError: 0.03 },
    prior: null,
    ...overrides,
  };
}

const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();

/**
 * The contract-equivalence check: same event, same resolution source, cut-offs within `maxSkewMs`
 * and the same condition. Returns every difference found (empty = equivalent).
 */
export function contractDifferences(a: ContractTerms, b: ContractTerms, maxSkewMs: number): string[] {
  const out: string[] = [];
  if (normalise(a.eventKey) !== normalise(b.eventKey)) out.push(`event ${a.eventKey} ≠ ${b.eventKey}`);
  if (normalise(a.resolutionSource) !== normalise(b.resolutionSource))
    out.push(`resolution source "${a.resolutionSource}" ≠ "${b.resolutionSource}"`);
  if (Math.abs(a.cutoff - b.cutoff) > maxSkewMs)
    out.push(`cut-offs ${Math.round(Math.abs(a.cutoff - b.cutoff) / 1000)} s apart`);
  if (normalise(a.condition) !== normalise(b.condition))
    out.push(`condition "${a.condition}" ≠ "${b.condition}"`);
  return out;
}

/** Cross-venue estimate: the equivalent contract's mid on the other venue, admitted only after the equivalence check. */
export function crossVenueEstimate(
  s: MarketSnapshot,
  inputs: EstimationInputs,
  config: EstimatorConfig["crossVenue"],
  now: number,
): EstimateResult {
  const pair = inputs.counterparts?.get(s.tokenId);
  if (!pair) return { estimate: null, reason: "no counterpart on another venue" };
  const differences = contractDifferences(pair.ours, pair.theirs, config.maxCutoffSkewMs);
  if (differences.length > 0) return { estimate: null, reason: `not equivalent: ${differences.join("; ")}` };
  const q = pair.quote;
  if (q.venue === s.venue) return { estimate: null, reason: "counterpart is on the same venue" };
  if (now - q.fetchedAt > config.maxQuoteAgeMs)
    return { estimate: null, reason: `counterpart quote ${Math.round((now - q.fetchedAt) / 1000)} s old` };
  if (q.status !== "open") return { estimate: null, reason: `counterpart ${q.status}` };
  const mid = q.bestBid !== null && q.bestAsk !== null ? (q.bestBid + q.bestAsk) / 2 : q.price;
  const halfSpread =
    q.bestBid !== null && q.bestAsk !== null ? (q.bestAsk - q.bestBid) / 2 : config.minStdError;
  return {
    reason: null,
    estimate: {
      p: mid,
      stdError: Math.max(config.minStdError, halfSpread),
      source: "cross-venue",
      inputs: {
        venue: q.venue,
        marketId: q.marketId,
        tokenId: q.tokenId,
        bid: q.bestBid ?? "none",
        ask: q.bestAsk ?? "none",
        quotedAt: q.fetchedAt,
        eventKey: pair.ours.eventKey,
        resolutionSource: pair.ours.resolutionSource,
      },
    },
  };
}

/**
 * Price-threshold model: with spot S, strike K, realised volatility σ (per √ms, from the oracle's
 * own returns over `lookbackMs`) and time left τ, P(S_cutoff ≥ K) = Φ(ln(S/K) / (σ√τ)) under a
 * driftless log-normal. Its standard error propagates the volatility's sampling error
 * (se(σ)/σ ≈ 1/√(2n)): se(p) = φ(d)·|d|/√(2n), floored at `minStdError`. Before an up/down
 * window opens the strike is the opening price itself, so p = 1/2 whatever the feed says.
 */
export function priceThresholdEstimate(
  s: MarketSnapshot,
  inputs: EstimationInputs,
  config: EstimatorConfig["priceThreshold"],
  now: number,
): EstimateResult {
  const terms = inputs.thresholds?.get(s.tokenId);
  if (!terms) return { estimate: null, reason: "not a price-threshold market" };
  const tau = terms.cutoff - now;
  if (tau <= 0) return { estimate: null, reason: "past the cut-off" };
  const base = { asset: terms.asset, cutoff: terms.cutoff, direction: terms.direction };
  if (terms.strike === null && (terms.windowStart === null || now < terms.windowStart)) {
    return {
      reason: null,
      estimate: {
        p: 0.5,
        stdError: config.minStdError,
        source: "price-threshold",
        inputs: { ...base, strike: "window open price (not yet set)" },
      },
    };
  }
  const series = inputs.oracles?.get(terms.asset);
  if (!series) return { estimate: null, reason: `no oracle series for ${terms.asset}` };
  const i = lastIndexAtOrBefore(series.t, now);
  if (i < 0) return { estimate: null, reason: "no oracle observation before now" };
  const age = now - (series.t[i] as number);
  if (age > config.maxOracleAgeMs)
    return { estimate: null, reason: `oracle ${Math.round(age / 1000)} s old` };
  let strike = terms.strike;
  if (strike === null) {
    const open = lastIndexAtOrBefore(series.t, terms.windowStart as number);
    if (open < 0) return { estimate: null, reason: "no oracle observation at the window open" };
    strike = series.price[open] as number;
  }
  const from = Math.max(0, lastIndexAtOrBefore(series.t, now - config.lookbackMs));
  const returns = i - from;
  if (returns < config.minReturns)
    return { estimate: null, reason: `${returns} oracle returns in the window (< ${config.minReturns})` };
  const elapsed = (series.t[i] as number) - (series.t[from] as number);
  const variancePerMs =
    ((series.cumSquaredReturns[i] as number) - (series.cumSquaredReturns[from] as number)) / elapsed;
  if (!(variancePerMs > 0)) return { estimate: null, reason: "no realised volatility" };
  const spot = series.price[i] as number;
  const d = Math.log(spot / strike) / Math.sqrt(variancePerMs * tau);
  const above = normalCdf(d);
  const stdError = Math.max(config.minStdError, (normalPdf(d) * Math.abs(d)) / Math.sqrt(2 * returns));
  return {
    reason: null,
    estimate: {
      p: terms.direction === "above" ? above : 1 - above,
      stdError,
      source: "price-threshold",
      inputs: {
        ...base,
        strike,
        spot,
        spotAt: series.t[i] as number,
        oracle: series.source,
        sigmaPerHour: Math.sqrt(variancePerMs * 3_600_000),
        returns,
      },
    },
  };
}

/**
 * Makes a calibration table monotone (pool-adjacent-violators on the bins' win rates, weighted by
 * bet count): a higher favourite price never maps to a lower win probability. Each bin keeps its
 * count; its wins are set to count × pooled rate.
 */
export function monotoneCalibration(table: CalibrationTable): CalibrationTable {
  const blocks: { n: number; wins: number; bins: number }[] = [];
  for (const bin of table.bins) {
    blocks.push({ n: bin.n, wins: bin.wins, bins: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1] as (typeof blocks)[number];
      const prev = blocks[blocks.length - 2] as (typeof blocks)[number];
      const rate = (b: typeof last) => (b.n > 0 ? b.wins / b.n : 0);
      if (last.n > 0 && prev.n > 0 && rate(prev) > rate(last)) {
        blocks.splice(-2, 2, {
          n: prev.n + last.n,
          wins: prev.wins + last.wins,
          bins: prev.bins + last.bins,
        });
      } else break;
    }
  }
  const rates: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.bins; k++) rates.push(b.n > 0 ? b.wins / b.n : NaN);
  return {
    source: `${table.source} (monotone)`,
    priorStrength: table.priorStrength,
    bins: table.bins.map((bin, k) => {
      const rate = rates[k] as number;
      return { ...bin, wins: Number.isNaN(rate) ? bin.wins : rate * bin.n };
    }),
  };
}

/**
 * Shrinks `estimate` toward the favourite-bias prior at the market `price`: precision-weighted
 * mean of the two, with the prior's standard error √(p(1 − p)/(n + s)) from its bin count. The
 * standard error stays the estimate's own: the prior moves the point, it does not add certainty.
 */
export function shrinkTowardPrior(estimate: Estimate, prior: CalibrationTable, price: number): Estimate {
  const complement = price < 0.5;
  const fav = complement ? 1 - price : price;
  const bins = prior.bins;
  let bin = bins[bins.length - 1];
  for (const b of bins) {
    if (fav >= b.lo && fav < b.hi) {
      bin = b;
      break;
    }
  }
  const n = bin?.n ?? 0;
  const s = prior.priorStrength;
  const favP = ((bin?.wins ?? 0) + s * fav) / (n + s);
  const priorP = complement ? 1 - favP : favP;
  const priorVar = (priorP * (1 - priorP)) / (n + s);
  const estVar = estimate.stdError * estimate.stdError;
  const weight = priorVar / (priorVar + estVar);
  return {
    p: weight * estimate.p + (1 - weight) * priorP,
    stdError: estimate.stdError,
    source: `${estimate.source} + favourite-bias prior`,
    inputs: { ...estimate.inputs, priorP, priorWeight: 1 - weight },
  };
}

/**
 * Runs the configured estimators in order on one snapshot; the first estimate wins and is then
 * shrunk by the prior if one is configured. Abstains (estimate null) with every estimator's reason.
 */
export function estimateProbability(
  s: MarketSnapshot,
  inputs: EstimationInputs,
  config: EstimatorConfig,
  now: number,
): EstimateResult {
  const reasons: string[] = [];
  for (const name of config.order) {
    const result =
      name === "cross-venue"
        ? crossVenueEstimate(s, inputs, config.crossVenue, now)
        : priceThresholdEstimate(s, inputs, config.priceThreshold, now);
    if (result.estimate) {
      return config.prior
        ? { estimate: shrinkTowardPrior(result.estimate, config.prior, s.price), reason: null }
        : result;
    }
    reasons.push(`${name}: ${result.reason}`);
  }
  return { estimate: null, reason: reasons.length > 0 ? reasons.join("; ") : "no estimator configured" };
}

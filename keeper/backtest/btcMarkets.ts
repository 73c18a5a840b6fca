import { resolutionSourceOf } from "../signals/polymarketGamma.js";
import type { Btc5mMarket, RecordedSeries } from "../signals/replay/recordedMarkets.js";
import type { BookDepth, FeeInfo, MarketSnapshot } from "../signals/types.js";
import { defaultStrategyConfig, type StrategyConfig } from "../strategy/config.js";
import { ABSTAIN_KINDS, decideBuy, type AbstainKind } from "../strategy/decision.js";
import {
  estimateProbability,
  priceThresholdEstimate,
  type EstimationInputs,
  type OracleSeries,
  type ThresholdTerms,
} from "../strategy/estimators.js";
import { gateSnapshot } from "../strategy/gates.js";
import { applyCaps, emptyExposure } from "../strategy/sizing.js";
import { brier, logLoss } from "../strategy/stats.js";
import { halfSpreadOf, type SpreadModel } from "./spreads.js";

/** Taker fee of Polymarket's 2026 crypto up/down markets, as the July 2026 Gamma objects carry it. */
export const CRYPTO_UPDOWN_FEE: FeeInfo = { model: "polymarket", takerRate: 0.07, makerRate: 0, exponent: 1 };

/**
 * The production strategy configuration with the time-to-resolution gates opened for markets that
 * resolve within minutes (everything else, the decision gate included, unchanged).
 */
export function shortDatedStrategyConfig(overrides: Partial<StrategyConfig> = {}): StrategyConfig {
  const base = defaultStrategyConfig();
  return defaultStrategyConfig({
    gates: { ...base.gates, minHoursToResolution: 0, nearResolutionHours: 0, maxSnapshotAgeMs: 60_000 },
    estimators: { ...base.estimators, order: ["price-threshold"] },
    ...overrides,
  });
}

/** Window open (ms) of an up/down market from its slug (`btc-updown-15m-<unix seconds>`). */
export function windowStartOf(slug: string): number | null {
  const match = /-(\d{10})$/.exec(slug);
  return match?.[1] ? Number(match[1]) * 1000 : null;
}

export interface ControlSetReport {
  readonly markets: number;
  readonly snapshots: number;
  /** Snapshots the decision gate would have traded (the acceptance wants 0). */
  readonly trades: number;
  readonly abstentions: Record<AbstainKind, number>;
  readonly examples: Partial<Record<AbstainKind, string[]>>;
  /** Largest EV lower bound seen (≤ 0 means the gate never saw an edge). */
  readonly brierMarket: number;
  readonly brierEngine: number | null;
  readonly estimated: number;
}

/**
 * Replays the BTC 15-minute control set (no edge by construction) as live snapshots with their
 * metadata: the market's rules text and named resolution source, the window's end as end date,
 * the crypto fee schedule, spreads from `spreads` and `depthUsd` per side. Each recorded price of
 * each outcome goes through the gates, the price-threshold estimator and the decision gate.
 */
export function replayControlSet(
  series: readonly RecordedSeries[],
  options: {
    readonly config?: StrategyConfig;
    readonly spreads: SpreadModel;
    readonly depthUsd: number;
    readonly oracles?: EstimationInputs["oracles"];
  },
): ControlSetReport {
  const config = options.config ?? shortDatedStrategyConfig();
  const abstentions = Object.fromEntries(ABSTAIN_KINDS.map((k) => [k, 0])) as Record<AbstainKind, number>;
  const examples: Partial<Record<AbstainKind, string[]>> = {};
  let snapshots = 0;
  let trades = 0;
  let brierMarket = 0;
  let brierEngine = 0;
  let estimated = 0;
  const abstain = (kind: AbstainKind, detail: string) => {
    abstentions[kind] += 1;
    const list = (examples[kind] ??= []);
    if (list.length < 3 && !list.includes(detail)) list.push(detail);
  };
  const depth: BookDepth = { askUsd: options.depthUsd, bidUsd: options.depthUsd, bandAbs: 0.02 };
  for (const market of series) {
    const windowStart = windowStartOf(market.slug);
    if (windowStart === null) continue;
    const cutoff = windowStart + 15 * 60_000;
    market.outcomes.forEach((outcome, i) => {
      const tokenId = `${market.slug}:${outcome.toLowerCase()}`;
      const terms: ThresholdTerms = {
        asset: "BTC/USD",
        strike: null,
        windowStart,
        cutoff,
        direction: outcome.toLowerCase() === "up" ? "above" : "below",
      };
      const inputs: EstimationInputs = {
        thresholds: new Map([[tokenId, terms]]),
        ...(options.oracles ? { oracles: options.oracles } : {}),
      };
      const won = market.winner === i ? 1 : 0;
      for (const point of market.series[i] ?? []) {
        snapshots++;
        brierMarket += brier(point.p, won);
        const hs = halfSpreadOf(options.spreads, point.p, false);
        const snap: MarketSnapshot = {
          venue: "polymarket",
          marketId: market.marketId,
          tokenId,
          eventId: market.slug,
          exclusiveGroup: null,
          question: market.question,
          outcome,
          price: point.p,
          bestBid: Math.max(0, point.p - hs),
          bestAsk: Math.min(1, point.p + hs),
          depth,
          liquidityUsd: null,
          volumeUsd: null,
          endDate: cutoff,
          status: "open",
          resolvedValue: null,
          settlement: { source: resolutionSourceOf(null, market.rules), rules: market.rules },
          fee: CRYPTO_UPDOWN_FEE,
          category: "crypto",
          fetchedAt: point.t,
        };
        const gate = gateSnapshot(snap, config.gates, point.t);
        if (gate.verdict === "block") {
          abstain("gate", gate.reasons[0] ?? "blocked");
          continue;
        }
        const result = estimateProbability(snap, inputs, config.estimators, point.t);
        if (!result.estimate) {
          abstain("no-estimate", result.reason);
          continue;
        }
        estimated++;
        brierEngine += brier(result.estimate.p, won);
        const decision = decideBuy(
          result.estimate,
          snap.bestAsk as number,
          depth,
          CRYPTO_UPDOWN_FEE,
          gate.penalty,
          config,
        );
        if (decision.decision) trades++;
        else abstain(decision.abstain.kind, decision.abstain.detail);
      }
    });
  }
  return {
    markets: series.length,
    snapshots,
    trades,
    abstentions,
    examples,
    brierMarket: snapshots > 0 ? brierMarket / snapshots : 0,
    brierEngine: estimated > 0 ? brierEngine / estimated : null,
    estimated,
  };
}

/** Threshold terms of a 5-minute market's Up token (strike = the recorded price to beat). */
export function btc5mTerms(m: Btc5mMarket): ThresholdTerms | null {
  if (m.strike === null) return null;
  return {
    asset: "BTC/USD",
    strike: Number(m.strike) / 1e18,
    windowStart: m.startSec * 1000,
    cutoff: m.endSec * 1000,
    direction: "above",
  };
}

export interface SkillRow {
  readonly secondsBeforeClose: number;
  readonly markets: number;
  readonly brierModel: number;
  /** Brier of always saying 1/2 (what the control set shows the market does before the window). */
  readonly brierCoin: number;
  readonly logLossModel: number;
  readonly meanStdError: number;
}

/**
 * How much the price-threshold model knows: its Brier and log-loss on the 5-minute markets'
 * recorded outcomes at several times before the close, from the Data Streams ticks alone.
 */
export function thresholdSkill(
  markets: readonly Btc5mMarket[],
  oracle: OracleSeries,
  secondsBeforeClose: readonly number[],
  config: StrategyConfig = shortDatedStrategyConfig(),
): SkillRow[] {
  return secondsBeforeClose.map((seconds) => {
    let n = 0;
    let brierModel = 0;
    let logLossModel = 0;
    let se = 0;
    for (const m of markets) {
      const terms = btc5mTerms(m);
      const up = m.snapshots[0];
      if (!terms || !up || up.resolvedValue === null) continue;
      const now = terms.cutoff - seconds * 1000;
      const result = priceThresholdEstimate(
        up,
        { thresholds: new Map([[up.tokenId, terms]]), oracles: new Map([[oracle.asset, oracle]]) },
        config.estimators.priceThreshold,
        now,
      );
      if (!result.estimate) continue;
      n++;
      brierModel += brier(result.estimate.p, up.resolvedValue);
      logLossModel += logLoss(result.estimate.p, up.resolvedValue);
      se += result.estimate.stdError;
    }
    return {
      secondsBeforeClose: seconds,
      markets: n,
      brierModel: n > 0 ? brierModel / n : 0,
      brierCoin: 0.25,
      logLossModel: n > 0 ? logLossModel / n : 0,
      meanStdError: n > 0 ? se / n : 0,
    };
  });
}

const WORKLOAD_DEPTH: BookDepth = { askUsd: 2_000, bidUsd: 2_000, bandAbs: 0.02 };

/** One snapshot to score: a market's Up snapshot (mutated in place) at time `now`. */
export interface WorkloadItem {
  readonly market: number;
  readonly now: number;
}

export interface EstimationWorkload {
  readonly snapshots: MarketSnapshot[];
  readonly items: WorkloadItem[];
  readonly inputs: EstimationInputs;
}

/**
 * The throughput workload: every 5-minute market with a strike, at every second of its window,
 * with the Data Streams ticks as the oracle: each snapshot carries a real estimate to gate and size.
 * The recording has no in-window quotes (its Gamma objects are the resolved end state), so every
 * snapshot quotes 0.49 / 0.51 with $2,000 per side: the cost measured is the same whatever the quote.
 */
export function thresholdWorkload(markets: readonly Btc5mMarket[], oracle: OracleSeries): EstimationWorkload {
  const snapshots: MarketSnapshot[] = [];
  const items: WorkloadItem[] = [];
  const thresholds = new Map<string, ThresholdTerms>();
  for (const m of markets) {
    const terms = btc5mTerms(m);
    const up = m.snapshots[0];
    if (!terms || !up) continue;
    const index = snapshots.length;
    snapshots.push({
      ...up,
      status: "open",
      endDate: terms.cutoff,
      resolvedValue: null,
      price: 0.5,
      bestBid: 0.49,
      bestAsk: 0.51,
      depth: WORKLOAD_DEPTH,
      liquidityUsd: null,
    });
    thresholds.set(up.tokenId, terms);
    for (let t = terms.windowStart as number; t < terms.cutoff; t += 1000)
      items.push({ market: index, now: t });
  }
  return { snapshots, items, inputs: { thresholds, oracles: new Map([[oracle.asset, oracle]]) } };
}

export interface WorkloadTally {
  readonly scored: number;
  /** Snapshots that passed the gates and reached estimation. */
  readonly reachedEstimation: number;
  /** Snapshots with an estimate, hence also through the decision gate and sizing (what the throughput target counts). */
  readonly estimated: number;
  /** Snapshots where YES or NO passed the decision gate and had cap room. */
  readonly sized: number;
}

/** Gate → estimate → decision gate on YES and NO → caps, for every workload item. */
export function scoreWorkload(workload: EstimationWorkload, config: StrategyConfig): WorkloadTally {
  const exposure = emptyExposure();
  let reached = 0;
  let estimated = 0;
  let sized = 0;
  for (const item of workload.items) {
    const snap = workload.snapshots[item.market] as MarketSnapshot & { fetchedAt: number };
    snap.fetchedAt = item.now;
    const gate = gateSnapshot(snap, config.gates, item.now);
    if (gate.verdict === "block") continue;
    reached++;
    const result = estimateProbability(snap, workload.inputs, config.estimators, item.now);
    if (!result.estimate) continue;
    estimated++;
    const ask = snap.bestAsk ?? snap.price;
    const fee = snap.fee ?? config.assumedFee;
    const yes = decideBuy(result.estimate, ask, snap.depth, fee, gate.penalty, config);
    const noAsk = snap.bestBid !== null ? 1 - snap.bestBid : 1 - snap.price;
    const no = decideBuy(
      { p: 1 - result.estimate.p, stdError: result.estimate.stdError },
      noAsk,
      snap.depth,
      fee,
      gate.penalty,
      config,
    );
    const stake = Math.max(yes.decision?.stake ?? 0, no.decision?.stake ?? 0);
    const keys = { marketId: snap.marketId, eventId: snap.eventId, cluster: snap.category ?? "other" };
    if (stake > 0 && applyCaps(stake, keys, exposure, config.caps).fraction > 0) sized++;
  }
  return { scored: workload.items.length, reachedEstimation: reached, estimated, sized };
}

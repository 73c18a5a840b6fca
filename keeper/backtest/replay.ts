import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadEngineSnapshots } from "../signals/replay/recordedMarkets.js";
import {
  loadResolvedDataset,
  type ReplayMarket,
  type ResolvedDataset,
} from "../signals/replay/resolvedTimeseries.js";
import type { BookDepth, FeeInfo, MarketSnapshot } from "../signals/types.js";
import { defaultStrategyConfig, validateStrategyConfig, type StrategyConfig } from "../strategy/config.js";
import { ABSTAIN_KINDS, decideBuy, type AbstainKind } from "../strategy/decision.js";
import { checkDutchBook, type DutchGuardName, type QuotedLeg } from "../strategy/dutchBook.js";
import { calibratedEstimate } from "../strategy/estimate.js";
import { monotoneCalibration, type EstimationInputs } from "../strategy/estimators.js";
import { estimateFor } from "../strategy/evaluate.js";
import { gateSnapshot } from "../strategy/gates.js";
import { addExposure, applyCaps, emptyExposure, removeExposure, type CapKeys } from "../strategy/sizing.js";
import { bootstrapInterval, brier, logLoss, type Interval } from "../strategy/stats.js";
import { equitySvg, type EquityPoint } from "./equityChart.js";
import { favouriteBiasCalibration } from "./favouriteBias.js";
import { renderReplayMarkdown } from "./replayMarkdown.js";
import {
  describeSpreadModel,
  halfSpreadOf,
  MODELLED_SPREAD,
  recordedSpreadModel,
  type SpreadModel,
} from "./spreads.js";

/** How the recorded mid prices become live-like snapshots, and what the replay reports. */
export interface ReplayConfig {
  readonly strategy: StrategyConfig;
  /**
   * Give every snapshot the metadata a live one carries: settlement text (the question, with the
   * venue's resolution source), the scheduled end (the market's last recorded point) and the fee.
   * Off: the recording as it is (no rules, no end date, no fee), which down-weights every trade.
   */
  readonly metadata: boolean;
  readonly spreads: SpreadModel;
  /** Depth on each side (USD within `depthBandAbs` of the best price): a stated model, the recording has none. */
  readonly depthUsd: number;
  readonly depthBandAbs: number;
  /** Oracle series, threshold terms and counterparts available to the estimators during the replay. */
  readonly estimationInputs: EstimationInputs;
  readonly equitySampleMs: number;
  readonly reliabilityBins: number;
  /** After a Dutch-book trade the group is not traded again for this long (depth does not refill per print). */
  readonly dutchCooldownMs: number;
  readonly bootstrapResamples: number;
}

export function defaultReplayConfig(overrides: Partial<ReplayConfig> = {}): ReplayConfig {
  const base = defaultStrategyConfig();
  return {
    strategy: defaultStrategyConfig({
      // Without metadata these gates would block every point; they down-weight instead.
      gates: {
        ...base.gates,
        unknownSettlement: "downweight",
        unknownLiquidity: "downweight",
        maxSnapshotAgeMs: Infinity,
      },
      dutchBook: { ...base.dutchBook, assumedDepthUsd: 1_000, maxFraction: 0.05 },
    }),
    metadata: true,
    spreads: MODELLED_SPREAD,
    depthUsd: 2_000,
    depthBandAbs: 0.02,
    estimationInputs: {},
    equitySampleMs: 3_600_000,
    reliabilityBins: 10,
    dutchCooldownMs: 24 * 3_600_000,
    bootstrapResamples: 2_000,
    ...overrides,
  };
}

export interface ReplayProgress {
  readonly phase: "load" | "replay" | "report";
  readonly done: number;
  readonly total: number;
}

export interface ReplayOptions {
  readonly dataDir: string;
  readonly outDir: string;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Replay only these market slugs (tests). */
  readonly onlySlugs?: ReadonlySet<string>;
  /** Default: `defaultReplayConfig` with metadata and the spreads recorded on the April 2026 books. */
  readonly config?: ReplayConfig;
}

export interface ReplayTrade {
  readonly slug: string;
  readonly side: "YES" | "NO";
  readonly tier: string;
  readonly entryTs: number;
  /** Recorded YES price at entry. */
  readonly recordedPrice: number;
  /** Fill price paid for the bought side (ask + slippage at the modelled depth). */
  readonly fill: number;
  readonly feePerShare: number;
  /** Bankroll fraction staked (of equity at entry). */
  readonly fraction: number;
  /** Stake in units of the starting bankroll. */
  readonly stake: number;
  readonly shares: number;
  /** The engine's p for the bought side, its standard error and source. */
  readonly estimate: number;
  readonly stdError: number;
  readonly source: string;
  readonly expectedEvPerDollar: number;
  readonly evLowerBound: number;
  readonly won: boolean;
  readonly pnl: number;
  readonly settledTs: number;
}

export interface DutchEpisode {
  readonly group: string;
  readonly side: "buy-all" | "sell-all";
  readonly startTs: number;
  endTs: number;
  /** Σ mids when it opened. */
  readonly priceSum: number;
  bestProfitPerSet: number;
  /** traded, or not: the group was cooling down after a trade. */
  readonly status: "traded" | "cooldown";
  readonly sets: number;
  readonly capitalUsd: number;
  readonly profitUsd: number;
}

export interface ReliabilityRow {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  readonly meanPrice: number;
  readonly observed: number;
}

/** Brier and log-loss of the engine's p and of the market price over the same points. */
export interface ScoreComparison {
  readonly points: number;
  readonly brierEngine: number | null;
  readonly brierMarket: number | null;
  readonly logLossEngine: number | null;
  readonly logLossMarket: number | null;
}

export interface ReplayScores {
  /** The market price on every point. */
  readonly all: { readonly points: number; readonly brierMarket: number; readonly logLossMarket: number };
  /** Points where an estimator gave a p (engine vs market on those points). */
  readonly estimated: ScoreComparison;
  /** Entry points of the trades. */
  readonly traded: ScoreComparison;
  /** The monotone favourite-bias map read as a forecast on every point: a diagnostic, never traded alone. */
  readonly priorAlone: { readonly brier: number; readonly logLoss: number } | null;
  readonly reliability: ReliabilityRow[];
}

export interface ReplayReport {
  readonly variant: { readonly metadata: boolean; readonly spreads: string };
  readonly dataset: {
    readonly markets: number;
    readonly points: number;
    readonly firstTs: number;
    readonly lastTs: number;
    readonly rejectedRows: number;
  };
  readonly assumptions: {
    readonly kellyFraction: number;
    readonly tiers: readonly { name: string; fraction: number; minConfidence: number }[];
    readonly caps: StrategyConfig["caps"];
    readonly minEdge: number;
    readonly decision: StrategyConfig["decision"];
    readonly fee: FeeInfo;
    readonly spreads: string;
    readonly depth: string;
    readonly estimators: readonly string[];
    readonly prior: string | null;
    readonly dutchGuards: StrategyConfig["dutchBook"];
  };
  readonly scores: ReplayScores;
  /** Every evaluated point that was not traded, by the reason's kind, with a few example details. */
  readonly abstentions: {
    readonly byKind: Record<AbstainKind, number>;
    readonly examples: Partial<Record<AbstainKind, string[]>>;
  };
  readonly returns: {
    readonly trades: number;
    readonly wins: number;
    readonly finalEquity: number;
    readonly totalReturn: number;
    readonly maxDrawdown: number;
    readonly directionalPnl: number;
    readonly dutchPnl: number;
    /** Realised profit per dollar staked over the directional trades, with a 95 % bootstrap interval. */
    readonly returnPerDollar: Interval;
    readonly expectedPerDollar: number;
    readonly byTier: Record<string, { trades: number; pnl: number }>;
    readonly tradeList: ReplayTrade[];
  };
  readonly dutchBook: {
    readonly groupsChecked: string[];
    /** Group checks made (once per instant a complete group's leg printed). */
    readonly checks: number;
    readonly refusedByGuard: Partial<Record<DutchGuardName, number>>;
    readonly episodes: DutchEpisode[];
    readonly totalProfitUsd: number;
  };
  readonly equityCurve: EquityPoint[];
  readonly performance: {
    readonly loadMs: number;
    readonly replayMs: number;
    readonly totalMs: number;
    readonly pointsPerSecond: number;
    readonly peakRssMb: number;
  };
  readonly files: { readonly json: string; readonly markdown: string; readonly svg: string };
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Settlement text given to a replayed market when the replay runs with metadata. */
export const REPLAY_RESOLUTION_SOURCE = "Polymarket (UMA optimistic oracle)";

/**
 * The snapshot a replayed market presents to the gates; price and quotes are overwritten in place
 * at every print, so the hot loop allocates nothing per point for it. With `metadata` it carries
 * what a live snapshot does: settlement text, the scheduled end and the fee.
 */
export function replaySnapshot(
  m: ReplayMarket,
  metadata: boolean,
  fee: FeeInfo,
  depth: BookDepth | null,
): Mutable<MarketSnapshot> {
  return {
    venue: "polymarket",
    marketId: m.slug,
    tokenId: `${m.slug}:yes`,
    eventId: m.eventId,
    exclusiveGroup: m.exclusiveGroup,
    question: m.question,
    outcome: "Yes",
    price: 0,
    bestBid: null,
    bestAsk: null,
    depth,
    liquidityUsd: null,
    volumeUsd: null,
    endDate: metadata ? m.lastTs : null,
    status: "open",
    resolvedValue: null,
    settlement: metadata
      ? { source: REPLAY_RESOLUTION_SOURCE, rules: m.question }
      : { source: null, rules: null },
    fee: metadata ? fee : null,
    category: m.cluster,
    fetchedAt: 0,
  };
}

/** The NO side of a replayed market: the same metadata, complementary prices. */
function complementSnapshot(yes: MarketSnapshot): Mutable<MarketSnapshot> {
  return { ...yes, tokenId: `${yes.marketId}:no`, outcome: "No" };
}

class ScoreSum {
  n = 0;
  brierEngine = 0;
  brierMarket = 0;
  logEngine = 0;
  logMarket = 0;
  add(engine: number, market: number, o: number): void {
    this.n++;
    this.brierEngine += brier(engine, o);
    this.brierMarket += brier(market, o);
    this.logEngine += logLoss(engine, o);
    this.logMarket += logLoss(market, o);
  }
  result(): ScoreComparison {
    const avg = (x: number) => (this.n > 0 ? x / this.n : null);
    return {
      points: this.n,
      brierEngine: avg(this.brierEngine),
      brierMarket: avg(this.brierMarket),
      logLossEngine: avg(this.logEngine),
      logLossMarket: avg(this.logMarket),
    };
  }
}

function emptyAbstentions(): Record<AbstainKind, number> {
  return Object.fromEntries(ABSTAIN_KINDS.map((k) => [k, 0])) as Record<AbstainKind, number>;
}

/**
 * The replay core, shared by `runReplay` and the tests: walks the points in time order, keeps
 * mark-to-market equity, and at every print of a market not yet entered runs the production path
 * on a live-like snapshot (gates → estimators → the statistical decision gate on YES and on NO →
 * caps), settles each market at its recorded resolution, and checks complete outcome groups with
 * the production Dutch-book detector.
 */
export function replayDataset(
  dataset: ResolvedDataset,
  config: ReplayConfig,
  onProgress?: (done: number, total: number) => void,
) {
  validateStrategyConfig(config.strategy);
  const { markets, columns } = dataset;
  const cfg = config.strategy;
  const fee = cfg.assumedFee;
  const n = columns.length;
  const M = markets.length;
  const outcome = Float64Array.from(markets, (m) => m.outcome ?? 0);
  const remaining = Uint32Array.from(markets, (m) => m.points);
  const depth: BookDepth = { askUsd: config.depthUsd, bidUsd: config.depthUsd, bandAbs: config.depthBandAbs };
  const yesSnaps = markets.map((m) => replaySnapshot(m, config.metadata, fee, depth));
  const noSnaps = yesSnaps.map(complementSnapshot);
  const exclusive = Uint8Array.from(markets, (m) => (m.exclusiveGroup !== null ? 1 : 0));
  const keys: CapKeys[] = markets.map((m) => ({ marketId: m.slug, eventId: m.eventId, cluster: m.cluster }));
  const lastPrice = new Float64Array(M).fill(NaN);
  const lastSeen = new Float64Array(M);
  const shares = new Float64Array(M);
  const mark = new Float64Array(M);
  const sideYes = new Uint8Array(M);
  const entered = new Uint8Array(M);
  const openTrade: (Omit<ReplayTrade, "won" | "pnl" | "settledTs"> | null)[] = new Array(M).fill(null);
  const exposure = emptyExposure();
  const halfSpread = (p: number, m: number) => halfSpreadOf(config.spreads, p, exclusive[m] === 1);
  const inputs = config.estimationInputs;
  const prior = cfg.estimators.prior;

  // Dutch-book state: groups whose outcome file marks them complete (exactly one YES).
  const groups = dataset.groups.filter((g) => g.marketIndexes.length >= 2);
  const groupOf = new Int32Array(M).fill(-1);
  groups.forEach((g, gi) => g.marketIndexes.forEach((m) => (groupOf[m] = gi)));
  const groupKnown = new Uint32Array(groups.length);
  const groupSettled = new Uint8Array(groups.length);
  const heldSets = new Float64Array(groups.length);
  const heldCapital = new Float64Array(groups.length);
  const openEpisode: (DutchEpisode | null)[] = new Array(groups.length).fill(null);
  const lastDutchTrade = new Float64Array(groups.length).fill(-Infinity);
  const dirty = new Uint8Array(groups.length);
  const dirtyList: number[] = [];
  const episodes: DutchEpisode[] = [];
  const refusedByGuard: Partial<Record<DutchGuardName, number>> = {};
  let dutchChecks = 0;

  let cash = 1;
  let positionsValue = 0;
  let peak = 1;
  let maxDrawdown = 0;
  let directionalPnl = 0;
  let dutchPnl = 0;
  const trades: ReplayTrade[] = [];
  const equityCurve: EquityPoint[] = [];
  let nextSample = n > 0 ? (columns.ts[0] as number) : 0;

  const bins = config.reliabilityBins;
  const binCount = new Float64Array(bins);
  const binPrice = new Float64Array(bins);
  const binHits = new Float64Array(bins);
  let brierMarket = 0;
  let logLossMarket = 0;
  let brierPrior = 0;
  let logLossPrior = 0;
  const estimated = new ScoreSum();
  const tradedScores = new ScoreSum();
  const abstentions = emptyAbstentions();
  const examples: Partial<Record<AbstainKind, string[]>> = {};
  const abstain = (kind: AbstainKind, detail: string) => {
    abstentions[kind] += 1;
    const list = (examples[kind] ??= []);
    if (list.length < 3 && !list.includes(detail)) list.push(detail);
  };

  const checkGroup = (g: number, t: number) => {
    const group = groups[g] as (typeof groups)[number];
    const legs: QuotedLeg[] = group.marketIndexes.map((m) => {
      const p = lastPrice[m] as number;
      const hs = halfSpread(p, m);
      const ask = Math.min(1, p + hs);
      const bid = Math.max(0, p - hs);
      return {
        id: markets[m]?.slug ?? String(m),
        bestAsk: ask,
        bestBid: bid,
        askShares: cfg.dutchBook.assumedDepthUsd / ask,
        bidShares: bid > 0 ? cfg.dutchBook.assumedDepthUsd / bid : 0,
        fee,
        quotedAt: lastSeen[m] as number,
      };
    });
    dutchChecks++;
    const check = checkDutchBook(legs, group.looksComplete, cfg.dutchBook, t);
    const open = openEpisode[g] ?? null;
    if (check.refused) refusedByGuard[check.refused.guard] = (refusedByGuard[check.refused.guard] ?? 0) + 1;
    const book = check.book;
    if (!book) {
      if (open) {
        open.endTs = t;
        openEpisode[g] = null;
      }
      return;
    }
    if (open && open.side === book.side) {
      open.endTs = t;
      open.bestProfitPerSet = Math.max(open.bestProfitPerSet, book.profitPerSet);
      return;
    }
    if (open) open.endTs = t;
    const equityUsd = (cash + positionsValue) * cfg.bankrollUsd;
    const capitalPerSet = book.side === "buy-all" ? book.priceSum + book.feeSum : 1;
    const status: DutchEpisode["status"] =
      t - (lastDutchTrade[g] as number) < config.dutchCooldownMs ? "cooldown" : "traded";
    const traded = status === "traded";
    const sets = traded
      ? Math.max(0, Math.min(book.sets, (cfg.dutchBook.maxFraction * equityUsd) / capitalPerSet))
      : 0;
    if (traded) lastDutchTrade[g] = t;
    let priceSum = 0;
    for (const m of group.marketIndexes) priceSum += lastPrice[m] as number;
    const episode: DutchEpisode = {
      group: group.group,
      side: book.side,
      startTs: t,
      endTs: t,
      priceSum,
      bestProfitPerSet: book.profitPerSet,
      status,
      sets,
      capitalUsd: sets * capitalPerSet,
      profitUsd: sets * book.profitPerSet,
    };
    episodes.push(episode);
    openEpisode[g] = episode;
    if (book.side === "sell-all") {
      // Minted sets are sold leg by leg at once: the profit is locked in immediately.
      cash += episode.profitUsd / cfg.bankrollUsd;
      dutchPnl += episode.profitUsd / cfg.bankrollUsd;
    } else {
      const capital = episode.capitalUsd / cfg.bankrollUsd;
      cash -= capital;
      positionsValue += capital;
      heldSets[g] = (heldSets[g] as number) + sets;
      heldCapital[g] = (heldCapital[g] as number) + capital;
    }
  };

  const settle = (m: number, t: number) => {
    const o = outcome[m] as number;
    const trade = openTrade[m];
    if (trade) {
      const won = (trade.side === "YES" ? o : 1 - o) === 1;
      const payout = won ? trade.shares : 0;
      positionsValue -= (shares[m] as number) * (mark[m] as number);
      cash += payout;
      const pnl = payout - trade.stake;
      directionalPnl += pnl;
      trades.push({ ...trade, won, pnl, settledTs: t });
      removeExposure(exposure, keys[m] as CapKeys, trade.fraction);
      shares[m] = 0;
      openTrade[m] = null;
    }
    const g = groupOf[m] as number;
    if (g >= 0) {
      groupSettled[g] = 1;
      const open = openEpisode[g];
      if (open) {
        open.endTs = t;
        openEpisode[g] = null;
      }
      if (o === 1 && (heldSets[g] as number) > 0) {
        const payout = (heldSets[g] as number) / cfg.bankrollUsd;
        cash += payout;
        positionsValue -= heldCapital[g] as number;
        dutchPnl += payout - (heldCapital[g] as number);
        heldSets[g] = 0;
        heldCapital[g] = 0;
      }
    }
  };

  /** Gate → estimate → decision on one side; the trade idea, or null after counting the abstention. */
  const consider = (snap: MarketSnapshot, t: number) => {
    const gate = gateSnapshot(snap, cfg.gates, t);
    if (gate.verdict === "block") {
      abstain("gate", gate.reasons[0] ?? "blocked");
      return null;
    }
    const result = estimateFor(snap, cfg, inputs, t);
    if (!result.estimate) {
      abstain("no-estimate", result.reason);
      return null;
    }
    const decision = decideBuy(
      result.estimate,
      snap.bestAsk as number,
      snap.depth,
      snap.fee ?? fee,
      gate.penalty,
      cfg,
    );
    if (!decision.decision) {
      abstain(decision.abstain.kind, decision.abstain.detail);
      return null;
    }
    return { estimate: result.estimate, decision: decision.decision };
  };

  const progressEvery = Math.max(1, Math.floor(n / 20));
  for (let k = 0; k < n; k++) {
    const m = columns.market[k] as number;
    const p = columns.price[k] as number;
    const t = columns.ts[k] as number;
    const o = outcome[m] as number;

    brierMarket += brier(p, o);
    logLossMarket += logLoss(p, o);
    const bin = Math.min(bins - 1, Math.floor(p * bins));
    binCount[bin] = (binCount[bin] as number) + 1;
    binPrice[bin] = (binPrice[bin] as number) + p;
    binHits[bin] = (binHits[bin] as number) + o;
    if (prior) {
      const q = calibratedEstimate(prior, p).p;
      brierPrior += brier(q, o);
      logLossPrior += logLoss(q, o);
    }

    if ((shares[m] as number) > 0) {
      const newMark = sideYes[m] ? p : 1 - p;
      positionsValue += (shares[m] as number) * (newMark - (mark[m] as number));
      mark[m] = newMark;
    }
    const previous = lastPrice[m] as number;
    lastPrice[m] = p;
    lastSeen[m] = t;
    const g = groupOf[m] as number;
    if (g >= 0 && groupSettled[g] === 0) {
      if (Number.isNaN(previous)) groupKnown[g] = (groupKnown[g] as number) + 1;
      if (groupKnown[g] === groups[g]?.marketIndexes.length && dirty[g] === 0) {
        dirty[g] = 1;
        dirtyList.push(g);
      }
    }
    // Legs often print in the same second: a group is priced once every print of that instant is in.
    if (dirtyList.length > 0 && (k + 1 === n || columns.ts[k + 1] !== t)) {
      for (const dg of dirtyList) {
        dirty[dg] = 0;
        if (groupSettled[dg] === 0) checkGroup(dg, t);
      }
      dirtyList.length = 0;
    }

    if (entered[m] === 0) {
      const yes = yesSnaps[m] as Mutable<MarketSnapshot>;
      const no = noSnaps[m] as Mutable<MarketSnapshot>;
      const hs = halfSpread(p, m);
      yes.price = p;
      yes.bestBid = Math.max(0, p - hs);
      yes.bestAsk = Math.min(1, p + hs);
      yes.fetchedAt = t;
      no.price = 1 - p;
      no.bestBid = Math.max(0, 1 - p - hs);
      no.bestAsk = Math.min(1, 1 - p + hs);
      no.fetchedAt = t;
      const yesIdea = consider(yes, t);
      const noIdea = consider(no, t);
      const scored = yesIdea ?? noIdea;
      if (scored) {
        const pYes = yesIdea ? yesIdea.estimate.p : 1 - (noIdea?.estimate.p ?? 0);
        estimated.add(pYes, p, o);
      }
      const choice =
        yesIdea && (!noIdea || yesIdea.decision.evPerDollar >= noIdea.decision.evPerDollar)
          ? { side: "YES" as const, ...yesIdea }
          : noIdea
            ? { side: "NO" as const, ...noIdea }
            : null;
      if (choice) {
        const { fraction } = applyCaps(choice.decision.stake, keys[m] as CapKeys, exposure, cfg.caps);
        if (fraction <= 0) abstain("caps", "cap room exhausted");
        else {
          const equity = cash + positionsValue;
          const stake = fraction * equity;
          const sideMark = choice.side === "YES" ? p : 1 - p;
          const count = stake / choice.decision.cost;
          cash -= stake;
          positionsValue += count * sideMark;
          shares[m] = count;
          mark[m] = sideMark;
          sideYes[m] = choice.side === "YES" ? 1 : 0;
          entered[m] = 1;
          addExposure(exposure, keys[m] as CapKeys, fraction);
          const pSide = choice.estimate.p;
          tradedScores.add(choice.side === "YES" ? pSide : 1 - pSide, p, o);
          openTrade[m] = {
            slug: markets[m]?.slug ?? String(m),
            side: choice.side,
            tier: choice.decision.tier.name,
            entryTs: t,
            recordedPrice: p,
            fill: choice.decision.fill,
            feePerShare: choice.decision.fee,
            fraction,
            stake,
            shares: count,
            estimate: pSide,
            stdError: choice.estimate.stdError,
            source: choice.estimate.source,
            expectedEvPerDollar: choice.decision.evPerDollar,
            evLowerBound: choice.decision.evLowerBound,
          };
        }
      }
    }

    remaining[m] = (remaining[m] as number) - 1;
    if (remaining[m] === 0) settle(m, t);

    const equity = cash + positionsValue;
    if (equity > peak) peak = equity;
    const drawdown = (peak - equity) / peak;
    if (drawdown > maxDrawdown) maxDrawdown = drawdown;
    if (t >= nextSample) {
      equityCurve.push({ t, equity });
      nextSample = t + config.equitySampleMs;
    }
    if (onProgress && k % progressEvery === 0) onProgress(k, n);
  }
  for (const e of openEpisode) if (e) e.endTs = columns.ts[n - 1] ?? e.endTs;
  if (n > 0) equityCurve.push({ t: columns.ts[n - 1] as number, equity: cash + positionsValue });

  const reliability: ReliabilityRow[] = [];
  for (let b = 0; b < bins; b++) {
    const count = binCount[b] as number;
    reliability.push({
      lo: b / bins,
      hi: (b + 1) / bins,
      count,
      meanPrice: count > 0 ? (binPrice[b] as number) / count : 0,
      observed: count > 0 ? (binHits[b] as number) / count : 0,
    });
  }
  const scores: ReplayScores = {
    all: {
      points: n,
      brierMarket: n > 0 ? brierMarket / n : 0,
      logLossMarket: n > 0 ? logLossMarket / n : 0,
    },
    estimated: estimated.result(),
    traded: tradedScores.result(),
    priorAlone: prior && n > 0 ? { brier: brierPrior / n, logLoss: logLossPrior / n } : null,
    reliability,
  };
  return {
    trades,
    episodes,
    equityCurve,
    finalEquity: cash + positionsValue,
    maxDrawdown,
    directionalPnl,
    dutchPnl,
    groupsChecked: groups.map((g) => g.group),
    dutchChecks,
    refusedByGuard,
    scores,
    abstentions: { byKind: abstentions, examples },
  };
}

/** Σ pnl / Σ stake of a set of trades (0 for none). */
export function returnPerDollar(trades: readonly ReplayTrade[]): number {
  let pnl = 0;
  let staked = 0;
  for (const t of trades) {
    pnl += t.pnl;
    staked += t.stake;
  }
  return staked > 0 ? pnl / staked : 0;
}

/** The April 2026 engine snapshots' books as the replay's recorded spread model. */
export async function loadRecordedSpreads(dataDir: string): Promise<SpreadModel> {
  const snapshots = await loadEngineSnapshots(dataDir);
  return recordedSpreadModel(snapshots.items, "April 2026 engine snapshots");
}

/** The replay configuration `runReplay` uses by default: metadata on, recorded spreads, monotone prior. */
export async function liveLikeReplayConfig(
  dataDir: string,
  overrides: Partial<ReplayConfig> = {},
): Promise<ReplayConfig> {
  const base = defaultReplayConfig();
  const prior = monotoneCalibration(await favouriteBiasCalibration(dataDir));
  return defaultReplayConfig({
    strategy: { ...base.strategy, estimators: { ...base.strategy.estimators, prior } },
    spreads: await loadRecordedSpreads(dataDir),
    ...overrides,
  });
}

/**
 * Runs the strategy over the recorded Jan-2026 set (192 resolved markets, 379,634 points) and
 * writes `replay-report.json`, `replay-report.md` and `equity.svg` to `outDir`.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  let peakRss = process.memoryUsage().rss;
  options.onProgress?.({ phase: "load", done: 0, total: 1 });
  const dataset = await loadResolvedDataset(options.dataDir, { onlySlugs: options.onlySlugs });
  const config = options.config ?? (await liveLikeReplayConfig(options.dataDir));
  const loaded = performance.now();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  options.onProgress?.({ phase: "load", done: 1, total: 1 });

  const result = replayDataset(dataset, config, (done, total) => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    options.onProgress?.({ phase: "replay", done, total });
  });
  const replayed = performance.now();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  options.onProgress?.({ phase: "replay", done: dataset.columns.length, total: dataset.columns.length });

  const byTier: Record<string, { trades: number; pnl: number }> = {};
  for (const t of result.trades) {
    const entry = (byTier[t.tier] ??= { trades: 0, pnl: 0 });
    entry.trades += 1;
    entry.pnl += t.pnl;
  }
  const cfg = config.strategy;
  await mkdir(options.outDir, { recursive: true });
  const files = {
    json: path.join(options.outDir, "replay-report.json"),
    markdown: path.join(options.outDir, "replay-report.md"),
    svg: path.join(options.outDir, "equity.svg"),
  };
  const points = dataset.columns.length;
  const staked = result.trades.reduce((a, t) => a + t.stake, 0);
  const report: ReplayReport = {
    variant: { metadata: config.metadata, spreads: config.spreads.kind },
    dataset: {
      markets: dataset.markets.length,
      points,
      firstTs: points > 0 ? (dataset.columns.ts[0] as number) : 0,
      lastTs: points > 0 ? (dataset.columns.ts[points - 1] as number) : 0,
      rejectedRows: dataset.stats.rejected,
    },
    assumptions: {
      kellyFraction: cfg.kellyFraction,
      tiers: cfg.tiers,
      caps: cfg.caps,
      minEdge: cfg.minEdge,
      decision: cfg.decision,
      fee: cfg.assumedFee,
      spreads: describeSpreadModel(config.spreads),
      depth: `$${config.depthUsd} per side within ${config.depthBandAbs} of the best price (stated model; Dutch-book legs $${cfg.dutchBook.assumedDepthUsd})`,
      estimators: cfg.estimators.order,
      prior: cfg.estimators.prior?.source ?? null,
      dutchGuards: cfg.dutchBook,
    },
    scores: result.scores,
    abstentions: result.abstentions,
    returns: {
      trades: result.trades.length,
      wins: result.trades.filter((t) => t.won).length,
      finalEquity: result.finalEquity,
      totalReturn: result.finalEquity - 1,
      maxDrawdown: result.maxDrawdown,
      directionalPnl: result.directionalPnl,
      dutchPnl: result.dutchPnl,
      returnPerDollar: bootstrapInterval(result.trades, returnPerDollar, {
        resamples: config.bootstrapResamples,
      }),
      expectedPerDollar:
        staked > 0 ? result.trades.reduce((a, t) => a + t.expectedEvPerDollar * t.stake, 0) / staked : 0,
      byTier,
      tradeList: result.trades,
    },
    dutchBook: {
      groupsChecked: result.groupsChecked,
      checks: result.dutchChecks,
      refusedByGuard: result.refusedByGuard,
      episodes: result.episodes,
      totalProfitUsd: result.dutchPnl * cfg.bankrollUsd,
    },
    equityCurve: result.equityCurve,
    performance: {
      loadMs: loaded - started,
      replayMs: replayed - loaded,
      totalMs: 0,
      pointsPerSecond: points / Math.max((replayed - loaded) / 1000, 1e-9),
      peakRssMb: 0,
    },
    files,
  };
  options.onProgress?.({ phase: "report", done: 0, total: 3 });
  await writeFile(
    files.svg,
    equitySvg(result.equityCurve, { title: "Replay equity, Jan 2026 resolved Polymarket set" }),
  );
  const finished = performance.now();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const final: ReplayReport = {
    ...report,
    performance: { ...report.performance, totalMs: finished - started, peakRssMb: peakRss / 1e6 },
  };
  await writeFile(files.json, `${JSON.stringify(final, null, 2)}\n`);
  await writeFile(files.markdown, renderReplayMarkdown(final));
  options.onProgress?.({ phase: "report", done: 3, total: 3 });
  return final;
}

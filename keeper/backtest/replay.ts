import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  loadResolvedDataset,
  type ReplayMarket,
  type ResolvedDataset,
} from "../signals/replay/resolvedTimeseries.js";
import type { FeeInfo, MarketSnapshot } from "../signals/types.js";
import { defaultStrategyConfig, validateStrategyConfig, type StrategyConfig } from "../strategy/config.js";
import { calibratedEstimate, type CalibrationTable } from "../strategy/estimate.js";
import { feePerShare } from "../strategy/fees.js";
import { gateSnapshot } from "../strategy/gates.js";
import {
  addExposure,
  applyCaps,
  emptyExposure,
  removeExposure,
  sizeBuy,
  type BuySizing,
  type CapKeys,
} from "../strategy/sizing.js";
import { equitySvg, type EquityPoint } from "./equityChart.js";
import { favouriteBiasCalibration } from "./favouriteBias.js";
import { renderReplayMarkdown } from "./replayMarkdown.js";

/** Assumptions the recorded mid prices need before they can be traded. */
export interface ReplayConfig {
  readonly strategy: StrategyConfig;
  /** Half-spread assumed around each recorded price: max(floor, scale × p × (1 − p)). */
  readonly halfSpreadFloor: number;
  readonly halfSpreadScale: number;
  /** Liquidity given to every replayed market (the recording has none). */
  readonly assumedLiquidityUsd: number;
  readonly equitySampleMs: number;
  readonly reliabilityBins: number;
  /** A group is only priced when every leg printed within this window (recorded legs are not synchronous). */
  readonly maxLegAgeMs: number;
  /** After a Dutch-book trade the group is not traded again for this long (depth does not refill per print). */
  readonly dutchCooldownMs: number;
  /**
   * |Σ mids − 1| above this is treated as stale or empty-book quotes, not arbitrage: a large
   * "risk-free" gap nobody closes is a red flag. Such episodes are reported, never traded.
   */
  readonly maxDutchDeviation: number;
}

export function defaultReplayConfig(
  calibration: CalibrationTable | null,
  overrides: Partial<ReplayConfig> = {},
): ReplayConfig {
  const base = defaultStrategyConfig();
  return {
    strategy: defaultStrategyConfig({
      calibration,
      // The recording has no rules text, books or scheduled end: those gates down-weight instead of blocking.
      gates: {
        ...base.gates,
        unknownSettlement: "downweight",
        unknownLiquidity: "downweight",
        maxSnapshotAgeMs: Infinity,
      },
      dutchBook: { minProfitPerSet: 0.005, assumedDepthUsd: 1_000, maxFraction: 0.05 },
    }),
    halfSpreadFloor: 0.0005,
    halfSpreadScale: 0.02,
    assumedLiquidityUsd: 10_000,
    equitySampleMs: 3_600_000,
    reliabilityBins: 10,
    maxLegAgeMs: 15 * 60_000,
    dutchCooldownMs: 24 * 3_600_000,
    maxDutchDeviation: 0.1,
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
  readonly config?: ReplayConfig;
}

export interface ReplayTrade {
  readonly slug: string;
  readonly side: "YES" | "NO";
  readonly tier: string;
  readonly entryTs: number;
  /** Recorded YES price at entry. */
  readonly recordedPrice: number;
  /** Ask paid for the bought side (recorded side price + assumed half-spread). */
  readonly ask: number;
  readonly feePerShare: number;
  /** Bankroll fraction staked (of equity at entry). */
  readonly fraction: number;
  /** Stake in units of the starting bankroll. */
  readonly stake: number;
  readonly shares: number;
  readonly estimate: number;
  readonly expectedEvPerDollar: number;
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
  /** traded, or why not: the group was cooling down after a trade, or the gap is implausibly large. */
  readonly status: "traded" | "cooldown" | "implausible";
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

export interface ReplayReport {
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
    readonly fee: FeeInfo;
    readonly halfSpread: string;
    readonly assumedLiquidityUsd: number;
    readonly dutchBookDepthUsdPerLeg: number;
    readonly calibrationSource: string | null;
  };
  readonly calibration: {
    readonly brierMarket: number;
    readonly brierCalibrated: number | null;
    readonly brierLastPrice: number;
    readonly reliability: ReliabilityRow[];
  };
  readonly returns: {
    readonly trades: number;
    readonly wins: number;
    readonly finalEquity: number;
    readonly totalReturn: number;
    readonly maxDrawdown: number;
    readonly directionalPnl: number;
    readonly dutchPnl: number;
    readonly byTier: Record<string, { trades: number; pnl: number }>;
    readonly tradeList: ReplayTrade[];
  };
  readonly dutchBook: {
    readonly groupsChecked: string[];
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

/**
 * The snapshot a replayed market presents to the gates; price and quotes are overwritten in place
 * at every print, so the hot loop allocates nothing per point for it.
 */
export function replaySnapshot(m: ReplayMarket, liquidityUsd: number | null = null): Mutable<MarketSnapshot> {
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
    depth: null,
    liquidityUsd,
    volumeUsd: null,
    endDate: null,
    status: "open",
    resolvedValue: null,
    settlement: { source: null, rules: null },
    fee: null,
    category: m.cluster,
    fetchedAt: 0,
  };
}

/** Chooses the better of buying YES or NO, or null when neither clears the gates and tiers. */
function bestSide(yes: BuySizing, no: BuySizing): { side: "YES" | "NO"; sizing: BuySizing } | null {
  const yesOk = yes.tier !== null;
  const noOk = no.tier !== null;
  if (yesOk && (!noOk || yes.evPerDollar >= no.evPerDollar)) return { side: "YES", sizing: yes };
  if (noOk) return { side: "NO", sizing: no };
  return null;
}

/**
 * The replay core, shared by `runReplay` and the tests: walks the points in time order, keeps
 * mark-to-market equity, sizes entries with the real strategy functions, settles each market at
 * its recorded resolution, and watches complete outcome groups for Dutch books.
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
  const snaps = markets.map((m) => replaySnapshot(m, config.assumedLiquidityUsd));
  const keys: CapKeys[] = markets.map((m) => ({ marketId: m.slug, eventId: m.eventId, cluster: m.cluster }));
  const lastPrice = new Float64Array(M).fill(NaN);
  const lastSeen = new Float64Array(M);
  const shares = new Float64Array(M);
  const mark = new Float64Array(M);
  const sideYes = new Uint8Array(M);
  const entered = new Uint8Array(M);
  const openTrade: (Omit<ReplayTrade, "won" | "pnl" | "settledTs"> | null)[] = new Array(M).fill(null);
  const exposure = emptyExposure();
  const halfSpread = (p: number) => Math.max(config.halfSpreadFloor, config.halfSpreadScale * p * (1 - p));

  // Dutch-book state, complete groups only.
  const groups = dataset.groups.filter((g) => g.looksComplete);
  const groupOf = new Int32Array(M).fill(-1);
  groups.forEach((g, gi) => g.marketIndexes.forEach((m) => (groupOf[m] = gi)));
  const groupKnown = new Uint32Array(groups.length);
  const groupSum = new Float64Array(groups.length);
  const groupSettled = new Uint8Array(groups.length);
  const heldSets = new Float64Array(groups.length);
  const heldCapital = new Float64Array(groups.length);
  const openEpisode: (DutchEpisode | null)[] = new Array(groups.length).fill(null);
  const lastDutchTrade = new Float64Array(groups.length).fill(-Infinity);
  const dirty = new Uint8Array(groups.length);
  const dirtyList: number[] = [];
  const episodes: DutchEpisode[] = [];
  const minProfit = cfg.dutchBook.minProfitPerSet;

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
  let brierCalibrated = 0;

  const checkGroup = (g: number, t: number) => {
    const members = groups[g]?.marketIndexes ?? [];
    for (const m of members) if (t - (lastSeen[m] as number) > config.maxLegAgeMs) return;
    const sum = groupSum[g] as number;
    let profit = -Infinity;
    let side: "buy-all" | "sell-all" = "buy-all";
    let thinnest = Infinity;
    if (sum < 1 - minProfit) {
      let cost = 0;
      for (const m of members) {
        const ask = Math.min(1, (lastPrice[m] as number) + halfSpread(lastPrice[m] as number));
        cost += ask + feePerShare(fee, ask);
        thinnest = Math.min(thinnest, cfg.dutchBook.assumedDepthUsd / ask);
      }
      profit = 1 - cost;
    } else if (sum > 1 + minProfit) {
      side = "sell-all";
      let proceeds = 0;
      for (const m of members) {
        const bid = Math.max(0, (lastPrice[m] as number) - halfSpread(lastPrice[m] as number));
        proceeds += bid - feePerShare(fee, bid);
        thinnest = Math.min(thinnest, bid > 0 ? cfg.dutchBook.assumedDepthUsd / bid : 0);
      }
      profit = proceeds - 1;
    }
    const open = openEpisode[g] ?? null;
    if (profit >= minProfit) {
      if (open && open.side === side) {
        open.endTs = t;
        open.bestProfitPerSet = Math.max(open.bestProfitPerSet, profit);
        return;
      }
      if (open) open.endTs = t;
      const equityUsd = (cash + positionsValue) * cfg.bankrollUsd;
      const capitalPerSet = side === "buy-all" ? 1 - profit : 1;
      const status: DutchEpisode["status"] =
        Math.abs(sum - 1) > config.maxDutchDeviation
          ? "implausible"
          : t - (lastDutchTrade[g] as number) < config.dutchCooldownMs
            ? "cooldown"
            : "traded";
      const traded = status === "traded";
      const sets = traded
        ? Math.max(0, Math.min(thinnest, (cfg.dutchBook.maxFraction * equityUsd) / capitalPerSet))
        : 0;
      if (traded) lastDutchTrade[g] = t;
      const episode: DutchEpisode = {
        group: groups[g]?.group ?? String(g),
        side,
        startTs: t,
        endTs: t,
        priceSum: sum,
        bestProfitPerSet: profit,
        status,
        sets,
        capitalUsd: sets * capitalPerSet,
        profitUsd: sets * profit,
      };
      episodes.push(episode);
      openEpisode[g] = episode;
      if (side === "sell-all") {
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
    } else if (open) {
      open.endTs = t;
      openEpisode[g] = null;
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

  const progressEvery = Math.max(1, Math.floor(n / 20));
  for (let k = 0; k < n; k++) {
    const m = columns.market[k] as number;
    const p = columns.price[k] as number;
    const t = columns.ts[k] as number;
    const o = outcome[m] as number;

    brierMarket += (p - o) * (p - o);
    const bin = Math.min(bins - 1, Math.floor(p * bins));
    binCount[bin] = (binCount[bin] as number) + 1;
    binPrice[bin] = (binPrice[bin] as number) + p;
    binHits[bin] = (binHits[bin] as number) + o;
    const estimate = cfg.calibration ? calibratedEstimate(cfg.calibration, p) : null;
    if (estimate) brierCalibrated += (estimate.p - o) * (estimate.p - o);

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
      if (Number.isNaN(previous)) {
        groupKnown[g] = (groupKnown[g] as number) + 1;
        groupSum[g] = (groupSum[g] as number) + p;
      } else groupSum[g] = (groupSum[g] as number) + p - previous;
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

    if (estimate && entered[m] === 0) {
      const snap = snaps[m] as Mutable<MarketSnapshot>;
      const hs = halfSpread(p);
      snap.price = p;
      snap.bestBid = Math.max(0, p - hs);
      snap.bestAsk = Math.min(1, p + hs);
      snap.fetchedAt = t;
      const gate = gateSnapshot(snap, cfg.gates, t);
      if (gate.verdict !== "block") {
        const yes = sizeBuy(estimate.p, estimate.confidence, Math.min(1, p + hs), fee, gate.penalty, cfg);
        const no = sizeBuy(
          1 - estimate.p,
          estimate.confidence,
          Math.min(1, 1 - p + hs),
          fee,
          gate.penalty,
          cfg,
        );
        const choice = bestSide(yes, no);
        if (choice) {
          const { fraction } = applyCaps(choice.sizing.stake, keys[m] as CapKeys, exposure, cfg.caps);
          if (fraction > 0) {
            const equity = cash + positionsValue;
            const stake = fraction * equity;
            const sideMark = choice.side === "YES" ? p : 1 - p;
            const count = stake / choice.sizing.cost;
            cash -= stake;
            positionsValue += count * sideMark;
            shares[m] = count;
            mark[m] = sideMark;
            sideYes[m] = choice.side === "YES" ? 1 : 0;
            entered[m] = 1;
            addExposure(exposure, keys[m] as CapKeys, fraction);
            openTrade[m] = {
              slug: markets[m]?.slug ?? String(m),
              side: choice.side,
              tier: choice.sizing.tier?.name ?? "",
              entryTs: t,
              recordedPrice: p,
              ask: choice.sizing.cost - choice.sizing.fee,
              feePerShare: choice.sizing.fee,
              fraction,
              stake,
              shares: count,
              estimate: choice.side === "YES" ? estimate.p : 1 - estimate.p,
              expectedEvPerDollar: choice.sizing.evPerDollar,
            };
          }
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
  let lastBrier = 0;
  for (let m = 0; m < M; m++) lastBrier += ((lastPrice[m] as number) - (outcome[m] as number)) ** 2;

  return {
    trades,
    episodes,
    equityCurve,
    finalEquity: cash + positionsValue,
    maxDrawdown,
    directionalPnl,
    dutchPnl,
    groupsChecked: groups.map((g) => g.group),
    calibration: {
      brierMarket: n > 0 ? brierMarket / n : 0,
      brierCalibrated: cfg.calibration && n > 0 ? brierCalibrated / n : null,
      brierLastPrice: M > 0 ? lastBrier / M : 0,
      reliability,
    },
  };
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
  const config = options.config ?? defaultReplayConfig(await favouriteBiasCalibration(options.dataDir));
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
  const report: ReplayReport = {
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
      fee: cfg.assumedFee,
      halfSpread: `max(${config.halfSpreadFloor}, ${config.halfSpreadScale} × p × (1 − p))`,
      assumedLiquidityUsd: config.assumedLiquidityUsd,
      dutchBookDepthUsdPerLeg: cfg.dutchBook.assumedDepthUsd,
      calibrationSource: cfg.calibration?.source ?? null,
    },
    calibration: result.calibration,
    returns: {
      trades: result.trades.length,
      wins: result.trades.filter((t) => t.won).length,
      finalEquity: result.finalEquity,
      totalReturn: result.finalEquity - 1,
      maxDrawdown: result.maxDrawdown,
      directionalPnl: result.directionalPnl,
      dutchPnl: result.dutchPnl,
      byTier,
      tradeList: result.trades,
    },
    dutchBook: {
      groupsChecked: result.groupsChecked,
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

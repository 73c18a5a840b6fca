import { loadResolvedDataset, type ResolvedDataset } from "../signals/replay/resolvedTimeseries.js";
import type { MarketSnapshot } from "../signals/types.js";
import { calibratedEstimate } from "../strategy/estimate.js";
import { gateSnapshot } from "../strategy/gates.js";
import { applyCaps, emptyExposure, sizeBuy } from "../strategy/sizing.js";
import { favouriteBiasCalibration } from "./favouriteBias.js";
import { defaultReplayConfig, replaySnapshot, type Mutable, type ReplayConfig } from "./replay.js";

export interface ScoreTally {
  readonly scored: number;
  readonly blocked: number;
  /** Points where YES or NO reached a tier. */
  readonly sized: number;
}

/**
 * Scores and sizes every recorded point as a live snapshot would be (gates, calibrated estimate,
 * both sides sized, caps), without entering positions, so every point does the full work.
 */
export function scoreAllPoints(dataset: ResolvedDataset, config: ReplayConfig): ScoreTally {
  const cfg = config.strategy;
  const exposure = emptyExposure();
  const snaps = dataset.markets.map((m) => replaySnapshot(m, config.assumedLiquidityUsd));
  const keys = dataset.markets.map((m) => ({ marketId: m.slug, eventId: m.eventId, cluster: m.cluster }));
  let blocked = 0;
  let sized = 0;
  const { ts, market, price, length } = dataset.columns;
  for (let k = 0; k < length; k++) {
    const m = market[k] as number;
    const p = price[k] as number;
    const snap = snaps[m] as Mutable<MarketSnapshot>;
    const hs = Math.max(config.halfSpreadFloor, config.halfSpreadScale * p * (1 - p));
    snap.price = p;
    snap.bestBid = p - hs;
    snap.bestAsk = p + hs;
    snap.fetchedAt = ts[k] as number;
    const gate = gateSnapshot(snap, cfg.gates, snap.fetchedAt);
    if (gate.verdict === "block" || !cfg.calibration) {
      blocked++;
      continue;
    }
    const estimate = calibratedEstimate(cfg.calibration, p);
    const yes = sizeBuy(estimate.p, estimate.confidence, p + hs, cfg.assumedFee, gate.penalty, cfg);
    const no = sizeBuy(1 - estimate.p, estimate.confidence, 1 - p + hs, cfg.assumedFee, gate.penalty, cfg);
    const stake = Math.max(yes.stake, no.stake);
    if (stake > 0 && applyCaps(stake, keys[m] as (typeof keys)[number], exposure, cfg.caps).fraction > 0)
      sized++;
  }
  return { scored: length, blocked, sized };
}

export interface ThroughputResult extends ScoreTally {
  readonly seconds: number;
  readonly snapshotsPerSecond: number;
}

/**
 * Measures scoring + sizing throughput (snapshots per second, one core) on the recorded Jan-2026
 * points; loading is not timed. Runs `rounds` passes and reports the fastest.
 */
export async function measureThroughput(options: {
  dataDir: string;
  rounds?: number;
}): Promise<ThroughputResult> {
  const dataset = await loadResolvedDataset(options.dataDir);
  const config = defaultReplayConfig(await favouriteBiasCalibration(options.dataDir));
  let best: ThroughputResult | null = null;
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    const started = performance.now();
    const tally = scoreAllPoints(dataset, config);
    const seconds = (performance.now() - started) / 1000;
    const result = { ...tally, seconds, snapshotsPerSecond: tally.scored / seconds };
    if (!best || result.snapshotsPerSecond > best.snapshotsPerSecond) best = result;
  }
  return best as ThroughputResult;
}

import { loadBtc5m } from "../signals/replay/recordedMarkets.js";
import {
  scoreWorkload,
  shortDatedStrategyConfig,
  thresholdWorkload,
  type WorkloadTally,
} from "./btcMarkets.js";
import { loadDataStreamsBtc } from "./oracleTicks.js";

export interface ThroughputResult extends WorkloadTally {
  readonly seconds: number;
  /** Snapshots that reached estimation and sizing (an estimate, then the decision gate and caps), per second. */
  readonly snapshotsPerSecond: number;
}

/**
 * Measures estimation + decision gate + sizing throughput (one core) on the recorded BTC 5-minute
 * markets at every second of their windows, with the recorded Chainlink Data Streams ticks as the
 * price-threshold estimator's oracle. Loading is not timed. Runs `rounds` passes, reports the fastest,
 * and counts only snapshots that reached estimation and sizing: a snapshot the gates block, or one
 * without an estimate, is work done but not a snapshot scored.
 */
export async function measureThroughput(options: {
  dataDir: string;
  rounds?: number;
}): Promise<ThroughputResult> {
  const [markets, oracle] = await Promise.all([
    loadBtc5m(options.dataDir),
    loadDataStreamsBtc(options.dataDir),
  ]);
  const workload = thresholdWorkload(markets.items, oracle.series);
  const config = shortDatedStrategyConfig();
  let best: ThroughputResult | null = null;
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    const started = performance.now();
    const tally = scoreWorkload(workload, config);
    const seconds = (performance.now() - started) / 1000;
    const result = { ...tally, seconds, snapshotsPerSecond: tally.estimated / seconds };
    if (!best || result.snapshotsPerSecond > best.snapshotsPerSecond) best = result;
  }
  return best as ThroughputResult;
}

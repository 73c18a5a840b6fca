import type { MarketSnapshot } from "../signals/types.js";
import type { SnapshotSource } from "../service/ports.js";

/**
 * Replays recorded snapshots on a clock: at time `now`, each market's latest snapshot fetched at or
 * before `now` is served. Snapshots older than `maxAgeMs` are refused (stale signals never drive a
 * rebalance), with the market and age in the reason.
 */
export class RecordedSnapshotSource implements SnapshotSource {
  private readonly byToken = new Map<string, MarketSnapshot[]>();

  constructor(
    recorded: readonly MarketSnapshot[],
    private readonly maxAgeMs: number,
  ) {
    for (const s of recorded) {
      const key = `${s.venue}:${s.tokenId}`;
      const list = this.byToken.get(key) ?? [];
      list.push(s);
      this.byToken.set(key, list);
    }
    for (const list of this.byToken.values()) list.sort((a, b) => a.fetchedAt - b.fetchedAt);
  }

  async load(now: Date) {
    const snapshots: MarketSnapshot[] = [];
    const rejected: { source: string; reason: string }[] = [];
    for (const [key, list] of this.byToken) {
      const latest = list.filter((s) => s.fetchedAt <= now.getTime()).at(-1);
      if (!latest) continue;
      const age = now.getTime() - latest.fetchedAt;
      if (age > this.maxAgeMs) {
        rejected.push({
          source: latest.venue,
          reason: `${key}: stale, fetched ${Math.round(age / 1000)} s ago (max ${this.maxAgeMs / 1000} s)`,
        });
        continue;
      }
      snapshots.push(latest);
    }
    return { snapshots, rejected };
  }
}

/** An accelerated clock for replays on the local stack: `speed` replay-milliseconds per real millisecond. */
export function replayClock(startMs: number, speed: number, realNow: () => number = Date.now): () => Date {
  const realStart = realNow();
  return () => new Date(startMs + (realNow() - realStart) * speed);
}

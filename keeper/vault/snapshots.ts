import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { MarketSnapshot } from "../signals/types.js";
import type { SnapshotSource } from "./ports.js";

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

const recordedSnapshotSchema = z.looseObject({
  venue: z.enum(["polymarket", "kalshi"]),
  marketId: z.string().min(1),
  tokenId: z.string().min(1),
  eventId: z.string(),
  outcome: z.string().min(1),
  price: z.number().min(0).max(1),
  bestBid: z.number().min(0).max(1).nullable(),
  bestAsk: z.number().min(0).max(1).nullable(),
  status: z.enum(["open", "closed", "resolved", "disputed"]),
  fetchedAt: z.number().int().nonnegative(),
});

/**
 * Reads a JSON array of recorded `MarketSnapshot`s. Entries that do not validate are returned in
 * `rejected` with their index, field and reason; the valid ones are kept.
 */
export async function readRecordedSnapshots(file: string): Promise<{
  snapshots: MarketSnapshot[];
  rejected: { source: string; reason: string }[];
}> {
  const decoded: unknown = JSON.parse(await readFile(file, "utf8"));
  if (!Array.isArray(decoded)) throw new Error(`${file}: expected a JSON array of market snapshots`);
  const snapshots: MarketSnapshot[] = [];
  const rejected: { source: string; reason: string }[] = [];
  decoded.forEach((entry, index) => {
    const parsed = recordedSnapshotSchema.safeParse(entry);
    if (parsed.success) snapshots.push(parsed.data as unknown as MarketSnapshot);
    else {
      const issue = parsed.error.issues[0]!;
      rejected.push({ source: file, reason: `[${index}].${issue.path.join(".")}: ${issue.message}` });
    }
  });
  return { snapshots, rejected };
}

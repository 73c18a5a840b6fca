import { z } from "zod";
import type { Store } from "../store/types.js";

/** What the strategy reports for each estimate it used (keeper/strategy `Evaluation.estimates`). */
export interface EstimateUsed {
  readonly tokenId: string;
  readonly marketId: string;
  readonly estimate: {
    readonly p: number;
    readonly stdError: number;
    readonly source: string;
    readonly inputs: Readonly<Record<string, string | number>>;
  };
}

const snapshotFields = z
  .object({
    venue: z.string(),
    tokenId: z.string(),
    price: z.number().min(0).max(1),
    resolvedValue: z.union([z.literal(0), z.literal(1), z.null()]),
  })
  .loose();

/**
 * Live calibration tracking: stores each estimate the strategy used with its market, time and the
 * market price beside it, and records the outcome of every estimate whose token the snapshots now
 * show resolved. Snapshots that do not carry those fields are skipped (the adapters validated them).
 */
export async function trackCalibration(
  store: Store,
  snapshots: unknown,
  estimates: readonly EstimateUsed[] | undefined,
  nowMs: number,
): Promise<{ readonly recorded: number; readonly resolved: number }> {
  const byToken = new Map<string, z.output<typeof snapshotFields>>();
  for (const raw of Array.isArray(snapshots) ? snapshots : []) {
    const s = snapshotFields.safeParse(raw);
    if (s.success) byToken.set(s.data.tokenId, s.data);
  }
  let recorded = 0;
  for (const used of estimates ?? []) {
    const s = byToken.get(used.tokenId);
    if (!s || s.resolvedValue !== null) continue;
    await store.recordEstimate({
      estimator: used.estimate.source,
      venue: s.venue,
      marketId: used.marketId,
      tokenId: used.tokenId,
      p: used.estimate.p,
      stdError: used.estimate.stdError,
      marketPrice: s.price,
      inputsJson: JSON.stringify(used.estimate.inputs),
      estimatedAt: nowMs,
    });
    recorded++;
  }
  let resolved = 0;
  for (const s of byToken.values()) {
    if (s.resolvedValue !== null)
      resolved += await store.resolveEstimates(s.venue, s.tokenId, s.resolvedValue, nowMs);
  }
  return { recorded, resolved };
}

import type { MarketSnapshot } from "../signals/types.js";

/**
 * Half-spread to put around a recorded mid when the recording has no book:
 * - `modelled`: max(floor, scale × p × (1 − p)), the stated model;
 * - `recorded`: the median half-spread by price decile measured on recorded live books (the April
 *   2026 engine snapshots), separately for legs of exclusive (negRisk) groups and standalone markets.
 */
export type SpreadModel =
  | { readonly kind: "modelled"; readonly floor: number; readonly scale: number }
  | {
      readonly kind: "recorded";
      readonly source: string;
      /** Median half-spread of YES quotes with mid in [k/10, (k+1)/10), k = 0 … 9. */
      readonly standalone: readonly number[];
      readonly exclusive: readonly number[];
      readonly books: number;
    };

export const MODELLED_SPREAD: SpreadModel = { kind: "modelled", floor: 0.0005, scale: 0.02 };

export function halfSpreadOf(model: SpreadModel, p: number, exclusive: boolean): number {
  if (model.kind === "modelled") return Math.max(model.floor, model.scale * p * (1 - p));
  const table = exclusive ? model.exclusive : model.standalone;
  return table[Math.min(9, Math.max(0, Math.floor(p * 10)))] as number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Deciles with no book borrow the nearest decile that has one. */
function fillGaps(buckets: number[][]): number[] {
  const medians = buckets.map((b) => (b.length > 0 ? median(b) : NaN));
  return medians.map((m, k) => {
    if (!Number.isNaN(m)) return m;
    for (let d = 1; d < 10; d++) {
      for (const j of [k - d, k + d])
        if (j >= 0 && j < 10 && !Number.isNaN(medians[j])) return medians[j] as number;
    }
    return 0.01;
  });
}

/** Fits the recorded spread model from live YES snapshots that quote both a bid and an ask. */
export function recordedSpreadModel(snapshots: readonly MarketSnapshot[], source: string): SpreadModel {
  const standalone: number[][] = Array.from({ length: 10 }, () => []);
  const exclusive: number[][] = Array.from({ length: 10 }, () => []);
  let books = 0;
  for (const s of snapshots) {
    if (s.outcome !== "Yes" || s.bestBid === null || s.bestAsk === null || !(s.bestAsk > s.bestBid)) continue;
    const mid = (s.bestBid + s.bestAsk) / 2;
    const bucket = Math.min(9, Math.floor(mid * 10));
    (s.exclusiveGroup !== null ? exclusive : standalone)[bucket]?.push((s.bestAsk - s.bestBid) / 2);
    books++;
  }
  return {
    kind: "recorded",
    source,
    standalone: fillGaps(standalone),
    exclusive: fillGaps(exclusive),
    books,
  };
}

export function describeSpreadModel(model: SpreadModel): string {
  if (model.kind === "modelled") return `modelled: max(${model.floor}, ${model.scale} × p × (1 − p))`;
  const f = (xs: readonly number[]) => xs.map((x) => x.toFixed(4)).join(" / ");
  return `recorded (${model.source}, ${model.books} books): median half-spread by price decile, standalone ${f(model.standalone)}; negRisk legs ${f(model.exclusive)}`;
}

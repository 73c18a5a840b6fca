import { readFile } from "node:fs/promises";
import path from "node:path";
import type { MarketSnapshot } from "../../keeper/signals/types.js";

/** One recorded Polymarket market of the Jan-2026 resolved set: its question and hourly prices. */
export interface RecordedMarket {
  readonly index: number;
  readonly slug: string;
  readonly question: string;
  /** (unix seconds, probability of "Yes") in time order */
  readonly points: readonly { readonly t: number; readonly p: number }[];
}

export const RESOLVED_MARKETS_DIR = "../shared/data/polymarket/resolved-markets-timeseries-jan2026";

/** Splits one CSV line, honouring double-quoted fields (questions contain commas). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Reads one market's question and price series from the recorded set in `dir`. */
export async function loadRecordedMarket(dir: string, slug: string): Promise<RecordedMarket> {
  const index = await readFile(path.join(dir, "markets_index.csv"), "utf8");
  const row = index
    .split("\n")
    .slice(1)
    .map(splitCsvLine)
    .find((fields) => fields[1] === slug);
  if (!row) throw new Error(`market "${slug}" is not in ${dir}/markets_index.csv`);
  const marketIdx = row[0]!;
  const prices = await readFile(path.join(dir, "prices_hourly.csv"), "utf8");
  const points: { t: number; p: number }[] = [];
  for (const line of prices.split("\n").slice(1)) {
    if (!line.startsWith(`${marketIdx},`)) continue;
    const [, ts, price] = line.split(",");
    const t = Number(ts);
    const p = Number(price);
    if (!Number.isFinite(t) || !Number.isFinite(p) || p < 0 || p > 1)
      throw new Error(`bad price row for market ${slug}: "${line}"`);
    points.push({ t, p });
  }
  if (points.length === 0) throw new Error(`market "${slug}" has no prices in ${dir}/prices_hourly.csv`);
  points.sort((a, b) => a.t - b.t);
  return { index: Number(marketIdx), slug, question: row[2] ?? slug, points };
}

/** The last recorded price at or before `t` (unix seconds), or the first one if `t` is earlier. */
export function priceAt(market: RecordedMarket, t: number): { t: number; p: number } {
  let found = market.points[0]!;
  for (const point of market.points) {
    if (point.t > t) break;
    found = point;
  }
  return found;
}

/**
 * The keeper's normalised snapshot of the recorded price at `t`. Recorded files hold the displayed
 * price only, so the book is unknown (bid/ask null) and the market counts as open until its last point.
 */
export function recordedSnapshot(market: RecordedMarket, t: number): MarketSnapshot {
  const point = priceAt(market, t);
  return {
    venue: "polymarket",
    marketId: market.slug,
    tokenId: `${market.slug}:yes`,
    eventId: market.slug,
    exclusiveGroup: null,
    question: market.question,
    outcome: "Yes",
    price: point.p,
    bestBid: null,
    bestAsk: null,
    depth: null,
    liquidityUsd: null,
    volumeUsd: null,
    endDate: null,
    status: "open",
    resolvedValue: null,
    settlement: { source: null, rules: null },
    fee: null,
    category: "recorded",
    fetchedAt: point.t * 1000,
  };
}

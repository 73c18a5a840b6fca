import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { type SpreadModel, halfSpreadOf, recordedSpreadModel } from "../../../keeper/backtest/spreads.js";
import { loadEngineSnapshots } from "../../../keeper/signals/replay/recordedMarkets.js";
import { csvRecords } from "../../../keeper/signals/replay/csv.js";
import { readOutcomeGroups } from "../../../keeper/signals/replay/resolvedTimeseries.js";
import { REPO_ROOT } from "../../lib/artifacts.js";
import { PRICE_SCALE, type TickSize, tickUnits } from "./orders.js";

/**
 * Seed quotes for the local books, from recorded data:
 * - the April 2026 engine snapshot: real best YES and NO asks (hence bids: YES bid = 1 − NO ask) and
 *   fee rates of live markets; the tick is 0.01 where every recorded quote sits on it, else 0.001;
 * - the January 2026 resolved outcome groups (hourly mids only), with the half-spread measured on the
 *   April books (keeper/backtest/spreads.ts) put around each mid.
 * Depth behind the best quote follows the level profile of a recorded real `/book` response, scaled.
 */

export const SHARED_DATA_DIR = path.resolve(REPO_ROOT, "../shared/data");
const SNAPSHOT_FILE = "polymarket/engine-snapshots-2026-04/market_snapshot.json.gz";
const JAN_DIR = "polymarket/resolved-markets-timeseries-jan2026";
const BOOK_SAMPLE = "polymarket/api-samples/pmvl_ext_polymarket-book.json";

/** One market's seed: best asks of both outcomes in units of 0.0001. */
export interface SeedQuote {
  readonly source: string;
  readonly question: string;
  readonly slug: string;
  readonly yesAsk: bigint;
  readonly noAsk: bigint;
  readonly tickSize: TickSize;
  readonly feeRateBps: bigint;
  /** the recorded negRisk group, when the market belongs to one */
  readonly group: string | null;
}

/** Resting size per level, best level first, in whole outcome tokens. */
export type DepthProfile = readonly bigint[];

const snapshotMarket = z
  .object({
    market_id: z.string(),
    question: z.string(),
    yes_bid: z.number().min(0).max(1).nullable(),
    yes_ask: z.number().min(0).max(1).nullable(),
    no_bid: z.number().min(0).max(1).nullable(),
    no_ask: z.number().min(0).max(1).nullable(),
    volume_24h: z.number().nullable(),
    negrisk_group_id: z.union([z.string(), z.number()]).nullable(),
    fee_rate_bps: z.number().int().min(0).max(1000),
  })
  .loose();

const hourlyRow = z.object({
  market_idx: z.coerce.number().int().min(0),
  ts: z.coerce.number().int().positive(),
  price: z.coerce.number().finite().min(0).max(1),
});

const onTick = (x: number, tick: number) => Math.abs(Math.round(x / tick) * tick - x) < 1e-9;
const units = (x: number) => BigInt(Math.round(x * Number(PRICE_SCALE)));

/**
 * The `count` most traded April 2026 markets that quote both asks with a positive spread and no price at
 * 0 or 1 (optionally only standalone markets or only negRisk legs).
 */
export async function aprilSnapshotQuotes(
  options: { count: number; negRisk?: boolean; dataDir?: string } = { count: 8 },
): Promise<SeedQuote[]> {
  const file = path.join(options.dataDir ?? SHARED_DATA_DIR, SNAPSHOT_FILE);
  const decoded = JSON.parse(gunzipSync(await readFile(file)).toString("utf8")) as { markets: unknown[] };
  const quotes: (SeedQuote & { volume: number })[] = [];
  for (const raw of decoded.markets) {
    const parsed = snapshotMarket.safeParse(raw);
    if (!parsed.success) continue;
    const m = parsed.data;
    if (m.yes_ask === null || m.no_ask === null || m.yes_bid === null || m.no_bid === null) continue;
    if (options.negRisk !== undefined && (m.negrisk_group_id !== null) !== options.negRisk) continue;
    const tickSize: TickSize = [m.yes_bid, m.yes_ask, m.no_bid, m.no_ask].every((x) => onTick(x, 0.01))
      ? "0.01"
      : "0.001";
    const tick = tickUnits(tickSize);
    const yesAsk = (units(m.yes_ask) / tick) * tick;
    const noAsk = (units(m.no_ask) / tick) * tick;
    if (yesAsk < tick || noAsk < tick || yesAsk > PRICE_SCALE - tick || noAsk > PRICE_SCALE - tick) continue;
    if (yesAsk + noAsk <= PRICE_SCALE) continue; // no spread: the two asks would cross
    quotes.push({
      source: `engine-snapshots-2026-04 market ${m.market_id}`,
      question: m.question,
      slug: `april-2026-${m.market_id}`,
      yesAsk,
      noAsk,
      tickSize,
      feeRateBps: BigInt(m.fee_rate_bps),
      group: m.negrisk_group_id === null ? null : String(m.negrisk_group_id),
      volume: m.volume_24h ?? 0,
    });
  }
  return quotes
    .sort((a, b) => b.volume - a.volume)
    .slice(0, options.count)
    .map(({ volume: _volume, ...q }) => q);
}

/** The spread model fitted on the April 2026 books (median half-spread by price decile). */
export async function aprilSpreadModel(dataDir = SHARED_DATA_DIR): Promise<SpreadModel> {
  const snapshots = await loadEngineSnapshots(dataDir);
  return recordedSpreadModel(snapshots.items, "engine-snapshots-2026-04");
}

/**
 * Quotes for every leg of a January 2026 outcome group at time `atMs` (each leg's last hourly mid at
 * or before it): YES ask = mid + half-spread rounded up to the tick, NO ask = 1 − mid + half-spread
 * rounded up, so the YES bid (1 − NO ask) sits the same half-spread below the mid.
 */
export async function januaryGroupQuotes(options: {
  group: string;
  atMs: number;
  spread: SpreadModel;
  tickSize?: TickSize;
  feeRateBps?: bigint;
  dataDir?: string;
}): Promise<SeedQuote[]> {
  const dir = path.join(options.dataDir ?? SHARED_DATA_DIR, JAN_DIR);
  const groups = await readOutcomeGroups(dir);
  const group = groups.find((g) => g.group === options.group);
  if (!group) throw new Error(`no outcome group ${options.group} in ${dir}/outcome_groups.csv`);
  const index = csvRecords(await readFile(path.join(dir, "markets_index.csv"), "utf8"));
  // only the group's rows are validated: the file holds 63k rows of 192 markets
  const wanted = new Set(group.marketIndexes.map(String));
  const prices = csvRecords(await readFile(path.join(dir, "prices_hourly.csv"), "utf8"))
    .filter((r) => wanted.has(r.market_idx ?? ""))
    .map((r) => hourlyRow.parse(r))
    .map((r) => ({ market: r.market_idx, t: r.ts * 1000, p: r.price }));
  const tickSize = options.tickSize ?? "0.01";
  const tick = tickUnits(tickSize);
  const roundUp = (x: bigint) => ((x + tick - 1n) / tick) * tick;
  return group.marketIndexes.map((marketIndex) => {
    const row = index.find((r) => Number(r.market_idx) === marketIndex);
    const points = prices.filter((p) => p.market === marketIndex && p.t <= options.atMs);
    const last = points[points.length - 1];
    if (!row || !last)
      throw new Error(`leg ${marketIndex} of ${options.group} has no price at or before ${options.atMs}`);
    const half = units(halfSpreadOf(options.spread, last.p, true));
    const mid = units(last.p);
    const clamp = (x: bigint) => (x < tick ? tick : x > PRICE_SCALE - tick ? PRICE_SCALE - tick : x);
    let yesAsk = clamp(roundUp(mid + half));
    let noAsk = clamp(roundUp(PRICE_SCALE - mid + half));
    if (yesAsk + noAsk <= PRICE_SCALE) {
      // a mid at the edge of the price range leaves no spread after clamping: widen by one tick
      if (yesAsk + tick <= PRICE_SCALE - tick) yesAsk += tick;
      else noAsk += tick;
    }
    return {
      source: `resolved-markets-timeseries-jan2026 ${options.group} leg ${marketIndex} at ${new Date(last.t).toISOString()}`,
      question: row.question ?? row.market_slug ?? String(marketIndex),
      slug: row.market_slug ?? String(marketIndex),
      yesAsk,
      noAsk,
      tickSize,
      feeRateBps: options.feeRateBps ?? 0n,
      group: options.group,
    };
  });
}

/**
 * The level profile of a recorded real book (its best `levels` asks), scaled so the best level holds
 * `bestShares` tokens: depth behind the best quote keeps the recorded shape at a size the local
 * makers fund.
 */
export async function recordedDepthProfile(
  options: { levels?: number; bestShares?: bigint; dataDir?: string } = {},
): Promise<DepthProfile> {
  const sample = z
    .object({ asks: z.array(z.object({ price: z.string(), size: z.string() })).min(1) })
    .parse(JSON.parse(await readFile(path.join(options.dataDir ?? SHARED_DATA_DIR, BOOK_SAMPLE), "utf8")));
  // asks are listed worst first: the best ones are last
  const best = [...sample.asks]
    .reverse()
    .slice(0, options.levels ?? 3)
    .map((l) => Number(l.size));
  const scale = Number(options.bestShares ?? 100n) / (best[0] as number);
  return best.map((size) => BigInt(Math.max(1, Math.round(size * scale))));
}

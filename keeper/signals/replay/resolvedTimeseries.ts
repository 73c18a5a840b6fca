import { readFile } from "node:fs/promises";
import path from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { z } from "zod";
import { emptyStats, type AdapterStats } from "../types.js";
import { parseOne, SignalRejection } from "../validation.js";
import { csvRecords } from "./csv.js";

export const RESOLVED_ADAPTER = "replay-resolved-jan2026";
export const RESOLVED_DIR = "polymarket/resolved-markets-timeseries-jan2026";

/** One market of the recorded set, with the event / cluster the replay assigns to it. */
export interface ReplayMarket {
  readonly index: number;
  readonly slug: string;
  readonly question: string;
  /** 1 = YES won, 0 = NO won, null if the file carries no outcome for it. */
  readonly outcome: 0 | 1 | null;
  /** Caps apply per event: mutually exclusive group, game, weather day, else the market itself. */
  readonly eventId: string;
  /** Coarse theme for per-cluster caps (weather, politics, sports, geopolitics, crypto, macro, other). */
  readonly cluster: string;
  /** Mutually exclusive outcome group from outcome_groups.csv, or null. */
  readonly exclusiveGroup: string | null;
  readonly firstTs: number;
  readonly lastTs: number;
  readonly points: number;
}

/**
 * The recorded price series held column-wise (no object per point), sorted by time.
 * `market[i]` indexes `markets`.
 */
export interface PriceColumns {
  readonly ts: Float64Array;
  readonly market: Uint16Array;
  readonly price: Float64Array;
  readonly length: number;
}

export interface ResolvedDataset {
  readonly markets: ReplayMarket[];
  readonly columns: PriceColumns;
  readonly groups: OutcomeGroup[];
  readonly rejected: SignalRejection[];
  readonly stats: AdapterStats;
}

export interface OutcomeGroup {
  readonly group: string;
  readonly marketIndexes: number[];
  readonly looksComplete: boolean;
  readonly medianHourlySum: number;
}

const indexRow = z.object({
  market_idx: z.coerce.number().int().min(0).max(65_535),
  market_slug: z.string().min(1),
  question: z.string(),
  outcome_yes: z.enum(["0", "1"]).transform((v) => (v === "1" ? 1 : 0) as 0 | 1),
});

const groupRow = z.object({
  group: z.string().min(1),
  member_slug: z.string().min(1),
  market_idx: z.coerce.number().int().min(0),
  outcome_yes: z.enum(["0", "1"]),
  group_median_hourly_price_sum: z.coerce.number().finite(),
  group_looks_complete: z.enum(["yes", "no"]),
});

const hourlyRow = z.object({
  market_idx: z.coerce.number().int().min(0),
  ts: z.coerce.number().int().positive(),
  price: z.coerce.number().finite().min(0).max(1),
});

const CLUSTER_RULES: readonly [RegExp, string][] = [
  [/temperature|weather|rain|snow/, "weather"],
  [/election|seats|president|prime-minister|parliament|nominat|shutdown|epstein|senate|governor/, "politics"],
  [/strike|war|invade|ceasefire|military|attack|troops/, "geopolitics"],
  [/reserve-bank|federal-reserve|cash-rate|interest-rate|cpi|inflation|fed-/, "macro"],
  [/bitcoin|btc|ethereum|eth-|solana|crypto|token|airdrop/, "crypto"],
  [/\d{4}-\d{2}-\d{2}|nba|nfl|nhl|epl|uefa|transfer|club|cricket|match|fc-/, "sports"],
];

/** Theme of a market from its slug; the recorded `category` column is "general" for every row. */
export function clusterOf(slug: string): string {
  for (const [pattern, cluster] of CLUSTER_RULES) if (pattern.test(slug)) return cluster;
  return "other";
}

/** Event of a market: its exclusive group, else the game (slug up to its date), else the weather day, else itself. */
export function eventOf(slug: string, group: string | null): string {
  if (group) return group;
  const game = /^(.*?-\d{4}-\d{2}-\d{2})(?:-|$)/.exec(slug);
  if (game?.[1]) return game[1];
  const day = /^(?:will-the-)?(highest-temperature-in-[a-z-]+?)-(?:be-.*-)?on-([a-z]+-\d+)/.exec(slug);
  if (day?.[1] && day[2]) return `${day[1]}-${day[2]}`;
  return slug;
}

async function readCsv(file: string): Promise<Record<string, string>[]> {
  return csvRecords(await readFile(file, "utf8"));
}

/** Reads outcome_groups.csv (validated row by row). */
export async function readOutcomeGroups(
  dir: string,
  rejected: SignalRejection[] = [],
  stats: AdapterStats = emptyStats(),
): Promise<OutcomeGroup[]> {
  const rows = await readCsv(path.join(dir, "outcome_groups.csv"));
  const groups = new Map<string, OutcomeGroup>();
  rows.forEach((raw, i) => {
    stats.itemsSeen += 1;
    const row = parseOne(RESOLVED_ADAPTER, `outcome_groups.csv[${i}]`, groupRow, raw, (r) => r);
    if (!row.ok) {
      stats.rejected += 1;
      rejected.push(row.rejection);
      return;
    }
    stats.accepted += 1;
    const r = row.value;
    const existing = groups.get(r.group);
    if (existing) existing.marketIndexes.push(r.market_idx);
    else
      groups.set(r.group, {
        group: r.group,
        marketIndexes: [r.market_idx],
        looksComplete: r.group_looks_complete === "yes",
        medianHourlySum: r.group_median_hourly_price_sum,
      });
  });
  return [...groups.values()];
}

/** Reads prices_hourly.csv as `{ marketIndex, t (ms), p }` rows. */
export async function readHourlyPrices(
  dir: string,
  rejected: SignalRejection[] = [],
): Promise<{ market: number; t: number; p: number }[]> {
  const rows = await readCsv(path.join(dir, "prices_hourly.csv"));
  const out: { market: number; t: number; p: number }[] = [];
  rows.forEach((raw, i) => {
    const row = parseOne(RESOLVED_ADAPTER, `prices_hourly.csv[${i}]`, hourlyRow, raw, (r) => r);
    if (row.ok) out.push({ market: row.value.market_idx, t: row.value.ts * 1000, p: row.value.price });
    else rejected.push(row.rejection);
  });
  return out;
}

const PARQUET_COLUMNS = ["timestamp", "market_slug", "price", "outcome"] as const;

/**
 * Reads whole columns of a parquet file. hyparquet hands over one chunk per column per row group
 * (`rowStart` … `rowEnd`); each chunk is copied to its place, so a file with many row groups loads
 * every row in order. A column that does not cover every row is refused, never returned short.
 */
export async function readParquetColumns<const C extends readonly string[]>(
  file: string,
  names: C,
): Promise<{ readonly [K in C[number]]: unknown[] } & { readonly rows: number }> {
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const rows = Number(metadata.num_rows);
  const columns = new Map<string, unknown[]>(names.map((name) => [name, new Array<unknown>(rows)]));
  const filled = new Map<string, number>(names.map((name) => [name, 0]));
  await parquetRead({
    file: buffer,
    metadata,
    compressors,
    columns: [...names],
    parsers: { timestampFromMicroseconds: (us: bigint) => Number(us / 1000n) },
    onChunk(chunk) {
      const target = columns.get(chunk.columnName);
      if (!target) return;
      const data = chunk.columnData;
      const end = Math.min(chunk.rowEnd, rows);
      for (let row = chunk.rowStart; row < end; row++) target[row] = data[row - chunk.rowStart];
      filled.set(chunk.columnName, (filled.get(chunk.columnName) ?? 0) + (end - chunk.rowStart));
    },
  });
  for (const name of names) {
    if (filled.get(name) !== rows)
      throw new SignalRejection(
        RESOLVED_ADAPTER,
        `${path.basename(file)}.${name}`,
        `column has ${filled.get(name) ?? 0} of ${rows} rows`,
      );
  }
  return { ...(Object.fromEntries(columns) as { [K in C[number]]: unknown[] }), rows };
}

export interface LoadOptions {
  /** Keep only these market slugs (tests replay a few markets). */
  readonly onlySlugs?: ReadonlySet<string>;
}

/**
 * Loads `resolved_markets.parquet` (379,634 points) column-wise with the market index, groups and
 * outcomes from the CSVs. Points with an unknown market, a non-finite time or a price outside
 * [0, 1] are rejected and counted; the rest load.
 */
export async function loadResolvedDataset(
  dataDir: string,
  options: LoadOptions = {},
): Promise<ResolvedDataset> {
  const dir = path.join(dataDir, RESOLVED_DIR);
  const stats = emptyStats();
  const rejected: SignalRejection[] = [];
  const groups = await readOutcomeGroups(dir, rejected, stats);
  const groupOf = new Map<number, string>();
  for (const g of groups) for (const m of g.marketIndexes) groupOf.set(m, g.group);

  const indexRows = await readCsv(path.join(dir, "markets_index.csv"));
  const bySlug = new Map<string, { index: number; question: string; outcome: 0 | 1 }>();
  indexRows.forEach((raw, i) => {
    const row = parseOne(RESOLVED_ADAPTER, `markets_index.csv[${i}]`, indexRow, raw, (r) => r);
    if (row.ok)
      bySlug.set(row.value.market_slug, {
        index: row.value.market_idx,
        question: row.value.question,
        outcome: row.value.outcome_yes,
      });
    else rejected.push(row.rejection);
  });

  const {
    timestamp: tsCol,
    market_slug: slugCol,
    price: priceCol,
    outcome: outcomeCol,
    rows: n,
  } = await readParquetColumns(path.join(dir, "resolved_markets.parquet"), PARQUET_COLUMNS);

  // Slot per known slug; the parquet's own outcome column confirms the index's.
  const slotOf = new Map<string, number>();
  const slugs: string[] = [];
  const accepted = new Uint32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    stats.itemsSeen += 1;
    const slug = slugCol[i];
    const t = tsCol[i];
    const p = priceCol[i];
    let reason: string | null = null;
    let field = "";
    if (typeof slug !== "string" || !bySlug.has(slug))
      [field, reason] = ["market_slug", "market not in markets_index.csv"];
    else if (typeof t !== "number" || !Number.isFinite(t))
      [field, reason] = ["timestamp", "not a finite time"];
    else if (typeof p !== "number" || !(p >= 0 && p <= 1))
      [field, reason] = ["price", "not a probability in [0, 1]"];
    else {
      const recorded = outcomeCol[i];
      if (recorded !== null && recorded !== undefined && recorded !== bySlug.get(slug)?.outcome) {
        [field, reason] = ["outcome", `outcome ${String(recorded)} disagrees with markets_index.csv`];
      }
    }
    if (reason !== null) {
      stats.rejected += 1;
      if (rejected.length < 1000)
        rejected.push(
          new SignalRejection(RESOLVED_ADAPTER, `resolved_markets.parquet[${i}].${field}`, reason),
        );
      continue;
    }
    if (options.onlySlugs && !options.onlySlugs.has(slug as string)) continue;
    if (!slotOf.has(slug as string)) {
      slotOf.set(slug as string, slugs.length);
      slugs.push(slug as string);
    }
    accepted[kept++] = i;
    stats.accepted += 1;
  }

  // Chronological order (stable on ties by row number, so a market's own sequence is kept).
  const order = accepted.subarray(0, kept);
  const tsOf = (i: number) => tsCol[i] as number;
  const sorted = Uint32Array.from(order).sort((a, b) => tsOf(a) - tsOf(b) || a - b);
  const ts = new Float64Array(kept);
  const market = new Uint16Array(kept);
  const price = new Float64Array(kept);
  const first = new Float64Array(slugs.length).fill(Infinity);
  const last = new Float64Array(slugs.length).fill(-Infinity);
  const count = new Uint32Array(slugs.length);
  for (let k = 0; k < kept; k++) {
    const row = sorted[k] as number;
    const slot = slotOf.get(slugCol[row] as string) as number;
    const t = tsCol[row] as number;
    ts[k] = t;
    market[k] = slot;
    price[k] = priceCol[row] as number;
    if (t < (first[slot] as number)) first[slot] = t;
    if (t > (last[slot] as number)) last[slot] = t;
    count[slot] = (count[slot] as number) + 1;
  }

  const markets: ReplayMarket[] = slugs.map((slug, slot) => {
    const meta = bySlug.get(slug) as { index: number; question: string; outcome: 0 | 1 };
    const group = groupOf.get(meta.index) ?? null;
    return {
      index: slot,
      slug,
      question: meta.question,
      outcome: meta.outcome,
      eventId: eventOf(slug, group),
      cluster: clusterOf(slug),
      exclusiveGroup: group,
      firstTs: first[slot] as number,
      lastTs: last[slot] as number,
      points: count[slot] as number,
    };
  });
  // Groups are re-keyed from markets_index positions to replay slots.
  const slotByIndex = new Map(markets.map((m) => [bySlug.get(m.slug)?.index as number, m.index]));
  const replayGroups = groups.map((g) => {
    const marketIndexes = g.marketIndexes
      .map((i) => slotByIndex.get(i))
      .filter((i): i is number => i !== undefined);
    // A group with a member left out of the replay is no longer a complete outcome set.
    return {
      ...g,
      marketIndexes,
      looksComplete: g.looksComplete && marketIndexes.length === g.marketIndexes.length,
    };
  });
  return { markets, columns: { ts, market, price, length: kept }, groups: replayGroups, rejected, stats };
}

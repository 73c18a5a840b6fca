import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { gammaMarketSchema, gammaMarketToSnapshots } from "../polymarketGamma.js";
import { emptyStats, type AdapterStats, type MarketSnapshot, type PricePoint } from "../types.js";
import { parseArray, parseOne, probability, SignalRejection, type ParseResult } from "../validation.js";

export const RECORDED_ADAPTER = "replay-recorded";

/** A resolved binary market with a recorded price path for each outcome. */
export interface RecordedSeries {
  readonly marketId: string;
  readonly slug: string;
  readonly question: string;
  /** The market's rules text (CLOB `description`), or null. */
  readonly rules: string | null;
  readonly outcomes: readonly string[];
  /** Index into `outcomes` of the winner. */
  readonly winner: number;
  readonly series: readonly (readonly PricePoint[])[];
}

const clobToken = z.object({
  token_id: z.string().regex(/^\d{1,80}$/, "expected a decimal token id"),
  outcome: z.string().min(1),
  price: probability,
  winner: z.boolean(),
});

/** CLOB `/markets` object as stored in btc-15m-updown-jan2026/clob_markets_resolved.json. */
export const clobMarketSchema = z
  .object({
    condition_id: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte hex id"),
    question: z.string().min(1),
    market_slug: z.string().min(1),
    closed: z.boolean(),
    tokens: z.array(clobToken).length(2, "expected two tokens"),
    taker_base_fee: z.number().nonnegative().optional(),
    description: z.string().optional(),
  })
  .loose()
  .refine((m) => m.tokens.filter((t) => t.winner).length <= 1, {
    message: "more than one winner",
    path: ["tokens"],
  });

const pricePoint = z.object({ t: z.number().int().positive(), p: probability });
const priceFileSchema = z.object({
  condition_id: z.string().min(1),
  up: z.array(pricePoint),
  down: z.array(pricePoint),
});

/**
 * BTC 15-minute Up/Down set: 615 resolved CLOB market objects, 200 of which have a price file.
 * Returns one series per market with a price file and a winner.
 */
export async function loadBtc15m(
  dataDir: string,
): Promise<ParseResult<RecordedSeries> & { stats: AdapterStats }> {
  const dir = path.join(dataDir, "polymarket/btc-15m-updown-jan2026");
  const stats = emptyStats();
  const markets = parseArray(
    RECORDED_ADAPTER,
    "clob_markets_resolved.json",
    clobMarketSchema,
    JSON.parse(await readFile(path.join(dir, "clob_markets_resolved.json"), "utf8")) as unknown,
    (m) => [m],
    stats,
  );
  const items: RecordedSeries[] = [];
  const rejected = [...markets.rejected];
  for (const m of markets.items) {
    const winner = m.tokens.findIndex((t) => t.winner);
    if (winner < 0) continue;
    const file = path.join(dir, "prices", `prices_${m.condition_id.slice(0, 16)}.json`);
    let raw: string;
    try {
      raw = await readFile(file, "utf8");
    } catch {
      continue; // 415 of the 615 markets have no recorded series
    }
    let decoded: unknown;
    try {
      decoded = JSON.parse(raw);
    } catch {
      rejected.push(new SignalRejection(RECORDED_ADAPTER, path.basename(file), "not valid JSON"));
      continue;
    }
    const series = parseOne(RECORDED_ADAPTER, path.basename(file), priceFileSchema, decoded, (s) => s);
    if (!series.ok) {
      rejected.push(series.rejection);
      continue;
    }
    const toMs = (pts: { t: number; p: number }[]) => pts.map((pt) => ({ t: pt.t * 1000, p: pt.p }));
    items.push({
      marketId: m.condition_id,
      slug: m.market_slug,
      question: m.question,
      rules: m.description ?? null,
      outcomes: m.tokens.map((t) => t.outcome),
      winner,
      series: [toMs(series.value.up), toMs(series.value.down)],
    });
  }
  return { items, rejected, stats };
}

const btc5mLine = z
  .object({
    slug: z.string().min(1),
    condition_id: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
    token_ids: z.array(z.string()).length(2),
    start_sec: z.number().int().positive(),
    end_sec: z.number().int().positive(),
    resolved: z.boolean(),
    outcome_prices: z.array(z.string()).length(2),
    strike_value: z.string().regex(/^\d+$/).nullable(),
    raw: gammaMarketSchema,
  })
  .loose();

export interface Btc5mMarket {
  readonly slug: string;
  readonly startSec: number;
  readonly endSec: number;
  /** Chainlink BTC/USD price to beat, 1e18-scaled, or null when the seller had no tick. */
  readonly strike: bigint | null;
  /** Snapshots of the full Gamma object embedded in the line (Up and Down). */
  readonly snapshots: MarketSnapshot[];
}

/** Parses one jsonl line of the BTC 5-minute file; `raw` must be a valid Gamma market. */
export function parseBtc5mLine(
  line: string,
  index: number,
): { ok: true; value: Btc5mMarket } | { ok: false; rejection: SignalRejection } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(line);
  } catch {
    return {
      ok: false,
      rejection: new SignalRejection(RECORDED_ADAPTER, `line[${index}]`, "not valid JSON"),
    };
  }
  return parseOne(RECORDED_ADAPTER, `line[${index}]`, btc5mLine, decoded, (m) => ({
    slug: m.slug,
    startSec: m.start_sec,
    endSec: m.end_sec,
    strike: m.strike_value === null ? null : BigInt(m.strike_value),
    snapshots: gammaMarketToSnapshots(m.raw, m.end_sec * 1000),
  }));
}

/** BTC 5-minute markets (jsonl.gz): each line's `raw` is a full Gamma market, parsed by the Gamma schema. */
export async function loadBtc5m(
  dataDir: string,
): Promise<ParseResult<Btc5mMarket> & { stats: AdapterStats }> {
  const file = path.join(dataDir, "polymarket/btc-5m-updown-2026-07-24/BTC-5m-markets-2026-07-24.jsonl.gz");
  const lines = gunzipSync(await readFile(file))
    .toString("utf8")
    .split("\n");
  const stats = emptyStats();
  const items: Btc5mMarket[] = [];
  const rejected: SignalRejection[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    stats.itemsSeen += 1;
    const parsed = parseBtc5mLine(line, i);
    if (parsed.ok) {
      stats.accepted += 1;
      items.push(parsed.value);
    } else {
      stats.rejected += 1;
      rejected.push(parsed.rejection);
    }
  });
  return { items, rejected, stats };
}

const engineMarket = z
  .object({
    market_id: z.string().min(1),
    question: z.string().min(1),
    yes_token_id: z.string().regex(/^\d{1,80}$/),
    no_token_id: z.string().regex(/^\d{1,80}$/),
    yes_price: probability,
    no_price: probability,
    yes_bid: probability.nullable(),
    yes_ask: probability.nullable(),
    volume_24h: z.number().finite().min(0).nullable(),
    end_date_iso: z.string().nullable(),
    negrisk_group_id: z.union([z.string(), z.number()]).nullable(),
    category: z.string().nullable(),
    fetched_at: z.number().positive().max(1e11, "fetched_at is not a unix time in seconds"),
  })
  .loose()
  .refine((m) => m.yes_bid === null || m.yes_ask === null || m.yes_bid <= m.yes_ask, {
    message: "crossed book: yes_bid above yes_ask",
    path: ["yes_bid"],
  });

/**
 * Engine snapshots (1,146 live markets, 2026-04-27) as YES/NO snapshot pairs. The file's
 * `fee_rate_bps` is the order-signing fee ceiling, not a charged rate, so fees stay unknown (null).
 */
export async function loadEngineSnapshots(
  dataDir: string,
): Promise<ParseResult<MarketSnapshot> & { stats: AdapterStats }> {
  const file = path.join(dataDir, "polymarket/engine-snapshots-2026-04/market_snapshot.json.gz");
  const stats = emptyStats();
  return {
    ...parseEngineSnapshots(JSON.parse(gunzipSync(await readFile(file)).toString("utf8")) as unknown, stats),
    stats,
  };
}

/** Parses the decoded engine snapshot file (`{ saved_at, count, markets: [...] }`). */
export function parseEngineSnapshots(decoded: unknown, stats?: AdapterStats): ParseResult<MarketSnapshot> {
  const shell = parseOne(
    RECORDED_ADAPTER,
    "payload",
    z.object({ markets: z.array(z.unknown()) }).loose(),
    decoded,
    (d) => d.markets,
  );
  if (!shell.ok) return { items: [], rejected: [shell.rejection] };
  const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
  return parseArray(
    RECORDED_ADAPTER,
    "markets",
    engineMarket,
    shell.value,
    (m): MarketSnapshot[] => {
      const endDate = m.end_date_iso ? Date.parse(m.end_date_iso) : NaN;
      const base = {
        venue: "polymarket" as const,
        marketId: m.market_id,
        eventId: m.negrisk_group_id !== null ? String(m.negrisk_group_id) : m.market_id,
        exclusiveGroup: m.negrisk_group_id !== null ? String(m.negrisk_group_id) : null,
        question: m.question,
        depth: null,
        liquidityUsd: null,
        volumeUsd: m.volume_24h,
        endDate: Number.isFinite(endDate) ? endDate : null,
        status: "open" as const,
        resolvedValue: null,
        settlement: { source: null, rules: null },
        fee: null,
        category: m.category,
        fetchedAt: Math.round(m.fetched_at * 1000),
      };
      return [
        {
          ...base,
          tokenId: m.yes_token_id,
          outcome: "Yes",
          price: m.yes_price,
          bestBid: m.yes_bid,
          bestAsk: m.yes_ask,
        },
        {
          ...base,
          tokenId: m.no_token_id,
          outcome: "No",
          price: m.no_price,
          bestBid: m.yes_ask === null ? null : round6(1 - m.yes_ask),
          bestAsk: m.yes_bid === null ? null : round6(1 - m.yes_bid),
        },
      ];
    },
    stats,
  );
}

const polledPoint = z.object({
  ts: z.number().int().positive().max(1e11, "ts is not a unix time in seconds"),
  yes: probability,
  spread: z.number().finite().min(0).max(1).nullish(),
});

/** One market of the polled engine history: YES price and spread over time. */
export interface PolledSeries {
  readonly marketId: string;
  readonly question: string;
  readonly points: readonly { t: number; p: number; spread: number | null }[];
}

/**
 * Engine price history (651 live markets polled 2026-03-22 → 03-24, no resolutions), keyed by
 * Gamma id. A bad point is rejected alone; a market whose shell is bad is rejected whole.
 */
export function parseEnginePriceHistory(decoded: unknown, stats?: AdapterStats): ParseResult<PolledSeries> {
  const items: PolledSeries[] = [];
  const rejected: SignalRejection[] = [];
  if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) {
    return {
      items,
      rejected: [new SignalRejection(RECORDED_ADAPTER, "payload", "expected an object keyed by market id")],
    };
  }
  const shell = z.object({ question: z.string(), points: z.array(z.unknown()) }).loose();
  for (const [id, raw] of Object.entries(decoded)) {
    const base = `[${JSON.stringify(id)}]`;
    const market = parseOne(RECORDED_ADAPTER, base, shell, raw, (m) => m);
    if (!market.ok) {
      rejected.push(market.rejection);
      if (stats) stats.rejected += 1;
      continue;
    }
    const points = parseArray(
      RECORDED_ADAPTER,
      `${base}.points`,
      polledPoint,
      market.value.points,
      (pt) => [{ t: pt.ts * 1000, p: pt.yes, spread: pt.spread ?? null }],
      stats,
    );
    rejected.push(...points.rejected);
    items.push({ marketId: id, question: market.value.question, points: points.items });
  }
  return { items, rejected };
}

export async function loadEnginePriceHistory(
  dataDir: string,
): Promise<ParseResult<PolledSeries> & { stats: AdapterStats }> {
  const file = path.join(dataDir, "polymarket/engine-snapshots-2026-04/price_history_polled.json");
  const stats = emptyStats();
  return { ...parseEnginePriceHistory(JSON.parse(await readFile(file, "utf8")) as unknown, stats), stats };
}

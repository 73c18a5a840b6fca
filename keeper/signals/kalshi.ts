import { z } from "zod";
import { summarizeBook } from "./book.js";
import { buildUrl, getJson, type HttpOptions } from "./http.js";
import { DEFAULT_DEPTH_BAND } from "./polymarketClob.js";
import {
  emptyStats,
  type AdapterStats,
  type FeeInfo,
  type MarketSnapshot,
  type OrderBookSummary,
  type ResolutionStatus,
} from "./types.js";
import {
  amountString,
  isoDate,
  parseArray,
  parseOne,
  probabilityString,
  SignalRejection,
  type ParseResult,
} from "./validation.js";

export const KALSHI_ADAPTER = "kalshi";
export const DEFAULT_KALSHI_URL = "https://external-api.kalshi.com/trade-api/v2";

/** Kalshi's published quadratic taker fee coefficient: fee = ceil_cent(0.07 × C × P × (1 − P)). */
export const KALSHI_TAKER_RATE = 0.07;

const STATUS: Readonly<Record<string, ResolutionStatus>> = {
  active: "open",
  open: "open",
  initialized: "closed",
  unopened: "closed",
  inactive: "closed",
  paused: "closed",
  closed: "closed",
  determined: "resolved",
  finalized: "resolved",
  settled: "resolved",
  disputed: "disputed",
  amended: "disputed",
};

/** A Trade API v2 market with the dollar-string price fields (`*_dollars`, `*_fp`). */
export const kalshiMarketSchema = z
  .object({
    ticker: z.string().min(1),
    event_ticker: z.string().min(1),
    title: z.string().min(1),
    yes_sub_title: z.string().nullish(),
    no_sub_title: z.string().nullish(),
    market_type: z.string().nullish(),
    status: z.string().refine((s) => Object.hasOwn(STATUS, s), { message: "unknown market status" }),
    result: z.string().nullish(),
    yes_bid_dollars: probabilityString,
    yes_ask_dollars: probabilityString,
    no_bid_dollars: probabilityString.nullish(),
    no_ask_dollars: probabilityString.nullish(),
    last_price_dollars: probabilityString.nullish(),
    volume_fp: amountString.nullish(),
    liquidity_dollars: amountString.nullish(),
    close_time: isoDate.nullish(),
    rules_primary: z.string().nullish(),
    rules_secondary: z.string().nullish(),
  })
  .loose()
  .superRefine((m, ctx) => {
    if (m.market_type != null && m.market_type !== "binary") {
      ctx.addIssue({
        code: "custom",
        path: ["market_type"],
        message: `unsupported market type ${m.market_type}`,
      });
    }
    if (m.yes_bid_dollars > 0 && m.yes_ask_dollars < 1 && m.yes_bid_dollars > m.yes_ask_dollars) {
      ctx.addIssue({
        code: "custom",
        path: ["yes_bid_dollars"],
        message: "crossed book: yes bid above yes ask",
      });
    }
  });

export type KalshiMarket = z.output<typeof kalshiMarketSchema>;

const sourceSchema = z.object({ name: z.string(), url: z.string().optional() }).loose();

export const kalshiEventSchema = z
  .object({
    event_ticker: z.string().min(1),
    series_ticker: z.string().nullish(),
    title: z.string().nullish(),
    mutually_exclusive: z.boolean().nullish(),
    category: z.string().nullish(),
    settlement_sources: z.array(sourceSchema).nullish(),
    markets: z.array(z.unknown()).nullish(),
  })
  .loose();

const levelPair = z.tuple([probabilityString, amountString]);

/** `/markets/{ticker}/orderbook`, `orderbook_fp` form: YES bids and NO bids only. */
export const kalshiOrderbookSchema = z
  .object({
    orderbook_fp: z.object({
      yes_dollars: z.array(levelPair).nullish(),
      no_dollars: z.array(levelPair).nullish(),
    }),
    ticker: z.string().nullish(),
  })
  .loose();

export interface KalshiContext {
  readonly exclusiveGroup?: string | null;
  readonly settlementSource?: string | null;
  readonly category?: string | null;
  /** Series `fee_multiplier`, when the caller fetched the series. */
  readonly feeMultiplier?: number;
}

function kalshiFee(multiplier = 1): FeeInfo {
  return { model: "kalshi", takerRate: KALSHI_TAKER_RATE * multiplier, makerRate: 0, exponent: 1 };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** A zero bid or a 1.00 ask on Kalshi means "no order on that side". */
const bidOrNull = (p: number | null | undefined) => (p == null || p <= 0 ? null : p);
const askOrNull = (p: number | null | undefined) => (p == null || p >= 1 ? null : p);

/** Maps a validated Kalshi market to a YES and a NO snapshot. */
export function kalshiMarketToSnapshots(
  m: KalshiMarket,
  fetchedAt: number,
  context: KalshiContext = {},
): MarketSnapshot[] {
  const status = Object.hasOwn(STATUS, m.status) ? (STATUS[m.status] as ResolutionStatus) : "closed";
  const rules = [m.rules_primary, m.rules_secondary]
    .filter((r): r is string => !!r && r.trim() !== "")
    .join("\n\n");
  const yesBid = bidOrNull(m.yes_bid_dollars);
  const yesAsk = askOrNull(m.yes_ask_dollars);
  const noBid = bidOrNull(m.no_bid_dollars ?? (yesAsk === null ? null : round6(1 - yesAsk)));
  const noAsk = askOrNull(m.no_ask_dollars ?? (yesBid === null ? null : round6(1 - yesBid)));
  const yesMid = yesBid !== null && yesAsk !== null ? round6((yesBid + yesAsk) / 2) : null;
  const last = m.last_price_dollars != null && m.last_price_dollars > 0 ? m.last_price_dollars : null;
  const yesPrice = yesMid ?? last ?? yesAsk ?? yesBid ?? 0;
  const resolved = status === "resolved" && (m.result === "yes" || m.result === "no");
  const base = {
    venue: "kalshi" as const,
    marketId: m.ticker,
    eventId: m.event_ticker,
    exclusiveGroup: context.exclusiveGroup ?? null,
    question: m.title,
    depth: null,
    liquidityUsd: m.liquidity_dollars ?? null,
    volumeUsd: m.volume_fp ?? null,
    endDate: m.close_time ?? null,
    status,
    settlement: { source: context.settlementSource ?? null, rules: rules === "" ? null : rules },
    fee: kalshiFee(context.feeMultiplier),
    category: context.category ?? null,
    fetchedAt,
  };
  return [
    {
      ...base,
      tokenId: `${m.ticker}:yes`,
      outcome: m.yes_sub_title || "Yes",
      price: yesPrice,
      bestBid: yesBid,
      bestAsk: yesAsk,
      resolvedValue: resolved ? (m.result === "yes" ? 1 : 0) : null,
    },
    {
      ...base,
      tokenId: `${m.ticker}:no`,
      outcome: m.no_sub_title ? `Not ${m.no_sub_title}` : "No",
      price: round6(1 - yesPrice),
      bestBid: noBid,
      bestAsk: noAsk,
      resolvedValue: resolved ? (m.result === "no" ? 1 : 0) : null,
    },
  ];
}

/** Parses a `/markets` page (`{ markets: [...], cursor }`). */
export function parseKalshiMarkets(
  payload: unknown,
  fetchedAt: number,
  stats?: AdapterStats,
  context: KalshiContext = {},
): ParseResult<MarketSnapshot> & { cursor: string | null } {
  const shell = parseOne(
    KALSHI_ADAPTER,
    "payload",
    z.object({ markets: z.array(z.unknown()), cursor: z.string().nullish() }).loose(),
    payload,
    (p) => p,
  );
  if (!shell.ok) {
    if (stats) stats.rejected += 1;
    return { items: [], rejected: [shell.rejection], cursor: null };
  }
  const parsed = parseArray(
    KALSHI_ADAPTER,
    "markets",
    kalshiMarketSchema,
    shell.value.markets,
    (m) => kalshiMarketToSnapshots(m, fetchedAt, context),
    stats,
  );
  return { ...parsed, cursor: shell.value.cursor || null };
}

/** Parses an `/events` page; nested markets inherit the event's exclusivity and settlement sources. */
export function parseKalshiEvents(
  payload: unknown,
  fetchedAt: number,
  stats?: AdapterStats,
): ParseResult<MarketSnapshot> & { cursor: string | null } {
  const shell = parseOne(
    KALSHI_ADAPTER,
    "payload",
    z.object({ events: z.array(z.unknown()), cursor: z.string().nullish() }).loose(),
    payload,
    (p) => p,
  );
  if (!shell.ok) {
    if (stats) stats.rejected += 1;
    return { items: [], rejected: [shell.rejection], cursor: null };
  }
  const items: MarketSnapshot[] = [];
  const rejected: SignalRejection[] = [];
  shell.value.events.forEach((raw, i) => {
    const base = `events[${i}]`;
    const event = parseOne(KALSHI_ADAPTER, base, kalshiEventSchema, raw, (e) => e);
    if (!event.ok) {
      rejected.push(event.rejection);
      if (stats) {
        stats.itemsSeen += 1;
        stats.rejected += 1;
      }
      return;
    }
    const e = event.value;
    const sources = (e.settlement_sources ?? []).map((s) => s.name.trim()).filter((s) => s !== "");
    const context: KalshiContext = {
      exclusiveGroup: e.mutually_exclusive ? e.event_ticker : null,
      settlementSource: sources.length > 0 ? sources.join("; ") : null,
      category: e.category ?? null,
    };
    const nested = parseArray(
      KALSHI_ADAPTER,
      `${base}.markets`,
      kalshiMarketSchema,
      e.markets ?? [],
      (m) => kalshiMarketToSnapshots(m, fetchedAt, context),
      stats,
    );
    items.push(...nested.items);
    rejected.push(...nested.rejected);
  });
  return { items, rejected, cursor: shell.value.cursor || null };
}

type Result<T> = { ok: true; value: T } | { ok: false; rejection: SignalRejection };

/**
 * Parses a bids-only order book into YES terms: YES bids as given, YES asks = 1 − NO bids
 * (size unchanged), so the best YES ask is 1 − best NO bid.
 */
export function parseKalshiOrderbook(
  payload: unknown,
  ticker: string,
  fetchedAt: number,
  band = DEFAULT_DEPTH_BAND,
  stats?: AdapterStats,
): Result<OrderBookSummary> {
  const result = parseOne(KALSHI_ADAPTER, "orderbook", kalshiOrderbookSchema, payload, (b) =>
    summarizeBook({
      venue: "kalshi",
      marketId: b.ticker ?? ticker,
      tokenId: `${b.ticker ?? ticker}:yes`,
      bids: (b.orderbook_fp.yes_dollars ?? []).map(([price, size]) => ({ price, size })),
      asks: (b.orderbook_fp.no_dollars ?? []).map(([price, size]) => ({ price: round6(1 - price), size })),
      timestamp: fetchedAt,
      hash: null,
      band,
    }),
  );
  if (stats) {
    stats.itemsSeen += 1;
    if (result.ok) stats.accepted += 1;
    else stats.rejected += 1;
  }
  return result;
}

export interface KalshiQuery {
  readonly limit?: number;
  readonly cursor?: string;
  readonly status?: string;
  readonly event_ticker?: string;
  readonly series_ticker?: string;
  readonly with_nested_markets?: boolean;
}

export interface KalshiClient {
  readonly stats: AdapterStats;
  fetchMarkets(query?: KalshiQuery): Promise<ParseResult<MarketSnapshot> & { cursor: string | null }>;
  fetchEvents(query?: KalshiQuery): Promise<ParseResult<MarketSnapshot> & { cursor: string | null }>;
  fetchOrderbook(ticker: string): Promise<Result<OrderBookSummary>>;
}

export function createKalshiClient(
  options: Partial<HttpOptions> & { depthBand?: number } = {},
): KalshiClient {
  const http: HttpOptions = { ...options, baseUrl: options.baseUrl ?? DEFAULT_KALSHI_URL };
  const band = options.depthBand ?? DEFAULT_DEPTH_BAND;
  const stats = emptyStats();
  const failed = (path: string, reason: string) => ({
    items: [],
    rejected: [new SignalRejection(KALSHI_ADAPTER, path, reason)],
    cursor: null,
  });
  return {
    stats,
    async fetchMarkets(query = {}) {
      const res = await getJson(buildUrl(http.baseUrl, "/markets", { ...query }), http, stats);
      return res.ok ? parseKalshiMarkets(res.body, Date.now(), stats) : failed("/markets", res.reason);
    },
    async fetchEvents(query = {}) {
      const res = await getJson(buildUrl(http.baseUrl, "/events", { ...query }), http, stats);
      return res.ok ? parseKalshiEvents(res.body, Date.now(), stats) : failed("/events", res.reason);
    },
    async fetchOrderbook(ticker) {
      const path = `/markets/${encodeURIComponent(ticker)}/orderbook`;
      const res = await getJson(buildUrl(http.baseUrl, path), http, stats);
      if (!res.ok) return { ok: false, rejection: new SignalRejection(KALSHI_ADAPTER, path, res.reason) };
      return parseKalshiOrderbook(res.body, ticker, Date.now(), band, stats);
    },
  };
}

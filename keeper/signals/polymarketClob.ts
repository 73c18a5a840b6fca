import { z } from "zod";
import { summarizeBook } from "./book.js";
import { buildUrl, getJson, type HttpOptions } from "./http.js";
import {
  emptyStats,
  type AdapterStats,
  type MarketSnapshot,
  type OrderBookSummary,
  type PricePoint,
} from "./types.js";
import {
  amountString,
  decimalString,
  parseArray,
  parseOne,
  probability,
  probabilityString,
  SignalRejection,
  type ParseResult,
} from "./validation.js";

export const CLOB_ADAPTER = "polymarket-clob";
export const DEFAULT_CLOB_URL = "https://clob.polymarket.com";

/** Default band around the mid inside which book depth is counted (2 cents). */
export const DEFAULT_DEPTH_BAND = 0.02;

const levelSchema = z.object({ price: probabilityString, size: amountString });

/** CLOB `/book` response. Prices and sizes are strings; the ordering of levels is not relied on. */
export const clobBookSchema = z
  .object({
    market: z.string().min(1),
    asset_id: z.string().regex(/^\d{1,80}$/, "expected a decimal token id"),
    timestamp: z.union([decimalString, z.number().finite()]),
    hash: z.string().nullish(),
    bids: z.array(levelSchema),
    asks: z.array(levelSchema),
  })
  .loose();

export const clobPriceSchema = z.object({ price: z.union([probabilityString, probability]) }).loose();

export const clobHistorySchema = z
  .object({
    history: z.array(z.object({ t: z.number().int().nonnegative(), p: probability })),
  })
  .loose();

type Result<T> = { ok: true; value: T } | { ok: false; rejection: SignalRejection };

/** Parses one `/book` payload into a best-first summary with depth inside `band` of the mid. */
export function parseClobBook(
  payload: unknown,
  band = DEFAULT_DEPTH_BAND,
  stats?: AdapterStats,
): Result<OrderBookSummary> {
  const result = parseOne(CLOB_ADAPTER, "book", clobBookSchema, payload, (b) =>
    summarizeBook({
      venue: "polymarket",
      marketId: b.market,
      tokenId: b.asset_id,
      bids: b.bids,
      asks: b.asks,
      timestamp: b.timestamp,
      hash: b.hash ?? null,
      band,
    }),
  );
  count(stats, result.ok);
  return result;
}

/** Parses `/price?side=BUY|SELL`. */
export function parseClobPrice(payload: unknown, stats?: AdapterStats): Result<number> {
  const result = parseOne(CLOB_ADAPTER, "price", clobPriceSchema, payload, (p) => p.price);
  count(stats, result.ok);
  return result;
}

/** Parses `/prices-history`; a bad point is rejected alone, the rest of the series survives. */
export function parseClobHistory(payload: unknown, stats?: AdapterStats): ParseResult<PricePoint> {
  const shell = parseOne(
    CLOB_ADAPTER,
    "payload",
    z.object({ history: z.array(z.unknown()) }).loose(),
    payload,
    (h) => h.history,
  );
  if (!shell.ok) {
    count(stats, false);
    return { items: [], rejected: [shell.rejection] };
  }
  const point = z.object({ t: z.number().int().nonnegative(), p: probability });
  return parseArray(
    CLOB_ADAPTER,
    "history",
    point,
    shell.value,
    (pt) => [{ t: pt.t * 1000, p: pt.p }],
    stats,
  );
}

function count(stats: AdapterStats | undefined, ok: boolean): void {
  if (!stats) return;
  stats.itemsSeen += 1;
  if (ok) stats.accepted += 1;
  else stats.rejected += 1;
}

/**
 * Overlays a book on a Gamma snapshot of the same token: best bid/ask, mid price and depth come
 * from the book, everything else from the snapshot.
 */
export function withBook(snapshot: MarketSnapshot, book: OrderBookSummary): Result<MarketSnapshot> {
  if (book.tokenId !== snapshot.tokenId) {
    return {
      ok: false,
      rejection: new SignalRejection(
        CLOB_ADAPTER,
        "book.asset_id",
        `book is for ${book.tokenId}, snapshot for ${snapshot.tokenId}`,
      ),
    };
  }
  return {
    ok: true,
    value: {
      ...snapshot,
      bestBid: book.bestBid,
      bestAsk: book.bestAsk,
      price: book.mid ?? snapshot.price,
      depth: book.depth,
      fetchedAt: Math.max(snapshot.fetchedAt, book.timestamp),
    },
  };
}

export interface ClobClient {
  readonly stats: AdapterStats;
  fetchBook(tokenId: string): Promise<Result<OrderBookSummary>>;
  fetchPrice(tokenId: string, side: "BUY" | "SELL"): Promise<Result<number>>;
  fetchPriceHistory(
    tokenId: string,
    query?: { interval?: string; fidelity?: number; startTs?: number; endTs?: number },
  ): Promise<ParseResult<PricePoint>>;
}

export function createClobClient(options: Partial<HttpOptions> & { depthBand?: number } = {}): ClobClient {
  const http: HttpOptions = { ...options, baseUrl: options.baseUrl ?? DEFAULT_CLOB_URL };
  const band = options.depthBand ?? DEFAULT_DEPTH_BAND;
  const stats = emptyStats();
  const failure = (path: string, reason: string) => ({
    ok: false as const,
    rejection: new SignalRejection(CLOB_ADAPTER, path, reason),
  });
  return {
    stats,
    async fetchBook(tokenId) {
      const res = await getJson(buildUrl(http.baseUrl, "/book", { token_id: tokenId }), http, stats);
      return res.ok ? parseClobBook(res.body, band, stats) : failure("/book", res.reason);
    },
    async fetchPrice(tokenId, side) {
      const res = await getJson(buildUrl(http.baseUrl, "/price", { token_id: tokenId, side }), http, stats);
      return res.ok ? parseClobPrice(res.body, stats) : failure("/price", res.reason);
    },
    async fetchPriceHistory(tokenId, query = {}) {
      const url = buildUrl(http.baseUrl, "/prices-history", {
        market: tokenId,
        interval: query.interval,
        fidelity: query.fidelity,
        startTs: query.startTs,
        endTs: query.endTs,
      });
      const res = await getJson(url, http, stats);
      if (!res.ok)
        return { items: [], rejected: [new SignalRejection(CLOB_ADAPTER, "/prices-history", res.reason)] };
      return parseClobHistory(res.body, stats);
    },
  };
}

import { z } from "zod";
import { buildUrl, getJson, type HttpOptions } from "./http.js";
import {
  emptyStats,
  type AdapterStats,
  type FeeInfo,
  type MarketSnapshot,
  type ResolutionStatus,
} from "./types.js";
import {
  isoDate,
  jsonStringArray,
  looseNumber,
  parseArray,
  parseOne,
  probability,
  SignalRejection,
  type ParseResult,
} from "./validation.js";

export const GAMMA_ADAPTER = "polymarket-gamma";
export const DEFAULT_GAMMA_URL = "https://gamma-api.polymarket.com";

const tokenId = z.string().regex(/^\d{1,80}$/, "expected a decimal token id");
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte hex id");

const feeScheduleSchema = z.object({
  rate: z.number().finite().min(0).max(1),
  exponent: z.number().finite().min(0).max(4).default(1),
  takerOnly: z.boolean().optional(),
  rebateRate: z.number().finite().min(0).max(1).optional(),
});

/**
 * A Gamma market in either shape: V1 carries `clobTokenIds` as a JSON-encoded string; Protocol V2
 * markets (`version: "v2"`, after the 2026-04-28 CLOB V2 cutover) carry `positionIds` as an array.
 */
export const gammaMarketSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    conditionId: hex32,
    question: z.string().min(1, "empty question"),
    slug: z.string().optional(),
    description: z.string().nullish(),
    resolutionSource: z.string().nullish(),
    outcomes: jsonStringArray(z.string().min(1)),
    outcomePrices: jsonStringArray(looseNumber.pipe(probability)),
    clobTokenIds: jsonStringArray(tokenId).optional(),
    positionIds: z.union([z.array(tokenId), jsonStringArray(tokenId)]).optional(),
    version: z.string().optional(),
    endDate: isoDate.nullish(),
    closed: z.boolean().optional(),
    active: z.boolean().optional(),
    umaResolutionStatus: z.string().nullish(),
    umaResolutionStatuses: jsonStringArray(z.string()).nullish(),
    bestBid: probability.nullish(),
    bestAsk: probability.nullish(),
    liquidityNum: z.number().finite().min(0).nullish(),
    liquidity: looseNumber.pipe(z.number().min(0)).nullish(),
    volumeNum: z.number().finite().min(0).nullish(),
    volume: looseNumber.pipe(z.number().min(0)).nullish(),
    negRisk: z.boolean().nullish(),
    negRiskMarketID: z.string().nullish(),
    feesEnabled: z.boolean().nullish(),
    feeSchedule: feeScheduleSchema.nullish(),
    category: z.string().nullish(),
    events: z.array(z.object({ id: z.union([z.string(), z.number()]) }).loose()).nullish(),
  })
  .loose()
  .superRefine((m, ctx) => {
    const tokens = tokenIdsOf(m);
    if (m.version === "v2" && m.positionIds === undefined) {
      ctx.addIssue({ code: "custom", path: ["positionIds"], message: "V2 market without positionIds" });
    } else if (tokens === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["clobTokenIds"],
        message: "missing clobTokenIds (V1) and positionIds (V2)",
      });
    } else if (tokens.length !== m.outcomes.length) {
      ctx.addIssue({
        code: "custom",
        path: [m.positionIds !== undefined ? "positionIds" : "clobTokenIds"],
        message: `${tokens.length} token ids for ${m.outcomes.length} outcomes`,
      });
    }
    if (m.outcomePrices.length !== m.outcomes.length) {
      ctx.addIssue({
        code: "custom",
        path: ["outcomePrices"],
        message: `${m.outcomePrices.length} prices for ${m.outcomes.length} outcomes`,
      });
    }
    if (m.bestBid != null && m.bestAsk != null && m.bestBid > m.bestAsk) {
      ctx.addIssue({
        code: "custom",
        path: ["bestBid"],
        message: `crossed book: bid ${m.bestBid} > ask ${m.bestAsk}`,
      });
    }
  });

export type GammaMarket = z.output<typeof gammaMarketSchema>;

function tokenIdsOf(m: {
  positionIds?: string[] | undefined;
  clobTokenIds?: string[] | undefined;
}): string[] | undefined {
  return m.positionIds ?? m.clobTokenIds;
}

export const gammaEventSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]),
    title: z.string().optional(),
    negRisk: z.boolean().nullish(),
    negRiskMarketID: z.string().nullish(),
    resolutionSource: z.string().nullish(),
    markets: z.array(z.unknown()),
  })
  .loose();

const RESOLVED_THRESHOLD = 0.99;

function statusOf(m: GammaMarket): ResolutionStatus {
  const history = m.umaResolutionStatuses ?? [];
  const latest = history.length > 0 ? history[history.length - 1] : undefined;
  if (m.umaResolutionStatus === "disputed" || latest === "disputed") return "disputed";
  if (m.closed === true) {
    const settled = m.outcomePrices.some((p) => p >= RESOLVED_THRESHOLD);
    return m.umaResolutionStatus === "resolved" || settled ? "resolved" : "closed";
  }
  if (m.active === false) return "closed";
  return "open";
}

function feeOf(m: GammaMarket): FeeInfo | null {
  if (m.feesEnabled === false) return { model: "none", takerRate: 0, makerRate: 0, exponent: 1 };
  if (m.feeSchedule) {
    return {
      model: "polymarket",
      takerRate: m.feeSchedule.rate,
      makerRate: 0,
      exponent: m.feeSchedule.exponent,
    };
  }
  return null;
}

/** Pulls "The resolution source for this market is …" out of the rules when the field itself is empty. */
export function resolutionSourceOf(
  field: string | null | undefined,
  rules: string | null | undefined,
): string | null {
  if (field && field.trim() !== "") return field.trim();
  if (!rules) return null;
  const match = /resolution source (?:for [^.]{0,60}? )?(?:is|will be)\s+(.+?)\.(?:\s|$)/i.exec(rules);
  return match?.[1]?.trim() ?? null;
}

/** Maps one validated Gamma market to one snapshot per outcome. */
export function gammaMarketToSnapshots(
  m: GammaMarket,
  fetchedAt: number,
  context: { eventId?: string; exclusiveGroup?: string | null } = {},
): MarketSnapshot[] {
  const tokens = tokenIdsOf(m) ?? [];
  const status = statusOf(m);
  const eventId =
    context.eventId ?? (m.events?.[0] ? String(m.events[0].id) : (m.negRiskMarketID ?? m.conditionId));
  const exclusiveGroup =
    context.exclusiveGroup !== undefined
      ? context.exclusiveGroup
      : m.negRisk
        ? (m.negRiskMarketID ?? null)
        : null;
  const binary = m.outcomes.length === 2;
  const fee = feeOf(m);
  const rules = m.description ?? null;
  const settlement = { source: resolutionSourceOf(m.resolutionSource, rules), rules };
  const endDate = m.endDate ?? null;
  const liquidityUsd = m.liquidityNum ?? m.liquidity ?? null;
  const volumeUsd = m.volumeNum ?? m.volume ?? null;
  return m.outcomes.map((outcome, i): MarketSnapshot => {
    const price = m.outcomePrices[i] ?? 0;
    let bestBid: number | null = null;
    let bestAsk: number | null = null;
    if (binary && i === 0) {
      bestBid = m.bestBid ?? null;
      bestAsk = m.bestAsk ?? null;
    } else if (binary && i === 1) {
      bestBid = m.bestAsk != null ? round6(1 - m.bestAsk) : null;
      bestAsk = m.bestBid != null ? round6(1 - m.bestBid) : null;
    }
    let resolvedValue: 0 | 1 | null = null;
    if (status === "resolved") {
      if (price >= RESOLVED_THRESHOLD) resolvedValue = 1;
      else if (price <= 1 - RESOLVED_THRESHOLD) resolvedValue = 0;
    }
    return {
      venue: "polymarket",
      marketId: m.conditionId,
      tokenId: tokens[i] ?? "",
      eventId,
      exclusiveGroup,
      question: m.question,
      outcome,
      price,
      bestBid,
      bestAsk,
      depth: null,
      liquidityUsd,
      volumeUsd,
      endDate,
      status,
      resolvedValue,
      settlement,
      fee,
      category: m.category ?? null,
      fetchedAt,
    };
  });
}

/** Round complements so 1 - 0.52 prints as 0.48, not 0.48000000000000004. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Parses a Gamma `/markets` page (an array). Invalid markets are rejected one by one. */
export function parseGammaMarkets(
  payload: unknown,
  fetchedAt: number,
  stats?: AdapterStats,
): ParseResult<MarketSnapshot> {
  return parseArray(
    GAMMA_ADAPTER,
    "markets",
    gammaMarketSchema,
    payload,
    (m) => gammaMarketToSnapshots(m, fetchedAt),
    stats,
  );
}

/** Parses a Gamma `/events` page; each nested market is validated on its own. */
export function parseGammaEvents(
  payload: unknown,
  fetchedAt: number,
  stats?: AdapterStats,
): ParseResult<MarketSnapshot> {
  const items: MarketSnapshot[] = [];
  const rejected: SignalRejection[] = [];
  if (!Array.isArray(payload)) {
    rejected.push(new SignalRejection(GAMMA_ADAPTER, "events", "expected an array"));
    if (stats) stats.rejected += 1;
    return { items, rejected };
  }
  payload.forEach((raw, i) => {
    const base = `events[${i}]`;
    const shell = parseOne(GAMMA_ADAPTER, base, gammaEventSchema, raw, (e) => e);
    if (!shell.ok) {
      rejected.push(shell.rejection);
      if (stats) {
        stats.itemsSeen += 1;
        stats.rejected += 1;
      }
      return;
    }
    const event = shell.value;
    const group = event.negRisk ? (event.negRiskMarketID ?? String(event.id)) : null;
    const nested = parseArray(
      GAMMA_ADAPTER,
      `${base}.markets`,
      gammaMarketSchema,
      event.markets,
      (m) => gammaMarketToSnapshots(m, fetchedAt, { eventId: String(event.id), exclusiveGroup: group }),
      stats,
    );
    items.push(...nested.items);
    rejected.push(...nested.rejected);
  });
  return { items, rejected };
}

export interface GammaQuery {
  readonly limit?: number;
  readonly offset?: number;
  readonly active?: boolean;
  readonly closed?: boolean;
  readonly slug?: string;
}

/** Gamma discovery client. Every call returns accepted snapshots plus rejections; it never throws. */
export interface GammaClient {
  readonly stats: AdapterStats;
  fetchMarkets(query?: GammaQuery): Promise<ParseResult<MarketSnapshot>>;
  fetchEvents(query?: GammaQuery): Promise<ParseResult<MarketSnapshot>>;
}

export function createGammaClient(options: Partial<HttpOptions> = {}): GammaClient {
  const http: HttpOptions = { ...options, baseUrl: options.baseUrl ?? DEFAULT_GAMMA_URL };
  const stats = emptyStats();
  async function get(
    path: string,
    query: GammaQuery,
    parse: (body: unknown, at: number, s: AdapterStats) => ParseResult<MarketSnapshot>,
  ): Promise<ParseResult<MarketSnapshot>> {
    const response = await getJson(buildUrl(http.baseUrl, path, { ...query }), http, stats);
    if (!response.ok)
      return { items: [], rejected: [new SignalRejection(GAMMA_ADAPTER, path, response.reason)] };
    return parse(response.body, Date.now(), stats);
  }
  return {
    stats,
    fetchMarkets: (query = {}) => get("/markets", query, parseGammaMarkets),
    fetchEvents: (query = {}) => get("/events", query, parseGammaEvents),
  };
}

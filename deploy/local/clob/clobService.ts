import http from "node:http";
import type { AddressInfo } from "node:net";
import { type Hex, formatUnits } from "viem";
import { z } from "zod";
import { type ApiCredentials, ApiKeyStore, AuthError } from "./auth.js";
import { ClobApiError, ClobEngine, ERRORS } from "./clobEngine.js";
import { formatPrice, PRICE_SCALE } from "./orders.js";
import {
  bookParams,
  cancelMarketBody,
  cancelOrderBody,
  cancelOrdersBody,
  orderId,
  postOrderBody,
  postOrdersBody,
  tokenIdParam,
  toPostedOrder,
} from "./payloads.js";

/**
 * A local HTTP service on Polymarket's CLOB endpoints with the real JSON shapes, so
 * @polymarket/clob-client runs unchanged with `host` pointed at it. Reads are public; creating or
 * deriving an API key needs L1 (EIP-712 ClobAuth) headers; trading endpoints need L2 (HMAC) headers.
 */

export interface ClobServiceConfig {
  readonly engine: ClobEngine;
  readonly chainId: number;
  readonly port?: number;
  /** seconds a signed auth timestamp may differ from the service's clock (default 300) */
  readonly authWindowSeconds?: number;
}

export interface ClobService {
  /** Base URL to give `new ClobClient(host, …)`, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly engine: ClobEngine;
  readonly keys: ApiKeyStore;
  /** Every request served: method, path, HTTP status and, for errors, the message. */
  readonly served: readonly { method: string; path: string; status: number; error?: string }[];
  close(): Promise<void>;
}

/** Largest batch of `POST /orders` (Polymarket's limit). */
export const MAX_BATCH = 15;

const END_CURSOR = "LTE=";

const page = <T>(data: T[]) => ({ limit: data.length, count: data.length, next_cursor: END_CURSOR, data });

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ClobApiError(400, message);
  return result.data;
}

export async function startClobService(config: ClobServiceConfig): Promise<ClobService> {
  const { engine } = config;
  const keys = new ApiKeyStore(config.chainId, config.authWindowSeconds ?? 300);
  const served: { method: string; path: string; status: number; error?: string }[] = [];
  const now = () => Math.floor(Date.now() / 1000);

  const tokenOf = (value: string | null): bigint => {
    const parsed = tokenIdParam.safeParse(value);
    if (!parsed.success) throw new ClobApiError(400, ERRORS.tokenId);
    return BigInt(parsed.data);
  };
  const knownToken = (value: string | null) => {
    const token = tokenOf(value);
    const info = engine.tokenInfo(token);
    if (!info) throw new ClobApiError(404, ERRORS.marketNotFound);
    return { token, ...info };
  };
  const midpoint = (token: bigint): string => {
    const { bid, ask } = engine.bestPrices(token);
    if (bid === undefined || ask === undefined) throw new ClobApiError(404, ERRORS.noBook);
    // half a 0.0001 tick is representable in 5 decimals
    return formatUnits((bid + ask) * 5n, 5);
  };
  const sidePrice = (token: bigint, side: string | undefined): string => {
    if (side !== "BUY" && side !== "SELL") throw new ClobApiError(400, "Invalid side");
    // Polymarket: the best bid for BUY, the best ask for SELL
    const { bid, ask } = engine.bestPrices(token);
    const price = side === "BUY" ? bid : ask;
    if (price === undefined) throw new ClobApiError(404, ERRORS.noBook);
    return formatPrice(price);
  };
  const marketView = (m: ReturnType<ClobEngine["listMarkets"]>[number]) => ({
    condition_id: m.conditionId,
    question: m.question,
    market_slug: m.slug,
    tokens: m.tokens.map((t, i) => {
      const { bid, ask } = engine.bestPrices(t);
      const mid = bid !== undefined && ask !== undefined ? (bid + ask) / 2n : (bid ?? ask ?? 0n);
      return {
        token_id: t.toString(),
        outcome: m.outcomes[i],
        price: Number(mid) / Number(PRICE_SCALE),
        winner: false,
      };
    }),
    active: true,
    closed: false,
    accepting_orders: true,
    minimum_order_size: Number(m.minOrderSize) / 1e6,
    minimum_tick_size: Number(m.tickSize),
    neg_risk: m.negRisk,
    neg_risk_market_id: m.negRiskMarketId ?? "",
    maker_base_fee: Number(m.feeRateBps),
    taker_base_fee: Number(m.feeRateBps),
  });

  async function l1(headers: http.IncomingHttpHeaders) {
    return keys.verifyL1(headers, now());
  }
  function l2(headers: http.IncomingHttpHeaders, method: string, path: string, raw: string): ApiCredentials {
    return keys.verifyL2(headers, method, path, raw, now());
  }

  async function route(req: http.IncomingMessage, url: URL, raw: string): Promise<unknown> {
    const method = req.method ?? "GET";
    const path = url.pathname;
    const q = url.searchParams;
    const body = (): unknown => {
      if (raw.length === 0) return undefined;
      try {
        return JSON.parse(raw);
      } catch {
        throw new ClobApiError(400, ERRORS.payload);
      }
    };
    const key = `${method} ${path}`;
    switch (key) {
      case "GET /":
        return "OK";
      case "GET /time":
        return now();
      case "GET /book":
        return engine.book(tokenOf(q.get("token_id")));
      case "POST /books":
        return parse(bookParams, body(), "Invalid payload").map((p) => engine.book(BigInt(p.token_id)));
      case "GET /price":
        return { price: sidePrice(tokenOf(q.get("token_id")), q.get("side") ?? undefined) };
      case "POST /prices": {
        const out: Record<string, Record<string, string>> = {};
        for (const p of parse(bookParams, body(), "Invalid payload")) {
          const side = p.side ?? "BUY";
          out[p.token_id] = { ...out[p.token_id], [side]: sidePrice(BigInt(p.token_id), side) };
        }
        return out;
      }
      case "GET /midpoint":
        return { mid: midpoint(tokenOf(q.get("token_id"))) };
      case "POST /midpoints":
        return Object.fromEntries(
          parse(bookParams, body(), "Invalid payload").map((p) => [p.token_id, midpoint(BigInt(p.token_id))]),
        );
      case "GET /spread": {
        const { bid, ask } = engine.bestPrices(tokenOf(q.get("token_id")));
        if (bid === undefined || ask === undefined) throw new ClobApiError(404, ERRORS.noBook);
        return { spread: formatPrice(ask - bid) };
      }
      case "GET /last-trade-price": {
        const token = tokenOf(q.get("token_id"));
        const last = engine.lastTradePrice(token);
        return { price: last === undefined ? "0.5" : formatPrice(last), side: "" };
      }
      case "GET /tick-size":
        return { minimum_tick_size: Number(knownToken(q.get("token_id")).market.tickSize) };
      case "GET /neg-risk":
        return { neg_risk: knownToken(q.get("token_id")).market.negRisk };
      case "GET /fee-rate":
        return { base_fee: Number(knownToken(q.get("token_id")).market.feeRateBps) };
      case "GET /markets":
        return page(engine.listMarkets().map(marketView));
      case "POST /auth/api-key": {
        const { address, nonce } = await l1(req.headers);
        const creds = keys.create(address, nonce);
        if (!creds) throw new ClobApiError(400, "Could not create api key");
        return { apiKey: creds.apiKey, secret: creds.secret, passphrase: creds.passphrase };
      }
      case "GET /auth/derive-api-key": {
        const { address, nonce } = await l1(req.headers);
        const creds = keys.derive(address, nonce);
        if (!creds) throw new ClobApiError(400, "Could not derive api key!");
        return { apiKey: creds.apiKey, secret: creds.secret, passphrase: creds.passphrase };
      }
      case "GET /auth/api-keys": {
        const creds = l2(req.headers, method, path, raw);
        return { apiKeys: keys.keysOf(creds.address).map((c) => c.apiKey) };
      }
      case "DELETE /auth/api-key": {
        keys.revoke(l2(req.headers, method, path, raw).apiKey);
        return "OK";
      }
      case "POST /order": {
        const creds = l2(req.headers, method, path, raw);
        return engine.post(toPostedOrder(parse(postOrderBody, body(), ERRORS.payload)), creds);
      }
      case "POST /orders": {
        const creds = l2(req.headers, method, path, raw);
        const payload = body();
        if (Array.isArray(payload) && payload.length > MAX_BATCH)
          throw new ClobApiError(
            400,
            `Too many orders in payload: ${payload.length}, max allowed: ${MAX_BATCH}`,
          );
        const orders = parse(postOrdersBody, payload, ERRORS.payload);
        const results = [];
        for (const o of orders) {
          try {
            results.push(await engine.post(toPostedOrder(o), creds));
          } catch (error) {
            if (!(error instanceof ClobApiError)) throw error;
            results.push({
              success: false,
              errorMsg: error.message,
              orderID: "",
              transactionsHashes: [],
              status: "",
              takingAmount: "",
              makingAmount: "",
            });
          }
        }
        return results;
      }
      case "DELETE /order": {
        const creds = l2(req.headers, method, path, raw);
        const { orderID } = parse(cancelOrderBody, body(), ERRORS.payload);
        return engine.cancel([orderID as Hex], creds);
      }
      case "DELETE /orders": {
        const creds = l2(req.headers, method, path, raw);
        return engine.cancel(parse(cancelOrdersBody, body(), ERRORS.payload) as Hex[], creds);
      }
      case "DELETE /cancel-all": {
        const creds = l2(req.headers, method, path, raw);
        return engine.cancel(engine.liveOrderIds(creds, {}), creds);
      }
      case "DELETE /cancel-market-orders": {
        const creds = l2(req.headers, method, path, raw);
        const filter = parse(cancelMarketBody, body() ?? {}, ERRORS.payload);
        return engine.cancel(
          engine.liveOrderIds(creds, {
            ...(filter.market ? { market: filter.market } : {}),
            ...(filter.asset_id ? { assetId: filter.asset_id } : {}),
          }),
          creds,
        );
      }
      case "GET /data/orders": {
        const creds = l2(req.headers, method, path, raw);
        return page(
          engine.openOrders(creds, {
            ...(q.get("id") ? { id: q.get("id") as string } : {}),
            ...(q.get("market") ? { market: q.get("market") as string } : {}),
            ...(q.get("asset_id") ? { assetId: q.get("asset_id") as string } : {}),
          }),
        );
      }
      case "GET /data/trades": {
        const creds = l2(req.headers, method, path, raw);
        await engine.refreshTrades();
        const time = (name: string) => {
          const v = q.get(name);
          if (v === null) return {};
          if (!/^\d{1,12}$/.test(v)) throw new ClobApiError(400, "Invalid trade params payload");
          return { [name]: Number(v) };
        };
        return page(
          engine.tradeViews(creds, {
            ...(q.get("id") ? { id: q.get("id") as string } : {}),
            ...(q.get("market") ? { market: q.get("market") as string } : {}),
            ...(q.get("asset_id") ? { assetId: q.get("asset_id") as string } : {}),
            ...(q.get("maker_address") ? { makerAddress: q.get("maker_address") as string } : {}),
            ...time("before"),
            ...time("after"),
          }),
        );
      }
    }
    if (method === "GET" && path.startsWith("/markets/")) {
      const market = engine.market(path.slice("/markets/".length));
      if (!market) throw new ClobApiError(404, ERRORS.marketNotFound);
      return marketView(market);
    }
    if (method === "GET" && path.startsWith("/data/order/")) {
      const creds = l2(req.headers, method, path, raw);
      const id = orderId.safeParse(path.slice("/data/order/".length));
      if (!id.success) throw new ClobApiError(400, ERRORS.orderId);
      const view = engine.orderView(id.data as Hex, creds);
      if (!view) throw new ClobApiError(404, ERRORS.notFound);
      return view;
    }
    throw new ClobApiError(404, `no route ${method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const method = req.method ?? "GET";
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      let status = 200;
      let payload: unknown;
      let error: string | undefined;
      try {
        let raw = "";
        for await (const chunk of req) raw += chunk;
        payload = await route(req, url, raw);
      } catch (e) {
        const apiError =
          e instanceof ClobApiError
            ? e
            : e instanceof AuthError
              ? new ClobApiError(401, e.message)
              : new ClobApiError(500, e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e));
        status = apiError.status;
        error = apiError.message;
        payload = { error: apiError.message };
      }
      served.push({ method, path: url.pathname, status, ...(error ? { error } : {}) });
      res.statusCode = status;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(payload));
    })();
  });
  await new Promise<void>((resolve) => server.listen(config.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    keys,
    served,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

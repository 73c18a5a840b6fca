import { type ApiKeyCreds, type BookParams, ClobClient, OrderType } from "@polymarket/clob-client";
import type { Account, Chain, Transport, WalletClient } from "viem";
import { z } from "zod";
import { clobBookSchema } from "../../signals/polymarketClob.js";
import { type ConnectorOrder, toSignedOrder } from "./orders.js";

/**
 * The keeper's client of a Polymarket CLOB (the real one or the local service): @polymarket/clob-client's
 * ClobClient for books, orders and trades, with every response validated before the keeper uses it. A
 * refused request or a response of the wrong shape is a `ClobRequestError` naming the endpoint.
 */

export class ClobRequestError extends Error {
  override readonly name = "ClobRequestError";
  constructor(
    readonly endpoint: string,
    readonly status: number | undefined,
    readonly reason: string,
  ) {
    super(`CLOB ${endpoint}: ${reason}${status === undefined ? "" : ` (HTTP ${status})`}`);
  }
}

const decimal = z.string().regex(/^\d+(\.\d+)?$/, "expected a decimal string");
const orderId = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte order hash");
const txHash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a transaction hash");

export const bookSchema = clobBookSchema.and(
  z.object({
    tick_size: z.enum(["0.1", "0.01", "0.001", "0.0001"]),
    min_order_size: decimal,
    neg_risk: z.boolean(),
  }),
);
export type ClobBook = z.output<typeof bookSchema>;

const credsSchema = z.object({
  key: z.string().min(1),
  secret: z.string().min(1),
  passphrase: z.string().min(1),
});

export const postResultSchema = z.discriminatedUnion("success", [
  z.object({
    success: z.literal(true),
    errorMsg: z.string(),
    orderID: orderId,
    transactionsHashes: z.array(txHash),
    status: z.enum(["live", "matched", "delayed", "unmatched"]),
    takingAmount: z.union([decimal, z.literal("")]),
    makingAmount: z.union([decimal, z.literal("")]),
  }),
  z.object({ success: z.literal(false), errorMsg: z.string().min(1) }).loose(),
]);
export type PostResult = z.output<typeof postResultSchema>;

export const openOrderSchema = z.object({
  id: orderId,
  status: z.string().min(1),
  owner: z.string(),
  maker_address: z.string(),
  market: z.string(),
  asset_id: z.string().regex(/^\d{1,80}$/),
  side: z.enum(["BUY", "SELL"]),
  original_size: decimal,
  size_matched: decimal,
  price: decimal,
  associate_trades: z.array(z.string()),
  outcome: z.string(),
  created_at: z.number(),
  expiration: z.string(),
  order_type: z.string(),
});
export type OpenOrder = z.output<typeof openOrderSchema>;

export const tradeSchema = z.object({
  id: z.string().min(1),
  taker_order_id: orderId,
  market: z.string(),
  asset_id: z.string().regex(/^\d{1,80}$/),
  side: z.enum(["BUY", "SELL"]),
  size: decimal,
  fee_rate_bps: decimal,
  price: decimal,
  status: z.enum(["MATCHED", "MINED", "CONFIRMED", "RETRYING", "FAILED"]),
  match_time: z.string(),
  outcome: z.string(),
  maker_address: z.string(),
  transaction_hash: z.string(),
  trader_side: z.enum(["TAKER", "MAKER"]),
  maker_orders: z.array(
    z.object({
      order_id: orderId,
      maker_address: z.string(),
      matched_amount: decimal,
      price: decimal,
      asset_id: z.string(),
      side: z.enum(["BUY", "SELL"]),
    }),
  ),
});
export type Trade = z.output<typeof tradeSchema>;

const cancelSchema = z.object({
  canceled: z.array(z.string()),
  not_canceled: z.record(z.string(), z.string()),
});

type Signer = WalletClient<Transport, Chain | undefined, Account>;

export interface ClobConnection {
  /** CLOB base URL (https://clob.polymarket.com or the local service's URL) */
  readonly host: string;
  readonly chainId: number;
  /** the EOA that owns the API key (the keeper's key); POLY_1271 orders need no signature from it */
  readonly signer: Signer;
  /** existing API credentials; without them `connect` creates or derives them (L1) */
  readonly creds?: ApiKeyCreds;
}

/** What a ClobClient call returned when it failed (clob-client answers `{ error, status }` or throws ApiError). */
function failureOf(raw: unknown): { reason: string; status: number | undefined } | undefined {
  if (raw && typeof raw === "object" && "error" in raw) {
    const { error, status } = raw as { error: unknown; status?: unknown };
    return {
      reason: typeof error === "string" ? error : JSON.stringify(error),
      status: typeof status === "number" ? status : undefined,
    };
  }
  return undefined;
}

export class PolymarketClob {
  private constructor(
    private readonly client: ClobClient,
    readonly creds: ApiKeyCreds,
  ) {}

  /** Connects with the given credentials, or creates (or derives, if they exist) the signer's API key. */
  static async connect(connection: ClobConnection): Promise<PolymarketClob> {
    let creds = connection.creds;
    if (!creds) {
      const l1 = new ClobClient(connection.host, connection.chainId, connection.signer);
      creds = await call("POST /auth/api-key", credsSchema, () => l1.createOrDeriveApiKey());
    }
    const client = new ClobClient(connection.host, connection.chainId, connection.signer, creds);
    return new PolymarketClob(client, creds);
  }

  book(tokenId: bigint): Promise<ClobBook> {
    return call("GET /book", bookSchema, () => this.client.getOrderBook(tokenId.toString()));
  }

  books(tokenIds: readonly bigint[]): Promise<ClobBook[]> {
    return call("POST /books", z.array(bookSchema), () =>
      this.client.getOrderBooks(tokenIds.map((t): BookParams => ({ token_id: t.toString() }) as BookParams)),
    );
  }

  /**
   * The fee rate the CLOB requires on the token's orders now. clob-client keeps each token's rate for
   * the client's lifetime, but Polymarket sets and changes fees per market and refuses an order signed
   * with another rate, so the cached entry is dropped before every read.
   */
  feeRateBps(tokenId: bigint): Promise<bigint> {
    delete this.client.feeRates[tokenId.toString()];
    return call("GET /fee-rate", z.number().int().nonnegative(), () =>
      this.client.getFeeRateBps(tokenId.toString()),
    ).then(BigInt);
  }

  tickSize(tokenId: bigint) {
    return call("GET /tick-size", z.enum(["0.1", "0.01", "0.001", "0.0001"]), () =>
      this.client.getTickSize(tokenId.toString()),
    );
  }

  negRisk(tokenId: bigint): Promise<boolean> {
    return call("GET /neg-risk", z.boolean(), () => this.client.getNegRisk(tokenId.toString()));
  }

  /** Posts one presigned connector order; a refusal is a ClobRequestError with the CLOB's message. */
  async postOrder(order: ConnectorOrder, orderType: OrderType = OrderType.GTD): Promise<PostResult> {
    return call("POST /order", postResultSchema, () =>
      this.client.postOrder(toSignedOrder(order), orderType),
    );
  }

  /** Posts up to 15 orders in one request; each result says whether that order was accepted. */
  async postOrders(
    orders: readonly { order: ConnectorOrder; orderType: OrderType }[],
  ): Promise<PostResult[]> {
    return call("POST /orders", z.array(postResultSchema), () =>
      this.client.postOrders(orders.map((o) => ({ order: toSignedOrder(o.order), orderType: o.orderType }))),
    );
  }

  cancelOrders(ids: readonly string[]) {
    return call("DELETE /orders", cancelSchema, () => this.client.cancelOrders([...ids]));
  }

  order(id: string): Promise<OpenOrder> {
    return call("GET /data/order", openOrderSchema, () => this.client.getOrder(id));
  }

  openOrders(filter: { market?: string; asset_id?: string } = {}): Promise<OpenOrder[]> {
    return call("GET /data/orders", z.array(openOrderSchema), () => this.client.getOpenOrders(filter));
  }

  trades(filter: { market?: string; asset_id?: string; id?: string } = {}): Promise<Trade[]> {
    return call("GET /data/trades", z.array(tradeSchema), () => this.client.getTrades(filter));
  }
}

/** Runs one ClobClient call and validates what it returns; any failure names the endpoint. */
async function call<S extends z.ZodType>(
  endpoint: string,
  schema: S,
  run: () => Promise<unknown>,
): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await run();
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    throw new ClobRequestError(
      endpoint,
      typeof status === "number" ? status : undefined,
      error instanceof Error ? error.message : String(error),
    );
  }
  const failure = failureOf(raw);
  if (failure) throw new ClobRequestError(endpoint, failure.status, failure.reason);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClobRequestError(
      endpoint,
      undefined,
      `unexpected response: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

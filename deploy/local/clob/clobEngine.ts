import { createHash, randomUUID } from "node:crypto";
import type { Address, Hex } from "viem";
import type { ApiCredentials } from "./auth.js";
import type { ExchangeGateway, ExchangeInfo, MatchCall } from "./exchangeGateway.js";
import { type MatchPlan, OrderBooks, type RestingOrder, restingShares, takingFor } from "./orderBook.js";
import {
  BUY,
  type ExchangeOrder,
  type OrderType,
  SIGNATURE_TYPE_EOA,
  type TickSize,
  formatAmount,
  formatPrice,
  limitPrice,
  orderHash,
  orderShares,
  tickUnits,
} from "./orders.js";
import type { PostedOrder } from "./payloads.js";

/**
 * The CLOB's state and rules, without HTTP: markets, resting orders, order and trade records, and
 * the acceptance of an order (checks, on-chain validation, price-time matching, the operator's
 * `matchOrders`). Orders are processed one at a time, each after the previous match has been mined,
 * so every check and every plan sees the chain state the transaction will meet.
 */

export interface ClobMarket {
  readonly conditionId: Hex;
  readonly question: string;
  readonly slug: string;
  /** [YES, NO] outcome tokens */
  readonly tokens: readonly [bigint, bigint];
  readonly outcomes: readonly [string, string];
  readonly negRisk: boolean;
  /** the negRisk adapter's market id of the group, for negRisk markets */
  readonly negRiskMarketId: Hex | null;
  /** the CTF Exchange that settles it (the NegRisk CTF Exchange for negRisk markets) */
  readonly exchange: Address;
  readonly tickSize: TickSize;
  /** least order size in outcome tokens, 6 decimals */
  readonly minOrderSize: bigint;
  /** the fee rate every order on this market must be signed with */
  readonly feeRateBps: bigint;
  /** where the market's seed quotes come from (shown in docs and `npm start`) */
  readonly source: string;
}

/** A refused request: HTTP status and the real API's error string where it has one. */
export class ClobApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const ERRORS = {
  payload: "Invalid order payload",
  owner: "the order owner has to be the owner of the API KEY",
  signer: "the order signer address has to be the address of the API KEY",
  tokenId: "Invalid token id",
  noBook: "No orderbook exists for the requested token id",
  paused: "Trading is currently disabled. Check polymarket.com for updates",
  balance: "not enough balance / allowance",
  nonce: "invalid nonce",
  expiration: "invalid expiration",
  signature: "invalid signature",
  cancelledOnChain: "order canceled in the CTF exchange contract",
  postOnly: "invalid post-only order: order crosses book",
  fok: "order couldn't be fully filled. FOK orders are fully filled or killed.",
  fak: "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.",
  execution: "could not run the execution",
  insert: "could not insert order",
  orderId: "Invalid orderID",
  notFound: "order not found",
  marketNotFound: "market not found",
} as const;

const tickError = (id: Hex, order: ExchangeOrder, tick: TickSize) => {
  const [collateral, tokens] =
    order.side === BUY ? [order.makerAmount, order.takerAmount] : [order.takerAmount, order.makerAmount];
  const approx = tokens === 0n ? "0" : String(Number(collateral) / Number(tokens));
  return `order ${id} is invalid. Price (${approx}) breaks minimum tick size rule: ${tick}`;
};

const sizeError = (id: Hex, size: bigint, min: bigint) =>
  `order ${id} is invalid. Size (${formatAmount(size)}) lower than the minimum: ${formatAmount(min)}`;

/** Fee rates are fixed per market here; the real API names no server message for a mismatch. */
const feeError = (fee: bigint, market: bigint) =>
  `order is invalid. Fee rate (${fee} bps) is not the market's fee rate: ${market} bps`;

/** The exchange's custom errors (from validateOrder) as the API's messages. */
const VALIDATION_ERRORS: Readonly<Record<string, string>> = {
  InvalidSignature: ERRORS.signature,
  OrderExpired: ERRORS.expiration,
  InvalidNonce: ERRORS.nonce,
  OrderFilledOrCancelled: ERRORS.cancelledOnChain,
  InvalidTokenId: ERRORS.tokenId,
  Paused: ERRORS.paused,
};

export type OrderStatus = "LIVE" | "MATCHED" | "CANCELED";
export type TradeStatus = "MATCHED" | "MINED" | "CONFIRMED" | "FAILED";

export interface OrderRecord {
  readonly id: Hex;
  readonly order: ExchangeOrder;
  readonly owner: string;
  readonly ownerAddress: Address;
  readonly orderType: OrderType;
  readonly price: bigint;
  readonly market: ClobMarket;
  readonly outcome: string;
  readonly originalShares: bigint;
  readonly createdAt: number;
  matchedShares: bigint;
  status: OrderStatus;
  readonly trades: string[];
}

export interface TradeRecord {
  readonly id: string;
  readonly taker: OrderRecord;
  readonly makers: readonly { record: OrderRecord; shares: bigint }[];
  readonly plan: MatchPlan;
  readonly matchTime: number;
  readonly transactionHash: Hex;
  status: TradeStatus;
  lastUpdate: number;
  minedBlock: bigint | null;
}

export interface PostResult {
  readonly success: true;
  readonly errorMsg: "";
  readonly orderID: Hex;
  readonly transactionsHashes: Hex[];
  readonly status: "matched" | "live";
  readonly takingAmount: string;
  readonly makingAmount: string;
}

export interface ClobEngineOptions {
  readonly chainId: number;
  /** blocks after the mined block before a trade reads CONFIRMED (default 1) */
  readonly confirmations?: bigint;
  /** a GTD order must expire at least this many seconds from now (Polymarket's one-minute threshold) */
  readonly gtdThresholdSeconds?: bigint;
  /**
   * The market clock in ms (default the wall clock): book timestamps, order expiry, trade times.
   * `npm start` runs it on its accelerated clock; API authentication always uses the wall clock.
   */
  readonly clock?: () => number;
}

export class ClobEngine {
  readonly books = new OrderBooks();
  private readonly markets = new Map<Hex, ClobMarket>();
  private readonly tokens = new Map<bigint, { market: ClobMarket; index: 0 | 1 }>();
  private readonly exchanges = new Map<Address, ExchangeInfo>();
  private readonly records = new Map<Hex, OrderRecord>();
  private readonly trades: TradeRecord[] = [];
  private readonly lastTrade = new Map<bigint, bigint>();
  private pending: TradeRecord[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly confirmations: bigint;
  private readonly gtdThreshold: bigint;

  constructor(
    readonly gateway: ExchangeGateway,
    private readonly options: ClobEngineOptions,
  ) {
    this.confirmations = options.confirmations ?? 1n;
    this.gtdThreshold = options.gtdThresholdSeconds ?? 60n;
    this.clock = options.clock ?? Date.now;
  }

  private readonly clock: () => number;

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  async addMarket(market: ClobMarket): Promise<void> {
    if (!this.exchanges.has(market.exchange))
      this.exchanges.set(market.exchange, await this.gateway.describe(market.exchange));
    this.markets.set(market.conditionId, market);
    this.tokens.set(market.tokens[0], { market, index: 0 });
    this.tokens.set(market.tokens[1], { market, index: 1 });
  }

  /**
   * Changes a market's fee rate, as Polymarket sets fees per market: from now on only orders signed with
   * the new rate are accepted (`GET /fee-rate` answers it); orders already resting keep their own.
   */
  setFeeRate(conditionId: Hex, feeRateBps: bigint): ClobMarket {
    const market = this.markets.get(conditionId);
    if (!market) throw new ClobApiError(404, ERRORS.marketNotFound);
    const changed: ClobMarket = { ...market, feeRateBps };
    this.markets.set(conditionId, changed);
    this.tokens.set(changed.tokens[0], { market: changed, index: 0 });
    this.tokens.set(changed.tokens[1], { market: changed, index: 1 });
    return changed;
  }

  listMarkets(): ClobMarket[] {
    return [...this.markets.values()];
  }

  market(conditionId: string): ClobMarket | undefined {
    return this.markets.get(conditionId.toLowerCase() as Hex) ?? this.markets.get(conditionId as Hex);
  }

  tokenInfo(tokenId: bigint): { market: ClobMarket; outcome: string; complement: bigint } | undefined {
    const entry = this.tokens.get(tokenId);
    if (!entry) return undefined;
    const { market, index } = entry;
    return { market, outcome: market.outcomes[index], complement: market.tokens[index === 0 ? 1 : 0] };
  }

  /** Runs `work` after everything queued before it (orders and cancels are processed one at a time). */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ------------------------------------------------------------------ books

  /** `GET /book`: the real response shape; bids ascending, asks descending (the best level last). */
  book(tokenId: bigint) {
    const info = this.tokenInfo(tokenId);
    if (!info) throw new ClobApiError(404, ERRORS.noBook);
    const { bids, asks } = this.books.levels(tokenId, info.complement);
    const level = (l: { price: bigint; shares: bigint }) => ({
      price: formatPrice(l.price),
      size: formatAmount(l.shares),
    });
    const summary = {
      market: info.market.conditionId,
      asset_id: tokenId.toString(),
      timestamp: this.clock().toString(),
      hash: "",
      bids: [...bids].reverse().map(level),
      asks: [...asks].reverse().map(level),
      min_order_size: formatAmount(info.market.minOrderSize),
      tick_size: info.market.tickSize,
      neg_risk: info.market.negRisk,
      last_trade_price: formatPrice(this.lastTrade.get(tokenId) ?? 0n),
    };
    // the same SHA-1 over the summary with an empty hash that clob-client's getOrderBookHash computes
    summary.hash = createHash("sha1").update(JSON.stringify(summary)).digest("hex");
    return summary;
  }

  /** Best bid and ask of a token in units of 0.0001 (undefined when that side is empty). */
  bestPrices(tokenId: bigint): { bid: bigint | undefined; ask: bigint | undefined } {
    const info = this.tokenInfo(tokenId);
    if (!info) throw new ClobApiError(404, ERRORS.noBook);
    const { bids, asks } = this.books.levels(tokenId, info.complement);
    return { bid: bids[0]?.price, ask: asks[0]?.price };
  }

  lastTradePrice(tokenId: bigint): bigint | undefined {
    return this.lastTrade.get(tokenId);
  }

  // ------------------------------------------------------------------ orders

  post(posted: PostedOrder, creds: ApiCredentials): Promise<PostResult> {
    return this.serial(() => this.postNow(posted, creds));
  }

  private async postNow(posted: PostedOrder, creds: ApiCredentials): Promise<PostResult> {
    const { order } = posted;
    if (posted.owner !== creds.apiKey) throw new ClobApiError(400, ERRORS.owner);
    // An EOA order is signed by the key's own address; a POLY_1271 order is authorised by its maker
    // contract on chain (isValidSignature), whoever posts it.
    if (order.signatureType === SIGNATURE_TYPE_EOA && order.signer !== creds.address)
      throw new ClobApiError(400, ERRORS.signer);
    const info = this.tokenInfo(order.tokenId);
    if (!info) throw new ClobApiError(400, ERRORS.tokenId);
    const { market } = info;
    await this.settlePending();
    const exchange = this.exchanges.get(market.exchange) as ExchangeInfo;
    if (await this.gateway.paused(market.exchange)) throw new ClobApiError(503, ERRORS.paused);

    const id = orderHash(order, this.options.chainId, market.exchange);
    if (this.records.has(id)) throw new ClobApiError(400, `order ${id} is invalid. Duplicated.`);
    const price = limitPrice(order, tickUnits(market.tickSize));
    if (price === undefined) throw new ClobApiError(400, tickError(id, order, market.tickSize));
    const shares = orderShares(order);
    if (shares < market.minOrderSize) throw new ClobApiError(400, sizeError(id, shares, market.minOrderSize));
    if (order.feeRateBps !== market.feeRateBps)
      throw new ClobApiError(400, feeError(order.feeRateBps, market.feeRateBps));
    const now = await this.gateway.chainTime();
    if (order.expiration !== 0n && order.expiration <= now) throw new ClobApiError(400, ERRORS.expiration);
    if (posted.orderType === "GTD" && (order.expiration === 0n || order.expiration < now + this.gtdThreshold))
      throw new ClobApiError(400, ERRORS.expiration);

    const invalid = await this.gateway.validateOrder(market.exchange, order);
    if (invalid !== undefined)
      throw new ClobApiError(400, VALIDATION_ERRORS[invalid] ?? `${ERRORS.insert}: ${invalid}`);
    const onChain = await this.gateway.remainingOnChain(market.exchange, order, id);
    if (onChain === 0n) throw new ClobApiError(400, ERRORS.cancelledOnChain);
    if (!(await this.fundsCover(exchange, order, onChain))) throw new ClobApiError(400, ERRORS.balance);

    this.expire(now);
    const record: OrderRecord = {
      id,
      order,
      owner: creds.apiKey,
      ownerAddress: creds.address,
      orderType: posted.orderType,
      price,
      market,
      outcome: info.outcome,
      originalShares: shares,
      createdAt: this.nowSeconds(),
      matchedShares: 0n,
      status: "LIVE",
      trades: [],
    };
    // an order partly filled on chain before (fillOrder, another venue) offers only what is left
    const open = order.side === BUY ? takingFor(order, onChain) : onChain;
    record.matchedShares = shares - open;
    const taker = { order, price, shares: open, complement: info.complement, now };
    const exclude = new Set<Hex>();
    for (let round = 0; ; round++) {
      const plan = this.books.plan({ ...taker, exclude });
      if (plan.fills.length > 0 && posted.postOnly) throw new ClobApiError(400, ERRORS.postOnly);
      if (posted.orderType === "FOK" && plan.shares < taker.shares) throw new ClobApiError(400, ERRORS.fok);
      if (posted.orderType === "FAK" && plan.fills.length === 0) throw new ClobApiError(400, ERRORS.fak);
      if (plan.fills.length === 0) return this.rest(record, onChain, 0n);
      const call: MatchCall = {
        exchange: market.exchange,
        taker: order,
        makers: plan.fills.map((f) => f.maker.order),
        takerFillAmount: plan.takerFillAmount,
        makerFillAmounts: plan.fills.map((f) => f.making),
      };
      const failure = await this.gateway.simulateMatch(call);
      if (failure === undefined) return this.execute(record, plan, call, onChain);
      // A maker that is no longer valid on chain (cancelled there, nonce bumped, funds moved) leaves the
      // book and the match is planned again without it; if every maker is sound, the taker is refused.
      const dropped = await this.dropInvalidMakers(plan, now);
      for (const d of dropped) exclude.add(d);
      if (dropped.length === 0 || round >= 3) throw new ClobApiError(400, `${ERRORS.execution}: ${failure}`);
    }
  }

  /** Whether the maker's balance and allowance cover this order on top of its open orders on the same asset. */
  private async fundsCover(exchange: ExchangeInfo, order: ExchangeOrder, amount: bigint): Promise<boolean> {
    const { balance, spendable } = await this.gateway.funds(exchange, order);
    let reservedBalance = 0n;
    let reservedSpend = 0n;
    for (const r of this.books.all()) {
      if (r.order.maker !== order.maker || r.order.side !== order.side) continue;
      if (order.side !== BUY && r.order.tokenId !== order.tokenId) continue;
      const rec = this.records.get(r.id);
      if (
        order.side === BUY &&
        rec &&
        this.exchanges.get(rec.market.exchange)?.collateral !== exchange.collateral
      )
        continue;
      reservedBalance += r.remaining;
      if (rec?.market.exchange === exchange.address) reservedSpend += r.remaining;
    }
    return balance >= reservedBalance + amount && spendable >= reservedSpend + amount;
  }

  private async dropInvalidMakers(plan: MatchPlan, now: bigint): Promise<Hex[]> {
    const dropped: Hex[] = [];
    for (const fill of plan.fills) {
      const rec = this.records.get(fill.maker.id);
      if (!rec) continue;
      const exchange = this.exchanges.get(rec.market.exchange) as ExchangeInfo;
      const invalid = await this.gateway.validateOrder(rec.market.exchange, rec.order);
      const funded =
        invalid === undefined && (await this.gateway.funds(exchange, rec.order)).spendable >= fill.making;
      if (invalid === undefined && funded) continue;
      this.books.remove(rec.id);
      rec.status = "CANCELED";
      dropped.push(rec.id);
    }
    this.expire(now);
    return dropped;
  }

  /** Puts a GTC/GTD order's unmatched part on the book; a FOK/FAK remainder is killed. */
  private rest(
    record: OrderRecord,
    onChain: bigint,
    spent: bigint,
    hashes: Hex[] = [],
    plan?: MatchPlan,
  ): PostResult {
    this.records.set(record.id, record);
    const left = record.originalShares - record.matchedShares;
    const rests = (record.orderType === "GTC" || record.orderType === "GTD") && left > 0n;
    if (rests) {
      const o = record.order;
      const forShares = o.side === BUY ? (left * o.makerAmount + o.takerAmount - 1n) / o.takerAmount : left;
      const available = onChain - spent;
      const resting: RestingOrder = {
        id: record.id,
        order: o,
        price: record.price,
        remaining: forShares < available ? forShares : available,
        sequence: this.books.nextSequence(),
      };
      if (restingShares(resting) > 0n) this.books.add(resting);
      else record.status = "MATCHED";
    } else {
      record.status = "MATCHED";
    }
    return {
      success: true,
      errorMsg: "",
      orderID: record.id,
      transactionsHashes: hashes,
      status: plan ? "matched" : "live",
      takingAmount: plan ? formatAmount(plan.takerReceives) : "",
      makingAmount: plan ? formatAmount(plan.takerFillAmount) : "",
    };
  }

  private async execute(
    record: OrderRecord,
    plan: MatchPlan,
    call: MatchCall,
    onChain: bigint,
  ): Promise<PostResult> {
    const hash = await this.gateway.sendMatch(call);
    this.books.apply(plan);
    const trade: TradeRecord = {
      id: randomUUID(),
      taker: record,
      makers: plan.fills.map((f) => ({
        record: this.records.get(f.maker.id) as OrderRecord,
        shares: f.shares,
      })),
      plan,
      matchTime: this.nowSeconds(),
      transactionHash: hash,
      status: "MATCHED",
      lastUpdate: this.nowSeconds(),
      minedBlock: null,
    };
    for (const { record: maker, shares } of trade.makers) {
      maker.matchedShares += shares;
      maker.trades.push(trade.id);
      if (!this.books.get(maker.id)) maker.status = "MATCHED";
    }
    record.matchedShares += plan.shares;
    record.trades.push(trade.id);
    this.trades.push(trade);
    this.pending.push(trade);
    this.lastTrade.set(record.order.tokenId, record.price);
    return this.rest(record, onChain, plan.takerFillAmount, [hash], plan);
  }

  /** Waits for every submitted match; a reverted one reads FAILED and its makers go back on the book. */
  private async settlePending(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const trade of pending) {
      const receipt = await this.gateway.client.waitForTransactionReceipt({ hash: trade.transactionHash });
      trade.lastUpdate = this.nowSeconds();
      if (receipt.status === "success") {
        trade.status = "MINED";
        trade.minedBlock = receipt.blockNumber;
        continue;
      }
      trade.status = "FAILED";
      trade.taker.matchedShares -= trade.plan.shares;
      for (const [i, fill] of trade.plan.fills.entries()) {
        const maker = trade.makers[i]?.record;
        if (!maker) continue;
        maker.matchedShares -= fill.shares;
        const resting = this.books.get(maker.id);
        if (resting) resting.remaining += fill.making;
        else this.books.add({ ...fill.maker, remaining: fill.making });
        maker.status = "LIVE";
      }
    }
  }

  /** Trades read CONFIRMED once `confirmations` blocks sit on top of the one they were mined in. */
  async refreshTrades(): Promise<void> {
    await this.serial(() => this.settlePending());
    const head = await this.gateway.client.getBlockNumber();
    for (const trade of this.trades) {
      if (
        trade.status === "MINED" &&
        trade.minedBlock !== null &&
        head >= trade.minedBlock + this.confirmations
      ) {
        trade.status = "CONFIRMED";
        trade.lastUpdate = this.nowSeconds();
      }
    }
  }

  private expire(now: bigint): void {
    for (const gone of this.books.pruneExpired(now)) {
      const rec = this.records.get(gone.id);
      if (rec) rec.status = "CANCELED";
    }
  }

  // ------------------------------------------------------------------ cancels and reads

  /** `DELETE /order(s)`: takes the caller's live orders off the book (the signatures stay valid on chain). */
  cancel(
    ids: readonly Hex[],
    creds: ApiCredentials,
  ): Promise<{ canceled: Hex[]; not_canceled: Record<string, string> }> {
    return this.serial(async () => {
      const canceled: Hex[] = [];
      const notCanceled: Record<string, string> = {};
      for (const id of ids) {
        const rec = this.records.get(id);
        if (!rec || !this.owns(rec, creds)) notCanceled[id] = "Order not found";
        else if (rec.status !== "LIVE")
          notCanceled[id] = "order can't be canceled: it is already matched or canceled";
        else {
          this.books.remove(id);
          rec.status = "CANCELED";
          canceled.push(id);
        }
      }
      return { canceled, not_canceled: notCanceled };
    });
  }

  /** Ids of the caller's live orders, optionally in one market or on one token. */
  liveOrderIds(creds: ApiCredentials, filter: { market?: string; assetId?: string }): Hex[] {
    return [...this.records.values()]
      .filter((r) => r.status === "LIVE" && this.owns(r, creds))
      .filter((r) => !filter.market || r.market.conditionId === filter.market)
      .filter((r) => !filter.assetId || r.order.tokenId.toString() === filter.assetId)
      .map((r) => r.id);
  }

  private owns(rec: OrderRecord, creds: ApiCredentials): boolean {
    return (
      rec.owner === creds.apiKey || rec.ownerAddress === creds.address || rec.order.maker === creds.address
    );
  }

  /** `GET /data/order/:id` (the caller's own orders only). */
  orderView(id: Hex, creds: ApiCredentials) {
    const rec = this.records.get(id);
    if (!rec || !this.owns(rec, creds)) return undefined;
    return openOrderView(rec);
  }

  openOrders(creds: ApiCredentials, filter: { id?: string; market?: string; assetId?: string }) {
    return [...this.records.values()]
      .filter((r) => r.status === "LIVE" && this.owns(r, creds))
      .filter((r) => !filter.id || r.id === filter.id)
      .filter((r) => !filter.market || r.market.conditionId === filter.market)
      .filter((r) => !filter.assetId || r.order.tokenId.toString() === filter.assetId)
      .map(openOrderView);
  }

  /** `GET /data/trades`: trades the caller took part in, as taker or as maker. */
  tradeViews(
    creds: ApiCredentials,
    filter: {
      id?: string;
      market?: string;
      assetId?: string;
      makerAddress?: string;
      before?: number;
      after?: number;
    },
  ) {
    return this.trades
      .filter((t) => this.owns(t.taker, creds) || t.makers.some((m) => this.owns(m.record, creds)))
      .filter((t) => !filter.id || t.id === filter.id)
      .filter((t) => !filter.market || t.taker.market.conditionId === filter.market)
      .filter((t) => !filter.assetId || t.taker.order.tokenId.toString() === filter.assetId)
      .filter(
        (t) =>
          !filter.makerAddress ||
          t.taker.order.maker.toLowerCase() === filter.makerAddress.toLowerCase() ||
          t.makers.some((m) => m.record.order.maker.toLowerCase() === filter.makerAddress?.toLowerCase()),
      )
      .filter((t) => filter.before === undefined || t.matchTime < filter.before)
      .filter((t) => filter.after === undefined || t.matchTime > filter.after)
      .map((t) => tradeView(t, this.owns(t.taker, creds) ? "TAKER" : "MAKER"));
  }

  /** Every trade, for the operator's view (`npm start` summary, tests). */
  allTrades(): readonly TradeRecord[] {
    return this.trades;
  }
}

function openOrderView(r: OrderRecord) {
  return {
    id: r.id,
    status: r.status,
    owner: r.owner,
    maker_address: r.order.maker,
    market: r.market.conditionId,
    asset_id: r.order.tokenId.toString(),
    side: r.order.side === BUY ? "BUY" : "SELL",
    original_size: formatAmount(r.originalShares),
    size_matched: formatAmount(r.matchedShares),
    price: formatPrice(r.price),
    associate_trades: [...r.trades],
    outcome: r.outcome,
    created_at: r.createdAt,
    expiration: r.order.expiration.toString(),
    order_type: r.orderType,
  };
}

function tradeView(t: TradeRecord, traderSide: "TAKER" | "MAKER") {
  const taker = t.taker;
  return {
    id: t.id,
    taker_order_id: taker.id,
    market: taker.market.conditionId,
    asset_id: taker.order.tokenId.toString(),
    side: taker.order.side === BUY ? "BUY" : "SELL",
    size: formatAmount(t.plan.shares),
    fee_rate_bps: taker.order.feeRateBps.toString(),
    price: formatPrice(taker.price),
    status: t.status,
    match_time: t.matchTime.toString(),
    last_update: t.lastUpdate.toString(),
    outcome: taker.outcome,
    bucket_index: 0,
    owner: taker.owner,
    maker_address: taker.order.maker,
    maker_orders: t.makers.map(({ record: m, shares }) => ({
      order_id: m.id,
      owner: m.owner,
      maker_address: m.order.maker,
      matched_amount: formatAmount(shares),
      price: formatPrice(m.price),
      fee_rate_bps: m.order.feeRateBps.toString(),
      asset_id: m.order.tokenId.toString(),
      outcome: m.outcome,
      side: m.order.side === BUY ? "BUY" : "SELL",
    })),
    transaction_hash: t.transactionHash,
    trader_side: traderSide,
  };
}

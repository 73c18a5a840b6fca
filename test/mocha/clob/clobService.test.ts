import {
  ApiError,
  ClobClient,
  ExchangeOrderBuilder,
  OrderSide,
  OrderType,
  SignatureType,
} from "@polymarket/clob-client";
import { expect } from "chai";
import { type Address, type Hex, erc20Abi, maxUint256, parseUnits, zeroAddress } from "viem";
import { deploy, projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import { ERRORS } from "../../../deploy/local/clob/clobEngine.js";
import { DEFAULT_DEPTH, type LocalClob, startLocalClob } from "../../../deploy/local/clob/localClob.js";
import {
  aprilSnapshotQuotes,
  aprilSpreadModel,
  januaryGroupQuotes,
  recordedDepthProfile,
} from "../../../deploy/local/clob/recordedQuotes.js";
import {
  conditionalTokensArtifact,
  deployConditionalTokens,
} from "../../../deploy/protocols/conditionalTokens.js";
import {
  type PolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
} from "../../../deploy/local/polymarketVenue.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { ClobRequestError, PolymarketClob } from "../../../keeper/venues/polymarket/clobClient.js";
import { buildConnectorOrder, connectorOrderHash } from "../../../keeper/venues/polymarket/orders.js";
import { localChain } from "../helpers/chain.js";

// The local CLOB service end to end: @polymarket/clob-client against it on a local chain with the
// CTF Exchange, books seeded with real signed maker orders from recorded quotes, a crossing order
// matched on chain by the operator, and every refusal with the API's message and nothing changed.

const USDC = (x: string) => parseUnits(x, 6);
const ONE = 10n ** 18n;

/** The exchange's fee (Polymarket's CalculatorHelper): BUY in outcome tokens, SELL in collateral. */
function exchangeFee(
  rateBps: bigint,
  tokens: bigint,
  making: bigint,
  taking: bigint,
  side: "BUY" | "SELL",
): bigint {
  if (rateBps === 0n) return 0n;
  const p = side === "BUY" ? (making * ONE) / taking : (taking * ONE) / making;
  const symmetric = p < ONE - p ? p : ONE - p;
  return side === "BUY"
    ? (rateBps * symmetric * tokens) / (p * 10_000n)
    : (rateBps * symmetric * tokens) / (10_000n * ONE);
}

describe("local CLOB service (clob-client against the local chain)", function () {
  let chain: Awaited<ReturnType<typeof localChain>>;
  let deployer: Clients;
  let clob: LocalClob;
  let chainId: number;
  let usdc: Address;
  let ctf: Address;
  let exchange: Address;
  let venue: PolymarketVenue;
  let market: { conditionId: Hex; yes: bigint; no: bigint; yesAsk: bigint; noAsk: bigint; fee: bigint };
  let trader: Clients;
  let client: ClobClient;
  const ctfAbi = conditionalTokensArtifact().abi;

  const balanceOf = (owner: Address, token: bigint) =>
    read<bigint>(deployer, { address: ctf, abi: ctfAbi, functionName: "balanceOf", args: [owner, token] });
  const usdcOf = (owner: Address) =>
    deployer.public.readContract({ address: usdc, abi: erc20Abi, functionName: "balanceOf", args: [owner] });

  /** A trader order at `price` (0.0001 units) for `shares` whole tokens, signed by clob-client's builder. */
  async function signedOrder(
    side: OrderSide,
    tokenId: bigint,
    price: bigint,
    shares: bigint,
    overrides: { feeRateBps?: bigint; expiration?: bigint; chainId?: number; exchange?: Address } = {},
  ) {
    const builder = new ExchangeOrderBuilder(
      overrides.exchange ?? exchange,
      overrides.chainId ?? chainId,
      trader.wallet,
    );
    const tokens = shares * 1_000_000n;
    const collateral = (tokens * price) / 10_000n;
    const me = trader.wallet.account.address;
    return builder.buildSignedOrder({
      maker: me,
      signer: me,
      taker: zeroAddress,
      tokenId: tokenId.toString(),
      makerAmount: (side === OrderSide.BUY ? collateral : tokens).toString(),
      takerAmount: (side === OrderSide.BUY ? tokens : collateral).toString(),
      side,
      feeRateBps: (overrides.feeRateBps ?? market.fee).toString(),
      nonce: "0",
      expiration: (overrides.expiration ?? 0n).toString(),
      signatureType: SignatureType.EOA,
    });
  }

  before(async function () {
    chain = await localChain();
    deployer = chain.deployer;
    chainId = await deployer.public.getChainId();
    ctf = await deployConditionalTokens(deployer);
    usdc = await deployMockToken(deployer, "USD Coin", "USDC", 6);
    const operator = chain.clientsFor(1);
    venue = await deployPolymarketVenue(
      deployer,
      { conditionalTokens: ctf, tokens: { usdc } },
      { operator: operator.wallet.account.address },
    );
    exchange = venue.exchange;
    clob = await startLocalClob({ deployer, operator: operator.wallet, venue, makers: 2 });
    // the most traded standalone market quoted in the middle of the price range
    const quote = (await aprilSnapshotQuotes({ count: 100, negRisk: false })).find(
      (q) =>
        q.yesAsk >= 2_000n &&
        q.yesAsk <= 8_000n &&
        q.yesAsk + q.noAsk >= 10_000n + 2n * (q.tickSize === "0.01" ? 100n : 10n),
    );
    const prepared = await preparePolymarketBinary(deployer, venue, quote!.question);
    const listed = await clob.addMarket(prepared, quote!);
    market = {
      conditionId: prepared.conditionId,
      yes: prepared.yesTokenId,
      no: prepared.noTokenId,
      yesAsk: quote!.yesAsk,
      noAsk: quote!.noAsk,
      fee: listed.feeRateBps,
    };

    trader = chain.clientsFor(2);
    await mintMockToken(deployer, usdc, trader.wallet.account.address, USDC("1000"));
    await send(trader, {
      address: usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [exchange, maxUint256],
    });
    const l1 = new ClobClient(clob.url, chainId, trader.wallet);
    const created = await l1.createApiKey();
    expect(created.key).to.be.a("string");
    expect(await l1.deriveApiKey()).to.deep.equal(created);
    client = new ClobClient(clob.url, chainId, trader.wallet, created);
  });

  after(async function () {
    await clob?.close();
  });

  it("serves the seeded book in the real shape: the recorded best asks of both outcomes, the YES bid at 1 − the NO ask, recorded depth profile", async function () {
    expect(DEFAULT_DEPTH).to.deep.equal(await recordedDepthProfile());
    const book = await client.getOrderBook(market.yes.toString());
    const price = (units: bigint) => (Number(units) / 10_000).toString();
    expect(book.asks.at(-1)).to.deep.equal({ price: price(market.yesAsk), size: "100" });
    expect(book.bids.at(-1)).to.deep.equal({ price: price(10_000n - market.noAsk), size: "100" });
    expect(book.asks.map((l) => l.size)).to.deep.equal(["96", "281", "100"]);
    expect(book.market).to.equal(market.conditionId);
    expect(book.neg_risk).to.equal(false);
    const hash = book.hash;
    expect(await client.getOrderBookHash(book)).to.equal(hash);
    expect(await client.getTickSize(market.yes.toString())).to.equal(book.tick_size);
    expect(await client.getFeeRateBps(market.yes.toString())).to.equal(Number(market.fee));
    expect(await client.getNegRisk(market.yes.toString())).to.equal(false);
    const books = await client.getOrderBooks([{ token_id: market.no.toString() }] as never);
    expect(books[0]!.asks.at(-1)!.price).to.equal(price(market.noAsk));
    expect(await client.getPrice(market.yes.toString(), "SELL")).to.deep.equal({
      price: price(market.yesAsk),
    });
  });

  it("a BUY that crosses the ask is matched on chain by the operator: tokens and collateral move, the trade goes MATCHED → MINED → CONFIRMED", async function () {
    const me = trader.wallet.account.address;
    const maker = clob.makers[0]!.account.address;
    const [tokensBefore, usdcBefore, makerUsdcBefore] = [
      await balanceOf(me, market.yes),
      await usdcOf(me),
      await usdcOf(maker),
    ];
    const order = await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 10n);
    const result = await client.postOrder(order, OrderType.GTC);
    expect(result).to.include({ success: true, errorMsg: "", status: "matched" });
    expect(result.transactionsHashes).to.have.length(1);
    const cost = (10n * 1_000_000n * market.yesAsk) / 10_000n;
    expect(result.makingAmount).to.equal((Number(cost) / 1e6).toString());
    const shares = 10n * 1_000_000n;
    const takerFee = exchangeFee(market.fee, shares, cost, shares, "BUY");
    const makerFee = exchangeFee(market.fee, shares, shares, cost, "SELL");
    expect(await balanceOf(me, market.yes)).to.equal(tokensBefore + shares - takerFee);
    expect(usdcBefore - (await usdcOf(me))).to.equal(cost);
    expect(await usdcOf(maker)).to.equal(makerUsdcBefore + cost - makerFee);
    expect(await balanceOf(clob.operator, market.yes)).to.equal(takerFee);
    const [trade] = await client.getTrades({ id: undefined as never });
    expect(trade).to.include({
      taker_order_id: result.orderID,
      side: "BUY",
      size: "10",
      trader_side: "TAKER",
    });
    expect(["MINED", "CONFIRMED"]).to.include(trade!.status);
    await chain.networkHelpers.mine();
    const [confirmed] = await client.getTrades();
    expect(confirmed!.status).to.equal("CONFIRMED");
    expect(confirmed!.transaction_hash).to.equal(result.transactionsHashes[0]);
    const view = await client.getOrder(result.orderID);
    expect(view).to.include({ status: "MATCHED", size_matched: "10", original_size: "10" });
    const book = await client.getOrderBook(market.yes.toString());
    expect(book.asks.at(-1)!.size).to.equal("90");
  });

  it("a BUY below the ask rests LIVE, shows on both books, and cancelOrder takes it off", async function () {
    const bid = 10_000n - market.noAsk; // the current best bid: joins that level
    const order = await signedOrder(OrderSide.BUY, market.yes, bid, 20n);
    const result = await client.postOrder(order, OrderType.GTC);
    expect(result).to.include({ success: true, status: "live" });
    const open = await client.getOpenOrders();
    expect(open.map((o) => o.id)).to.include(result.orderID);
    expect((await client.getOrderBook(market.yes.toString())).bids.at(-1)!.size).to.equal("120");
    expect((await client.getOrderBook(market.no.toString())).asks.at(-1)!.size).to.equal("120");
    const cancel = await client.cancelOrder({ orderID: result.orderID });
    expect(cancel).to.deep.equal({ canceled: [result.orderID], not_canceled: {} });
    expect((await client.getOrder(result.orderID)).status).to.equal("CANCELED");
    expect((await client.getOrderBook(market.yes.toString())).bids.at(-1)!.size).to.equal("100");
  });

  it("a SELL of YES at the bid is settled as a MERGE with the seeded NO seller: the set is merged and each side is paid its price", async function () {
    const me = trader.wallet.account.address;
    const maker = clob.makers[0]!.account.address;
    await send(trader, {
      address: ctf,
      abi: ctfAbi,
      functionName: "setApprovalForAll",
      args: [exchange, true],
    });
    const bid = 10_000n - market.noAsk;
    const [usdcBefore, yesBefore, makerNoBefore, makerUsdcBefore] = [
      await usdcOf(me),
      await balanceOf(me, market.yes),
      await balanceOf(maker, market.no),
      await usdcOf(maker),
    ];
    const result = await client.postOrder(
      await signedOrder(OrderSide.SELL, market.yes, bid, 5n),
      OrderType.FOK,
    );
    expect(result).to.include({ success: true, status: "matched" });
    const shares = 5n * 1_000_000n;
    const makerTaking = (shares * market.noAsk) / 10_000n;
    const makerFee = exchangeFee(market.fee, shares, shares, makerTaking, "SELL");
    const takerTaking = shares - makerTaking;
    const takerFee = exchangeFee(market.fee, shares, shares, takerTaking, "SELL");
    expect(await balanceOf(me, market.yes)).to.equal(yesBefore - shares);
    expect((await usdcOf(me)) - usdcBefore).to.equal(takerTaking - takerFee);
    expect(makerNoBefore - (await balanceOf(maker, market.no))).to.equal(shares);
    expect((await usdcOf(maker)) - makerUsdcBefore).to.equal(makerTaking - makerFee);
  });

  it("a BUY of NO against a resting BUY of YES inside the spread is settled as a MINT: collateral of both is split into sets", async function () {
    const tick = clob.engine.tokenInfo(market.yes)!.market.tickSize === "0.01" ? 100n : 10n;
    const yesPrice = 10_000n - market.noAsk + tick; // one tick above the seeded bid
    const me = trader.wallet.account.address;
    const resting = await client.postOrder(
      await signedOrder(OrderSide.BUY, market.yes, yesPrice, 20n),
      OrderType.GTC,
    );
    expect(resting).to.include({ success: true, status: "live" });
    const other = chain.clientsFor(3);
    const otherAddress = other.wallet.account.address;
    await mintMockToken(deployer, usdc, otherAddress, USDC("100"));
    await send(other, {
      address: usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [exchange, maxUint256],
    });
    const otherClient = new ClobClient(
      clob.url,
      chainId,
      other.wallet,
      await new ClobClient(clob.url, chainId, other.wallet).createOrDeriveApiKey(),
    );
    const builder = new ExchangeOrderBuilder(exchange, chainId, other.wallet);
    const shares = 20n * 1_000_000n;
    const noPrice = 10_000n - yesPrice;
    const noCost = (shares * noPrice) / 10_000n;
    const order = await builder.buildSignedOrder({
      maker: otherAddress,
      signer: otherAddress,
      taker: zeroAddress,
      tokenId: market.no.toString(),
      makerAmount: noCost.toString(),
      takerAmount: shares.toString(),
      side: OrderSide.BUY,
      feeRateBps: market.fee.toString(),
      nonce: "0",
      expiration: "0",
      signatureType: SignatureType.EOA,
    });
    const [myUsdc, myYes] = [await usdcOf(me), await balanceOf(me, market.yes)];
    const result = await otherClient.postOrder(order, OrderType.FAK);
    expect(result).to.include({ success: true, status: "matched" });
    const yesCost = (shares * yesPrice) / 10_000n;
    expect(myUsdc - (await usdcOf(me))).to.equal(yesCost);
    expect((await balanceOf(me, market.yes)) - myYes).to.equal(
      shares - exchangeFee(market.fee, shares, yesCost, shares, "BUY"),
    );
    expect(await balanceOf(otherAddress, market.no)).to.equal(
      shares - exchangeFee(market.fee, shares, noCost, shares, "BUY"),
    );
    expect(USDC("100") - (await usdcOf(otherAddress))).to.equal(noCost);
    expect((await client.getOrder(resting.orderID)).status).to.equal("MATCHED");
    const [trade] = (await otherClient.getTrades()).filter((t) => t.taker_order_id === result.orderID);
    expect(trade!.maker_orders.map((m) => [m.order_id, m.side, m.matched_amount])).to.deep.equal([
      [resting.orderID, "BUY", "20"],
    ]);
  });

  it("a FOK that the book cannot fill whole is refused and a POST /orders batch answers order by order", async function () {
    const tooMany = await client.postOrder(
      await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 900n),
      OrderType.FOK,
    );
    expect(tooMany).to.include({ status: 400, error: ERRORS.fok });
    const batch = await client.postOrders([
      {
        order: await signedOrder(OrderSide.BUY, market.yes, 10_000n - market.noAsk, 5n),
        orderType: OrderType.GTC,
      },
      { order: await signedOrder(OrderSide.BUY, 12345n, market.yesAsk, 5n), orderType: OrderType.GTC },
    ]);
    expect(
      batch.map((r: { success: boolean; status: string; errorMsg: string }) => [
        r.success,
        r.status,
        r.errorMsg,
      ]),
    ).to.deep.equal([
      [true, "live", ""],
      [false, "", ERRORS.tokenId],
    ]);
    const cancelled = await client.cancelAll();
    expect(cancelled.canceled).to.have.length(1);
  });

  it("a POLY_1271 order of a contract maker (signature 0x), posted by the keeper's client, is valid only once the maker presigned its hash", async function () {
    const abi = projectArtifact("MockPresignedMaker").abi;
    const contractMaker = await deploy(deployer, projectArtifact("MockPresignedMaker"));
    await mintMockToken(deployer, usdc, contractMaker, USDC("50"));
    await send(deployer, {
      address: contractMaker,
      abi,
      functionName: "approveToken",
      args: [usdc, exchange, maxUint256],
    });
    const keeper = await PolymarketClob.connect({
      host: clob.url,
      chainId,
      signer: chain.clientsFor(4).wallet,
    });
    const info = clob.engine.tokenInfo(market.yes)!.market;
    const now = (await deployer.public.getBlock()).timestamp;
    const order = buildConnectorOrder({
      connector: contractMaker,
      tokenId: market.yes,
      side: "BUY",
      price: (Number(market.yesAsk) / 10_000).toString(),
      size: "10",
      tickSize: info.tickSize,
      feeRateBps: await keeper.feeRateBps(market.yes),
      expiration: now + 3_600n,
    });
    const hash = connectorOrderHash(order, chainId, exchange);
    expect(
      await read<Hex>(deployer, {
        address: exchange,
        abi: projectArtifact("CtfExchange").abi,
        functionName: "hashOrder",
        args: [order],
      }),
    ).to.equal(hash);
    const asksBefore = (await keeper.book(market.yes)).asks;
    try {
      await keeper.postOrder(order);
      expect.fail("an order its maker did not presign must be refused");
    } catch (error) {
      expect(error).to.be.instanceOf(ClobRequestError);
      expect((error as ClobRequestError).reason).to.equal(ERRORS.signature);
    }
    expect((await keeper.book(market.yes)).asks).to.deep.equal(asksBefore);
    await send(deployer, { address: contractMaker, abi, functionName: "presign", args: [hash, true] });
    const result = await keeper.postOrder(order);
    expect(result).to.include({ success: true, status: "matched", orderID: hash });
    const shares = 10n * 1_000_000n;
    const cost = (shares * market.yesAsk) / 10_000n;
    expect(await balanceOf(contractMaker, market.yes)).to.equal(
      shares - exchangeFee(market.fee, shares, cost, shares, "BUY"),
    );
    expect(USDC("50") - (await usdcOf(contractMaker))).to.equal(cost);
    const [trade] = await keeper.trades({ id: undefined as never });
    expect(trade).to.include({ taker_order_id: hash, trader_side: "TAKER", side: "BUY" });
    expect(await keeper.order(hash)).to.include({ status: "MATCHED", maker_address: contractMaker });
  });

  it("a recorded negRisk group (RBA Feb-2026, Jan-2026 mids with the April spread model) trades on the NegRisk CTF Exchange", async function () {
    const quotes = await januaryGroupQuotes({
      group: "rba-feb-2026-decision",
      atMs: Date.parse("2026-01-26T06:00:00Z"),
      spread: await aprilSpreadModel(),
    });
    expect(quotes).to.have.length(3);
    const group = await preparePolymarketNegRiskGroup(
      deployer,
      venue,
      quotes.map((q) => q.question),
    );
    const legs = [];
    for (const [i, q] of quotes.entries())
      legs.push(await clob.addMarket(group.questions[i]!, q, { negRiskMarketId: group.marketId }));
    const leg = legs[1]!; // "increase": 0.57 at that hour
    const yes = leg.tokens[0];
    expect(await client.getNegRisk(yes.toString())).to.equal(true);
    const book = await client.getOrderBook(yes.toString());
    expect(book.neg_risk).to.equal(true);
    expect(Number(book.asks.at(-1)!.price)).to.be.greaterThan(0.57);
    expect(Number(book.bids.at(-1)!.price)).to.be.lessThan(0.57);
    const me = trader.wallet.account.address;
    await send(trader, {
      address: usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [venue.negRiskExchange, maxUint256],
    });
    const before = await balanceOf(me, yes);
    const order = await signedOrder(OrderSide.BUY, yes, quotes[1]!.yesAsk, 5n, {
      exchange: venue.negRiskExchange,
      feeRateBps: leg.feeRateBps,
    });
    const result = await client.postOrder(order, OrderType.FOK);
    expect(result).to.include({ success: true, status: "matched" });
    expect((await balanceOf(me, yes)) - before).to.equal(5_000_000n); // fee rate 0 on these legs
    const signedForPlainExchange = await signedOrder(OrderSide.BUY, yes, quotes[1]!.yesAsk, 5n, {
      feeRateBps: 0n,
    });
    expect(await client.postOrder(signedForPlainExchange, OrderType.FOK)).to.include({
      status: 400,
      error: ERRORS.signature,
    });
  });

  it("a maker order cancelled on chain leaves the book when a taker meets it; the taker fills at the next level", async function () {
    const tick = clob.engine.tokenInfo(market.yes)!.market.tickSize === "0.01" ? 100n : 10n;
    const best = clob.engine.books.ordersOn(market.yes).find((r) => r.price === market.yesAsk)!;
    const owner = clob.makers.find((m) => m.account.address === best.order.maker)!;
    await send(owner.clients, {
      address: exchange,
      abi: projectArtifact("CtfExchange").abi,
      functionName: "cancelOrder",
      args: [best.order],
    });
    const result = await client.postOrder(
      await signedOrder(OrderSide.BUY, market.yes, market.yesAsk + tick, 5n),
      OrderType.FAK,
    );
    expect(result).to.include({ success: true, status: "matched" });
    expect(clob.engine.books.get(best.id)).to.equal(undefined);
    const [trade] = (await client.getTrades()).filter((t) => t.taker_order_id === result.orderID);
    expect(trade!.maker_orders.map((m) => m.price)).to.deep.equal([
      (Number(market.yesAsk + tick) / 10_000).toString(),
    ]);
    expect((await client.getOrderBook(market.yes.toString())).asks.at(-1)!.price).to.equal(
      (Number(market.yesAsk + tick) / 10_000).toString(),
    );
  });

  it("a match whose transaction reverts reads FAILED and its maker goes back on the book", async function () {
    const abi = projectArtifact("CtfExchange").abi;
    const asksBefore = (await client.getOrderBook(market.yes.toString())).asks;
    const best = asksBefore.at(-1)!;
    const price = BigInt(Math.round(Number(best.price) * 10_000));
    await deployer.public.request({ method: "evm_setAutomine" as never, params: [false] as never });
    try {
      const result = await client.postOrder(
        await signedOrder(OrderSide.BUY, market.yes, price, 5n),
        OrderType.FOK,
      );
      expect(result).to.include({ success: true, status: "matched" });
      // the admin's pause lands first in the same block (a higher tip), so the match reverts
      await deployer.wallet.writeContract({
        address: exchange,
        abi,
        functionName: "pauseTrading",
        maxPriorityFeePerGas: 50_000_000_000n,
        maxFeePerGas: 100_000_000_000n,
      });
      await deployer.public.request({ method: "evm_mine" as never, params: [] as never });
    } finally {
      await deployer.public.request({ method: "evm_setAutomine" as never, params: [true] as never });
    }
    await send(deployer, { address: exchange, abi, functionName: "unpauseTrading" });
    const trades = await client.getTrades();
    expect(trades.at(-1)!.status).to.equal("FAILED");
    expect((await client.getOrderBook(market.yes.toString())).asks).to.deep.equal(asksBefore);
  });

  describe("refusals carry the API's message and change nothing", function () {
    async function unchanged(run: () => Promise<unknown>, status: number, message: string | RegExp) {
      const me = trader.wallet.account.address;
      const before = {
        yes: (await client.getOrderBook(market.yes.toString())).asks,
        bids: (await client.getOrderBook(market.yes.toString())).bids,
        usdc: await usdcOf(me),
        tokens: await balanceOf(me, market.yes),
        trades: clob.engine.allTrades().length,
        open: (await client.getOpenOrders()).length,
      };
      const result = (await run()) as { error?: string; status?: number };
      expect(result.status, JSON.stringify(result)).to.equal(status);
      if (typeof message === "string") expect(result.error).to.equal(message);
      else expect(result.error).to.match(message);
      expect({
        yes: (await client.getOrderBook(market.yes.toString())).asks,
        bids: (await client.getOrderBook(market.yes.toString())).bids,
        usdc: await usdcOf(me),
        tokens: await balanceOf(me, market.yes),
        trades: clob.engine.allTrades().length,
        open: (await client.getOpenOrders()).length,
      }).to.deep.equal(before);
    }

    it("a bad HMAC (wrong secret) is 401 Unauthorized/Invalid api key", async function () {
      const forged = new ClobClient(clob.url, chainId, trader.wallet, {
        ...client.creds!,
        secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      });
      await unchanged(
        async () => forged.postOrder(await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n)),
        401,
        "Unauthorized/Invalid api key",
      );
    });

    it("an expired order is refused: invalid expiration", async function () {
      const now = (await deployer.public.getBlock()).timestamp;
      await unchanged(
        async () =>
          client.postOrder(
            await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n, { expiration: now - 1n }),
          ),
        400,
        ERRORS.expiration,
      );
    });

    it("an order signed for another chain or another verifying contract fails validateOrder on chain: invalid signature", async function () {
      await unchanged(
        async () =>
          client.postOrder(await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n, { chainId: 137 })),
        400,
        ERRORS.signature,
      );
      await unchanged(
        async () =>
          client.postOrder(
            await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n, { exchange: usdc }),
          ),
        400,
        ERRORS.signature,
      );
    });

    it("a fee rate other than the market's is refused", async function () {
      await unchanged(
        async () =>
          client.postOrder(
            await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n, { feeRateBps: market.fee + 1n }),
          ),
        400,
        /Fee rate .* is not the market's fee rate/,
      );
    });

    it("after the market's fee rate changes, an order signed with the old rate is refused", async function () {
      const changed = market.fee === 0n ? 100n : market.fee - 1n;
      clob.engine.setFeeRate(market.conditionId, changed);
      try {
        const fresh = new ClobClient(clob.url, chainId, trader.wallet, client.creds);
        expect(await fresh.getFeeRateBps(market.yes.toString())).to.equal(Number(changed));
        await unchanged(
          async () => client.postOrder(await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n)),
          400,
          `order is invalid. Fee rate (${market.fee} bps) is not the market's fee rate: ${changed} bps`,
        );
      } finally {
        clob.engine.setFeeRate(market.conditionId, market.fee);
      }
    });

    it("a price off the market's tick is refused with the tick-size message", async function () {
      await unchanged(
        async () => client.postOrder(await signedOrder(OrderSide.BUY, market.yes, market.yesAsk + 5n, 5n)),
        400,
        /^order 0x[0-9a-f]{64} is invalid\. Price \(.*\) breaks minimum tick size rule: 0\.0?01$/,
      );
    });

    it("an unknown token is refused: Invalid token id", async function () {
      await unchanged(
        async () => client.postOrder(await signedOrder(OrderSide.BUY, 12345n, market.yesAsk, 5n)),
        400,
        ERRORS.tokenId,
      );
    });

    it("a BUY beyond the balance, or without allowance, is refused: not enough balance / allowance", async function () {
      await unchanged(
        async () =>
          client.postOrder(await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 100_000n * 10n)),
        400,
        ERRORS.balance,
      );
      await send(trader, { address: usdc, abi: erc20Abi, functionName: "approve", args: [exchange, 0n] });
      try {
        await unchanged(
          async () => client.postOrder(await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n)),
          400,
          ERRORS.balance,
        );
      } finally {
        await send(trader, {
          address: usdc,
          abi: erc20Abi,
          functionName: "approve",
          args: [exchange, maxUint256],
        });
      }
    });

    it("while the exchange is paused every order is refused with 503 Trading is currently disabled", async function () {
      const abi = projectArtifact("CtfExchange").abi;
      await send(deployer, { address: exchange, abi, functionName: "pauseTrading" });
      try {
        await unchanged(
          async () => client.postOrder(await signedOrder(OrderSide.BUY, market.yes, market.yesAsk, 5n)),
          503,
          ERRORS.paused,
        );
      } finally {
        await send(deployer, { address: exchange, abi, functionName: "unpauseTrading" });
      }
    });

    it("with throwOnError, clob-client raises the same refusal as an ApiError", async function () {
      const strict = new ClobClient(
        clob.url,
        chainId,
        trader.wallet,
        client.creds,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        true,
      );
      const order = await signedOrder(OrderSide.BUY, 12345n, market.yesAsk, 5n);
      try {
        await strict.postOrder(order);
        expect.fail("expected a refusal");
      } catch (error) {
        expect(error).to.be.instanceOf(ApiError);
        expect((error as ApiError).message).to.equal(ERRORS.tokenId);
      }
    });
  });
});

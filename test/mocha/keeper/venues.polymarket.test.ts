import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { type Address, createWalletClient, http as httpTransport } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { orderHash } from "../../../deploy/local/clob/orders.js";
import { ClobRequestError, PolymarketClob } from "../../../keeper/venues/polymarket/clobClient.js";
import {
  OrderBuildError,
  POLY_1271,
  buildConnectorOrder,
  connectorOrderHash,
  toSignedOrder,
} from "../../../keeper/venues/polymarket/orders.js";

// The keeper's Polymarket venue layer without a chain: the connector's POLY_1271 orders and the
// CLOB client's refusal of responses that are not what the API returns.

const CONNECTOR = "0x1111111111111111111111111111111111111111" as Address;
const EXCHANGE = "0x2222222222222222222222222222222222222222" as Address;
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as const;

describe("keeper venues: Polymarket orders for the connector", function () {
  const base = {
    connector: CONNECTOR,
    tokenId: 123n,
    tickSize: "0.01" as const,
    feeRateBps: 0n,
    expiration: 2_000_000_000n,
    salt: 42n,
  };

  it("a BUY pays price × size collateral for size tokens, signed by nobody: POLY_1271, maker == signer == connector, signature 0x", function () {
    const order = buildConnectorOrder({ ...base, side: "BUY", price: "0.37", size: "25.5" });
    expect(order.makerAmount).to.equal(9_435_000n);
    expect(order.takerAmount).to.equal(25_500_000n);
    expect([order.maker, order.signer, order.signatureType, order.signature, order.side]).to.deep.equal([
      CONNECTOR,
      CONNECTOR,
      POLY_1271,
      "0x",
      0,
    ]);
    const sell = buildConnectorOrder({ ...base, side: "SELL", price: "0.37", size: "25.5" });
    expect([sell.makerAmount, sell.takerAmount, sell.side]).to.deep.equal([25_500_000n, 9_435_000n, 1]);
  });

  it("refuses prices off the tick or outside (0, 1), sizes with more than 2 decimals and zero sizes", function () {
    for (const bad of [
      { price: "0.375", size: "10" },
      { price: "1", size: "10" },
      { price: "0", size: "10" },
      { price: "0.5", size: "1.001" },
      { price: "0.5", size: "0" },
      { price: "-0.5", size: "10" },
    ])
      expect(() => buildConnectorOrder({ ...base, side: "BUY", ...bad })).to.throw(OrderBuildError);
    expect(() =>
      buildConnectorOrder({ ...base, tickSize: "0.001", side: "BUY", price: "0.375", size: "10" }),
    ).not.to.throw();
  });

  it("the order id computed by clob-client's ExchangeOrderBuilder is the EIP-712 hash for that exchange and chain only", function () {
    const order = buildConnectorOrder({ ...base, side: "BUY", price: "0.5", size: "10" });
    const hash = connectorOrderHash(order, 31337, EXCHANGE);
    expect(hash).to.equal(orderHash(order, 31337, EXCHANGE));
    expect(connectorOrderHash(order, 137, EXCHANGE)).not.to.equal(hash);
    expect(connectorOrderHash(order, 31337, CONNECTOR)).not.to.equal(hash);
    const signed = toSignedOrder(order);
    expect([signed.salt, signed.makerAmount, signed.signatureType, signed.signature]).to.deep.equal([
      "42",
      "5000000",
      POLY_1271,
      "0x",
    ]);
  });
});

describe("keeper venues: the CLOB client validates every response", function () {
  let server: http.Server;
  let url: string;
  let reply: (path: string) => { status: number; body: unknown };
  const signer = createWalletClient({
    account: privateKeyToAccount(KEY),
    chain: hardhat,
    transport: httpTransport(),
  });
  const creds = { key: "k", secret: "c2VjcmV0", passphrase: "p" };

  before(async function () {
    server = http.createServer((req, res) => {
      const { status, body } = reply(new URL(req.url ?? "/", "http://x").pathname);
      res.statusCode = status;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("a well-formed book is returned; a book with a bad level, an error reply or a bad order result is a ClobRequestError", async function () {
    const clob = await PolymarketClob.connect({ host: url, chainId: 31337, signer, creds });
    const book = {
      market: "0xabc",
      asset_id: "123",
      timestamp: "1700000000000",
      hash: "h",
      bids: [{ price: "0.4", size: "10" }],
      asks: [{ price: "0.6", size: "5" }],
      min_order_size: "5",
      tick_size: "0.01",
      neg_risk: false,
      last_trade_price: "0.5",
    };
    reply = () => ({ status: 200, body: book });
    expect((await clob.book(123n)).asks).to.deep.equal([{ price: 0.6, size: 5 }]);
    reply = () => ({ status: 200, body: { ...book, asks: [{ price: "1.6", size: "5" }] } });
    await expectRefusal(clob.book(123n), "GET /book", /unexpected response: asks/);
    reply = () => ({ status: 404, body: { error: "No orderbook exists for the requested token id" } });
    await expectRefusal(clob.book(123n), "GET /book", /No orderbook exists/);
    reply = () => ({ status: 400, body: { error: "not enough balance / allowance" } });
    const order = buildConnectorOrder({
      connector: CONNECTOR,
      tokenId: 123n,
      side: "BUY",
      price: "0.5",
      size: "10",
      tickSize: "0.01",
      feeRateBps: 0n,
      expiration: 2_000_000_000n,
    });
    await expectRefusal(clob.postOrder(order), "POST /order", /not enough balance \/ allowance/);
    reply = () => ({ status: 200, body: { success: true, orderID: "0x12", status: "live" } });
    await expectRefusal(clob.postOrder(order), "POST /order", /unexpected response/);
  });
});

async function expectRefusal(promise: Promise<unknown>, endpoint: string, reason: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ClobRequestError);
    expect((error as ClobRequestError).endpoint).to.equal(endpoint);
    expect((error as ClobRequestError).reason).to.match(reason);
    return;
  }
  expect.fail(`expected ${endpoint} to be refused`);
}

import { expect } from "chai";
import { type Address, type Hex, keccak256, toHex, zeroAddress } from "viem";
import { ApiKeyStore, AuthError, hmacSignature } from "../../../deploy/local/clob/auth.js";
import { OrderBooks, type RestingOrder, takingFor } from "../../../deploy/local/clob/orderBook.js";
import { BUY, type ExchangeOrder, SELL, formatPrice, limitPrice } from "../../../deploy/local/clob/orders.js";

// The local CLOB's pure parts: tick-exact prices, the mirrored book of a binary market, price-time
// matching with the exchange's three match types and its rounding, and the L2 HMAC.

const YES = 111n;
const NO = 222n;
const MAKER_A = "0x00000000000000000000000000000000000000a1" as Address;
const MAKER_B = "0x00000000000000000000000000000000000000b2" as Address;
const TAKER = "0x00000000000000000000000000000000000000c3" as Address;
const M = 1_000_000n; // one token / one collateral unit (6 decimals)

let salt = 0n;
function order(maker: Address, side: 0 | 1, tokenId: bigint, price: bigint, shares: bigint): ExchangeOrder {
  salt += 1n;
  const collateral = (shares * price) / 10_000n;
  return {
    salt,
    maker,
    signer: maker,
    taker: zeroAddress,
    tokenId,
    makerAmount: side === BUY ? collateral : shares,
    takerAmount: side === BUY ? shares : collateral,
    expiration: 0n,
    nonce: 0n,
    feeRateBps: 0n,
    side,
    signatureType: 0,
    signature: "0x",
  };
}

function rest(books: OrderBooks, o: ExchangeOrder): RestingOrder {
  const resting = {
    id: keccak256(toHex(o.salt)) as Hex,
    order: o,
    price: limitPrice(o, 1n) as bigint,
    remaining: o.makerAmount,
    sequence: books.nextSequence(),
  };
  books.add(resting);
  return resting;
}

describe("local CLOB: prices, book and matching (pure)", function () {
  it("limitPrice accepts only prices on the tick inside [tick, 1 − tick]", function () {
    const buy = order(TAKER, BUY, YES, 4_200n, 10n * M); // 0.42
    expect(limitPrice(buy, 100n)).to.equal(4_200n);
    expect(formatPrice(4_200n)).to.equal("0.42");
    const offTick = { ...buy, makerAmount: 4_250_000n }; // 0.425 on a 0.01 market
    expect(limitPrice(offTick, 100n)).to.equal(undefined);
    expect(limitPrice(offTick, 10n)).to.equal(4_250n);
    expect(limitPrice({ ...buy, makerAmount: 10n * M }, 100n)).to.equal(undefined); // price 1
    expect(limitPrice({ ...buy, makerAmount: 0n }, 100n)).to.equal(undefined);
  });

  it("a binary market has one book: a BUY of NO shows as a YES ask at 1 − price, a SELL of NO as a YES bid", function () {
    const books = new OrderBooks();
    rest(books, order(MAKER_A, SELL, YES, 6_000n, 10n * M));
    rest(books, order(MAKER_A, SELL, YES, 6_000n, 5n * M));
    rest(books, order(MAKER_B, BUY, NO, 4_500n, 20n * M)); // YES ask at 0.55
    rest(books, order(MAKER_B, SELL, NO, 5_200n, 7n * M)); // YES bid at 0.48
    const yes = books.levels(YES, NO);
    expect(yes.asks).to.deep.equal([
      { price: 5_500n, shares: 20n * M },
      { price: 6_000n, shares: 15n * M },
    ]);
    expect(yes.bids).to.deep.equal([{ price: 4_800n, shares: 7n * M }]);
    const no = books.levels(NO, YES);
    expect(no.bids).to.deep.equal([
      { price: 4_500n, shares: 20n * M },
      { price: 4_000n, shares: 15n * M },
    ]);
    expect(no.asks).to.deep.equal([{ price: 5_200n, shares: 7n * M }]);
  });

  it("a BUY takes the best effective price first, oldest first at one price, across COMPLEMENTARY and MINT makers", function () {
    const books = new OrderBooks();
    const later = rest(books, order(MAKER_A, SELL, YES, 5_500n, 10n * M));
    const mint = rest(books, order(MAKER_B, BUY, NO, 4_500n, 10n * M)); // effective 0.55, after `later` in time
    const cheap = rest(books, order(MAKER_A, SELL, YES, 5_000n, 4n * M));
    const taker = order(TAKER, BUY, YES, 5_500n, 20n * M);
    const plan = books.plan({ order: taker, price: 5_500n, shares: 20n * M, complement: NO, now: 0n });
    expect(plan.fills.map((f) => [f.maker.id, f.matchType])).to.deep.equal([
      [cheap.id, "COMPLEMENTARY"],
      [later.id, "COMPLEMENTARY"],
      [mint.id, "MINT"],
    ]);
    expect(plan.shares).to.equal(20n * M);
    // 4 @ 0.50 + 10 @ 0.55 + 6 minted with a NO buyer at 0.45 (the taker adds 0.55 per set)
    expect(plan.takerFillAmount).to.equal(2n * M + 5_500_000n + 3_300_000n);
    const mintFill = plan.fills[2]!;
    expect(mintFill.making).to.equal(2_700_000n); // the NO buyer's collateral for 6 sets
    expect(mintFill.taking).to.equal(6n * M);
    expect(plan.takerReceives).to.equal(20n * M);
    // the taker never pays more than its own limit price gives
    expect(takingFor(taker, plan.takerFillAmount) <= plan.takerReceives).to.equal(true);
  });

  it("a SELL matches BUYs of the token and, through MERGE, SELLs of the complement; makers past their expiry are skipped", function () {
    const books = new OrderBooks();
    const bid = rest(books, order(MAKER_A, BUY, YES, 4_000n, 3n * M));
    const merge = rest(books, order(MAKER_B, SELL, NO, 5_800n, 10n * M)); // YES bid at 0.42
    const stale = { ...order(MAKER_A, BUY, YES, 4_500n, 50n * M), expiration: 100n };
    rest(books, stale);
    const taker = order(TAKER, SELL, YES, 4_000n, 8n * M);
    const plan = books.plan({ order: taker, price: 4_000n, shares: 8n * M, complement: NO, now: 100n });
    // the MERGE maker's effective bid (1 − 0.58 = 0.42) beats the 0.40 bid: 8 sets are merged, the NO
    // seller is paid 0.58 each and the taker gets the rest of each 1
    expect(plan.fills.map((f) => [f.maker.id, f.matchType])).to.deep.equal([[merge.id, "MERGE"]]);
    expect(plan.takerFillAmount).to.equal(8n * M);
    expect(plan.takerReceives).to.equal(8n * M - 4_640_000n);
    const more = books.plan({ order: taker, price: 4_000n, shares: 12n * M, complement: NO, now: 100n });
    expect(more.fills.map((f) => [f.maker.id, f.matchType, f.shares])).to.deep.equal([
      [merge.id, "MERGE", 10n * M],
      [bid.id, "COMPLEMENTARY", 2n * M],
    ]);
  });

  it("fills stop at the taker's size, leave the maker's rest on the book, and price limits hold", function () {
    const books = new OrderBooks();
    const ask = rest(books, order(MAKER_A, SELL, YES, 3_000n, 100n * M));
    const taker = order(TAKER, BUY, YES, 2_900n, 10n * M);
    expect(
      books.plan({ order: taker, price: 2_900n, shares: 10n * M, complement: NO, now: 0n }).fills,
    ).to.have.length(0);
    const crossing = order(TAKER, BUY, YES, 3_100n, 10n * M);
    const plan = books.plan({ order: crossing, price: 3_100n, shares: 10n * M, complement: NO, now: 0n });
    expect(plan.shares).to.equal(10n * M);
    expect(plan.takerFillAmount).to.equal(3n * M); // the maker's price, not the taker's
    const done = books.apply(plan);
    expect(done).to.have.length(0);
    expect(books.get(ask.id)!.remaining).to.equal(90n * M);
    const all = books.plan({ order: crossing, price: 3_100n, shares: 500n * M, complement: NO, now: 0n });
    expect(all.shares).to.equal(90n * M);
    expect(books.apply(all).map((r) => r.id)).to.deep.equal([ask.id]);
    expect(books.levels(YES, NO).asks).to.deep.equal([]);
  });

  it("a MINT or MERGE that would not cross is never planned", function () {
    const books = new OrderBooks();
    rest(books, order(MAKER_B, BUY, NO, 4_000n, 10n * M)); // YES ask at 0.60
    const taker = order(TAKER, BUY, YES, 5_900n, 10n * M); // 0.59 + 0.40 < 1: no set can be minted
    expect(
      books.plan({ order: taker, price: 5_900n, shares: 10n * M, complement: NO, now: 0n }).fills,
    ).to.have.length(0);
  });
});

describe("local CLOB: API keys and L2 HMAC", function () {
  it("the HMAC is url-safe base64 of SHA-256 over timestamp + method + path + body, and any change refuses the request", async function () {
    const keys = new ApiKeyStore(31337, 300);
    const address = "0x00000000000000000000000000000000000000C3" as Address;
    const creds = keys.create(address, 0n)!;
    expect(keys.create(address, 0n)).to.equal(undefined);
    expect(keys.derive(address, 0n)).to.equal(creds);
    const ts = "1700000000";
    const body = '{"orderID":"0x01"}';
    const sig = hmacSignature(creds.secret, ts, "DELETE", "/order", body);
    expect(sig).to.match(/^[A-Za-z0-9_=-]+$/);
    const headers = (signature: string) => ({
      poly_api_key: creds.apiKey,
      poly_passphrase: creds.passphrase,
      poly_address: address,
      poly_signature: signature,
      poly_timestamp: ts,
    });
    expect(keys.verifyL2(headers(sig), "DELETE", "/order", body, 1_700_000_010).apiKey).to.equal(
      creds.apiKey,
    );
    for (const [method, path, raw, now] of [
      ["POST", "/order", body, 1_700_000_010],
      ["DELETE", "/orders", body, 1_700_000_010],
      ["DELETE", "/order", '{"orderID":"0x02"}', 1_700_000_010],
      ["DELETE", "/order", body, 1_700_000_400], // outside the 300 s window
    ] as const)
      expect(() => keys.verifyL2(headers(sig), method, path, raw, now)).to.throw(AuthError);
    expect(() =>
      keys.verifyL2({ ...headers(sig), poly_passphrase: "x" }, "DELETE", "/order", body, 1_700_000_010),
    ).to.throw(AuthError);
  });
});

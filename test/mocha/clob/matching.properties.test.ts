import { expect } from "chai";
import { type Address, type Hex, keccak256, toHex, zeroAddress } from "viem";
import {
  type MakerFill,
  OrderBooks,
  restingShares,
  takingFor,
} from "../../../deploy/local/clob/orderBook.js";
import { BUY, type ExchangeOrder, PRICE_SCALE, SELL, limitPrice } from "../../../deploy/local/clob/orders.js";

// Properties of the CLOB's matching over random books and takers (seeded, so a failure repeats):
// - the taker never gets less than its own price gives (the exchange's TooLittleTokensReceived) and never
//   trades more than its size; a taker left short has taken every crossing maker whole;
// - every maker is filled at its own price with the exchange's rounding, never past its remaining, and only
//   when it crosses the taker; fills come best effective price first, oldest first at one price;
// - each match type conserves value: COMPLEMENTARY swaps the maker's amounts, MINT makes `taking` sets from
//   both sides' collateral, MERGE splits the merged `making` between the two sellers;
// - applying a plan shrinks each maker by its fill and takes exactly the exhausted ones off the book.

const RUNS = process.env.DEEP === "1" ? 20_000 : 600;
const SEED = 0xc10b;
const YES = 7n;
const NO = 8n;

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

let salt = 0n;
/** A tick-valid order: price in ticks of `tick`, size in hundredths of a token (clob-client's 2 decimals). */
function randomOrder(r: ReturnType<typeof rng>, tick: bigint, token: bigint): ExchangeOrder {
  const ticks = PRICE_SCALE / tick;
  const price = BigInt(r.int(1, Number(ticks) - 1)) * tick;
  const tokens = BigInt(r.int(1, 50_000)) * 10_000n;
  const side = r.next() < 0.5 ? BUY : SELL;
  const collateral = (tokens * price) / PRICE_SCALE;
  salt += 1n;
  return {
    salt,
    maker: `0x${(salt % 5n).toString(16).padStart(40, "0")}` as Address,
    signer: zeroAddress,
    taker: zeroAddress,
    tokenId: token,
    makerAmount: side === BUY ? collateral : tokens,
    takerAmount: side === BUY ? tokens : collateral,
    expiration: 0n,
    nonce: 0n,
    feeRateBps: 0n,
    side,
    signatureType: 0,
    signature: "0x",
  };
}

function effectivePrice(fill: MakerFill): bigint {
  return fill.matchType === "COMPLEMENTARY" ? fill.maker.price : PRICE_SCALE - fill.maker.price;
}

describe("local CLOB: matching properties (random books and takers)", function () {
  it(`holds over ${RUNS} random books`, function () {
    const r = rng(SEED);
    for (let run = 0; run < RUNS; run++) {
      const tick = [1000n, 100n, 10n][r.int(0, 2)]!;
      const books = new OrderBooks();
      const makers = r.int(0, 12);
      for (let i = 0; i < makers; i++) {
        const order = randomOrder(r, tick, r.next() < 0.5 ? YES : NO);
        const price = limitPrice(order, tick)!;
        // a partly filled maker rests with less than its makerAmount
        const remaining = r.next() < 0.3 ? BigInt(r.int(1, Number(order.makerAmount))) : order.makerAmount;
        books.add({
          id: keccak256(toHex(order.salt)) as Hex,
          order,
          price,
          remaining,
          sequence: books.nextSequence(),
        });
      }
      const taker = randomOrder(r, tick, YES);
      const takerPrice = limitPrice(taker, tick)!;
      const shares = taker.side === BUY ? taker.takerAmount : taker.makerAmount;
      const before = new Map(books.all().map((m) => [m.id, m.remaining]));
      const plan = books.plan({ order: taker, price: takerPrice, shares, complement: NO, now: 0n });
      const where = `run ${run}`;

      expect(plan.shares <= shares, where).to.equal(true);
      expect(takingFor(taker, plan.takerFillAmount) <= plan.takerReceives, where).to.equal(true);
      expect(plan.takerFillAmount <= taker.makerAmount, where).to.equal(true);
      let previous: MakerFill | undefined;
      for (const fill of plan.fills) {
        const m = fill.maker;
        expect(fill.making > 0n && fill.making <= (before.get(m.id) as bigint), where).to.equal(true);
        expect(fill.taking, where).to.equal(takingFor(m.order, fill.making));
        const eff = effectivePrice(fill);
        expect(taker.side === BUY ? eff <= takerPrice : eff >= takerPrice, where).to.equal(true);
        if (fill.matchType === "COMPLEMENTARY") {
          expect([m.order.tokenId, m.order.side !== taker.side], where).to.deep.equal([YES, true]);
          expect([fill.takerGives, fill.takerGets], where).to.deep.equal([fill.taking, fill.making]);
        } else if (fill.matchType === "MINT") {
          expect([m.order.tokenId, m.order.side, taker.side], where).to.deep.equal([NO, BUY, BUY]);
          expect(fill.takerGives + fill.making, where).to.equal(fill.taking);
          expect(fill.takerGets, where).to.equal(fill.taking);
        } else {
          expect([m.order.tokenId, m.order.side, taker.side], where).to.deep.equal([NO, SELL, SELL]);
          expect(fill.takerGets + fill.taking, where).to.equal(fill.making);
          expect(fill.takerGives, where).to.equal(fill.making);
        }
        if (previous) {
          const prev = effectivePrice(previous);
          const better = taker.side === BUY ? prev < eff : prev > eff;
          expect(better || (prev === eff && previous.maker.sequence < m.sequence), where).to.equal(true);
        }
        previous = fill;
      }
      // a taker left short by 0.01 token or more has taken every crossing maker whole (a BUY maker's
      // tokens come in steps of 1/price units, so the last fill may stop a few units short)
      if (shares - plan.shares >= 10_000n)
        for (const m of books.all()) {
          const mirrored = m.order.tokenId === NO;
          if (mirrored ? m.order.side !== taker.side : m.order.side === taker.side) continue;
          const eff = mirrored ? PRICE_SCALE - m.price : m.price;
          if (!(taker.side === BUY ? eff <= takerPrice : eff >= takerPrice) || restingShares(m) < 10_000n)
            continue;
          const fill = plan.fills.find((f) => f.maker.id === m.id);
          expect(
            fill?.making,
            `${where}: crossing maker ${m.id} left out: ${JSON.stringify({ m: { ...m.order, price: m.price, remaining: m.remaining }, taker: { ...taker, takerPrice }, shares, plan: { shares: plan.shares, fills: plan.fills.map((f) => [f.matchType, f.making, f.shares]) } }, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`,
          ).to.equal(m.remaining);
        }

      const done = new Set(books.apply(plan).map((m) => m.id));
      for (const fill of plan.fills) {
        const left = (before.get(fill.maker.id) as bigint) - fill.making;
        const resting = books.get(fill.maker.id);
        if (done.has(fill.maker.id)) expect(resting, where).to.equal(undefined);
        else expect(resting?.remaining, where).to.equal(left);
      }
    }
  });
});

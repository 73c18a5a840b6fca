import { expect } from "chai";
import {
  applyOrderEvent,
  nextBatchStep,
  OrderTransitionError,
  placedOrder,
  type TrackedOrder,
} from "../../../keeper/planning/orderTracking.js";
import {
  BatchPlanError,
  planOutcomeBatch,
  type BatchParams,
  type OutcomeBatch,
} from "../../../keeper/planning/outcomeOrders.js";
import { defaultStrategyConfig } from "../../../keeper/strategy/config.js";
import { ctfFeeExact } from "../../../keeper/strategy/fees.js";
import {
  candidateSets,
  scanOutcomeSets,
  type LegBook,
  type OutcomeOpportunity,
  type VenueMarket,
} from "../../../keeper/strategy/outcomes/index.js";
import { emptyExposure } from "../../../keeper/strategy/sizing.js";

const NOW_MS = 1_769_600_000_000;
const NOW = NOW_MS / 1000;

function binaryMarket(feeRateBps: number): VenueMarket {
  return {
    conditionId: `0x${"11".repeat(32)}`,
    questionId: null,
    slug: "binary",
    question: "binary?",
    yesTokenId: "1",
    noTokenId: "2",
    negRiskMarketId: null,
    eventId: "e",
    resolutionSource: "source",
    endDate: null,
    status: "open",
    feeRateBps,
    tickSize: 0.01,
  };
}

const lb = (tokenId: string, asks: [number, number][], bids: [number, number][] = []): LegBook => ({
  tokenId,
  asks: asks.map(([price, size]) => ({ price, size })),
  bids: bids.map(([price, size]) => ({ price, size })),
  quotedAt: NOW_MS,
});

function opportunity(books: Map<string, LegBook>, feeRateBps = 100): OutcomeOpportunity {
  const base = defaultStrategyConfig();
  const sets = candidateSets({ markets: [binaryMarket(feeRateBps)], events: [], onChain: new Map() }).sets;
  const scan = scanOutcomeSets(
    sets,
    books,
    { navUsd: 1_000_000, capitalUsd: 100_000, exposure: emptyExposure(), now: NOW_MS },
    {
      guards: { ...base.dutchBook, minLegDepthUsd: 1 },
      minProfitUsd: 0.5,
      caps: base.caps,
      setStep: 0.01,
    },
  );
  expect(scan.opportunities, JSON.stringify(scan.rejected)).to.have.length(1);
  return scan.opportunities[0]!;
}

const params = (books: Map<string, LegBook>, overrides: Partial<BatchParams> = {}): BatchParams => ({
  now: NOW,
  ttlSeconds: 120,
  nonce: 0n,
  books,
  sizeStep: 10_000n,
  minProfit: 1n,
  ...overrides,
});

// YES asks 0.45 × 100, 0.47 × 200; NO asks 0.50 × 250: buy-all with a 1 % fee rate
const BOOKS = new Map([
  [
    "1",
    lb("1", [
      [0.45, 100],
      [0.47, 200],
    ]),
  ],
  ["2", lb("2", [[0.5, 250]])],
]);

describe("planning: outcome batches in exact amounts", function () {
  it("one order per leg and level at that level's price; every leg nets the sets after the exchange's fee; profit exact", function () {
    const opp = opportunity(BOOKS);
    const batch = planOutcomeBatch(opp, params(BOOKS));
    expect(batch.strategy).to.equal("dutch-book");
    expect(batch.orders.map((o) => [o.tokenId, o.side, o.price])).to.deep.equal([
      ["1", "BUY", 0.45],
      ["1", "BUY", 0.47],
      ["2", "BUY", 0.5],
    ]);
    const sets = BigInt(batch.sets);
    let cost = 0n;
    for (const leg of [0, 1]) {
      let net = 0n;
      for (const o of batch.orders.filter((x) => x.leg === leg)) {
        const maker = BigInt(o.makerAmount);
        const taker = BigInt(o.takerAmount);
        // price on the grid: maker / taker is the level's price exactly
        expect(Number(maker) / Number(taker)).to.be.closeTo(o.price, 1e-12);
        net += taker - ctfFeeExact(100n, taker, maker, taker, "BUY");
        cost += maker;
        expect(BigInt(o.salt) < 2n ** 53n).to.equal(true);
        expect(o.expiration).to.equal(String(NOW + 120));
      }
      expect(net >= sets).to.equal(true);
    }
    expect(batch.cost).to.equal(cost.toString());
    expect(BigInt(batch.profit)).to.equal(sets - cost);
    expect(batch.after).to.deep.equal([{ kind: "pmMerge", conditionId: opp.set.id, amount: batch.sets }]);
    expect(batch.maxLoss).to.equal(batch.cost);
    // deterministic: the same opportunity and time give the same orders (and so the same hashes)
    expect(planOutcomeBatch(opp, params(BOOKS))).to.deep.equal(batch);
  });

  it("refuses by name when the book shrank since the scan or when exact rounding eats the profit", function () {
    const opp = opportunity(BOOKS);
    const thin = new Map([...BOOKS, ["2", lb("2", [[0.5, 10]])]]);
    expect(() => planOutcomeBatch(opp, params(thin)))
      .to.throw(BatchPlanError)
      .with.property("reason", "depth-changed");
    expect(() => planOutcomeBatch(opp, params(BOOKS, { minProfit: 10n ** 12n })))
      .to.throw(BatchPlanError)
      .with.property("reason", "below-min-profit");
  });
});

function trackAll(batch: OutcomeBatch): TrackedOrder[] {
  return batch.orders.map((o, i) => placedOrder(`0x${i.toString(16).padStart(64, "0")}`, o));
}

function fillFully(order: TrackedOrder): TrackedOrder {
  return applyOrderEvent(order, {
    kind: "fill",
    makerFilled: BigInt(order.terms.makerAmount),
    taken: BigInt(order.terms.takerAmount),
  });
}

describe("planning: order tracking and the bounded unwind", function () {
  const batch = planOutcomeBatch(opportunity(BOOKS), params(BOOKS));

  it("placed → partial → filled; expired and cancelled are final; impossible reports are refused", function () {
    const [first] = trackAll(batch);
    const maker = BigInt(first!.terms.makerAmount);
    const taker = BigInt(first!.terms.takerAmount);
    const half = applyOrderEvent(first!, { kind: "fill", makerFilled: maker / 2n, taken: taker / 2n });
    expect(half.status).to.equal("partial");
    expect(applyOrderEvent(half, { kind: "tick", now: NOW + 60 }).status).to.equal("partial");
    const expired = applyOrderEvent(half, { kind: "tick", now: NOW + 120 });
    expect(expired.status).to.equal("expired");
    expect(() => applyOrderEvent(expired, { kind: "fill", makerFilled: 1n, taken: 3n })).to.throw(
      OrderTransitionError,
    );
    const done = applyOrderEvent(half, {
      kind: "fill",
      makerFilled: maker - maker / 2n,
      taken: taker - taker / 2n,
    });
    expect(done.status).to.equal("filled");
    expect(applyOrderEvent(done, { kind: "cancelled" }).status).to.equal("filled");
    expect(applyOrderEvent(first!, { kind: "cancelled" }).status).to.equal("cancelled");
    expect(() =>
      applyOrderEvent(first!, { kind: "fill", makerFilled: maker + 1n, taken: taker * 2n }),
    ).to.throw(/exceeds/);
    // a fill that delivers fewer tokens than the limit price allows is not the exchange's
    expect(() => applyOrderEvent(first!, { kind: "fill", makerFilled: maker, taken: taker - 1n })).to.throw(
      /limit price/,
    );
  });

  it("every order filled → the lock steps; before expiry with a leg open → wait", function () {
    const orders = trackAll(batch);
    expect(nextBatchStep(batch, orders, NOW + 1)).to.deep.equal({
      kind: "wait",
      open: orders.map((o) => o.hash),
    });
    const step = nextBatchStep(batch, orders.map(fillFully), NOW + 1);
    expect(step).to.deep.equal({ kind: "lock", steps: batch.after, held: [] });
  });

  it("a leg unfilled at expiry: close the open orders, merge the full sets, hold the rest at 0 with the loss within maxLoss", function () {
    const orders = trackAll(batch);
    // YES fully bought, NO not at all
    const yesFilled = orders.map((o) => (o.terms.leg === 0 ? fillFully(o) : o));
    const step = nextBatchStep(batch, yesFilled, NOW + 121);
    expect(step.kind).to.equal("unwind");
    if (step.kind !== "unwind") return;
    expect(step.close).to.deep.equal(orders.filter((o) => o.terms.leg === 1).map((o) => o.hash));
    expect(step.fullSets).to.equal("0");
    expect(step.steps).to.deep.equal([]);
    const yesCost = batch.orders.filter((o) => o.leg === 0).reduce((s, o) => s + BigInt(o.makerAmount), 0n);
    expect(BigInt(step.loss)).to.equal(yesCost);
    expect(BigInt(step.loss) <= BigInt(batch.maxLoss)).to.equal(true);
  });

  it("property: any fills, any expiry → full sets + held = received per leg, and the loss never exceeds maxLoss", function () {
    let seed = 7;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const orders = trackAll(batch).map((o) => {
        const r = rand();
        if (r < 0.3) return o;
        if (r < 0.7) return fillFully(o);
        const maker = BigInt(o.terms.makerAmount);
        const part = (maker * BigInt(Math.floor(rand() * 1000))) / 1000n;
        if (part === 0n) return o;
        const taken = (part * BigInt(o.terms.takerAmount) + maker - 1n) / maker;
        return applyOrderEvent(o, { kind: "fill", makerFilled: part, taken });
      });
      const step = nextBatchStep(batch, orders, NOW + 121);
      if (step.kind === "lock") continue;
      expect(step.kind).to.equal("unwind");
      if (step.kind !== "unwind") continue;
      expect(BigInt(step.loss) <= BigInt(batch.maxLoss)).to.equal(true);
      for (const leg of [0, 1]) {
        const received = orders
          .filter((o) => o.terms.leg === leg)
          .reduce((s, o) => s + BigInt(o.received), 0n);
        const held = step.held.find((h) => h.tokenId === batch.tokenIds[leg]);
        expect(BigInt(step.fullSets) + BigInt(held?.amount ?? 0)).to.equal(received);
      }
      const lock = step.steps[0];
      if (BigInt(step.fullSets) > 0n) expect(lock).to.include({ kind: "pmMerge", amount: step.fullSets });
      else expect(lock).to.equal(undefined);
    }
  });
});

describe("planning: lock steps of each strategy", function () {
  const MARKET = `0x${"ab".repeat(31)}00`;
  const negRisk = (i: number): VenueMarket => ({
    ...binaryMarket(0),
    conditionId: `0x${(i + 1).toString(16).padStart(64, "0")}`,
    questionId: `0x${"ab".repeat(31)}0${i}`,
    slug: `q${i}`,
    yesTokenId: `${i}1`,
    noTokenId: `${i}0`,
    negRiskMarketId: MARKET,
  });
  const markets = [negRisk(0), negRisk(1), negRisk(2)];
  const sets = candidateSets({
    markets,
    events: [
      {
        id: "e",
        negRisk: true,
        negRiskMarketId: MARKET,
        negRiskAugmented: false,
        marketConditionIds: markets.map((m) => m.conditionId),
      },
    ],
    onChain: new Map([[MARKET, { questionCount: 3, feeBips: 0, determined: false }]]),
  }).sets;
  const scan = (books: Map<string, LegBook>) =>
    scanOutcomeSets(
      sets,
      books,
      { navUsd: 1_000_000, capitalUsd: 100_000, exposure: emptyExposure(), now: NOW_MS },
      {
        guards: { ...defaultStrategyConfig().dutchBook, minLegDepthUsd: 1 },
        minProfitUsd: 0.5,
        caps: defaultStrategyConfig().caps,
        setStep: 0.01,
      },
    ).opportunities[0]!;

  it("negRisk mint-and-sell splits on the first question and converts its NO before the SELL orders", function () {
    const books = new Map([
      ["01", lb("01", [[0.4, 100]], [[0.36, 100]])],
      ["11", lb("11", [[0.4, 100]], [[0.36, 100]])],
      ["21", lb("21", [[0.4, 100]], [[0.36, 100]])],
    ]);
    const opp = scan(books);
    expect(opp.strategy).to.equal("mint-and-sell");
    const batch = planOutcomeBatch(opp, params(books));
    expect(batch.before).to.deep.equal([
      { kind: "pmSplit", conditionId: markets[0]!.conditionId, amount: batch.sets },
      { kind: "pmConvert", marketId: MARKET, indexSet: "1", amount: batch.sets },
    ]);
    expect(batch.orders.every((o) => o.side === "SELL" && o.makerAmount === batch.sets)).to.equal(true);
    expect(BigInt(batch.profit)).to.equal(BigInt(batch.payout) - BigInt(batch.sets));
    expect(batch.maxLoss).to.equal(batch.sets);
  });

  it("a level size like 1063.83 (1063829999.99… units in floating point) still gives orders on the tick", function () {
    // the local CLOB refuses an order whose amounts put its price off the tick: a floored size did
    const bids: [number, number][] = [
      [0.36, 1063.83],
      [0.35, 5000],
    ];
    const books = new Map([
      ["01", lb("01", [[0.7, 100]], bids)],
      ["11", lb("11", [[0.7, 100]], bids)],
      ["21", lb("21", [[0.7, 100]], bids)],
    ]);
    const opp = scan(books);
    expect(opp.strategy).to.equal("mint-and-sell");
    const batch = planOutcomeBatch(opp, params(books));
    expect(BigInt(batch.sets) > 1_063_830_000n, batch.sets).to.equal(true);
    const first = batch.orders.filter((o) => o.price === 0.36);
    expect(first.map((o) => o.makerAmount)).to.deep.equal(["1063830000", "1063830000", "1063830000"]);
    for (const o of batch.orders) {
      const tick = 10_000n; // 0.01 in 10^-6 units
      const price = BigInt(Math.round(o.price * 1_000_000));
      expect(price % tick).to.equal(0n);
      // SELL price = takerAmount / makerAmount, exactly
      expect(BigInt(o.takerAmount) * 1_000_000n).to.equal(BigInt(o.makerAmount) * price);
    }
  });

  it("NO-set conversion buys every NO and converts all n questions (index set 0b111) into 2 collateral a set", function () {
    const books = new Map<string, LegBook>([
      ["01", lb("01", [[0.4, 100]])],
      ["11", lb("11", [[0.4, 100]])],
      ["21", lb("21", [[0.4, 100]])],
      ["00", lb("00", [[0.62, 100]])],
      ["10", lb("10", [[0.63, 100]])],
      ["20", lb("20", [[0.66, 100]])],
    ]);
    const opp = scan(books);
    expect(opp.strategy).to.equal("no-conversion");
    const batch = planOutcomeBatch(opp, params(books));
    expect(batch.tokenIds).to.deep.equal(["00", "10", "20"]);
    expect(batch.after).to.deep.equal([
      { kind: "pmConvert", marketId: MARKET, indexSet: "7", amount: batch.sets },
    ]);
    expect(BigInt(batch.payout)).to.equal(2n * BigInt(batch.sets));
  });
});

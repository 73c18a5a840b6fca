import {
  ExchangeOrderBuilder,
  OrderSide,
  OrderType,
  SignatureType,
  ClobClient,
} from "@polymarket/clob-client";
import { expect } from "chai";
import { erc20Abi, parseUnits, zeroAddress } from "viem";
import type { Clients } from "../../../deploy/lib/clients.js";
import type { ClobMarket } from "../../../deploy/local/clob/clobEngine.js";
import { startLocalClob, type LocalClob } from "../../../deploy/local/clob/localClob.js";
import {
  aprilSpreadModel,
  januaryGroupQuotes,
  type SeedQuote,
} from "../../../deploy/local/clob/recordedQuotes.js";
import {
  approvePolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
  type PolymarketVenue,
} from "../../../deploy/local/polymarketVenue.js";
import {
  conditionalTokensArtifact,
  deployConditionalTokens,
} from "../../../deploy/protocols/conditionalTokens.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { planOutcomeBatch } from "../../../keeper/planning/outcomeOrders.js";
import { parseGammaOutcomeEvents } from "../../../keeper/signals/gammaOutcomeSets.js";
import { defaultStrategyConfig } from "../../../keeper/strategy/config.js";
import { ctfFeeExact } from "../../../keeper/strategy/fees.js";
import {
  candidateSets,
  scanOutcomeSets,
  type OutcomeArbConfig,
} from "../../../keeper/strategy/outcomes/index.js";
import { emptyExposure } from "../../../keeper/strategy/sizing.js";
import { OutcomeChainReader } from "../../../keeper/vault/outcomeChain.js";
import { PolymarketClob } from "../../../keeper/venues/polymarket/clobClient.js";
import { clobOutcomeVenue } from "../../../keeper/venues/polymarket/outcomeVenue.js";
import { localChain } from "../helpers/chain.js";

// The keeper's outcome-arbitrage path against the real venue stand-ins and the local CLOB, on a recorded
// exhaustive group: RBA Feb-2026 (3 legs) at 2026-01-28 13:00 UTC, Jan-2026 mids with the spread model of
// the April 2026 books, seeded as signed maker orders. Venue metadata (Gamma /events shape) → the adapter's
// question count on chain → books through clob-client → strategies at depth → the exact batch; the
// batch's orders fill on the NegRisk CTF Exchange for exactly the planned amounts and lock the planned
// profit as a YES set. The same questions listed as three standalone markets (a pseudo-set) and a stale
// book trade nothing.
//
// The orders here are an EOA's with the keeper's exact terms and a 100 bps taker fee, so the fills can be
// checked to the unit against the exchange's fee formula; the vault's PolymarketConnector placing them
// through the gate, and the NAV step, are test/mocha/integration/outcomeKeeper.test.ts.

const USDC = (x: string) => parseUnits(x, 6);
const HOUR = Date.parse("2026-01-28T13:59:59Z");
const base = defaultStrategyConfig();
const ARB: OutcomeArbConfig = {
  guards: { ...base.dutchBook, minLegDepthUsd: 0.5 },
  minProfitUsd: 0.1,
  caps: { perMarket: 0.15, perEvent: 0.15, perCluster: { default: 0.3 }, total: 0.6 },
  setStep: 0.01,
};

function gammaEvent(
  markets: readonly ClobMarket[],
  questionIds: ReadonlyMap<string, string>,
  negRisk: boolean,
) {
  const market = (m: ClobMarket) => ({
    conditionId: m.conditionId,
    questionID: questionIds.get(m.conditionId) ?? null,
    slug: m.slug,
    question: m.question,
    clobTokenIds: JSON.stringify(m.tokens.map(String)),
    negRisk: m.negRisk,
    negRiskMarketID: m.negRiskMarketId,
    resolutionSource: "Reserve Bank of Australia",
    endDate: "2026-02-03T03:30:00Z",
    active: true,
    closed: false,
    acceptingOrders: true,
    orderPriceMinTickSize: Number(m.tickSize),
    takerBaseFee: Number(m.feeRateBps),
  });
  return negRisk
    ? [
        {
          id: "rba",
          negRisk: true,
          negRiskMarketID: markets[0]!.negRiskMarketId,
          markets: markets.map(market),
        },
      ]
    : markets.map((m, i) => ({ id: `rba-standalone-${i}`, negRisk: false, markets: [market(m)] }));
}

describe("outcome arbitrage on the local venue: a recorded exhaustive group, a pseudo-set, a stale book", function () {
  this.timeout(120_000);
  let chain: Awaited<ReturnType<typeof localChain>>;
  let deployer: Clients;
  let trader: Clients;
  let venue: PolymarketVenue;
  let clob: LocalClob;
  let keeperClob: PolymarketClob;
  let reader: OutcomeChainReader;
  let quotes: SeedQuote[];
  let group: Awaited<ReturnType<typeof preparePolymarketNegRiskGroup>>;
  let groupMarkets: ClobMarket[];
  let pseudoMarkets: ClobMarket[];
  let chainId: number;

  before(async function () {
    chain = await localChain();
    deployer = chain.deployer;
    chainId = await deployer.public.getChainId();
    const usdc = await deployMockToken(deployer, "USD Coin", "USDC", 6);
    const conditionalTokens = await deployConditionalTokens(deployer);
    const operator = chain.clientsFor(1);
    venue = await deployPolymarketVenue(
      deployer,
      { conditionalTokens, tokens: { usdc } },
      { operator: operator.wallet.account.address },
    );
    clob = await startLocalClob({ deployer, operator: operator.wallet, venue, makers: 2 });
    quotes = await januaryGroupQuotes({
      group: "rba-feb-2026-decision",
      atMs: HOUR,
      spread: await aprilSpreadModel(),
      tickSize: "0.001",
      // a taker fee on every leg, so the profit is net of the exchange's fee at each level
      feeRateBps: 100n,
    });
    group = await preparePolymarketNegRiskGroup(
      deployer,
      venue,
      quotes.map((q) => q.question),
    );
    groupMarkets = [];
    for (const [i, q] of quotes.entries())
      groupMarkets.push(await clob.addMarket(group.questions[i]!, q, { negRiskMarketId: group.marketId }));
    // the pseudo-set: the same three questions as standalone binary markets, at the same asks
    pseudoMarkets = [];
    for (const q of quotes)
      pseudoMarkets.push(
        await clob.addMarket(await preparePolymarketBinary(deployer, venue, `${q.question} (standalone)`), {
          ...q,
          slug: `${q.slug}-standalone`,
          question: `${q.question} (standalone)`,
          group: null,
        }),
      );
    trader = chain.clientsFor(2);
    await mintMockToken(deployer, usdc, trader.wallet.account.address, USDC("10000"));
    await approvePolymarketVenue(trader, venue);
    keeperClob = await PolymarketClob.connect({ host: clob.url, chainId, signer: trader.wallet });
    reader = new OutcomeChainReader(deployer.public, {
      connector: trader.wallet.account.address,
      vault: usdc,
      exchange: venue.exchange,
      negRiskExchange: venue.negRiskExchange,
      negRiskAdapter: venue.negRiskAdapter,
      conditionalTokens,
      collateral: usdc,
    });
  });

  after(async function () {
    await clob?.close();
  });

  async function scanAt(now: number, negRisk: boolean) {
    const listed = negRisk ? groupMarkets : pseudoMarkets;
    const questionIds = new Map(group.questions.map((q) => [q.conditionId, q.questionId as string]));
    const meta = parseGammaOutcomeEvents(gammaEvent(listed, questionIds, negRisk));
    expect(meta.rejected).to.deep.equal([]);
    const onChain = await reader.negRiskMarkets(negRisk ? [group.marketId] : []);
    const { sets, refused } = candidateSets({ markets: meta.markets, events: meta.events, onChain });
    const venueApi = clobOutcomeVenue(keeperClob, trader.wallet.account.address);
    const tokens = sets.flatMap((s) => s.legs.flatMap((l) => [l.tokenId, l.complementTokenId]));
    const books = new Map((await venueApi.books([...new Set(tokens)])).map((b) => [b.tokenId, b]));
    const scan = scanOutcomeSets(
      sets,
      books,
      { navUsd: 100_000, capitalUsd: 10_000, exposure: emptyExposure(), now },
      ARB,
    );
    return { sets, refused, books, scan };
  }

  it("the RBA group is exhaustive (event list = adapter count); its asks sum below 1 at depth; the exact batch fills and locks the planned profit", async function () {
    const yesAsks = quotes.map((q) => Number(q.yesAsk) / 10_000);
    expect(yesAsks.reduce((a, b) => a + b, 0)).to.be.below(1);
    const { sets, refused, books, scan } = await scanAt(Date.now(), true);
    expect(refused).to.deep.equal([]);
    expect(sets.map((s) => [s.kind, s.legs.length, s.questionCount])).to.deep.equal([["negRisk", 3, 3]]);
    const [opp] = scan.opportunities;
    expect(opp, JSON.stringify(scan.rejected)).to.include({ strategy: "dutch-book", lock: "hold-set" });
    // the CLOB's books are the seeded ladders: the walk starts at the recorded asks
    expect(opp!.walk.legs.map((l) => l.levels[0]!.price)).to.deep.equal(yesAsks);

    const batch = planOutcomeBatch(opp!, {
      now: Math.floor(Date.now() / 1000),
      ttlSeconds: 120,
      nonce: 0n,
      books,
      sizeStep: 10_000n,
      minProfit: 1n,
    });
    const me = trader.wallet.account.address;
    const ctf = conditionalTokensArtifact().abi;
    const balance = (id: string) =>
      deployer.public.readContract({
        address: venue.conditionalTokens,
        abi: ctf,
        functionName: "balanceOf",
        args: [me, BigInt(id)],
      }) as Promise<bigint>;
    const usdcBefore = await deployer.public.readContract({
      address: venue.collateral,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [me],
    });
    const before = await Promise.all(batch.tokenIds.map(balance));
    // an EOA places the keeper's exact terms (the connector's POLY_1271 path: outcomeKeeper.test.ts)
    const builder = new ExchangeOrderBuilder(venue.negRiskExchange, chainId, trader.wallet);
    const client = new ClobClient(clob.url, chainId, trader.wallet, keeperClob.creds);
    for (const terms of batch.orders) {
      const order = await builder.buildSignedOrder({
        maker: me,
        signer: me,
        taker: zeroAddress,
        tokenId: terms.tokenId,
        makerAmount: terms.makerAmount,
        takerAmount: terms.takerAmount,
        side: terms.side === "BUY" ? OrderSide.BUY : OrderSide.SELL,
        feeRateBps: terms.feeRateBps,
        nonce: terms.nonce,
        expiration: terms.expiration,
        signatureType: SignatureType.EOA,
      });
      const result = await client.postOrder(order, OrderType.GTD);
      expect(result, JSON.stringify(result)).to.include({ success: true, status: "matched" });
    }
    const usdcAfter = await deployer.public.readContract({
      address: venue.collateral,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [me],
    });
    // collateral spent is exactly the batch's cost
    expect(usdcBefore - usdcAfter).to.equal(BigInt(batch.cost));
    const after = await Promise.all(batch.tokenIds.map(balance));
    const received = after.map((a, i) => a - before[i]!);
    const sets_ = BigInt(batch.sets);
    for (const [leg, got] of received.entries()) {
      // each leg's fills deliver the planned tokens less the exchange's fee, at least the sets
      const expected = batch.orders
        .filter((o) => o.leg === leg)
        .reduce(
          (s, o) =>
            s +
            BigInt(o.takerAmount) -
            ctfFeeExact(
              BigInt(o.feeRateBps),
              BigInt(o.takerAmount),
              BigInt(o.makerAmount),
              BigInt(o.takerAmount),
              "BUY",
            ),
          0n,
        );
      expect(got).to.equal(expected);
      expect(got >= sets_).to.equal(true);
    }
    // one YES of every question of a market whose question count is still 3 pays exactly 1 a set
    const full = received.reduce((a, b) => (a < b ? a : b));
    expect((await reader.negRiskMarkets([group.marketId])).get(group.marketId)!.questionCount).to.equal(3);
    expect(full - BigInt(batch.cost)).to.be.greaterThanOrEqual(BigInt(batch.profit));
    expect(BigInt(batch.profit) > 0n).to.equal(true);
    console.log(
      `      RBA 2026-01-28 13h: Σ asks ${yesAsks.reduce((a, b) => a + b, 0).toFixed(3)}, ${Number(batch.sets) / 1e6} sets for ${Number(batch.cost) / 1e6} USDC, locked ${Number(batch.profit) / 1e6} USDC`,
    );
  });

  it("the same questions as three standalone markets are a pseudo-set: no Dutch book across them, nothing to trade", async function () {
    const { sets, scan } = await scanAt(Date.now(), false);
    // each standalone market is only its own YES/NO pair; none is priced below 1
    expect(sets.map((s) => s.kind)).to.deep.equal(["binary", "binary", "binary"]);
    expect(scan.opportunities).to.deep.equal([]);
    expect(scan.rejected.filter((r) => r.strategy === "dutch-book").map((r) => r.reason)).to.deep.equal([
      "no-edge",
      "no-edge",
      "no-edge",
    ]);
  });

  it("a stale book trades nothing: the quote guard refuses it by name", async function () {
    const { scan } = await scanAt(Date.now() + 10 * 60_000, true);
    expect(scan.opportunities).to.deep.equal([]);
    expect(scan.rejected.map((r) => r.reason)).to.deep.equal(["stale"]);
  });
});

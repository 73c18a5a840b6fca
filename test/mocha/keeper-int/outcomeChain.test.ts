import { expect } from "chai";
import type { Address, Hex } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import {
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
  type PolymarketVenue,
} from "../../../deploy/local/polymarketVenue.js";
import {
  conditionalTokensArtifact,
  deployConditionalTokens,
} from "../../../deploy/protocols/conditionalTokens.js";
import { deployMockToken } from "../../../deploy/protocols/tokens.js";
import { connectorOrder, connectorOrderHash } from "../../../keeper/planning/outcomeActions.js";
import type { OrderTerms } from "../../../keeper/planning/outcomeOrders.js";
import { candidateSets, type VenueMarket } from "../../../keeper/strategy/outcomes/index.js";
import { OutcomeChainReader } from "../../../keeper/vault/outcomeChain.js";
import { localChain } from "../helpers/chain.js";

// The keeper's on-chain checks of the outcome strategies against the venue stand-ins on a real EVM:
// the adapter's question count and fee, question ids numbered as the keeper reads them, payouts
// verified on the Conditional Tokens, and the connector's order hash equal to the exchange's.

const { clientsFor, publicClient } = await localChain();
const exchangeAbi = projectArtifact("CtfExchange").abi;
const adapterAbi = projectArtifact("NegRiskAdapter").abi;
const CONNECTOR = "0x00000000000000000000000000000000000c0ffe" as Address;

describe("keeper: outcome chain reads against the local Polymarket venue", function () {
  const admin = clientsFor(0);
  let venue: PolymarketVenue;
  let reader: OutcomeChainReader;

  before(async function () {
    const usdc = await deployMockToken(admin, "USD Coin", "USDC", 6);
    const conditionalTokens = await deployConditionalTokens(admin);
    venue = await deployPolymarketVenue(admin, { conditionalTokens, tokens: { usdc } });
    reader = new OutcomeChainReader(publicClient, {
      connector: CONNECTOR,
      vault: usdc,
      exchange: venue.exchange,
      negRiskExchange: venue.negRiskExchange,
      negRiskAdapter: venue.negRiskAdapter,
      conditionalTokens,
      collateral: usdc,
    });
  });

  it("a negRisk group is a set only while the event list equals the adapter's count; a question added later breaks it", async function () {
    const questions = ["cut", "hike", "hold"].map((q) => `RBA Feb-2026: ${q}?`);
    const group = await preparePolymarketNegRiskGroup(admin, venue, questions);
    const markets: VenueMarket[] = group.questions.map((q, i) => ({
      conditionId: q.conditionId,
      questionId: q.questionId,
      slug: `q${i}`,
      question: questions[i]!,
      yesTokenId: q.yesTokenId.toString(),
      noTokenId: q.noTokenId.toString(),
      negRiskMarketId: group.marketId,
      eventId: "rba",
      resolutionSource: "RBA",
      endDate: null,
      status: "open",
      feeRateBps: 0,
      tickSize: 0.01,
    }));
    const event = {
      id: "rba",
      negRisk: true,
      negRiskMarketId: group.marketId,
      negRiskAugmented: false,
      marketConditionIds: markets.map((m) => m.conditionId),
    };
    const onChain = await reader.negRiskMarkets([group.marketId]);
    expect(onChain.get(group.marketId)).to.deep.equal({ questionCount: 3, feeBips: 0, determined: false });
    const sets = candidateSets({ markets, events: [event], onChain });
    expect(sets.refused).to.deep.equal([]);
    // the adapter's question ids carry the index the keeper reads (NegRiskIdLib)
    expect(sets.sets[0]!.legs.map((l) => l.questionIndex)).to.deep.equal([0, 1, 2]);

    await send(admin, {
      address: venue.negRiskAdapter,
      abi: adapterAbi,
      functionName: "prepareQuestion",
      args: [group.marketId, "0x01"],
    });
    const later = await reader.negRiskMarkets([group.marketId]);
    expect(
      candidateSets({ markets, events: [event], onChain: later }).refused.map((r) => r.reason),
    ).to.deep.equal(["question-count-mismatch"]);
  });

  it("resolution: a payout reported on the CTF names the winning token; nothing reported, nothing verified", async function () {
    const market = await preparePolymarketBinary(admin, venue, "local: resolved for the keeper?");
    const m: VenueMarket = {
      conditionId: market.conditionId,
      questionId: null,
      slug: "r",
      question: "r",
      yesTokenId: market.yesTokenId.toString(),
      noTokenId: market.noTokenId.toString(),
      negRiskMarketId: null,
      eventId: "r",
      resolutionSource: null,
      endDate: null,
      status: "resolved",
      feeRateBps: 0,
      tickSize: 0.01,
    };
    expect((await reader.verifiedResolutions([m])).size).to.equal(0);
    // the deployer is the binary condition's oracle: NO wins
    await send(admin, {
      address: venue.conditionalTokens,
      abi: conditionalTokensArtifact().abi,
      functionName: "reportPayouts",
      args: [market.questionId, [0n, 1n]],
    });
    const verified = await reader.verifiedResolutions([m]);
    expect(verified.get(market.conditionId.toLowerCase())).to.deep.equal({
      conditionId: market.conditionId,
      winningTokenId: market.noTokenId.toString(),
      source: "ctf-payout",
    });
  });

  it("the connector's POLY_1271 order hash (keeper/planning) equals exchange.hashOrder on both exchanges", async function () {
    const terms: OrderTerms = {
      leg: 0,
      tokenId: "123456789",
      conditionId: `0x${"00".repeat(32)}`,
      side: "BUY",
      makerAmount: "450000",
      takerAmount: "1000000",
      price: 0.45,
      feeRateBps: "100",
      expiration: "1900000000",
      salt: "4503599627370495",
      nonce: "0",
    };
    for (const exchange of [venue.exchange, venue.negRiskExchange]) {
      const onChain = await read<Hex>(admin, {
        address: exchange,
        abi: exchangeAbi,
        functionName: "hashOrder",
        args: [connectorOrder(terms, CONNECTOR)],
      });
      expect(connectorOrderHash(terms, CONNECTOR, await publicClient.getChainId(), exchange)).to.equal(
        onChain,
      );
    }
  });
});

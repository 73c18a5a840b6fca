import { ExchangeOrderBuilder, OrderSide, SignatureType } from "@polymarket/clob-client";
import { expect } from "chai";
import { type Address, type Hex, maxUint256, parseUnits, zeroAddress, zeroHash } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import {
  type PolymarketVenue,
  approvePolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
} from "../../../deploy/local/polymarketVenue.js";
import {
  conditionalTokensArtifact,
  deployConditionalTokens,
} from "../../../deploy/protocols/conditionalTokens.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { localChain } from "../helpers/chain.js";
import { expectRevert } from "../helpers/revert.js";

const { clientsFor, publicClient } = await localChain();

const exchangeAbi = projectArtifact("CtfExchange").abi;
const adapterAbi = projectArtifact("NegRiskAdapter").abi;
const ctfAbi = conditionalTokensArtifact().abi;
const usdcUnits = (amount: string) => parseUnits(amount, 6);

/** The fields ExchangeOrderBuilder.buildSignedOrder returns (strings), as the exchange's Order tuple. */
interface BuiltOrder {
  readonly salt: string;
  readonly maker: string;
  readonly signer: string;
  readonly taker: string;
  readonly tokenId: string;
  readonly makerAmount: string;
  readonly takerAmount: string;
  readonly expiration: string;
  readonly nonce: string;
  readonly feeRateBps: string;
  readonly side: number;
  readonly signatureType: number;
  readonly signature?: string;
}

const onChain = (order: BuiltOrder) => ({
  salt: BigInt(order.salt),
  maker: order.maker as Address,
  signer: order.signer as Address,
  taker: order.taker as Address,
  tokenId: BigInt(order.tokenId),
  makerAmount: BigInt(order.makerAmount),
  takerAmount: BigInt(order.takerAmount),
  expiration: BigInt(order.expiration),
  nonce: BigInt(order.nonce),
  feeRateBps: BigInt(order.feeRateBps),
  side: order.side,
  signatureType: order.signatureType,
  signature: (order.signature ?? "0x") as Hex,
});

const balanceOf = (clients: Clients, venue: PolymarketVenue, owner: Address, id: bigint) =>
  read<bigint>(clients, {
    address: venue.conditionalTokens,
    abi: ctfAbi,
    functionName: "balanceOf",
    args: [owner, id],
  });

describe("local Polymarket venue (CtfExchange + NegRiskAdapter stand-ins, @polymarket/clob-client orders)", function () {
  const admin = clientsFor(0);
  const operator = clientsFor(1);
  const maker = clientsFor(2);
  const makerAddress = maker.wallet.account.address;
  let venue: PolymarketVenue;
  let chainId: number;

  before(async function () {
    const usdc = await deployMockToken(admin, "USD Coin", "USDC", 6);
    const conditionalTokens = await deployConditionalTokens(admin);
    venue = await deployPolymarketVenue(
      admin,
      { conditionalTokens, tokens: { usdc } },
      { operator: operator.wallet.account.address },
    );
    chainId = await publicClient.getChainId();
    for (const account of [operator, maker]) {
      await mintMockToken(admin, usdc, account.wallet.account.address, usdcUnits("1000"));
      await approvePolymarketVenue(account, venue);
    }
  });

  it("hashOrder equals ExchangeOrderBuilder.buildOrderHash, and an EOA order signed with a viem wallet fills", async function () {
    const market = await preparePolymarketBinary(
      admin,
      venue,
      "local: does the venue fill clob-client orders?",
    );
    // the operator holds the YES it sells into the bid
    await send(operator, {
      address: venue.collateral,
      abi: projectArtifact("MockERC20").abi,
      functionName: "approve",
      args: [venue.conditionalTokens, maxUint256],
    });
    await send(operator, {
      address: venue.conditionalTokens,
      abi: ctfAbi,
      functionName: "splitPosition",
      args: [venue.collateral, zeroHash, market.conditionId, [1n, 2n], usdcUnits("100")],
    });

    const builder = new ExchangeOrderBuilder(venue.exchange, chainId, maker.wallet);
    const variants = [
      { side: OrderSide.BUY, tokenId: market.yesTokenId, makerAmount: "60000000", takerAmount: "100000000" },
      {
        side: OrderSide.SELL,
        tokenId: market.noTokenId,
        makerAmount: "5",
        takerAmount: "3",
        expiration: "1900000000",
        signatureType: SignatureType.POLY_GNOSIS_SAFE,
      },
    ];
    for (const variant of variants) {
      const order = await builder.buildOrder({
        maker: makerAddress,
        taker: zeroAddress,
        tokenId: variant.tokenId.toString(),
        makerAmount: variant.makerAmount,
        takerAmount: variant.takerAmount,
        side: variant.side,
        feeRateBps: "100",
        nonce: "0",
        ...(variant.expiration ? { expiration: variant.expiration } : {}),
        ...(variant.signatureType ? { signatureType: variant.signatureType } : {}),
      });
      const clientHash = builder.buildOrderHash(builder.buildOrderTypedData(order));
      const chainHash = await read<Hex>(admin, {
        address: venue.exchange,
        abi: exchangeAbi,
        functionName: "hashOrder",
        args: [onChain(order)],
      });
      expect(chainHash).to.equal(clientHash);
    }

    const signed = await builder.buildSignedOrder({
      maker: makerAddress,
      taker: zeroAddress,
      tokenId: market.yesTokenId.toString(),
      makerAmount: "60000000",
      takerAmount: "100000000",
      side: OrderSide.BUY,
      feeRateBps: "100",
      nonce: "0",
    });
    await read(admin, {
      address: venue.exchange,
      abi: exchangeAbi,
      functionName: "validateOrder",
      args: [onChain(signed)],
    });
    await send(operator, {
      address: venue.exchange,
      abi: exchangeAbi,
      functionName: "fillOrder",
      args: [onChain(signed), usdcUnits("60")],
    });
    // 1 % * min(0.6, 0.4) * 100 / 0.6 = 0.666666 YES fee
    expect(await balanceOf(admin, venue, makerAddress, market.yesTokenId)).to.equal(
      usdcUnits("100") - 666_666n,
    );

    // the same order signed for another chain, or for the negRisk exchange, does not validate here
    for (const [address, id] of [
      [venue.exchange, chainId + 1],
      [venue.negRiskExchange, chainId],
    ] as const) {
      const elsewhere = await new ExchangeOrderBuilder(address, id, maker.wallet).buildSignedOrder({
        maker: makerAddress,
        taker: zeroAddress,
        tokenId: market.yesTokenId.toString(),
        makerAmount: "1000000",
        takerAmount: "2000000",
        side: OrderSide.BUY,
        feeRateBps: "0",
        nonce: "0",
      });
      await expectRevert(
        read(admin, {
          address: venue.exchange,
          abi: exchangeAbi,
          functionName: "validateOrder",
          args: [onChain(elsewhere)],
        }),
        "InvalidSignature",
      );
    }
  });

  it("prepares a negRisk group registered on the negRisk exchange, whose NO set converts", async function () {
    const group = await preparePolymarketNegRiskGroup(admin, venue, ["A wins", "B wins", "C wins"]);
    expect(
      await read<bigint>(admin, {
        address: venue.negRiskAdapter,
        abi: adapterAbi,
        functionName: "getQuestionCount",
        args: [group.marketId],
      }),
    ).to.equal(3n);
    for (const question of group.questions) {
      expect(
        await read<bigint>(admin, {
          address: venue.negRiskExchange,
          abi: exchangeAbi,
          functionName: "getComplement",
          args: [question.yesTokenId],
        }),
      ).to.equal(question.noTokenId);
    }
    // NO of A and B → 10 USDC and 10 YES of C
    for (const question of group.questions.slice(0, 2)) {
      await send(maker, {
        address: venue.negRiskAdapter,
        abi: adapterAbi,
        functionName: "splitPosition",
        args: [question.conditionId, usdcUnits("10")],
      });
    }
    const [, , c] = group.questions;
    if (!c) throw new Error("group has three questions");
    await send(maker, {
      address: venue.negRiskAdapter,
      abi: adapterAbi,
      functionName: "convertPositions",
      args: [group.marketId, 0b011n, usdcUnits("10")],
    });
    expect(await balanceOf(admin, venue, makerAddress, c.yesTokenId)).to.equal(usdcUnits("10"));
    expect(await balanceOf(admin, venue, makerAddress, c.noTokenId)).to.equal(0n);
  });
});

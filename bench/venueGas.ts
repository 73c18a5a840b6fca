import { ExchangeOrderBuilder, OrderSide } from "@polymarket/clob-client";
import { type Address, type Hex, maxUint256, parseUnits, zeroAddress, zeroHash } from "viem";
import { projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import {
  type PolymarketVenue,
  approvePolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
} from "../deploy/local/polymarketVenue.js";
import { conditionalTokensArtifact, deployConditionalTokens } from "../deploy/protocols/conditionalTokens.js";
import { deployMockToken, mintMockToken } from "../deploy/protocols/tokens.js";

/** Accounts no other measurement sends from: the venue's admin and operator, a taker and a maker. */
const VENUE_ADMIN = 18;
const TAKER = 11;
const MAKER = 13;
const USDC = (amount: string) => parseUnits(amount, 6);
/** Maker orders per matchOrders figure. */
export const VENUE_MATCH_MAKERS = [1, 5] as const;
/** Questions of the negRisk markets whose full NO set is converted. */
export const VENUE_CONVERT_QUESTIONS = [3, 10, 25] as const;

export interface VenueGas {
  /** the operator fills one BUY order (EOA-signed through clob-client) completely, the order's first fill */
  readonly fillOrder: bigint;
  /** matchOrders of a BUY taker against k SELL makers of the same token (COMPLEMENTARY) */
  readonly match: Readonly<Record<number, bigint>>;
  /** matchOrders of a YES bid against a NO bid: the exchange splits collateral into the full set (MINT) */
  readonly mint: bigint;
  /** convertPositions of the NO of every question of an n-question negRisk market into n - 1 collateral */
  readonly convert: Readonly<Record<number, bigint>>;
}

const exchangeAbi = () => projectArtifact("CtfExchange").abi;

async function gasOf(clients: Clients, hash: Hex): Promise<bigint> {
  return (await clients.public.getTransactionReceipt({ hash })).gasUsed;
}

/** Signs orders of `clients`' account for `exchange` with @polymarket/clob-client's ExchangeOrderBuilder. */
function orderSigner(clients: Clients, exchange: Address, chainId: number) {
  const builder = new ExchangeOrderBuilder(exchange, chainId, clients.wallet);
  const maker = clients.wallet.account.address;
  return async (tokenId: bigint, side: OrderSide, makerAmount: bigint, takerAmount: bigint) => {
    const order = await builder.buildSignedOrder({
      maker,
      taker: zeroAddress,
      tokenId: tokenId.toString(),
      makerAmount: makerAmount.toString(),
      takerAmount: takerAmount.toString(),
      side,
      feeRateBps: "0",
      nonce: "0",
    });
    return {
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
      side: Number(order.side),
      signatureType: Number(order.signatureType),
      signature: order.signature as Hex,
    };
  };
}

async function splitOnCtf(clients: Clients, venue: PolymarketVenue, conditionId: Hex, amount: bigint) {
  await send(clients, {
    address: venue.collateral,
    abi: projectArtifact("MockERC20").abi,
    functionName: "approve",
    args: [venue.conditionalTokens, maxUint256],
  });
  await send(clients, {
    address: venue.conditionalTokens,
    abi: conditionalTokensArtifact().abi,
    functionName: "splitPosition",
    args: [venue.collateral, zeroHash, conditionId, [1n, 2n], amount],
  });
}

/**
 * What the CLOB operator and a negRisk converter pay on the local Polymarket venue (the CtfExchange and
 * NegRiskAdapter stand-ins on the real Conditional Tokens 1.0.3): whole-transaction receipt gas. Every trader
 * already holds USDC and outcome tokens of the market (a repeat trader), orders are fresh (first fill).
 */
export async function measureVenueGas(accounts: readonly Clients[]): Promise<VenueGas> {
  const admin = accounts[VENUE_ADMIN];
  const taker = accounts[TAKER];
  const maker = accounts[MAKER];
  if (!admin || !taker || !maker)
    throw new Error(`venue gas needs accounts #${VENUE_ADMIN}, #${TAKER}, #${MAKER}`);
  const usdc = await deployMockToken(admin, "USD Coin", "USDC", 6);
  const conditionalTokens = await deployConditionalTokens(admin);
  const venue = await deployPolymarketVenue(admin, { conditionalTokens, tokens: { usdc } });
  const chainId = await admin.public.getChainId();
  for (const account of [admin, taker, maker]) {
    await mintMockToken(admin, usdc, account.wallet.account.address, USDC("100000"));
    await approvePolymarketVenue(account, venue);
  }
  const market = await preparePolymarketBinary(admin, venue, "bench: local venue gas");
  for (const account of [admin, taker, maker])
    await splitOnCtf(account, venue, market.conditionId, USDC("10000"));
  const takerOrder = orderSigner(taker, venue.exchange, chainId);
  const makerOrder = orderSigner(maker, venue.exchange, chainId);
  const exchangeWrite = async (functionName: string, args: readonly unknown[]) =>
    gasOf(admin, await send(admin, { address: venue.exchange, abi: exchangeAbi(), functionName, args }));

  const bid = await takerOrder(market.yesTokenId, OrderSide.BUY, USDC("60"), USDC("100"));
  const fillOrder = await exchangeWrite("fillOrder", [bid, USDC("60")]);

  const match: Record<number, bigint> = {};
  for (const k of VENUE_MATCH_MAKERS) {
    const asks = [];
    for (let i = 0; i < k; i++) {
      asks.push(await makerOrder(market.yesTokenId, OrderSide.SELL, USDC("20"), USDC("10")));
    }
    const takerBid = await takerOrder(
      market.yesTokenId,
      OrderSide.BUY,
      USDC(String(12 * k)),
      USDC(String(20 * k)),
    );
    match[k] = await exchangeWrite("matchOrders", [
      takerBid,
      asks,
      USDC(String(10 * k)),
      asks.map(() => USDC("20")),
    ]);
  }

  const yesBid = await takerOrder(market.yesTokenId, OrderSide.BUY, USDC("60"), USDC("100"));
  const noBid = await makerOrder(market.noTokenId, OrderSide.BUY, USDC("40"), USDC("100"));
  const mint = await exchangeWrite("matchOrders", [yesBid, [noBid], USDC("60"), [USDC("40")]]);

  const adapterAbi = projectArtifact("NegRiskAdapter").abi;
  const convert: Record<number, bigint> = {};
  for (const n of VENUE_CONVERT_QUESTIONS) {
    const questions = Array.from({ length: n }, (_, i) => `bench: outcome ${i + 1} of ${n}`);
    const group = await preparePolymarketNegRiskGroup(admin, venue, questions);
    for (const question of group.questions) {
      await send(taker, {
        address: venue.negRiskAdapter,
        abi: adapterAbi,
        functionName: "splitPosition",
        args: [question.conditionId, USDC("100")],
      });
    }
    const hash = await send(taker, {
      address: venue.negRiskAdapter,
      abi: adapterAbi,
      functionName: "convertPositions",
      args: [group.marketId, (1n << BigInt(n)) - 1n, USDC("100")],
    });
    convert[n] = await gasOf(taker, hash);
  }
  return { fillOrder, match, mint, convert };
}

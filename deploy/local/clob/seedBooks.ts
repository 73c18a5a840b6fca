import {
  ClobClient,
  ExchangeOrderBuilder,
  OrderSide,
  OrderType,
  SignatureType,
} from "@polymarket/clob-client";
import {
  type Hex,
  type PrivateKeyAccount,
  createWalletClient,
  custom,
  erc20Abi,
  keccak256,
  parseEther,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { projectArtifact, send } from "../../lib/artifacts.js";
import type { Clients } from "../../lib/clients.js";
import { type PolymarketVenue, approvePolymarketVenue } from "../polymarketVenue.js";
import { conditionalTokensArtifact } from "../../protocols/conditionalTokens.js";
import { mintMockToken } from "../../protocols/tokens.js";
import type { ClobMarket } from "./clobEngine.js";
import { PRICE_SCALE, tickUnits } from "./orders.js";
import type { DepthProfile, SeedQuote } from "./recordedQuotes.js";

/**
 * Seeds the local books the way liquidity gets onto Polymarket: maker accounts (EOAs with their own
 * keys) split collateral into full sets through the Conditional Tokens (or the NegRisk adapter for
 * negRisk markets), approve the exchange, sign real EIP-712 orders with clob-client's
 * ExchangeOrderBuilder and post them through the CLOB API with clob-client's ClobClient. A SELL of YES
 * at the YES ask and a SELL of NO at the NO ask make both sides of the one book (the YES bid is
 * 1 − the NO ask).
 */

export interface SeedMaker {
  readonly account: PrivateKeyAccount;
  readonly clients: Clients;
  readonly clob: ClobClient;
}

/** Deterministic maker keys, so a restarted local stack has the same makers. */
export function seedMakerKey(index: number): Hex {
  return keccak256(toHex(`local-clob-seed-maker-${index}`));
}

/**
 * Creates `count` makers: funded with gas by the deployer, with every approval the venue needs
 * (approvePolymarketVenue) and their API keys created through the service (L1 auth).
 */
export async function createSeedMakers(
  deployer: Clients,
  options: {
    count: number;
    serviceUrl: string;
    chainId: number;
    venue: PolymarketVenue;
  },
): Promise<SeedMaker[]> {
  const makers: SeedMaker[] = [];
  for (let i = 0; i < options.count; i++) {
    const account = privateKeyToAccount(seedMakerKey(i));
    const wallet = createWalletClient({
      account,
      chain: deployer.wallet.chain,
      transport: custom({ request: (args) => deployer.public.request(args as never) }),
    });
    const clients: Clients = { public: deployer.public, wallet };
    await deployer.public.waitForTransactionReceipt({
      hash: await deployer.wallet.sendTransaction({ to: account.address, value: parseEther("10") }),
    });
    await approvePolymarketVenue(clients, options.venue);
    const l1 = new ClobClient(options.serviceUrl, options.chainId, wallet);
    const creds = await l1.createOrDeriveApiKey();
    if (!creds.key) throw new Error(`seed maker ${account.address} could not get an API key from the CLOB`);
    makers.push({
      account,
      clients,
      clob: new ClobClient(options.serviceUrl, options.chainId, wallet, creds),
    });
  }
  return makers;
}

/** Outcome tokens one side of a seeded book holds in all (the sets its maker splits). */
export function seededShares(depth: DepthProfile): bigint {
  return depth.reduce((a, b) => a + b, 0n) * 1_000_000n;
}

/** One resting maker order to seed: a token, its side, a price in units of 0.0001 and a size in token units (6 decimals). */
export interface SeedLevel {
  readonly tokenId: bigint;
  readonly side: "BUY" | "SELL";
  readonly price: bigint;
  readonly shares: bigint;
}

/**
 * Splits the sets, signs the SELL ladder of both outcomes (best ask, then one tick worse per level, at the
 * depth profile's sizes) and posts it. Returns the posted order ids.
 */
export async function seedMarketBook(
  deployer: Clients,
  maker: SeedMaker,
  options: {
    venue: PolymarketVenue;
    chainId: number;
    market: ClobMarket;
    quote: SeedQuote;
    depth: DepthProfile;
  },
): Promise<Hex[]> {
  const { market, quote, depth } = options;
  const tick = tickUnits(market.tickSize);
  const levels: SeedLevel[] = [];
  for (const [tokenId, best] of [
    [market.tokens[0], quote.yesAsk],
    [market.tokens[1], quote.noAsk],
  ] as const) {
    for (const [level, whole] of depth.entries()) {
      const price = best + BigInt(level) * tick;
      if (price > PRICE_SCALE - tick) break;
      levels.push({ tokenId, side: "SELL", price, shares: whole * 1_000_000n });
    }
  }
  return seedBookLevels(deployer, maker, { ...options, levels, sets: seededShares(depth) });
}

/**
 * Puts explicit levels on a market's book: the maker splits `sets` full sets (default: the most any one
 * outcome sells) and is minted the collateral its BUY orders bid, then signs every level as a real EIP-712
 * order and posts it through the CLOB API (GTC). Returns the posted order ids.
 */
export async function seedBookLevels(
  deployer: Clients,
  maker: SeedMaker,
  options: {
    venue: PolymarketVenue;
    chainId: number;
    market: ClobMarket;
    levels: readonly SeedLevel[];
    sets?: bigint;
  },
): Promise<Hex[]> {
  const { market, venue, levels } = options;
  const sold = (token: bigint) =>
    levels.filter((l) => l.side === "SELL" && l.tokenId === token).reduce((a, l) => a + l.shares, 0n);
  const most =
    sold(market.tokens[0]) > sold(market.tokens[1]) ? sold(market.tokens[0]) : sold(market.tokens[1]);
  const sets = options.sets ?? most;
  const bid = levels
    .filter((l) => l.side === "BUY")
    .reduce((a, l) => a + (l.shares * l.price) / PRICE_SCALE, 0n);
  if (sets + bid > 0n) await mintMockToken(deployer, venue.collateral, maker.account.address, sets + bid);
  if (sets > 0n && market.negRisk)
    await send(maker.clients, {
      address: venue.negRiskAdapter,
      abi: projectArtifact("NegRiskAdapter").abi,
      functionName: "splitPosition",
      args: [market.conditionId, sets],
    });
  else if (sets > 0n) {
    await send(maker.clients, {
      address: venue.collateral,
      abi: erc20Abi,
      functionName: "approve",
      args: [venue.conditionalTokens, sets],
    });
    await send(maker.clients, {
      address: venue.conditionalTokens,
      abi: conditionalTokensArtifact().abi,
      functionName: "splitPosition",
      args: [venue.collateral, zeroHash, market.conditionId, [1n, 2n], sets],
    });
  }
  const builder = new ExchangeOrderBuilder(market.exchange, options.chainId, maker.clients.wallet);
  const ids: Hex[] = [];
  for (const level of levels) {
    const collateral = ((level.shares * level.price) / PRICE_SCALE).toString();
    const signed = await builder.buildSignedOrder({
      maker: maker.account.address,
      signer: maker.account.address,
      taker: zeroAddress,
      tokenId: level.tokenId.toString(),
      makerAmount: level.side === "SELL" ? level.shares.toString() : collateral,
      takerAmount: level.side === "SELL" ? collateral : level.shares.toString(),
      side: level.side === "SELL" ? OrderSide.SELL : OrderSide.BUY,
      feeRateBps: market.feeRateBps.toString(),
      nonce: "0",
      expiration: "0",
      signatureType: SignatureType.EOA,
    });
    const result = (await maker.clob.postOrder(signed, OrderType.GTC)) as {
      success?: boolean;
      orderID?: Hex;
      error?: unknown;
    };
    if (result.success !== true || !result.orderID)
      throw new Error(
        `seeding ${market.slug}: the CLOB refused a maker order: ${JSON.stringify(result.error ?? result)}`,
      );
    ids.push(result.orderID);
  }
  return ids;
}

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
  const { market, quote, depth, venue } = options;
  const sets = seededShares(depth);
  await mintMockToken(deployer, venue.collateral, maker.account.address, sets);
  if (market.negRisk)
    await send(maker.clients, {
      address: venue.negRiskAdapter,
      abi: projectArtifact("NegRiskAdapter").abi,
      functionName: "splitPosition",
      args: [market.conditionId, sets],
    });
  else {
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
  const tick = tickUnits(market.tickSize);
  const ids: Hex[] = [];
  for (const [tokenId, best] of [
    [market.tokens[0], quote.yesAsk],
    [market.tokens[1], quote.noAsk],
  ] as const) {
    for (const [level, whole] of depth.entries()) {
      const price = best + BigInt(level) * tick;
      if (price > PRICE_SCALE - tick) break;
      const shares = whole * 1_000_000n;
      const signed = await builder.buildSignedOrder({
        maker: maker.account.address,
        signer: maker.account.address,
        taker: zeroAddress,
        tokenId: tokenId.toString(),
        makerAmount: shares.toString(),
        takerAmount: ((shares * price) / PRICE_SCALE).toString(),
        side: OrderSide.SELL,
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
  }
  return ids;
}

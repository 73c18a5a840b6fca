import type { Account, Address, Chain, Hex, Transport, WalletClient } from "viem";
import type { Clients } from "../../lib/clients.js";
import { type ClobMarket, ClobEngine } from "./clobEngine.js";
import { type ClobService, startClobService } from "./clobService.js";
import { ExchangeGateway } from "./exchangeGateway.js";
import type { DepthProfile, SeedQuote } from "./recordedQuotes.js";
import {
  type SeedLevel,
  type SeedMaker,
  createSeedMakers,
  seedBookLevels,
  seedMarketBook,
} from "./seedBooks.js";
import type { PolymarketVenue } from "../polymarketVenue.js";

/**
 * The local CLOB as the stack runs it: the engine on the local chain (its operator sends the
 * matches), the HTTP service, and seed makers that put recorded quotes on the books.
 */

export interface LocalClobConfig {
  /** the deployer: funds the makers and mints their collateral */
  readonly deployer: Clients;
  /** the exchanges' operator account (the only one allowed to call matchOrders) */
  readonly operator: WalletClient<Transport, Chain, Account>;
  readonly venue: PolymarketVenue;
  readonly port?: number;
  /** seed makers to create (markets are spread over them; default 2) */
  readonly makers?: number;
  /** blocks on top of a trade's block before it reads CONFIRMED (default 1) */
  readonly confirmations?: bigint;
  /** the market clock in ms (see `ClobEngineOptions.clock`) */
  readonly clock?: () => number;
}

export interface PreparedBinary {
  readonly conditionId: Hex;
  readonly yesTokenId: bigint;
  readonly noTokenId: bigint;
}

export interface LocalClob {
  readonly url: string;
  readonly service: ClobService;
  readonly engine: ClobEngine;
  readonly makers: readonly SeedMaker[];
  /** the operator address: it sends every match and receives the exchange's fees */
  readonly operator: Address;
  /**
   * Lists a prepared market (binary on the CTF Exchange, or one question of a negRisk group on the
   * NegRisk CTF Exchange) and seeds its book from `quote`. Returns the market as the CLOB lists it.
   */
  addMarket(
    prepared: PreparedBinary,
    quote: SeedQuote,
    options?: { negRiskMarketId?: Hex; depth?: DepthProfile; minOrderSize?: bigint },
  ): Promise<ClobMarket>;
  /**
   * Lists a prepared market without seeding it, then puts explicit maker levels on its book (a recorded
   * book as it stood, rather than a best quote and a depth profile). Returns the market as listed.
   */
  addMarketWithLevels(
    prepared: PreparedBinary,
    listing: Omit<SeedQuote, "yesAsk" | "noAsk" | "group">,
    levels: (market: ClobMarket) => readonly SeedLevel[],
    options?: { negRiskMarketId?: Hex; minOrderSize?: bigint },
  ): Promise<ClobMarket>;
  /**
   * Replaces a listed market's book: its maker cancels every order it rests on the market through the
   * CLOB API, then posts `levels` (the same market at a later recorded time).
   */
  reseedMarket(market: ClobMarket, levels: readonly SeedLevel[]): Promise<void>;
  close(): Promise<void>;
}

/** A recorded-book default: 100 / 281 / 96 tokens (the best three asks of the recorded sample book, scaled). */
export const DEFAULT_DEPTH: DepthProfile = [100n, 281n, 96n];

export async function startLocalClob(config: LocalClobConfig): Promise<LocalClob> {
  const chainId = await config.deployer.public.getChainId();
  const gateway = new ExchangeGateway(config.deployer.public, config.operator);
  const engine = new ClobEngine(gateway, {
    chainId,
    ...(config.confirmations !== undefined ? { confirmations: config.confirmations } : {}),
    ...(config.clock ? { clock: config.clock } : {}),
  });
  const service = await startClobService({
    engine,
    chainId,
    ...(config.port !== undefined ? { port: config.port } : {}),
  });
  const makers = await createSeedMakers(config.deployer, {
    count: config.makers ?? 2,
    serviceUrl: service.url,
    chainId,
    venue: config.venue,
  });
  let listed = 0;
  const makerOf = new Map<Hex, SeedMaker>();
  const list = async (
    prepared: PreparedBinary,
    listing: Omit<SeedQuote, "yesAsk" | "noAsk" | "group">,
    options: { negRiskMarketId?: Hex; minOrderSize?: bigint },
  ): Promise<{ market: ClobMarket; maker: SeedMaker }> => {
    const negRisk = options.negRiskMarketId !== undefined;
    const market: ClobMarket = {
      conditionId: prepared.conditionId,
      question: listing.question,
      slug: listing.slug,
      tokens: [prepared.yesTokenId, prepared.noTokenId],
      outcomes: ["Yes", "No"],
      negRisk,
      negRiskMarketId: options.negRiskMarketId ?? null,
      exchange: negRisk ? config.venue.negRiskExchange : config.venue.exchange,
      tickSize: listing.tickSize,
      minOrderSize: options.minOrderSize ?? 5_000_000n,
      feeRateBps: listing.feeRateBps,
      source: listing.source,
    };
    await engine.addMarket(market);
    const maker = makers[listed % makers.length] as SeedMaker;
    listed += 1;
    makerOf.set(market.conditionId, maker);
    return { market, maker };
  };
  return {
    url: service.url,
    service,
    engine,
    makers,
    operator: config.operator.account.address,
    async addMarket(prepared, quote, options = {}) {
      const { market, maker } = await list(prepared, quote, options);
      await seedMarketBook(config.deployer, maker, {
        venue: config.venue,
        chainId,
        market,
        quote,
        depth: options.depth ?? DEFAULT_DEPTH,
      });
      return market;
    },
    async addMarketWithLevels(prepared, listing, levels, options = {}) {
      const { market, maker } = await list(prepared, listing, options);
      await seedBookLevels(config.deployer, maker, {
        venue: config.venue,
        chainId,
        market,
        levels: levels(market),
      });
      return market;
    },
    async reseedMarket(market, levels) {
      const maker = makerOf.get(market.conditionId);
      if (!maker) throw new Error(`${market.slug} is not listed on this CLOB`);
      await maker.clob.cancelMarketOrders({ market: market.conditionId });
      await seedBookLevels(config.deployer, maker, { venue: config.venue, chainId, market, levels });
    },
    close: () => service.close(),
  };
}

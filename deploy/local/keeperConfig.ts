import { getAddress, isAddress, type LocalAccount, type PublicClient, type Transport } from "viem";
import { z } from "zod";
import { keeperConfigSchema, type KeeperConfigInput } from "../../keeper/config/schema.js";
import type { Keeper } from "../../keeper/cycle/keeper.js";
import { silentLogger, type Logger } from "../../keeper/log/logger.js";
import { composeKeeper } from "../../keeper/service/compose.js";
import type { SwapQuoter } from "../../keeper/vault/lifiQuoter.js";
import type { SnapshotSource } from "../../keeper/vault/ports.js";
import type { LocalStack } from "./productStack.js";

/** The local stack's USDC/WETH pool (deploy/local/productStack.ts): 0.05 % fee tier. */
export const USDC_WETH_FEE = 500;
export const USDC_WETH_TICK_SPACING = 10;

/** The policy connector keys the example and demo policies use, mapped to the local stack's connectors. */
export const LOCAL_CONNECTOR_KEYS = {
  "aave-usdc": "aave",
  "morpho-usdc": "morpho",
  "uniswap-usdc-weth": "uniswap",
} as const;

export interface LocalKeeperConfigOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly operatorId?: string;
  readonly storePath?: string;
  readonly policyPath?: string;
  /** Recorded snapshots replayed as signals (a JSON array of MarketSnapshot). */
  readonly signalsFile?: string;
  /** Live signals fetched each strategy run (`product.liveSignals`); not with `signalsFile`. */
  readonly liveSignals?: NonNullable<KeeperConfigInput["product"]>["liveSignals"];
  readonly webhookUrl?: string;
  /**
   * The LI.FI quote service (deploy/local/lifiQuoteService.ts): with it, the Uniswap connector is a
   * managed LP (`uniswapLp`): `wethShareBps` of what it receives is swapped to WETH through LI.FI and
   * minted as liquidity `halfWidthTicks` either side of the pool's tick; without it, kind `hold`.
   */
  readonly swaps?: {
    readonly quoteUrl: string;
    readonly wethShareBps?: number;
    readonly halfWidthTicks?: number;
    readonly maxSlippageBps?: number;
    /** false: the connector only swaps (kind `hold` with a swap share), no liquidity is minted */
    readonly mintLiquidity?: boolean;
  };
  /** Approved mandates this operator holds (their full lists; `id` is `KeeperGate.mandateDigest`). */
  readonly mandates?: NonNullable<KeeperConfigInput["product"]>["mandates"];
  readonly planner?: NonNullable<KeeperConfigInput["product"]>["planner"];
  /** Settle inside the rebalance batch (see `product.settlement`). */
  readonly settleInRebalanceBatch?: boolean;
  /** This operator's key is the vault's guardian. */
  readonly guardian?: boolean;
  readonly schedule?: KeeperConfigInput["schedule"];
  readonly http?: KeeperConfigInput["http"];
  readonly pollingIntervalMs?: number;
  /**
   * The outcome-arbitrage task on the stack's PolymarketConnector (needs a stack deployed with
   * `polymarket: true`): the CLOB in front of its venue, the recorded Gamma `/events` payload that
   * lists the candidate events, and limits besides the defaults.
   */
  readonly outcomes?: {
    readonly clobUrl: string;
    readonly metadataFile: string;
    readonly orderTtlSeconds?: number;
    readonly everySeconds?: number;
    readonly limits?: NonNullable<KeeperConfigInput["outcomes"]>["limits"];
  };
}

/**
 * The keeper config (`npm run keeper -- run --config <file>`) for a local stack: gate, vault, every
 * connector by the policies' keys, LI.FI routing, mandates, settlement, peg feeds. The key comes
 * from the environment (`KEEPER_PRIVATE_KEY`), never from the file.
 */
export function localKeeperConfig(local: LocalStack, options: LocalKeeperConfigOptions): KeeperConfigInput {
  return keeperConfigFor(stackAddressesOf(local), options);
}

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be an address")
  .transform((v) => getAddress(v));

/** The part of the addresses file `npm start` writes (.keeper-data/local-addresses.json) a keeper config needs. */
export const keeperStackAddressesSchema = z.looseObject({
  chainId: z.number().int().positive(),
  rpcUrl: z.string().optional(),
  vault: address,
  asset: address,
  registry: address,
  oracle: address,
  gate: address,
  swapHandler: address,
  connectors: z.looseObject({ aave: address, morpho: address, uniswap: address }),
  morphoSupplyVault: address,
  roles: z.looseObject({ operators: z.array(address).min(1) }),
  tokens: z.looseObject({ weth: address, usdt: address }),
  feeds: z.looseObject({ usdcUsd: address, usdtUsd: address }),
  uniswap: z.looseObject({ usdcWethPool: address }),
  /** the local CLOB `npm start` serves in front of the venue */
  polymarket: z.looseObject({ clobUrl: z.string() }).optional(),
  /** the PolymarketConnector and the venue it trades on (stacks deployed with `polymarket: true`) */
  polymarketConnector: z
    .looseObject({
      connector: address,
      exchange: address,
      negRiskExchange: address,
      negRiskAdapter: address,
      conditionalTokens: address,
      collateral: address,
    })
    .optional(),
});
export type KeeperStackAddresses = z.output<typeof keeperStackAddressesSchema>;

/** The addresses of a deployed local stack, in the shape of the addresses file. */
export function stackAddressesOf(local: LocalStack): KeeperStackAddresses {
  const { stack, protocols } = local;
  return {
    chainId: 0,
    vault: stack.vault,
    asset: stack.asset,
    registry: stack.registry,
    oracle: stack.oracle,
    gate: stack.gate,
    swapHandler: stack.swapHandler,
    connectors: stack.connectors,
    morphoSupplyVault: stack.morphoSupplyVault,
    roles: { operators: [...stack.addresses.operators] },
    tokens: { weth: protocols.tokens.weth, usdt: protocols.tokens.usdt },
    feeds: { usdcUsd: protocols.feeds.usdcUsd, usdtUsd: protocols.feeds.usdtUsd },
    uniswap: { usdcWethPool: protocols.uniswap.usdcWethPool },
    ...(stack.polymarket
      ? {
          polymarketConnector: {
            connector: stack.polymarket.connector,
            exchange: stack.polymarket.venue.exchange,
            negRiskExchange: stack.polymarket.venue.negRiskExchange,
            negRiskAdapter: stack.polymarket.venue.negRiskAdapter,
            conditionalTokens: stack.polymarket.venue.conditionalTokens,
            collateral: stack.polymarket.venue.collateral,
          },
        }
      : {}),
  };
}

/** The keeper config for a stack at `addresses` (see `localKeeperConfig`). */
export function keeperConfigFor(
  addresses: KeeperStackAddresses,
  options: LocalKeeperConfigOptions,
): KeeperConfigInput {
  const stack = addresses;
  const swaps = options.swaps;
  const weth = addresses.tokens.weth;
  const pm = addresses.polymarketConnector;
  if (options.outcomes && !pm)
    throw new Error(
      "the outcomes task needs a stack deployed with its PolymarketConnector (polymarket: true)",
    );
  return {
    operator: { id: options.operatorId ?? "local-operator-1" },
    chain: {
      rpcUrl: options.rpcUrl,
      chainId: options.chainId,
      pollingIntervalMs: options.pollingIntervalMs ?? 500,
    },
    store: { path: options.storePath ?? "keeper-local.sqlite" },
    gate: {
      address: stack.gate,
      vault: stack.vault,
      threshold: 2,
      signers: [...stack.roles.operators],
      allowedTargets: [
        stack.vault,
        stack.connectors.aave,
        stack.connectors.morpho,
        stack.connectors.uniswap,
        ...(options.outcomes && pm ? [pm.connector] : []),
      ],
    },
    schedule: options.schedule ?? {
      settleEverySeconds: 60,
      strategyEverySeconds: 30,
      monitorEverySeconds: 15,
    },
    ...(options.http ? { http: options.http } : {}),
    ...(options.webhookUrl ? { alerts: { webhookUrl: options.webhookUrl } } : {}),
    product: {
      registry: stack.registry,
      oracle: stack.oracle,
      asset: stack.asset,
      nativeToken: weth,
      connectors: {
        "aave-usdc": { address: stack.connectors.aave, kind: "aave" },
        "morpho-usdc": { address: stack.connectors.morpho, kind: "erc4626", target: stack.morphoSupplyVault },
        "uniswap-usdc-weth": !swaps
          ? { address: stack.connectors.uniswap, kind: "hold" }
          : swaps.mintLiquidity === false
            ? {
                address: stack.connectors.uniswap,
                kind: "hold",
                swapShare: { token: weth, shareBps: swaps.wethShareBps ?? 5_000 },
              }
            : {
                address: stack.connectors.uniswap,
                kind: "uniswapLp",
                swapShare: { token: weth, shareBps: swaps.wethShareBps ?? 5_000 },
                liquidity: {
                  pool: addresses.uniswap.usdcWethPool,
                  fee: USDC_WETH_FEE,
                  tickSpacing: USDC_WETH_TICK_SPACING,
                  halfWidthTicks: swaps.halfWidthTicks ?? 600,
                },
              },
      },
      ...(swaps
        ? {
            swaps: {
              quoteUrl: swaps.quoteUrl,
              handler: stack.swapHandler,
              ...(swaps.maxSlippageBps !== undefined ? { maxSlippageBps: swaps.maxSlippageBps } : {}),
            },
          }
        : {}),
      ...(options.mandates ? { mandates: options.mandates } : {}),
      ...(options.settleInRebalanceBatch !== undefined
        ? { settlement: { inRebalanceBatch: options.settleInRebalanceBatch } }
        : {}),
      ...(options.guardian !== undefined ? { guardian: options.guardian } : {}),
      ...(options.planner ? { planner: options.planner } : {}),
      ...(options.policyPath ? { policyPath: options.policyPath } : {}),
      pegFeeds: [
        { symbol: "USDC", token: stack.asset, feed: addresses.feeds.usdcUsd, decimals: 8 },
        { symbol: "USDT", token: addresses.tokens.usdt, feed: addresses.feeds.usdtUsd, decimals: 8 },
      ],
      ...(options.signalsFile ? { signalsFile: options.signalsFile } : {}),
      ...(options.liveSignals ? { liveSignals: options.liveSignals } : {}),
    },
    ...(options.outcomes && pm
      ? {
          outcomes: {
            clobUrl: options.outcomes.clobUrl,
            metadataFile: options.outcomes.metadataFile,
            connector: pm.connector,
            exchange: pm.exchange,
            negRiskExchange: pm.negRiskExchange,
            negRiskAdapter: pm.negRiskAdapter,
            conditionalTokens: pm.conditionalTokens,
            collateral: pm.collateral,
            ...(options.outcomes.orderTtlSeconds
              ? { orderTtlSeconds: options.outcomes.orderTtlSeconds }
              : {}),
            ...(options.outcomes.everySeconds ? { everySeconds: options.outcomes.everySeconds } : {}),
            ...(options.outcomes.limits ? { limits: options.outcomes.limits } : {}),
          },
        }
      : {}),
  };
}

/** What a keeper on the local stack brings besides its config: in-process client and local keys. */
export interface LocalKeeperOptions extends Omit<LocalKeeperConfigOptions, "rpcUrl" | "chainId"> {
  readonly client: PublicClient;
  /** Transport for the guardian's wallet client (the in-process chain's). */
  readonly transport: Transport;
  /** The submitting key (the strategist's on the local stack). */
  readonly submitter: LocalAccount;
  /** Operator keys this one process signs with. */
  readonly operators: readonly LocalAccount[];
  readonly guardianAccount?: LocalAccount;
  readonly snapshots?: SnapshotSource;
  readonly quoter?: SwapQuoter;
  /** Changes to the generated config before it is validated (e.g. `sender` timings, `alerts`). */
  readonly configure?: (input: KeeperConfigInput) => KeeperConfigInput;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

/**
 * A keeper on an in-process local stack, through the one composition root: `localKeeperConfig`,
 * validated by the config schema, then `composeKeeper`, exactly like `keeper run`.
 */
export async function composeLocalKeeper(local: LocalStack, options: LocalKeeperOptions): Promise<Keeper> {
  const chainId = await options.client.getChainId();
  const input = localKeeperConfig(local, {
    ...options,
    rpcUrl: "http://127.0.0.1:8545",
    chainId,
    storePath: options.storePath ?? ":memory:",
    pollingIntervalMs: options.pollingIntervalMs ?? 50,
  });
  const config = keeperConfigSchema.parse(options.configure ? options.configure(input) : input);
  return composeKeeper(config, {
    env: {},
    logger: options.logger ?? silentLogger,
    client: options.client,
    transport: options.transport,
    account: options.submitter,
    coSigners: options.operators,
    ...(options.guardianAccount ? { guardianAccount: options.guardianAccount } : {}),
    ...(options.snapshots ? { snapshots: options.snapshots } : {}),
    ...(options.quoter ? { quoter: options.quoter } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

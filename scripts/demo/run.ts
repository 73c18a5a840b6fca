import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { network } from "hardhat";
import {
  BaseError,
  ContractFunctionRevertedError,
  type Address,
  type Hex,
  type PublicClient,
  createPublicClient,
  custom,
  getAddress,
  maxUint256,
  parseEther,
  parseEventLogs,
  parseUnits,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, read, send } from "../../deploy/lib/artifacts.js";
import type { Clients } from "../../deploy/lib/clients.js";
import { type LiFiQuoteService, startLiFiQuoteService } from "../../deploy/local/lifiQuoteService.js";
import { type LocalStack, deployLocalStack } from "../../deploy/local/productStack.js";
import { startRpcServer } from "../../deploy/local/rpcServer.js";
import { connectorValue } from "../../deploy/product/connectors.js";
import { advanceTime } from "../../deploy/product/core.js";
import {
  DEFAULT_ROLE_INDICES,
  type ProductStack,
  asCall,
  refreshFeeds,
  stackGovernanceRunner,
} from "../../deploy/product/stack.js";
import { aaveArtifacts } from "../../deploy/protocols/aaveV3.js";
import {
  LOCAL_CONNECTOR_KEYS,
  type LocalKeeperConfigOptions,
  localKeeperConfig,
  stackAddressesOf,
} from "../../deploy/local/keeperConfig.js";
import { loadConfig } from "../../keeper/config/load.js";
import { type CycleResult, runKeeperCycle, signAsKeeper } from "../../keeper/cycle/cycle.js";
import type { OutcomeStepResult } from "../../keeper/cycle/outcomeCycle.js";
import type { OutcomeBatch } from "../../keeper/planning/outcomeOrders.js";
import { ProposalError } from "../../keeper/multisig/workflow.js";
import type { Keeper } from "../../keeper/cycle/keeper.js";
import { createStatusServer, SignRefusedError } from "../../keeper/http/server.js";
import { silentLogger } from "../../keeper/log/logger.js";
import { composeKeeper } from "../../keeper/service/compose.js";
import { settleOnce } from "../../keeper/service/tasks.js";
import { parsePolicy, readPolicyFile } from "../../keeper/strategy/index.js";
import type { AllocationPolicy } from "../../keeper/strategy/policy.js";
import type { MarketSnapshot } from "../../keeper/signals/types.js";
import type { PlanAction } from "../../keeper/planning/actions.js";
import { CONNECTOR_KEYS, type ConnectorKey, formatShares, formatSwap } from "./summary.js";
import { RESOLVED_MARKETS_DIR, type RecordedMarket, loadRecordedMarket, recordedSnapshot } from "./market.js";
import {
  DEMO_APRIL_MARKETS,
  DEMO_GROUP,
  DEMO_GROUP_AT_MS,
  type DemoClob,
  clobAddresses,
  demoGammaEvents,
  demoMarketCalls,
  startDemoClob,
} from "./clob.js";

/**
 * The `npm start` flow: an embedded EDR chain served on localhost, the real protocols and the whole
 * product (Safe + timelock governance, 2-of-3 keeper gate), the local LI.FI quote service, then the
 * keeper over recorded Polymarket prices at an accelerated clock while simulated depositors use the vault.
 */

const USDC = (amount: string) => parseUnits(amount, 6);
export const DEFAULT_EPOCH_SECONDS = 8 * 3600;
/** epochs `npm start -- --once` runs: the signal turns on in epoch 2, a redemption settles in epoch 3 */
export const ONCE_EPOCHS = 7;
export const DEFAULT_ADDRESSES_FILE = ".keeper-data/local-addresses.json";
/** The keeper config `npm start` writes for the local stack and runs the keeper from. */
export const DEFAULT_KEEPER_CONFIG_FILE = ".keeper-data/keeper-demo.json";
/** The Gamma `/events` payload of the CLOB's seeded markets: the keeper's `outcomes.metadataFile`. */
export const DEFAULT_OUTCOME_EVENTS_FILE = ".keeper-data/outcome-events.json";
const MIN_MOVE = USDC("1000");
/** half of what the LP connector receives is swapped to WETH through LI.FI */
const LP_WETH_SHARE_BPS = 5_000;
/** the LP position spans ±600 ticks (about ±6 %) around the pool's price */
const LP_HALF_WIDTH_TICKS = 600;
/** room for withdrawals, settlement, a connector-to-connector move with swap and mint, and deposits */
const GAS_BUDGET_PER_BATCH = 6_000_000;
/** Hardhat's default accounts; the demo keeper signs with the operators' and strategist's keys */
const MNEMONIC = "test test test test test test test test test test test junk";
/** The recorded window starts here (unix seconds): the signal is low, then crosses the policy's level. */
const DATA_START = 1_769_439_031;
const POLICY_FILE = new URL("./demo.policy.json", import.meta.url);
const SIGNAL_MARKET = "microstrategy-announces-1000-btc-purchase-january-27-february-2";
/** accounts after the product's roles (0-8) */
const DEPOSITORS = { alice: 10, bob: 11, carol: 12 } as const;
/** The development account left to the user of scripts/depositor.ts: funded, no approval given. */
export const SCRIPT_DEPOSITOR_ACCOUNT = 13;
const SCRIPT_DEPOSITOR_USDC = "100000";
type Depositor = keyof typeof DEPOSITORS;

/** USDC moving from a connector or the vault to a connector or the vault. */
export interface Transfer {
  readonly from: ConnectorKey | "vault";
  readonly to: ConnectorKey | "vault";
  readonly amount: bigint;
}

export interface DemoOptions {
  /** JSON-RPC port; 0 picks a free one (default 8545) */
  readonly port?: number;
  /** keeper /status port; 0 picks a free one; null serves none (default 0) */
  readonly statusPort?: number | null;
  /** the local Polymarket CLOB's port; 0 picks a free one (default 0) */
  readonly clobPort?: number;
  readonly epochSeconds?: number;
  readonly addressesFile?: string;
  /** the recorded Jan-2026 Polymarket set, relative to the working directory */
  readonly dataDir?: string;
  /** where the generated keeper config is written (default .keeper-data/keeper-demo.json) */
  readonly keeperConfigFile?: string;
  /** A `postgres://` URL for the keeper's store (`npm start -- --store postgres`); default SQLite in memory. */
  readonly storeUrl?: string;
  readonly log?: (line: string) => void;
  /** A strategist's allocation policy file instead of the demo policy; its first Polymarket rule picks the recorded market. */
  readonly policyFile?: string;
  /**
   * Deploy the local Polymarket venue and start its CLOB service with seeded books (default true); tests of
   * the other paths turn it off to save its ~2 s.
   */
  readonly polymarket?: boolean;
}

export interface EpochRow {
  readonly epoch: number;
  /** unix seconds of the recorded price used */
  readonly dataTime: number;
  readonly signal: number;
  readonly nav: bigint;
  /** assets per 1 share (10**decimals share units), base-asset units */
  readonly pricePerShare: bigint;
  readonly totalSupply: bigint;
  readonly idle: bigint;
  readonly connectors: Readonly<Record<ConnectorKey, bigint>>;
  /** the PolymarketConnector's value (outcome positions at their NAV marks, and its collateral) */
  readonly polymarket: bigint;
  readonly weightsBps: Readonly<Record<string, number>>;
}

/** One batch of the keeper's outcome step (keeper/cycle/outcomeCycle.ts), as `npm start` reports it. */
export interface OutcomeTradeRecord {
  readonly epoch: number;
  readonly batchId: Hex;
  readonly strategy: string;
  readonly setKind: string;
  readonly legs: number;
  readonly orders: number;
  readonly sets: bigint;
  readonly cost: bigint;
  readonly profit: bigint;
  readonly status: string;
  /** the gate transactions that placed the orders (and moved the collateral to the connector) */
  readonly placedTx: readonly Hex[];
  /** the provenance hash each of them carries */
  readonly provenances: readonly Hex[];
  readonly lockTx: readonly Hex[];
  readonly navBefore: bigint;
  readonly navAfter: bigint;
}

export interface SwapRecord {
  readonly connector: Address;
  readonly tokenIn: Address;
  /** USDC sold for WETH (funding the LP), or WETH sold back for USDC (reducing it) */
  readonly soldBase: boolean;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
}

export interface RebalanceRecord {
  readonly epoch: number;
  readonly nonce: bigint;
  readonly txHash: Hex;
  readonly provenance: Hex;
  readonly snapshotHash: Hex;
  readonly reasons: readonly string[];
  readonly signals: readonly {
    ruleId: string;
    marketId: string | null;
    metric: number | null;
    level: number;
  }[];
  readonly transfers: readonly Transfer[];
  readonly swaps: readonly SwapRecord[];
  /** SentToConnector events: USDC moved directly from one connector to another */
  readonly connectorToConnector: readonly { from: Address; to: Address; amount: bigint }[];
  readonly calls: number;
}

export interface RequestTotals {
  depositsRequested: bigint;
  depositsSettled: bigint;
  depositSettlements: number;
  depositsClaimed: bigint;
  redeemSharesRequested: bigint;
  redeemsSettledAssets: bigint;
  redeemSettlements: number;
  redeemsClaimed: bigint;
  deferred: number;
  /** depositor actions the vault refused (e.g. while paused) */
  refused: number;
}

export interface DemoSummary {
  readonly rpcUrl: string;
  readonly statusUrl: string | null;
  readonly addressesFile: string;
  readonly market: { readonly slug: string; readonly question: string };
  readonly epochs: readonly EpochRow[];
  readonly rebalances: readonly RebalanceRecord[];
  /** every gate batch (settle-only batches included) */
  readonly batches: number;
  readonly fees: { managementFee: bigint; performanceFee: bigint; shares: bigint };
  readonly requests: RequestTotals;
  /** decimals of the vault's shares (amounts in `requests` and `fees.shares` are raw units) */
  readonly shareDecimals: number;
  readonly durationsMs: { readonly protocols: number; readonly product: number; readonly epochs: number };
  /** the keeper's outcome-arbitrage batches, and the opportunities its guards refused, by reason */
  readonly outcomes: {
    readonly trades: readonly OutcomeTradeRecord[];
    readonly rejected: Readonly<Record<string, number>>;
  };
}

/** A running demo: call `runEpoch` as often as wanted, then `close`. */
export interface DemoSession {
  readonly rpcUrl: string;
  readonly statusUrl: string | null;
  /**
   * The bearer token of the keeper's `POST /proposals/<id>/sign` (fresh per run, kept in memory,
   * handed to the dashboard in process; never printed). Null when no status server is served.
   */
  readonly keeperApiToken: string | null;
  /** the local Polymarket CLOB service (docs/local-clob.md); null when started without it */
  readonly clobUrl: string | null;
  readonly polymarket: DemoClob | null;
  readonly local: LocalStack;
  /** the keeper the epochs run (its store, policy and metrics), for the dashboard */
  readonly keeper: Keeper;
  /** the signals the keeper read in the latest epoch, at the recorded data's clock */
  signalsNow(): { readonly now: Date; readonly snapshots: readonly MarketSnapshot[] };
  runEpoch(): Promise<EpochRow>;
  summary(): DemoSummary;
  close(): Promise<void>;
}

interface Chain {
  readonly close: () => Promise<void>;
  readonly accounts: readonly Clients[];
  readonly chainId: number;
  readonly provider: Parameters<typeof startRpcServer>[0];
}

async function startChain(): Promise<Chain> {
  const connection = await network.create();
  const publicClient = (await connection.viem.getPublicClient()) as Clients["public"];
  const wallets = await connection.viem.getWalletClients();
  const accounts = wallets.map((wallet) => ({ public: publicClient, wallet: wallet as Clients["wallet"] }));
  return {
    close: () => connection.close(),
    accounts,
    chainId: await publicClient.getChainId(),
    provider: connection.provider,
  };
}

const abi = {
  vault: () => projectArtifact("AccountingManager").abi,
  erc20: () => projectArtifact("MockERC20").abi,
  connector: () => projectArtifact("BaseConnector").abi,
  uniConnector: () => projectArtifact("UniswapV3Connector").abi,
};

/** Reads the demo policy shipped next to this file (validated like any strategist policy). */
export async function loadDemoPolicy(): Promise<AllocationPolicy> {
  const parsed = parsePolicy(JSON.parse(await readFile(POLICY_FILE, "utf8")));
  if (!parsed.ok)
    throw new Error(`demo policy: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return parsed.policy;
}

/** Reads a strategist's policy file; every problem is reported with its path. */
export async function loadPolicyFromFile(file: string): Promise<AllocationPolicy> {
  const parsed = await readPolicyFile(file);
  if (!parsed.ok)
    throw new Error(`${file}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return parsed.policy;
}

/** The recorded market a policy reads: its first Polymarket market rule, else the demo's market. */
export function signalMarketOf(policy: AllocationPolicy): string {
  for (const rule of policy.rules)
    if (rule.signal.kind === "market" && rule.signal.venue === "polymarket") return rule.signal.marketId;
  return SIGNAL_MARKET;
}

/** The addresses `npm start` writes for the depositor, strategist and operator scripts. */
export function addressesJson(local: LocalStack, rpcUrl: string, chainId: number): unknown {
  const { stack, protocols } = local;
  return {
    chainId,
    rpcUrl,
    vault: stack.vault,
    asset: stack.asset,
    registry: stack.registry,
    oracle: stack.oracle,
    gate: stack.gate,
    swapHandler: stack.swapHandler,
    lifiDiamond: stack.lifiDiamond,
    connectors: stack.connectors,
    morphoSupplyVault: stack.morphoSupplyVault,
    outcomes: stack.outcomes,
    polymarket: stack.polymarket,
    polymarketConnector: stackAddressesOf(local).polymarketConnector,
    governance: stack.governance,
    roles: stack.addresses,
    tokens: protocols.tokens,
    feeds: protocols.feeds,
    uniswap: {
      factory: protocols.uniswap.factory,
      positionManager: protocols.uniswap.positionManager,
      swapRouter: protocols.uniswap.swapRouter,
      quoterV2: protocols.uniswap.quoterV2,
      usdcWethPool: protocols.uniswap.usdcWethPool,
    },
    aavePool: protocols.aave.pool,
    morpho: protocols.morpho.morpho,
  };
}

/** Borrowers on Aave so the vault's supply earns interest while the clock runs. */
async function seedAaveBorrower(local: LocalStack, deployer: Clients): Promise<void> {
  const { pool } = local.protocols.aave;
  const { usdc, weth } = local.protocols.tokens;
  const me = deployer.wallet.account.address;
  const poolAbi = aaveArtifacts.poolAbi();
  for (const [token, amount] of [
    [usdc, USDC("300000")],
    [weth, parseEther("400")],
  ] as const) {
    await send(deployer, { address: token, abi: abi.erc20(), functionName: "approve", args: [pool, amount] });
    await send(deployer, {
      address: pool,
      abi: poolAbi,
      functionName: "supply",
      args: [token, amount, me, 0],
    });
  }
  await send(deployer, {
    address: pool,
    abi: poolAbi,
    functionName: "borrow",
    args: [usdc, USDC("250000"), 2n, 0, me],
  });
}

/**
 * Starts everything and returns a session whose `runEpoch` runs one keeper epoch: the clock moves on
 * by `epochSeconds`, feeds are refreshed, depositors act on their schedule, the policy reads the
 * recorded price, and one 2-of-3 signed gate batch rebalances and settles.
 */
export async function startDemo(options: DemoOptions = {}): Promise<DemoSession> {
  const log = options.log ?? ((line: string) => console.log(line));
  const epochSeconds = options.epochSeconds ?? DEFAULT_EPOCH_SECONDS;
  const addressesFile = options.addressesFile ?? DEFAULT_ADDRESSES_FILE;
  const chain = await startChain();
  const cleanups: (() => Promise<void>)[] = [chain.close];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const rpc = await startRpcServer(chain.provider, { port: options.port ?? 8545 });
    cleanups.push(rpc.close);
    log(`Local chain (Hardhat EDR, chain id ${chain.chainId}) serving JSON-RPC at ${rpc.url}`);
    const deployer = chain.accounts[0]!;
    const local = await deployLocalStack(deployer, {
      accounts: chain.accounts,
      outcomes: true,
      polymarket: true,
    });
    log(
      `Deployed the real protocols in ${(local.durationsMs.protocols / 1000).toFixed(1)} s and the product ` +
        `(Safe 2-of-3 -> timelock -> Registry, USDC vault, 3 connectors, oracle, LI.FI handler, 2-of-3 keeper gate, ` +
        `Conditional Tokens connector with one binary market and its FixedProductMarketMaker, ` +
        `Polymarket connector on the local CTF Exchange / NegRisk CTF Exchange with a binary market and a ` +
        `three-question negRisk group) ` +
        `in ${(local.durationsMs.product / 1000).toFixed(1)} s`,
    );
    const lifi = await startLiFiQuoteService({
      client: deployer.public,
      diamond: local.stack.lifiDiamond,
      swapRouter: local.protocols.uniswap.swapRouter,
      quoterV2: local.protocols.uniswap.quoterV2,
    });
    cleanups.push(lifi.close);
    log(`LI.FI quote service (local, @lifi/sdk compatible) at ${lifi.apiUrl}`);
    const clobStarted = performance.now();
    // the CLOB stamps books with the demo's accelerated clock, the one the keeper's cycles run on
    const marketClock = { offsetMs: DATA_START * 1000 - Date.now() };
    const polymarket =
      options.polymarket === false
        ? null
        : await startDemoClob(chain.accounts, local.protocols, {
            atMs: DEMO_GROUP_AT_MS,
            port: options.clobPort ?? 0,
            clock: () => Date.now() + marketClock.offsetMs,
            ...(local.stack.polymarket ? { venue: local.stack.polymarket.venue } : {}),
          });
    const outcomeEventsFile = path.join(
      path.dirname(addressesFile),
      path.basename(DEFAULT_OUTCOME_EVENTS_FILE),
    );
    if (polymarket && local.stack.polymarket) {
      // governance lists the seeded markets in the vault's connector (Safe -> timelock, its delay passes)
      await stackGovernanceRunner(
        local.stack,
        chain.accounts,
      )(demoMarketCalls(local.stack.polymarket.connector, polymarket).map(asCall));
      const { feeds } = local.protocols;
      await refreshFeeds(deployer, [feeds.usdcUsd, feeds.usdtUsd, feeds.ethUsd]);
      await mkdir(path.dirname(outcomeEventsFile), { recursive: true });
      await writeFile(outcomeEventsFile, `${JSON.stringify(demoGammaEvents(polymarket), null, 2)}\n`);
    }
    if (polymarket) {
      cleanups.push(polymarket.clob.close);
      log(
        `Polymarket CLOB (local, @polymarket/clob-client compatible) at ${polymarket.clob.url}, in front of the ` +
          `connector's CTF Exchange and NegRisk CTF Exchange: ${polymarket.markets.length} books seeded with signed maker ` +
          `orders from recorded quotes (${DEMO_APRIL_MARKETS} April-2026 markets, the ${DEMO_GROUP} group at its ` +
          `recorded ${new Date(DEMO_GROUP_AT_MS).toISOString().slice(0, 16)}Z quotes), listed in the connector by ` +
          `governance, Gamma metadata in ${outcomeEventsFile}, in ${((performance.now() - clobStarted) / 1000).toFixed(1)} s`,
      );
    }
    await mkdir(path.dirname(addressesFile), { recursive: true });
    await writeFile(
      addressesFile,
      `${JSON.stringify(
        withBigintsAsStrings({
          ...(addressesJson(local, rpc.url, chain.chainId) as object),
          ...(polymarket ? { polymarket: clobAddresses(polymarket) } : {}),
        }),
        null,
        2,
      )}\n`,
    );
    log(`Addresses written to ${addressesFile}`);
    await seedAaveBorrower(local, deployer);
    log(
      "Seeded liquidity: Uniswap USDC/WETH and USDC/USDT pools, Aave USDC supply with a WETH-backed borrower",
    );

    const policy = options.policyFile ? await loadPolicyFromFile(options.policyFile) : await loadDemoPolicy();
    const market = await loadRecordedMarket(options.dataDir ?? RESOLVED_MARKETS_DIR, signalMarketOf(policy));
    log(`Keeper signal: Polymarket "${market.question}" (recorded, ${market.points.length} hourly prices)`);

    const configFile = options.keeperConfigFile ?? DEFAULT_KEEPER_CONFIG_FILE;
    const keeper = await createDemoKeeper(
      chain,
      local,
      lifi,
      market,
      rpc.url,
      configFile,
      options.statusPort,
      options.policyFile ? path.resolve(options.policyFile) : fileURLToPath(POLICY_FILE),
      options.storeUrl,
      polymarket && local.stack.polymarket
        ? {
            clobUrl: polymarket.clob.url,
            metadataFile: path.resolve(outcomeEventsFile),
            // the seeded books hold the recorded top-of-book sizes: ~$2 on the RBA group's 0.02 leg
            limits: { minLegDepthUsd: 1 },
          }
        : undefined,
    );
    cleanups.push(() => keeper.close());
    log(
      `Keeper: composed from ${configFile} like \`npm run keeper -- run\`; the one keeper cycle (keeper/cycle: ` +
        "evaluate -> plan -> risk check -> whole-batch simulation -> 2-of-3 operator signatures -> submit), " +
        "on an accelerated clock",
    );
    const driver = new DemoDriver(chain, local, keeper, market, epochSeconds, log, marketClock);
    await driver.fundDepositors();
    const scriptDepositor = await driver.fundScriptDepositor();
    log(
      `Depositor for scripts/depositor.ts: development account #${SCRIPT_DEPOSITOR_ACCOUNT} (${scriptDepositor}) holds ${SCRIPT_DEPOSITOR_USDC} USDC`,
    );

    let statusUrl: string | null = null;
    let keeperApiToken: string | null = null;
    if (options.statusPort !== null) {
      keeperApiToken = randomBytes(32).toString("hex");
      const status = createStatusServer({
        metrics: keeper.metrics.registry,
        health: async () => ({ ok: true, checks: { epochs: driver.rows.length } }),
        status: async () => driver.status(),
        sign: {
          token: keeperApiToken,
          sign: (id) =>
            signAsKeeper(keeper, id).catch((error: unknown) => {
              throw error instanceof ProposalError ? new SignRefusedError(error.message) : error;
            }),
        },
      });
      const bound = await status.listen(options.statusPort ?? 0, "127.0.0.1");
      cleanups.push(() => status.close());
      statusUrl = `http://127.0.0.1:${bound.port}/status`;
    }
    const durations = local.durationsMs;
    return {
      rpcUrl: rpc.url,
      statusUrl,
      keeperApiToken,
      clobUrl: polymarket?.clob.url ?? null,
      polymarket,
      local,
      keeper,
      signalsNow: () => {
        const t = DATA_START + Math.max(0, driver.rows.length - 1) * epochSeconds;
        return { now: new Date(t * 1000), snapshots: [recordedSnapshot(market, t)] };
      },
      runEpoch: () => driver.runEpoch(),
      summary: () => ({
        rpcUrl: rpc.url,
        statusUrl,
        addressesFile,
        market: { slug: market.slug, question: market.question },
        epochs: driver.rows,
        rebalances: driver.rebalances,
        batches: driver.batches,
        fees: driver.fees,
        requests: driver.requests,
        shareDecimals: driver.shareDecimals,
        durationsMs: { ...durations, epochs: driver.epochMs },
        outcomes: { trades: driver.outcomeTrades, rejected: driver.outcomeRejections },
      }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs `epochs` epochs and shuts everything down (`npm start -- --once`, the e2e test). */
export async function runDemo(epochs: number, options: DemoOptions = {}): Promise<DemoSummary> {
  const session = await startDemo(options);
  try {
    for (let i = 0; i < epochs; i++) await session.runEpoch();
    return session.summary();
  } finally {
    await session.close();
  }
}

const format = (amount: bigint) =>
  (Number(amount) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 2 });

/**
 * The keeper of `npm start`: a keeper config for the local stack (every connector, LI.FI routing to
 * the local quote service for the LP's WETH leg, settlement in the rebalance batch, the demo
 * policy) written to `configFile`, loaded and composed exactly as `keeper run` does. One process
 * holds the strategist's key (it submits) and two operators' keys (they co-sign); the signals are
 * the recorded Polymarket price at the epoch's time.
 */
async function createDemoKeeper(
  chain: Chain,
  local: LocalStack,
  lifi: LiFiQuoteService,
  market: RecordedMarket,
  rpcUrl: string,
  configFile: string,
  statusPort: number | null | undefined,
  policyPath: string,
  storeUrl: string | undefined,
  outcomes: NonNullable<LocalKeeperConfigOptions["outcomes"]> | undefined,
): Promise<Keeper> {
  const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
  const transport = custom(chain.provider);
  const reader = chain.accounts[0]!.public;
  const client = createPublicClient({ chain: reader.chain, transport, cacheTime: 0 }) as PublicClient;
  const input = localKeeperConfig(local, {
    rpcUrl,
    chainId: chain.chainId,
    operatorId: "demo",
    storePath: ":memory:",
    policyPath,
    swaps: { quoteUrl: lifi.apiUrl, wethShareBps: LP_WETH_SHARE_BPS, halfWidthTicks: LP_HALF_WIDTH_TICKS },
    planner: { minMoveAmount: MIN_MOVE.toString(), gasBudgetPerBatch: GAS_BUDGET_PER_BATCH },
    settleInRebalanceBatch: true,
    pollingIntervalMs: 50,
    http: { host: "127.0.0.1", port: statusPort ?? 0 },
    ...(outcomes ? { outcomes } : {}),
  });
  // A Postgres URL carries its password, so it reaches the keeper through the environment, never
  // the config file; each demo run gets a fresh database, hence a new store.
  const written = storeUrl ? { ...input, store: { ...input.store, allowNew: true } } : input;
  await mkdir(path.dirname(configFile), { recursive: true });
  await writeFile(configFile, `${JSON.stringify(written, null, 2)}\n`);
  const config = loadConfig({ file: configFile, env: storeUrl ? { KEEPER_STORE__URL: storeUrl } : {} });
  return composeKeeper(config, {
    env: {},
    logger: silentLogger,
    client,
    transport,
    account: key(DEFAULT_ROLE_INDICES.strategist),
    coSigners: DEFAULT_ROLE_INDICES.operators.map(key),
    snapshots: {
      load: async (now) => ({
        snapshots: [recordedSnapshot(market, Math.floor(now.getTime() / 1000))],
        rejected: [],
      }),
    },
  });
}

/** The world around the keeper: the clock, the price feeds and the depositors; one keeper cycle per epoch. */
class DemoDriver {
  readonly rows: EpochRow[] = [];
  readonly rebalances: RebalanceRecord[] = [];
  readonly fees = { managementFee: 0n, performanceFee: 0n, shares: 0n };
  readonly requests: RequestTotals = {
    depositsRequested: 0n,
    depositsSettled: 0n,
    depositSettlements: 0,
    depositsClaimed: 0n,
    redeemSharesRequested: 0n,
    redeemsSettledAssets: 0n,
    redeemSettlements: 0,
    redeemsClaimed: 0n,
    deferred: 0,
    refused: 0,
  };
  batches = 0;
  epochMs = 0;
  readonly outcomeTrades: OutcomeTradeRecord[] = [];
  readonly outcomeRejections: Record<string, number> = {};
  private readonly stack: ProductStack;
  private readonly reader: Clients;
  private readonly keyOf: ReadonlyMap<string, ConnectorKey>;
  /** the vault's share decimals, read in `fundDepositors` */
  shareDecimals = 0;

  constructor(
    private readonly chain: Chain,
    private readonly local: LocalStack,
    private readonly keeper: Keeper,
    private readonly market: RecordedMarket,
    private readonly epochSeconds: number,
    private readonly log: (line: string) => void,
    /** the CLOB's clock: the demo's accelerated clock, set at the start of each epoch */
    private readonly marketClock: { offsetMs: number },
  ) {
    this.stack = local.stack;
    this.reader = chain.accounts[0]!;
    this.keyOf = new Map(
      CONNECTOR_KEYS.map((key) => [this.stack.connectors[LOCAL_CONNECTOR_KEYS[key]].toLowerCase(), key]),
    );
  }

  /** Vault shares in whole shares (the USDC vault's shares have 12 decimals). */
  private shares(amount: bigint): string {
    return formatShares(amount, this.shareDecimals);
  }

  private account(who: Depositor): Clients {
    return this.chain.accounts[DEPOSITORS[who]]!;
  }

  async fundDepositors(): Promise<void> {
    this.shareDecimals = await this.vaultRead<number>("decimals");
    for (const who of Object.keys(DEPOSITORS) as Depositor[]) {
      const to = this.account(who).wallet.account.address;
      await send(this.reader, {
        address: this.stack.asset,
        abi: abi.erc20(),
        functionName: "transfer",
        args: [to, USDC("500000")],
      });
      await send(this.account(who), {
        address: this.stack.asset,
        abi: abi.erc20(),
        functionName: "approve",
        args: [this.stack.vault, maxUint256],
      });
    }
  }

  /** Funds the account the depositor script's user signs with; it approves nothing. */
  async fundScriptDepositor(): Promise<Address> {
    const to = this.chain.accounts[SCRIPT_DEPOSITOR_ACCOUNT]!.wallet.account.address;
    await send(this.reader, {
      address: this.stack.asset,
      abi: abi.erc20(),
      functionName: "transfer",
      args: [to, USDC(SCRIPT_DEPOSITOR_USDC)],
    });
    return to;
  }

  private vaultRead<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    return read<T>(this.reader, { address: this.stack.vault, abi: abi.vault(), functionName, args });
  }

  private async vaultWrite(who: Depositor, functionName: string, args: readonly unknown[]): Promise<void> {
    await send(this.account(who), { address: this.stack.vault, abi: abi.vault(), functionName, args });
  }

  /** The simulated depositors' schedule, by epoch. */
  private async depositorsAct(epoch: number): Promise<void> {
    const me = (who: Depositor) => this.account(who).wallet.account.address;
    const requestDeposit = async (who: Depositor, amount: string) => {
      await this.vaultWrite(who, "requestDeposit", [USDC(amount), me(who), me(who)]);
      this.requests.depositsRequested += USDC(amount);
      this.log(`  depositor ${who} requests a deposit of ${amount} USDC`);
    };
    const claimDeposit = async (who: Depositor) => {
      const assets = await this.vaultRead<bigint>("maxDeposit", [me(who)]);
      if (assets === 0n) return;
      await this.vaultWrite(who, "deposit", [assets, me(who), me(who)]);
      this.requests.depositsClaimed += assets;
      const shares = await this.vaultRead<bigint>("balanceOf", [me(who)]);
      this.log(
        `  depositor ${who} claims ${format(assets)} USDC of settled deposit (now holds ${this.shares(shares)} shares)`,
      );
    };
    const requestRedeem = async (who: Depositor, shareBps: bigint) => {
      const shares = ((await this.vaultRead<bigint>("balanceOf", [me(who)])) * shareBps) / 10_000n;
      await this.vaultWrite(who, "requestRedeem", [shares, me(who), me(who)]);
      this.requests.redeemSharesRequested += shares;
      const worth = await this.vaultRead<bigint>("convertToAssets", [shares]);
      this.log(
        `  depositor ${who} requests to redeem ${this.shares(shares)} shares (~${format(worth)} USDC now)`,
      );
    };
    const claimRedeem = async (who: Depositor) => {
      const shares = await this.vaultRead<bigint>("maxRedeem", [me(who)]);
      if (shares === 0n) return;
      const before = await read<bigint>(this.reader, {
        address: this.stack.asset,
        abi: abi.erc20(),
        functionName: "balanceOf",
        args: [me(who)],
      });
      await this.vaultWrite(who, "redeem", [shares, me(who), me(who)]);
      const after = await read<bigint>(this.reader, {
        address: this.stack.asset,
        abi: abi.erc20(),
        functionName: "balanceOf",
        args: [me(who)],
      });
      this.requests.redeemsClaimed += after - before;
      this.log(`  depositor ${who} claims a settled redemption: ${format(after - before)} USDC`);
    };
    switch (epoch) {
      case 0:
        await this.attempt("alice", "requestDeposit", () => requestDeposit("alice", "200000"));
        await this.attempt("bob", "requestDeposit", () => requestDeposit("bob", "150000"));
        break;
      case 1:
        await this.attempt("alice", "claimDeposit", () => claimDeposit("alice"));
        await this.attempt("bob", "claimDeposit", () => claimDeposit("bob"));
        await this.attempt("carol", "requestDeposit", () => requestDeposit("carol", "100000"));
        break;
      case 2:
        await this.attempt("carol", "claimDeposit", () => claimDeposit("carol"));
        break;
      case 3:
        await this.attempt("bob", "requestRedeem", () => requestRedeem("bob", 5_000n));
        break;
      case 4:
        await this.attempt("bob", "claimRedeem", () => claimRedeem("bob"));
        break;
      case 5:
        await this.attempt("alice", "requestRedeem", () => requestRedeem("alice", 2_500n));
        await this.attempt("bob", "requestDeposit", () => requestDeposit("bob", "50000"));
        break;
      default:
        await this.attempt("alice", "claimRedeem", () => claimRedeem("alice"));
        await this.attempt("bob", "claimDeposit", () => claimDeposit("bob"));
    }
  }

  /**
   * One depositor action; a refusal by the vault (e.g. paused by the guardian) is logged with the
   * contract's error and the simulation goes on, as a depositor would.
   */
  private async attempt(who: Depositor, action: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (!(error instanceof BaseError)) throw error;
      this.requests.refused++;
      this.log(`  depositor ${who}: ${action} refused by the vault (${refusal(error)}); goes on`);
    }
  }

  private async connectorValues(): Promise<Record<ConnectorKey, bigint>> {
    const byKey: Record<ConnectorKey, Address> = {
      "aave-usdc": this.stack.connectors.aave,
      "morpho-usdc": this.stack.connectors.morpho,
      "uniswap-usdc-weth": this.stack.connectors.uniswap,
    };
    const values = {} as Record<ConnectorKey, bigint>;
    for (const key of CONNECTOR_KEYS) {
      const { value, healthy } = await connectorValue(this.reader, byKey[key]);
      if (!healthy) this.log(`  WARNING connector ${key} reports unhealthy`);
      values[key] = value;
    }
    return values;
  }

  async runEpoch(): Promise<EpochRow> {
    const started = performance.now();
    const epoch = this.rows.length;
    if (epoch > 0) {
      await advanceTime(this.reader, BigInt(this.epochSeconds));
      const { feeds } = this.local.protocols;
      await refreshFeeds(this.reader, [feeds.usdcUsd, feeds.usdtUsd, feeds.ethUsd]);
    }
    const dataTime = DATA_START + epoch * this.epochSeconds;
    this.marketClock.offsetMs = dataTime * 1000 - Date.now();
    const signal = recordedSnapshot(this.market, dataTime).price;
    this.log(
      `\n== epoch ${epoch}  (recorded ${new Date(dataTime * 1000).toISOString().slice(0, 16)}Z, ` +
        `P(Yes) = ${signal.toFixed(3)})`,
    );
    await this.depositorsAct(epoch);

    const weightsBps = await this.keeperActs(epoch, dataTime);
    const row = await this.readRow(epoch, dataTime, signal, weightsBps);
    this.rows.push(row);
    this.log(
      `  NAV ${format(row.nav)} USDC  price/share ${(Number(row.pricePerShare) / 1e6).toFixed(6)}  idle ${format(row.idle)}  ` +
        CONNECTOR_KEYS.map((k) => `${k} ${format(row.connectors[k])}`).join("  "),
    );
    this.epochMs += performance.now() - started;
    return row;
  }

  /**
   * The keeper's epoch: one cycle, then the settler when the cycle's batch did not settle. A batch
   * the chain refuses (e.g. the vault paused by the guardian) is logged and the epoch goes on, so the
   * simulation and its summary continue; returns the weights the strategy chose.
   */
  private async keeperActs(epoch: number, dataTime: number): Promise<Readonly<Record<string, number>>> {
    // each epoch is one step of the service's strategy task, counted as the scheduler counts it
    const step = (task: string, outcome: "ok" | "error") => {
      this.keeper.metrics.cycles.inc({ task, outcome });
      this.keeper.metrics.lastStepTimestamp.set(Math.floor(Date.now() / 1_000), { task });
    };
    let cycle: CycleResult;
    try {
      cycle = await runKeeperCycle(this.keeper, new Date(dataTime * 1000));
      step("strategy", "ok");
    } catch (error) {
      step("strategy", "error");
      this.log(`  keeper: no batch this epoch: ${refusal(error)}`);
      return this.rows.at(-1)?.weightsBps ?? {};
    }
    if (cycle.outcomes) await this.recordOutcomes(epoch, cycle.outcomes);
    for (const reason of cycle.allocation.reasons) this.log(`  policy: ${reason}`);
    for (const s of cycle.plan?.skipped ?? [])
      this.log(`  planner: skipped ${format(BigInt(s.amount))} USDC for ${s.key}: ${s.reason}`);
    for (const d of cycle.plan?.deferred ?? [])
      this.log(
        `  planner: deferred ${format(BigInt(d.amount))} USDC for ${d.key} to the next batch (gas budget)`,
      );
    if (cycle.status === "executed") await this.recordCycle(epoch, cycle);
    else if (cycle.status === "failed" || cycle.status === "signed" || cycle.status === "waiting")
      this.log(`  keeper: cycle ${cycle.status} (proposal ${cycle.proposalId})`);
    else if (cycle.status === "replayed-signals") this.log("  keeper: signals already acted on");
    else if (cycle.plan && cycle.plan.skipped.length > 0)
      this.log("  keeper: within tolerance of the targets (the legs above are not worth moving)");
    else this.log("  keeper: on target");
    // the planner puts settlement into the rebalance batch; with no batch this epoch, the settler alone
    let settled: Awaited<ReturnType<typeof settleOnce>>;
    try {
      settled = cycle.plan?.actions.some((a) => a.kind === "settle")
        ? undefined
        : await settleOnce(this.keeper);
      step("settle", "ok");
    } catch (error) {
      step("settle", "error");
      this.log(`  keeper: settlement refused: ${refusal(error)}`);
    }
    if (settled?.txHash) {
      const receipt = await this.reader.public.getTransactionReceipt({ hash: settled.txHash });
      this.batches++;
      this.recordEvents(receipt.logs);
      this.log(`  settlement batch (2-of-3 operator signatures, 1 call)  tx ${settled.txHash}`);
    }
    if (cycle.status !== "executed" && !settled) this.log("  keeper: nothing to settle, no batch this epoch");

    return cycle.allocation.weightsBps;
  }

  /**
   * The outcome step of the cycle: each batch placed (legs, cost, the gate transactions) and locked
   * (the NAV change of the step, before the cycle's rebalance), and the refusals counted by reason.
   */
  private async recordOutcomes(epoch: number, step: OutcomeStepResult): Promise<void> {
    const counts: Record<string, number> = {};
    for (const r of step.rejected) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
    for (const [reason, n] of Object.entries(counts))
      this.outcomeRejections[reason] = (this.outcomeRejections[reason] ?? 0) + n;
    const summary = Object.entries(counts)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(", ");
    this.log(
      `  outcome step: ${step.sets} candidate sets, ${step.opportunities.length} opportunities` +
        (summary ? `, refused: ${summary}` : ""),
    );
    const navBefore = BigInt(step.nav.before);
    const navAfter = BigInt(step.nav.after);
    for (const placement of step.placements) {
      const record = await this.keeper.store.getOutcomeBatch(placement.id);
      if (!record) continue;
      const batch = JSON.parse(record.batchJson) as OutcomeBatch;
      const lock = step.locked.find((l) => l.id === placement.id);
      const trade: OutcomeTradeRecord = {
        epoch,
        batchId: placement.id,
        strategy: batch.strategy,
        setKind: batch.setKind,
        legs: new Set(batch.orders.map((o) => o.leg)).size,
        orders: batch.orders.length,
        sets: BigInt(batch.sets),
        cost: BigInt(batch.cost),
        profit: BigInt(batch.profit),
        status: record.status,
        placedTx: placement.txHashes,
        provenances: placement.provenances,
        lockTx: lock?.txHashes ?? [],
        navBefore,
        navAfter,
      };
      this.outcomeTrades.push(trade);
      this.log(
        `  outcome arbitrage (${trade.strategy}, ${trade.setKind} set of ${trade.legs} legs): ${trade.orders} connector ` +
          `orders for ${format(trade.sets)} sets at ${format(trade.cost)} USDC, through the 2-of-3 gate, matched on the ` +
          `CTF Exchange; ${trade.status}, profit ${format(trade.profit)} USDC; NAV ${format(navBefore)} -> ${format(navAfter)}`,
      );
      for (const [i, tx] of placement.txHashes.entries())
        this.log(`    placed  provenance ${placement.provenances[i]}  tx ${tx}`);
      for (const tx of trade.lockTx) this.log(`    locked  tx ${tx}`);
    }
  }

  /** Events of an executed keeper batch: settlements, fees, swaps and the funds it moved. */
  private async recordCycle(epoch: number, cycle: CycleResult): Promise<void> {
    const receipt = await this.reader.public.getTransactionReceipt({ hash: cycle.txHash! });
    this.batches++;
    this.recordEvents(receipt.logs);
    const actions = cycle.plan!.actions;
    const transfers = actions.flatMap((a) => this.transferOf(a));
    const calls = cycle.calls!.length;
    this.log(
      `  gate batch #${cycle.gateNonce} (2-of-3 operator signatures, ${calls} calls: ` +
        `${actions.map((a) => a.kind).join(", ")})`,
    );
    this.log(`    provenance ${cycle.provenance}  tx ${cycle.txHash}`);
    if (transfers.length === 0) return;
    const swaps = parseEventLogs({ abi: abi.connector(), logs: receipt.logs, eventName: "Swapped" }).map(
      (e) => {
        const args = e.args as { tokenIn: Address; amountIn: bigint; amountOut: bigint };
        return {
          connector: getAddress(e.address),
          ...args,
          soldBase: getAddress(args.tokenIn) === this.stack.asset,
        };
      },
    );
    const direct = parseEventLogs({
      abi: abi.connector(),
      logs: receipt.logs,
      eventName: "SentToConnector",
    }).map((e) => {
      const args = e.args as { to: Address; amount: bigint };
      return { from: getAddress(e.address), to: args.to, amount: args.amount };
    });
    for (const t of transfers) this.log(`  moved ${format(t.amount)} USDC ${t.from} -> ${t.to}`);
    for (const s of swaps) this.log(`  swapped ${formatSwap(s)} through LI.FI`);
    const minted = parseEventLogs({ abi: abi.uniConnector(), logs: receipt.logs }).filter(
      (e) =>
        e.eventName === "PositionMinted" ||
        e.eventName === "LiquidityIncreased" ||
        e.eventName === "LiquidityDecreased" ||
        e.eventName === "PositionBurned",
    );
    for (const e of minted) this.log(`  Uniswap USDC/WETH LP: ${e.eventName}`);
    this.rebalances.push({
      epoch,
      nonce: cycle.gateNonce!,
      txHash: cycle.txHash!,
      provenance: cycle.provenance!,
      snapshotHash: cycle.snapshotHash,
      reasons: cycle.allocation.reasons,
      signals: cycle.allocation.evidence.map((e) => ({
        ruleId: e.ruleId,
        marketId: e.marketId,
        metric: e.metric,
        level: e.level,
      })),
      transfers,
      swaps,
      connectorToConnector: direct,
      calls,
    });
  }

  /** The USDC transfer a plan action makes, by policy key; none for actions inside one connector. */
  private transferOf(action: PlanAction): Transfer[] {
    const key = (address: Address) => {
      const found = this.keyOf.get(address.toLowerCase());
      if (!found) throw new Error(`plan moves funds through ${address}, not a demo connector`);
      return found;
    };
    switch (action.kind) {
      case "transferToConnector":
        return [{ from: "vault", to: key(action.connector), amount: BigInt(action.amount) }];
      case "sendToVault":
        return [{ from: key(action.connector), to: "vault", amount: BigInt(action.amount) }];
      case "sendToConnector":
        return [{ from: key(action.connector), to: key(action.to), amount: BigInt(action.amount) }];
      default:
        return [];
    }
  }

  private recordEvents(logs: Parameters<typeof parseEventLogs>[0]["logs"]): void {
    for (const event of parseEventLogs({ abi: abi.vault(), logs })) {
      const args = event.args as Record<string, bigint>;
      if (event.eventName === "DepositsSettled") {
        this.requests.depositsSettled += args.assets!;
        this.requests.depositSettlements++;
        this.log(`  settled deposits: ${format(args.assets!)} USDC -> ${this.shares(args.shares!)} shares`);
      } else if (event.eventName === "RedeemsSettled") {
        this.requests.redeemsSettledAssets += args.assets!;
        this.requests.redeemSettlements++;
        this.log(
          `  settled redemptions: ${this.shares(args.shares!)} shares -> ${format(args.assets!)} USDC`,
        );
      } else if (
        event.eventName === "RedeemSettlementDeferred" ||
        event.eventName === "DepositSettlementDeferred"
      ) {
        this.requests.deferred++;
        this.log(`  ${event.eventName}`);
      } else if (event.eventName === "FeesAccrued") {
        this.fees.managementFee += args.managementFee!;
        this.fees.performanceFee += args.performanceFee!;
        this.fees.shares += args.shares!;
      }
    }
  }

  private async readRow(
    epoch: number,
    dataTime: number,
    signal: number,
    weightsBps: Readonly<Record<string, number>>,
  ): Promise<EpochRow> {
    const decimals = await this.vaultRead<number>("decimals");
    const book = await this.vaultRead<{ idle: bigint }>("assetBook");
    return {
      epoch,
      dataTime,
      signal,
      nav: await this.vaultRead<bigint>("totalAssets"),
      pricePerShare: await this.vaultRead<bigint>("convertToAssets", [10n ** BigInt(decimals)]),
      totalSupply: await this.vaultRead<bigint>("totalSupply"),
      idle: book.idle,
      connectors: await this.connectorValues(),
      polymarket: this.stack.polymarket
        ? (await connectorValue(this.reader, this.stack.polymarket.connector)).value
        : 0n,
      weightsBps,
    };
  }

  status(): unknown {
    const last = this.rows.at(-1);
    return withBigintsAsStrings({
      epochs: this.rows.length,
      vault: this.stack.vault,
      gate: this.stack.gate,
      last: last ?? null,
      rebalances: this.rebalances.length,
      lastRebalance: this.rebalances.at(-1) ?? null,
      requests: this.requests,
      fees: this.fees,
    });
  }
}

/** JSON has no bigint: amounts go out as decimal strings. */
function withBigintsAsStrings(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

/** What the chain refused, by the contract's error name when there is one (viem's cause chain). */
function refusal(error: unknown): string {
  if (!(error instanceof BaseError)) return (error as Error).message.split("\n")[0] ?? String(error);
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (revert instanceof ContractFunctionRevertedError) return revert.data?.errorName ?? revert.shortMessage;
  return error.shortMessage;
}

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Address, LocalAccount, PublicClient, Transport } from "viem";
import type { LocalStack } from "../../deploy/local/productStack.js";
import { ReliableSender } from "../chain/sender.js";
import type { RetryPolicy } from "../chain/retry.js";
import { keeperConfigSchema, type KeeperConfig, type KeeperConfigInput } from "../config/schema.js";
import { createKeeperMetrics } from "../http/keeperMetrics.js";
import { silentLogger, type Logger } from "../log/logger.js";
import { ViemGateReader } from "../multisig/gate.js";
import { MultisigWorkflow } from "../multisig/workflow.js";
import { WebhookAlertSink, type AlertSink } from "../ops/alerts.js";
import type { SnapshotSource } from "../service/ports.js";
import type { TaskContext } from "../service/tasks.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import {
  defaultStrategyConfig,
  parsePolicy,
  type AllocationPolicy,
  type AllocationState,
  type StrategyConfig,
} from "../strategy/index.js";
import { GateBatchSimulator } from "./batchSimulator.js";
import { ChainGuardian } from "./guardian.js";
import type { SwapQuoter } from "./lifiQuoter.js";
import { ChainPlanner } from "./planner.js";
import { ChainReadingsSource } from "./readings.js";
import { ChainRiskChecker } from "./riskChecker.js";
import { MandateExecutor, type MandateTerms } from "./mandate.js";
import { ChainEpochSettler } from "./settler.js";

/** Everything one keeper process needs on the local stack; `runKeeperCycle` and friends take it. */
export interface LocalKeeper {
  readonly config: KeeperConfig;
  readonly stack: LocalStack["stack"];
  readonly client: PublicClient;
  readonly store: Store;
  readonly logger: Logger;
  readonly workflow: MultisigWorkflow;
  /** The submitter's exactly-once sender (the strategist's key on the local stack). */
  readonly sender: ReliableSender;
  readonly submitter: LocalAccount;
  /** Operators this process signs for (on the local stack: two of the gate's three). */
  readonly operators: readonly LocalAccount[];
  readonly planner: ChainPlanner;
  readonly readings: ChainReadingsSource;
  readonly settler: ChainEpochSettler;
  readonly guardian: ChainGuardian | undefined;
  readonly snapshots: SnapshotSource;
  readonly policy: AllocationPolicy;
  readonly strategyConfig: StrategyConfig;
  readonly tasks: TaskContext;
  /** Sends single actions inside an approved mandate with the submitter's key. */
  readonly mandateExecutor: MandateExecutor;
  /**
   * Approved mandates the submitter holds; `runKeeperCycle` executes the plan's leading actions they
   * cover directly and proposes the rest.
   */
  mandates: readonly MandateTerms[];
  /** Rule levels and weights of the last evaluation (hysteresis and turnover limits). */
  state: AllocationState | undefined;
  close(): Promise<void>;
}

export interface LocalKeeperOptions {
  /** Public client on the local chain (its `chain` set); wrap its transport to inject faults. */
  readonly client: PublicClient;
  /** Transport for the guardian's wallet client. */
  readonly transport: Transport;
  readonly operators: readonly LocalAccount[];
  readonly submitter: LocalAccount;
  readonly guardian?: LocalAccount;
  /** SQLite file; default in memory (a fresh keeper on the same file resumes its proposals). */
  readonly storePath?: string;
  readonly snapshots: SnapshotSource;
  readonly policy?: AllocationPolicy;
  readonly strategyConfig?: StrategyConfig;
  readonly webhookUrl?: string;
  readonly alerts?: AlertSink;
  /** Approved mandates held by `submitter` (see `LocalKeeper.mandates`). */
  readonly mandates?: readonly MandateTerms[];
  readonly logger?: Logger;
  readonly retry?: RetryPolicy;
  readonly operatorId?: string;
  readonly planner?: Partial<
    Pick<
      ConstructorParameters<typeof ChainPlanner>[0],
      "minMoveAmount" | "benefitBps" | "gasBudgetPerBatch" | "maxSlippageBps" | "settle"
    >
  >;
  readonly now?: () => Date;
  /**
   * Swap this share of what the Uniswap LP connector receives into WETH, quoted through `quoter`
   * (e.g. `new LiFiQuoter({ apiUrl })` against the local quote service).
   */
  readonly swaps?: {
    readonly quoter: SwapQuoter;
    readonly wethShareBps: bigint;
    readonly maxSlippageBps?: bigint;
    /**
     * Put what the LP connector receives into the USDC/WETH pool (fee 500, tick spacing 10): mint a
     * position `halfWidthTicks` either side of the current tick, or increase the first one.
     */
    readonly liquidity?: { readonly halfWidthTicks: number };
  };
}

/** The local stack's USDC/WETH pool (deploy/local/productStack.ts): 0.05 % fee tier. */
const USDC_WETH_FEE = 500;
const USDC_WETH_TICK_SPACING = 10;

/** The example policy's connector keys, mapped to the local stack's connectors. */
export const LOCAL_CONNECTOR_KEYS = {
  "aave-usdc": "aave",
  "morpho-usdc": "morpho",
  "uniswap-usdc-weth": "uniswap",
} as const;

/** keeper/strategy/policies/example.policy.json, validated. */
export function examplePolicy(): AllocationPolicy {
  const file = fileURLToPath(new URL("../strategy/policies/example.policy.json", import.meta.url));
  const parsed = parsePolicy(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.ok) throw new Error(`example policy invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.policy;
}

/** Builds a keeper for a stack from `deployLocalStack` (or `deployProductStack` with its protocols). */
export async function createLocalKeeper(
  local: LocalStack,
  options: LocalKeeperOptions,
): Promise<LocalKeeper> {
  const { stack, protocols } = local;
  const { client } = options;
  const logger = options.logger ?? silentLogger;
  const chainId = await client.getChainId();
  const config = keeperConfigSchema.parse({
    operator: { id: options.operatorId ?? "local" },
    chain: { rpcUrl: "http://127.0.0.1:8545", chainId, pollingIntervalMs: 50 },
    store: { path: options.storePath ?? ":memory:" },
    gate: { address: stack.gate, vault: stack.vault, threshold: 2, signers: stack.addresses.operators },
    alerts: options.webhookUrl
      ? { webhookUrl: options.webhookUrl, cooldownSeconds: 0 }
      : { cooldownSeconds: 0 },
  });
  const store = SqliteStore.open({ path: config.store.path, busyTimeoutMs: config.store.busyTimeoutMs });
  const connectors: Record<string, Address> = {
    "aave-usdc": stack.connectors.aave,
    "morpho-usdc": stack.connectors.morpho,
    "uniswap-usdc-weth": stack.connectors.uniswap,
  };
  const readings = new ChainReadingsSource({
    client,
    vault: stack.vault,
    oracle: stack.oracle,
    connectors,
    pegFeeds: [
      { symbol: "USDC", token: stack.asset, feed: protocols.feeds.usdcUsd, decimals: 8 },
      { symbol: "USDT", token: protocols.tokens.usdt, feed: protocols.feeds.usdtUsd, decimals: 8 },
    ],
    oracleProbes: [
      { symbol: "USDC", token: stack.asset, amount: 10n ** 6n },
      { symbol: "USDT", token: protocols.tokens.usdt, amount: 10n ** 6n },
      { symbol: "WETH", token: protocols.tokens.weth, amount: 10n ** 18n },
    ],
    logger: logger.child({ component: "readings" }),
  });
  const planner = new ChainPlanner({
    client,
    vault: stack.vault,
    registry: stack.registry,
    oracle: stack.oracle,
    asset: stack.asset,
    nativeToken: protocols.tokens.weth,
    connectors: {
      "aave-usdc": { address: stack.connectors.aave, kind: "aave" },
      "morpho-usdc": { address: stack.connectors.morpho, kind: "erc4626", target: stack.morphoSupplyVault },
      "uniswap-usdc-weth": {
        address: stack.connectors.uniswap,
        kind: options.swaps?.liquidity ? "uniswapLp" : "hold",
        ...(options.swaps
          ? { swapShare: { token: protocols.tokens.weth, shareBps: options.swaps.wethShareBps } }
          : {}),
        ...(options.swaps?.liquidity
          ? {
              liquidity: {
                pool: protocols.uniswap.usdcWethPool,
                fee: USDC_WETH_FEE,
                tickSpacing: USDC_WETH_TICK_SPACING,
                halfWidthTicks: options.swaps.liquidity.halfWidthTicks,
              },
            }
          : {}),
      },
    },
    ...(options.swaps
      ? {
          swaps: {
            quoter: options.swaps.quoter,
            chainId,
            maxSlippageBps: options.swaps.maxSlippageBps ?? 100n,
          },
        }
      : {}),
    minMoveAmount: options.planner?.minMoveAmount ?? 100n * 10n ** 6n,
    benefitBps: options.planner?.benefitBps ?? 10n,
    gasBudgetPerBatch: options.planner?.gasBudgetPerBatch ?? 3_000_000n,
    maxSlippageBps: options.planner?.maxSlippageBps ?? 10n,
    settle: options.planner?.settle ?? false,
  });
  const reader = new ViemGateReader(client, stack.gate);
  const workflow = new MultisigWorkflow({
    store,
    chainId,
    gate: stack.gate,
    vault: stack.vault,
    threshold: config.gate.threshold,
    signers: config.gate.signers,
    proposalTtlSeconds: config.gate.proposalTtlSeconds,
    reader,
    simulator: new GateBatchSimulator(client),
    checker: new ChainRiskChecker({ client, vault: stack.vault, registry: stack.registry }),
    operatorId: config.operator.id,
    logger: logger.child({ component: "multisig" }),
  });
  const sender = new ReliableSender({
    client,
    account: options.submitter,
    chainId,
    store,
    retry: options.retry ?? { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50, rpcTimeoutMs: 5_000 },
    stuckAfterMs: 60_000,
    feeBumpPercent: 15,
    maxReplacements: 1,
    pollIntervalMs: 10,
    logger: logger.child({ component: "sender" }),
  });
  const guardian = options.guardian
    ? new ChainGuardian({
        client,
        transport: options.transport,
        account: options.guardian,
        vault: stack.vault,
        registry: stack.registry,
        gate: stack.gate,
        logger: logger.child({ component: "guardian" }),
      })
    : undefined;
  const alerts =
    options.alerts ??
    new WebhookAlertSink({
      url: config.alerts.webhookUrl,
      timeoutMs: config.alerts.timeoutMs,
      cooldownMs: 0,
      operatorId: config.operator.id,
      logger: logger.child({ component: "alerts" }),
    });
  const now = options.now ?? (() => new Date());
  return {
    config,
    stack,
    client,
    store,
    logger,
    workflow,
    sender,
    submitter: options.submitter,
    operators: options.operators,
    planner,
    readings,
    settler: new ChainEpochSettler({ client, vault: stack.vault }),
    guardian,
    snapshots: options.snapshots,
    policy: options.policy ?? examplePolicy(),
    strategyConfig: options.strategyConfig ?? defaultStrategyConfig(),
    tasks: { config, logger, metrics: createKeeperMetrics(store), alerts, store, now },
    mandateExecutor: new MandateExecutor({ client, gate: stack.gate, oracle: stack.oracle, sender }),
    mandates: options.mandates ?? [],
    state: undefined,
    close: () => store.close(),
  };
}

/**
 * The keeper config (`npm run keeper -- run --config <file>`) for a local stack: gate, vault,
 * connectors by the example policy's keys, peg feeds. The key comes from the environment
 * (`KEEPER_PRIVATE_KEY`), never from the file.
 */
export function localKeeperConfig(
  local: LocalStack,
  options: {
    readonly rpcUrl: string;
    readonly chainId: number;
    readonly operatorId?: string;
    readonly storePath?: string;
    readonly signalsFile?: string;
    readonly webhookUrl?: string;
  },
): KeeperConfigInput {
  const { stack, protocols } = local;
  return {
    operator: { id: options.operatorId ?? "local-operator-1" },
    chain: { rpcUrl: options.rpcUrl, chainId: options.chainId, pollingIntervalMs: 500 },
    store: { path: options.storePath ?? "keeper-local.sqlite" },
    gate: {
      address: stack.gate,
      vault: stack.vault,
      threshold: 2,
      signers: [...stack.addresses.operators],
      allowedTargets: [stack.vault, ...Object.values(stack.connectors)],
    },
    schedule: { settleEverySeconds: 60, strategyEverySeconds: 30, monitorEverySeconds: 15 },
    ...(options.webhookUrl ? { alerts: { webhookUrl: options.webhookUrl } } : {}),
    product: {
      registry: stack.registry,
      oracle: stack.oracle,
      asset: stack.asset,
      nativeToken: protocols.tokens.weth,
      connectors: {
        "aave-usdc": { address: stack.connectors.aave, kind: "aave" },
        "morpho-usdc": { address: stack.connectors.morpho, kind: "erc4626", target: stack.morphoSupplyVault },
        "uniswap-usdc-weth": { address: stack.connectors.uniswap, kind: "hold" },
      },
      pegFeeds: [
        { symbol: "USDC", token: stack.asset, feed: protocols.feeds.usdcUsd, decimals: 8 },
        { symbol: "USDT", token: protocols.tokens.usdt, feed: protocols.feeds.usdtUsd, decimals: 8 },
      ],
      ...(options.signalsFile ? { signalsFile: options.signalsFile } : {}),
    },
  };
}

import {
  erc20Abi,
  getAddress,
  zeroAddress,
  type LocalAccount,
  type PublicClient,
  type Transport,
} from "viem";
import { rpcTransport } from "../chain/transport.js";
import { ConfigError, type ConfigIssue } from "../config/load.js";
import type { KeeperConfig, ProductConfig } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import type { AlertSink } from "../ops/alerts.js";
import type { Keeper, ProductParts } from "../cycle/keeper.js";
import {
  defaultStrategyConfig,
  checkPolicyConnectors,
  readPolicyFile,
  type AllocationPolicy,
  type StrategyConfig,
} from "../strategy/index.js";
import { productAbis } from "../vault/abis.js";
import { ChainGuardian } from "../vault/guardian.js";
import { LiFiQuoter, type SwapQuoter } from "../vault/lifiQuoter.js";
import { LiveSnapshotSource } from "../vault/liveSnapshots.js";
import { MandateExecutor } from "../vault/mandate.js";
import type { PlannedConnector } from "../planning/rebalance.js";
import { ChainPlanner } from "../vault/planner.js";
import type { SnapshotSource } from "../vault/ports.js";
import { ChainReadingsSource } from "../vault/readings.js";
import { ChainEpochSettler } from "../vault/settler.js";
import { RecordedSnapshotSource, readRecordedSnapshots } from "../vault/snapshots.js";
import { composeOutcomes } from "./composeOutcomes.js";
import { createRuntime, type Runtime } from "./runtime.js";

/**
 * What a keeper process brings besides its config. An operator's process brings only `env` and a
 * logger: the key comes from the environment, the client from `chain.rpcUrl`. The local stack (one
 * process signing for several operators) and the tests add the rest.
 */
export interface ComposeOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Default: an HTTP client on `chain.rpcUrl`. */
  readonly client?: PublicClient;
  /** Transport for the guardian's wallet client; default HTTP on `chain.rpcUrl`. */
  readonly transport?: Transport;
  /** This operator's key; default from `signer` and the environment. */
  readonly account?: LocalAccount;
  /** Further operator keys this process signs with (the local stack only). */
  readonly coSigners?: readonly LocalAccount[];
  /** The guardian's key when it is not this operator's (the local stack only). */
  readonly guardianAccount?: LocalAccount;
  /** Replaces the configured signal source (recorded clocks of the demo and tests). */
  readonly snapshots?: SnapshotSource;
  /** Replaces the LI.FI SDK quoter on `product.swaps.quoteUrl`. */
  readonly quoter?: SwapQuoter;
  readonly strategyConfig?: StrategyConfig;
  readonly alerts?: AlertSink;
  readonly now?: () => Date;
  /** Commands that only read (`status`) need no key. */
  readonly needsSigner?: boolean;
}

/**
 * The one composition root: a keeper from a validated config. Refuses to start (ConfigError, with
 * the field's path) when the config and the chain disagree: a connector the Registry does not list
 * for the vault, a swap handler that is not the vault's, a mandate the gate never approved for this
 * key, a gate whose signers or threshold differ.
 */
export async function composeKeeper(config: KeeperConfig, options: ComposeOptions): Promise<Keeper> {
  const rt = await createRuntime(config, {
    env: options.env,
    logger: options.logger,
    client: options.client,
    account: options.account,
    alerts: options.alerts,
    needsSigner: options.needsSigner,
  });
  try {
    const product = config.product ? await productParts(config, config.product, rt, options) : undefined;
    const operators = rt.account
      ? [rt.account, ...(options.coSigners ?? [])]
      : [...(options.coSigners ?? [])];
    // the outcome task trades, so it needs this operator's key (the CLOB's API key is derived from it)
    const outcomes =
      config.outcomes && rt.account
        ? await composeOutcomes(config, config.outcomes, {
            client: rt.client,
            account: rt.account,
            transport: options.transport ?? keeperTransport(config),
          })
        : undefined;
    return {
      ...rt,
      operators,
      product,
      ...(outcomes ? { outcomes } : {}),
      now: options.now ?? (() => new Date()),
    };
  } catch (error) {
    await rt.close();
    throw error;
  }
}

/** What a keeper plans with: the readings, the planner, the policy and the signal source. */
export type PlanningParts = Pick<
  ProductParts,
  "vault" | "planner" | "readings" | "policy" | "strategyConfig" | "snapshots"
>;

/**
 * The planning side of a config's product, checked against the chain like a keeper's, without a
 * key, a store or a sender: the dashboard plans the copilot's proposals and the strategist's
 * batch with it (`npm run dashboard -- --keeper-config FILE`), exactly as that keeper would.
 */
export async function composePlanning(
  config: KeeperConfig,
  options: Pick<ComposeOptions, "logger" | "quoter" | "snapshots" | "strategyConfig"> & {
    readonly client: PublicClient;
  },
): Promise<PlanningParts> {
  if (!config.product)
    throw new ConfigError([{ path: "product", source: "config", message: "required to plan" }]);
  return planningParts(config, config.product, options.client, options.logger, undefined, options);
}

async function planningParts(
  config: KeeperConfig,
  product: ProductConfig,
  client: PublicClient,
  logger: Logger,
  account: LocalAccount | undefined,
  options: Pick<ComposeOptions, "quoter" | "snapshots" | "strategyConfig">,
): Promise<PlanningParts> {
  const vault = config.gate.vault;
  await checkProductOnChain(config, product, client, account);
  const probes = await Promise.all(
    [
      ...product.pegFeeds.map((p) => ({ symbol: p.symbol, token: p.token })),
      { symbol: "native", token: product.nativeToken },
    ].map(async (p) => ({
      ...p,
      amount:
        10n **
        BigInt(await client.readContract({ address: p.token, abi: erc20Abi, functionName: "decimals" })),
    })),
  );
  const readings = new ChainReadingsSource({
    client,
    vault,
    oracle: product.oracle,
    connectors: Object.fromEntries(Object.entries(product.connectors).map(([k, c]) => [k, c.address])),
    pegFeeds: product.pegFeeds,
    oracleProbes: probes,
    logger: logger.child({ component: "readings" }),
  });
  const policy = await loadPolicy(product.policyPath, Object.keys(product.connectors));
  const swaps = product.swaps;
  const chainId = config.chain.chainId;
  const planner = new ChainPlanner({
    client,
    vault,
    registry: product.registry,
    oracle: product.oracle,
    asset: product.asset,
    nativeToken: product.nativeToken,
    connectors: Object.fromEntries(
      Object.entries(product.connectors).map(([k, c]) => [k, plannedConnector(c)]),
    ),
    ...(swaps
      ? {
          swaps: {
            quoter:
              options.quoter ?? new LiFiQuoter({ apiUrl: swaps.quoteUrl, integrator: swaps.integrator }),
            chainId,
            maxSlippageBps: BigInt(swaps.maxSlippageBps),
          },
        }
      : {}),
    minMoveAmount: BigInt(product.planner.minMoveAmount),
    benefitBps: BigInt(product.planner.benefitBps),
    gasBudgetPerBatch: BigInt(product.planner.gasBudgetPerBatch),
    maxSlippageBps: BigInt(product.planner.maxSlippageBps),
    settle: product.settlement.inRebalanceBatch,
  });
  return {
    vault,
    planner,
    readings,
    snapshots: options.snapshots ?? (await signalSource(product, logger)),
    policy,
    strategyConfig: options.strategyConfig ?? defaultStrategyConfig(),
  };
}

async function productParts(
  config: KeeperConfig,
  product: ProductConfig,
  rt: Pick<Runtime, "client" | "logger" | "account" | "sender">,
  options: ComposeOptions,
): Promise<ProductParts> {
  const { client, logger } = rt;
  const vault = config.gate.vault;
  const planning = await planningParts(config, product, client, logger, rt.account, options);
  const guardianKey = options.guardianAccount ?? (product.guardian ? rt.account : undefined);
  const guardian =
    guardianKey && !config.dryRun
      ? new ChainGuardian({
          client,
          transport: options.transport ?? keeperTransport(config),
          account: guardianKey,
          vault,
          registry: product.registry,
          gate: config.gate.address,
          logger: logger.child({ component: "guardian" }),
        })
      : undefined;
  return {
    ...planning,
    settler: new ChainEpochSettler({
      client,
      vault,
      connectors: Object.fromEntries(Object.entries(product.connectors).map(([k, c]) => [k, c.address])),
    }),
    guardian,
    mandates: product.mandates,
    mandateExecutor: rt.sender
      ? new MandateExecutor({ client, gate: config.gate.address, oracle: product.oracle, sender: rt.sender })
      : undefined,
  };
}

/** An HTTP transport on `chain.rpcUrl` with the sender's timeout and the response size bound. */
function keeperTransport(config: KeeperConfig): Transport {
  return rpcTransport(config.chain.rpcUrl, {
    timeoutMs: config.sender.rpcTimeoutMs,
    maxResponseBytes: config.chain.maxResponseBytes,
  });
}

/** The planner's view of a configured connector (amounts as bigint). */
function plannedConnector(c: ProductConfig["connectors"][string]): PlannedConnector {
  return {
    address: c.address,
    kind: c.kind,
    ...(c.kind === "erc4626" ? { target: c.target } : {}),
    ...(c.kind === "uniswapLp" ? { liquidity: c.liquidity } : {}),
    ...(c.swapShare
      ? { swapShare: { token: c.swapShare.token, shareBps: BigInt(c.swapShare.shareBps) } }
      : {}),
  };
}

/** Reads the policy and checks that every connector key it names is one of the config's connectors. */
async function loadPolicy(file: string, connectorKeys: readonly string[]): Promise<AllocationPolicy> {
  const policy = await readPolicyFile(file);
  const problems = policy.ok ? checkPolicyConnectors(policy.policy, connectorKeys) : policy.errors;
  if (!policy.ok || problems.length > 0)
    throw new ConfigError(
      problems.map((e) => ({
        path: "product.policyPath",
        source: `file ${file}`,
        message: `${e.path}: ${e.message}`,
      })),
    );
  return policy.policy;
}

async function signalSource(product: ProductConfig, logger: Logger): Promise<SnapshotSource | undefined> {
  if (product.liveSignals) return new LiveSnapshotSource(product.liveSignals);
  if (!product.signalsFile) return undefined;
  const recorded = await readRecordedSnapshots(product.signalsFile);
  for (const r of recorded.rejected) logger.warn("recorded snapshot rejected", r);
  return new RecordedSnapshotSource(recorded.snapshots, product.maxSignalAgeSeconds * 1_000);
}

/** Every check of the product section against the chain; all problems at once, each with its path. */
async function checkProductOnChain(
  config: KeeperConfig,
  product: ProductConfig,
  client: PublicClient,
  account: LocalAccount | undefined,
): Promise<void> {
  const vault = config.gate.vault;
  const issues: ConfigIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, source: "chain", message });
  const registryAbi = productAbis.registry;
  for (const [key, c] of Object.entries(product.connectors)) {
    const registered = await client.readContract({
      address: product.registry,
      abi: registryAbi,
      functionName: "connectorConfig",
      args: [c.address],
    });
    if (getAddress(registered.vault) !== vault)
      issue(
        `product.connectors.${key}.address`,
        registered.vault === zeroAddress
          ? `${c.address} is not a connector the Registry knows`
          : `${c.address} belongs to vault ${registered.vault} in the Registry, not ${vault}`,
      );
  }
  if (product.swaps) {
    const handler = await client.readContract({
      address: product.registry,
      abi: registryAbi,
      functionName: "swapHandlerOf",
      args: [vault],
    });
    if (getAddress(handler) !== product.swaps.handler)
      issue(
        "product.swaps.handler",
        `the Registry's swap handler for the vault is ${handler}, not ${product.swaps.handler}`,
      );
  }
  for (const [index, mandate] of product.mandates.entries()) {
    const state = await client.readContract({
      address: config.gate.address,
      abi: productAbis.gate,
      functionName: "mandateState",
      args: [mandate.id],
    });
    if (state.keeper === zeroAddress)
      issue(`product.mandates.${index}.id`, `the gate has no mandate ${mandate.id}`);
    else if (account && getAddress(state.keeper) !== getAddress(account.address))
      issue(
        `product.mandates.${index}.id`,
        `mandate ${mandate.id} belongs to ${state.keeper}, not this key ${account.address}`,
      );
    else if (state.revoked) issue(`product.mandates.${index}.id`, `mandate ${mandate.id} is revoked`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

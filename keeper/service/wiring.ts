import { checkPolicyConnectors, readPolicyFile } from "../strategy/policy.js";
import { defaultStrategyConfig, evaluate, type TargetAllocation } from "../strategy/index.js";
import { runReplay } from "../backtest/index.js";
import type { MarketSnapshot } from "../signals/types.js";
import { usedSnapshots } from "../vault/cycle.js";
import { ChainGuardian } from "../vault/guardian.js";
import { LiveSnapshotSource } from "../vault/liveSnapshots.js";
import { ChainPlanner } from "../vault/planner.js";
import { ChainReadingsSource } from "../vault/readings.js";
import { ChainEpochSettler } from "../vault/settler.js";
import { RecordedSnapshotSource, readRecordedSnapshots } from "../vault/snapshots.js";
import { http } from "viem";
import type { KeeperComponents, SnapshotSource } from "./ports.js";
import type { Runtime } from "./runtime.js";

/** Parts that need no chain: the strategy engine and the offline replay. */
export const components: KeeperComponents = {
  strategy: { evaluate, signalsUsed: (s, a) => usedSnapshots(s as MarketSnapshot[], a as never) },
  strategyConfig: defaultStrategyConfig(),
  runReplay,
};

/**
 * The chain side, built from the config's `product` section once the runtime is up: readings for
 * the monitors (and the strategy's peg prices), the settler, the planner, the signals (recorded, or live through the adapters) and,
 * when this operator holds the guardian key, the guardian.
 */
export async function chainComponents(rt: Runtime): Promise<KeeperComponents> {
  const product = rt.config.product;
  if (!product) return {};
  const client = rt.client;
  const vault = rt.config.gate.vault;
  const connectors = Object.fromEntries(Object.entries(product.connectors).map(([k, c]) => [k, c.address]));
  const readings = new ChainReadingsSource({
    client,
    vault,
    oracle: product.oracle,
    connectors,
    pegFeeds: product.pegFeeds,
    oracleProbes: product.pegFeeds.map((p) => ({ symbol: p.symbol, token: p.token, amount: 10n ** 6n })),
    logger: rt.logger.child({ component: "readings" }),
  });
  const policy = await readPolicyFile(product.policyPath);
  const problems = policy.ok
    ? checkPolicyConnectors(policy.policy, Object.keys(product.connectors))
    : policy.errors;
  if (!policy.ok || problems.length > 0)
    throw new Error(
      `policy ${product.policyPath}: ${problems.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
    );
  let snapshots: SnapshotSource | undefined;
  if (product.signalsFile) {
    const recorded = await readRecordedSnapshots(product.signalsFile);
    for (const r of recorded.rejected) rt.logger.warn("recorded snapshot rejected", r);
    snapshots = new RecordedSnapshotSource(recorded.snapshots, product.maxSignalAgeSeconds * 1_000);
  }
  if (product.liveSignals) snapshots = new LiveSnapshotSource(product.liveSignals);
  const strategyConfig = defaultStrategyConfig();
  return {
    strategy: {
      // Peg rules read the oracle's stablecoin prices, taken fresh from the chain each cycle.
      evaluate: async (s, p, c, now) =>
        evaluate(
          s as MarketSnapshot[],
          p as never,
          { ...(c as typeof strategyConfig), pegPrices: (await readings.snapshot()).pegPrices },
          now,
        ),
      signalsUsed: (s, a) => usedSnapshots(s as MarketSnapshot[], a as TargetAllocation as never),
    },
    policy: policy.policy,
    strategyConfig,
    snapshots,
    readings,
    settler: new ChainEpochSettler({ client, vault }),
    planner: new ChainPlanner({
      client,
      vault,
      registry: product.registry,
      oracle: product.oracle,
      asset: product.asset,
      nativeToken: product.nativeToken,
      connectors: product.connectors,
      minMoveAmount: BigInt(product.planner.minMoveAmount),
      benefitBps: BigInt(product.planner.benefitBps),
      gasBudgetPerBatch: BigInt(product.planner.gasBudgetPerBatch),
      maxSlippageBps: BigInt(product.planner.maxSlippageBps),
    }),
    guardian:
      product.guardian && rt.account && !rt.config.dryRun
        ? new ChainGuardian({
            client,
            transport: http(rt.config.chain.rpcUrl),
            account: rt.account,
            vault,
            registry: product.registry,
            gate: rt.config.gate.address,
            logger: rt.logger.child({ component: "guardian" }),
          })
        : undefined,
  };
}

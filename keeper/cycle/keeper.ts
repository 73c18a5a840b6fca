import type { Address, LocalAccount, PublicClient } from "viem";
import type { ReliableSender } from "../chain/sender.js";
import type { KeeperConfig } from "../config/schema.js";
import type { KeeperMetrics } from "../http/keeperMetrics.js";
import type { Logger } from "../log/logger.js";
import type { MultisigWorkflow } from "../multisig/workflow.js";
import type { AlertSink } from "../ops/alerts.js";
import type { Store } from "../store/types.js";
import type { AllocationPolicy, StrategyConfig } from "../strategy/index.js";
import type { ChainGuardian } from "../vault/guardian.js";
import type { MandateExecutor, MandateTerms } from "../vault/mandate.js";
import type { ChainPlanner } from "../vault/planner.js";
import type { ChainReadingsSource } from "../vault/readings.js";
import type { EpochSettler, SnapshotSource } from "../vault/ports.js";
import type { OutcomeParts } from "./outcomeCycle.js";

/**
 * What every keeper command needs: the validated config, the store, the chain client, this
 * operator's key (absent for read-only commands), its exactly-once sender (absent in dry-run mode
 * or without a key) and the multisig workflow.
 */
export interface KeeperCore {
  readonly config: KeeperConfig;
  readonly logger: Logger;
  readonly store: Store;
  /** Where the store lives; a temporary copy in dry-run mode. */
  readonly storePath: string;
  readonly client: PublicClient;
  readonly account: LocalAccount | undefined;
  readonly sender: ReliableSender | undefined;
  readonly workflow: MultisigWorkflow;
  readonly metrics: KeeperMetrics;
  readonly alerts: AlertSink;
  close(): Promise<void>;
}

/** The product side, built from the config's `product` section and checked against the chain at start. */
export interface ProductParts {
  readonly vault: Address;
  readonly planner: ChainPlanner;
  readonly readings: ChainReadingsSource;
  readonly settler: EpochSettler;
  /** Present when this process holds the guardian's key (and is not in dry-run mode). */
  readonly guardian: ChainGuardian | undefined;
  /** The market signals each cycle reads (recorded or live); absent: the strategy task is off. */
  readonly snapshots: SnapshotSource | undefined;
  readonly policy: AllocationPolicy;
  readonly strategyConfig: StrategyConfig;
  /** Approved mandates this operator's key holds; the cycle sends the plan's leading covered actions in them. */
  readonly mandates: readonly MandateTerms[];
  readonly mandateExecutor: MandateExecutor | undefined;
}

/** One keeper process, composed by `composeKeeper` (keeper/service/compose.ts) from a validated config. */
export interface Keeper extends KeeperCore {
  /**
   * The operator keys this process signs with: its own key, plus any co-signers it was given (one
   * process holding several operators' keys only on the local stack, `npm start`).
   */
  readonly operators: readonly LocalAccount[];
  readonly product: ProductParts | undefined;
  /** The outcome-arbitrage task's parts, from the config's `outcomes` section. */
  readonly outcomes?: OutcomeParts;
  readonly now: () => Date;
}

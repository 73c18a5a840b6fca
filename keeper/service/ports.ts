import type { EstimateUsed } from "./calibration.js";
import type { TxIntent } from "../chain/sender.js";
import type { NavReading, OracleReading } from "../ops/monitors.js";
import type { GateCall } from "../store/types.js";

/**
 * Seams to the parts of the keeper built elsewhere. The shapes of `evaluate` and `runReplay` are
 * the ones published by keeper/strategy and keeper/backtest; the others wait for the contracts'
 * ABIs (AccountingManager, ValueOracle, Registry guardian) and the planner.
 */

export interface TargetAllocation {
  /** Target weight per connector key, in basis points of NAV. */
  readonly weightsBps: Readonly<Record<string, number>>;
  readonly reasons: unknown;
  readonly evidence: unknown;
  readonly snapshotHash: string;
}

export interface StrategyResult {
  readonly allocation: TargetAllocation;
  readonly recommendations: readonly unknown[];
  readonly rejected: readonly unknown[];
  /** Estimates used, stored for live calibration tracking. */
  readonly estimates?: readonly EstimateUsed[];
}

/**
 * keeper/strategy: `evaluate(snapshots, policy, config, nowMs)`. Declared as a method so that the
 * strategy's own parameter types (MarketSnapshot[], AllocationPolicy, EvaluationConfig) fit.
 */
export interface StrategyModule {
  evaluate(
    snapshots: unknown,
    policy: unknown,
    config: unknown,
    nowMs: number,
  ): StrategyResult | Promise<StrategyResult>;
  /**
   * The snapshots the allocation's `snapshotHash` covers (what a proposal stores and its provenance
   * commits to). Absent: the whole input is stored.
   */
  signalsUsed?(snapshots: unknown, allocation: TargetAllocation): unknown;
}

/** keeper/backtest `runReplay({ dataDir, outDir, onProgress })`. */
export type RunReplayFn = (options: {
  readonly dataDir: string;
  readonly outDir: string;
  readonly onProgress?: (progress: unknown) => void;
}) => Promise<unknown>;

/** Market-signal snapshots for one cycle (signal adapters), with the inputs they refused. */
export interface SnapshotSource {
  load(now: Date): Promise<{
    readonly snapshots: unknown;
    readonly rejected: readonly { readonly source: string; readonly reason: string }[];
  }>;
}

/** Holdings vs target allocation → an ordered call batch for the gate (undefined: nothing to do). */
export interface Planner {
  plan(
    allocation: TargetAllocation,
    now: Date,
  ): Promise<{ readonly plan: unknown; readonly calls: readonly GateCall[] } | undefined>;
}

/**
 * How a due settlement reaches the vault. The AccountingManager settles at live NAV only when
 * called by the keeper gate (`gate`: a proposal the signers co-sign); after its settlement deadline
 * anyone may settle at the last accepted NAV (`direct`: sent by this keeper's own key).
 */
export type SettlementPlan =
  | {
      readonly route: "gate";
      readonly calls: readonly GateCall[];
      readonly plan: unknown;
      readonly snapshot: unknown;
      readonly nav: NavReading;
    }
  | { readonly route: "direct"; readonly intent: TxIntent; readonly nav?: NavReading };

/** Builds the epoch settlement when one is due, with the NAV move it would make. */
export interface EpochSettler {
  next(now: Date): Promise<SettlementPlan | undefined>;
}

export interface StablecoinReading {
  readonly token: string;
  readonly peg: bigint;
  readonly venues: readonly { readonly venue: string; readonly price: bigint }[];
}

/** On-chain and market readings for the monitors. */
export interface ReadingsSource {
  read(now: Date): Promise<{
    readonly nav: readonly NavReading[];
    readonly oracles: readonly OracleReading[];
    readonly stablecoins: readonly StablecoinReading[];
  }>;
}

/**
 * The guardian's de-risking levers, used when a monitor reports a critical breach: pause, and
 * (when the guardian knows the gate) revoke the single-keeper mandates.
 */
export interface Guardian {
  pause(subject: string, reason: string): Promise<void>;
  revokeMandates?(subject: string, reason: string): Promise<readonly string[]>;
}

/** Everything the lead connects in keeper/service/wiring.ts. Absent parts disable what needs them. */
export interface KeeperComponents {
  readonly strategy?: StrategyModule;
  readonly policy?: unknown;
  readonly strategyConfig?: unknown;
  readonly snapshots?: SnapshotSource;
  readonly planner?: Planner;
  readonly settler?: EpochSettler;
  readonly readings?: ReadingsSource;
  readonly guardian?: Guardian;
  readonly runReplay?: RunReplayFn;
}

import type { TxIntent } from "../chain/sender.js";
import type { NavReading, OracleReading } from "../ops/monitors.js";
import type { MarketSnapshot } from "../signals/types.js";
import type { GateCall } from "../store/types.js";

/** Seams between the keeper's tasks and the chain-side parts that implement them (keeper/vault). */

/** Market-signal snapshots for one cycle (signal adapters), with the inputs they refused. */
export interface SnapshotSource {
  load(now: Date): Promise<{
    readonly snapshots: readonly MarketSnapshot[];
    readonly rejected: readonly { readonly source: string; readonly reason: string }[];
  }>;
}

/** The settlement's plan, stored with its proposal and hashed into the provenance. */
export interface SettlePlan {
  readonly kind: "settle";
  readonly vault: `0x${string}`;
  readonly pending: { readonly depositAssets: bigint; readonly redeemShares: bigint };
  readonly dueAt: bigint;
}

/** The settlement's snapshot: the NAV move it makes, read at `blockNumber`. */
export interface SettleSnapshot {
  readonly kind: "settlement";
  readonly vault: `0x${string}`;
  readonly blockNumber: bigint;
  readonly nav: NavReading;
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
      readonly plan: SettlePlan;
      readonly snapshot: SettleSnapshot;
      readonly nav: NavReading;
      /** Connectors the vault cannot value now: settling would book a wrong NAV, so none is proposed. */
      readonly unvalued: readonly string[];
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

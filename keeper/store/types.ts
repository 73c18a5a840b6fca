import type { Address, Hex } from "viem";

import type { GateCall } from "../planning/actions.js";

/** One call of a gate batch, defined with the plan actions that encode to it. */
export type { GateCall };

export const PROPOSAL_STATUSES = [
  "proposed",
  "signed",
  "submitted",
  "executed",
  "failed",
  "expired",
] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export interface ProposalRecord {
  /** The EIP-712 digest of the Execute message: unique per (chain, gate, vault, calls, nonce, deadline, provenance). */
  readonly id: Hex;
  readonly chainId: number;
  readonly gate: Address;
  readonly vault: Address;
  readonly calls: readonly GateCall[];
  readonly nonce: bigint;
  readonly deadline: bigint;
  readonly provenance: Hex;
  /** JSON text of the plan that produced the calls (hashed into `provenance`). */
  readonly planJson: string;
  /** JSON text of the signal snapshot behind the plan (hashed into `provenance`). */
  readonly snapshotJson: string;
  readonly proposer: string;
  readonly status: ProposalStatus;
  readonly statusReason?: string;
  readonly txHash?: Hex;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SignatureRecord {
  readonly proposalId: Hex;
  readonly signer: Address;
  readonly signature: Hex;
  readonly createdAt: number;
}

export const INTENT_STATUSES = ["pending", "sent", "confirmed", "reverted", "cancelled", "failed"] as const;
/**
 * `pending`: recorded, nothing broadcast yet. `sent`: at least one signed tx exists for it.
 * `confirmed` / `reverted`: one of its txs was mined with that receipt status. `cancelled`: its
 * nonce was consumed by our cancel tx. `failed`: refused before any broadcast (e.g. simulation revert).
 */
export type IntentStatus = (typeof INTENT_STATUSES)[number];

/** A transaction we want mined exactly once, keyed by an idempotency id (e.g. `submit:<proposalId>`). */
export interface IntentRecord {
  readonly id: string;
  readonly account: Address;
  readonly chainId: number;
  readonly to: Address;
  readonly data: Hex;
  readonly value: bigint;
  readonly status: IntentStatus;
  readonly txHash?: Hex;
  readonly error?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export const SEND_STATUSES = ["signed", "broadcast", "mined", "replaced", "dropped"] as const;
/**
 * Journal of every signed transaction. `signed` is written before the broadcast so a crash right
 * after broadcasting still leaves the hash to look up. `replaced`: another tx of ours took its nonce.
 * `dropped`: its nonce was consumed by a tx that is not in our journal.
 */
export type SendStatus = (typeof SEND_STATUSES)[number];

export type SendKind = "original" | "replacement" | "cancel";

export interface SendRecord {
  readonly hash: Hex;
  readonly intentId: string;
  readonly account: Address;
  readonly chainId: number;
  readonly nonce: number;
  readonly kind: SendKind;
  /** The signed serialized transaction, so the exact same tx can be re-broadcast after a restart. */
  readonly raw: Hex;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly status: SendStatus;
  readonly blockNumber?: bigint;
  readonly receiptStatus?: "success" | "reverted";
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One probability estimate the strategy used, with the market price beside it and, later, the outcome. */
export interface EstimateRecord {
  readonly estimator: string;
  readonly venue: string;
  readonly marketId: string;
  readonly tokenId: string;
  readonly p: number;
  readonly stdError: number;
  /** The traded token's price when the estimate was made: the baseline it is scored against. */
  readonly marketPrice: number;
  readonly inputsJson: string;
  readonly estimatedAt: number;
  /** 1 if the token won, 0 if it lost, null while unresolved. */
  readonly outcome: 0 | 1 | null;
  readonly resolvedAt: number | null;
}

/**
 * An exclusive, expiring claim on a piece of work (e.g. `submit:<proposalId>`), held by one account.
 * Expiry is judged by the store's own clock (the database server's for Postgres), never by the
 * clocks of the hosts competing for it.
 */
export interface LeaseRecord {
  readonly key: string;
  /** The account that holds it, lowercase. */
  readonly holder: string;
  /** Operator id of the holder, for logs and `/status`. */
  readonly operator: string;
  /** Store-clock unix milliseconds after which another holder may take it over. */
  readonly expiresAt: number;
  readonly acquiredAt: number;
}

export interface LeaseResult {
  /** True when `holder` now holds the lease (new, renewed, or taken over after expiry). */
  readonly acquired: boolean;
  /** The lease as stored after the attempt: the winner's when `acquired` is false. */
  readonly lease: LeaseRecord;
  /** The holder this lease was taken over from, when it had expired in another account's hands. */
  readonly takenOverFrom?: string;
}

export const OUTCOME_BATCH_STATUSES = ["placing", "placed", "locked", "unwound", "failed"] as const;
/**
 * An outcome-arbitrage batch (keeper/planning/outcomeOrders.ts): `placing` (recorded, orders being
 * placed on chain and posted), `placed` (orders open), `locked` (every leg filled and the lock steps
 * ran, or the set is held), `unwound` (a leg missed its expiry: open orders closed, full sets locked,
 * the rest held at 0), `failed` (placement refused before anything was committed).
 */
export type OutcomeBatchStatus = (typeof OUTCOME_BATCH_STATUSES)[number];

export interface OutcomeBatchRecord {
  readonly id: Hex;
  readonly vault: Address;
  readonly connector: Address;
  readonly strategy: string;
  readonly setId: string;
  readonly status: OutcomeBatchStatus;
  /** The planned batch (orders, lock steps, amounts), JSON. */
  readonly batchJson: string;
  /** Expected locked profit and cost, collateral units (decimal). */
  readonly profit: string;
  readonly cost: string;
  /** Realised profit once locked or unwound (collateral units, may be negative). */
  readonly realized?: string;
  readonly statusReason?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export const OUTCOME_ORDER_STATUSES = ["placed", "partial", "filled", "expired", "cancelled"] as const;
export type OutcomeOrderStatus = (typeof OUTCOME_ORDER_STATUSES)[number];

export interface OutcomeOrderRecord {
  /** The exchange's EIP-712 order hash. */
  readonly hash: Hex;
  readonly batchId: Hex;
  readonly tokenId: string;
  readonly side: "BUY" | "SELL";
  readonly makerAmount: string;
  readonly takerAmount: string;
  readonly price: number;
  /** Unix seconds. */
  readonly expiration: number;
  readonly status: OutcomeOrderStatus;
  readonly filled: string;
  readonly received: string;
  readonly updatedAt: number;
}

export interface OutcomeFillRecord {
  /** The venue's trade id (unique). */
  readonly id: string;
  readonly orderHash: Hex;
  readonly makerFilled: string;
  readonly taken: string;
  readonly txHash?: Hex;
  readonly at: number;
}

/** An outcome-token holding of a connector, as the keeper last read it, and how NAV values it. */
export interface OutcomePositionRecord {
  readonly connector: Address;
  readonly tokenId: string;
  readonly amount: string;
  /** `set`: part of a full set (par); `unpaired`: outside a set (0 unless marked); `resolved`: at payout. */
  readonly valuation: "set" | "unpaired" | "resolved";
  readonly batchId?: Hex;
  readonly updatedAt: number;
}

export interface ProposalFilter {
  readonly statuses?: readonly ProposalStatus[];
  readonly vault?: Address;
  readonly limit?: number;
}

/**
 * Persistent keeper state. Every method is atomic on its own; status changes are compare-and-set
 * (`from`) so several operators sharing one store cannot overwrite each other's transitions.
 * Async so that a networked database (Postgres) can implement it unchanged.
 */
export interface Store {
  /** Inserts a proposal; returns false (and changes nothing) when the id is already stored. */
  insertProposal(record: Omit<ProposalRecord, "createdAt" | "updatedAt">): Promise<boolean>;
  getProposal(id: Hex): Promise<ProposalRecord | undefined>;
  listProposals(filter?: ProposalFilter): Promise<ProposalRecord[]>;
  /** Moves a proposal to `to` only if its status is one of `from`; returns whether it moved. */
  transitionProposal(
    id: Hex,
    from: readonly ProposalStatus[],
    to: ProposalStatus,
    extra?: { readonly txHash?: Hex; readonly reason?: string },
  ): Promise<boolean>;
  countProposalsByStatus(): Promise<Record<ProposalStatus, number>>;

  /** Records a signature; one per (proposal, signer). Returns false when that signer already signed. */
  addSignature(record: Omit<SignatureRecord, "createdAt">): Promise<boolean>;
  listSignatures(proposalId: Hex): Promise<SignatureRecord[]>;

  /** Creates the intent, or returns the stored one unchanged when the id exists (idempotent). */
  upsertIntent(record: Omit<IntentRecord, "status" | "createdAt" | "updatedAt">): Promise<IntentRecord>;
  getIntent(id: string): Promise<IntentRecord | undefined>;
  setIntentStatus(
    id: string,
    status: IntentStatus,
    extra?: { readonly txHash?: Hex; readonly error?: string },
  ): Promise<void>;
  listIntents(account: Address, statuses: readonly IntentStatus[]): Promise<IntentRecord[]>;

  insertSend(record: Omit<SendRecord, "createdAt" | "updatedAt">): Promise<void>;
  updateSend(
    hash: Hex,
    status: SendStatus,
    extra?: { readonly blockNumber?: bigint; readonly receiptStatus?: "success" | "reverted" },
  ): Promise<void>;
  listSends(intentId: string): Promise<SendRecord[]>;
  /** Sends of `account` recorded `mined` at `fromBlock` or later, to re-check after a reorg. */
  listMinedSince(account: Address, chainId: number, fromBlock: bigint): Promise<SendRecord[]>;
  /** Sends of `account` still `signed` or `broadcast`, lowest nonce first. */
  listOpenSends(account: Address, chainId: number): Promise<SendRecord[]>;
  countSendsByStatus(): Promise<Record<SendStatus, number>>;

  /** Small key/value state (e.g. last settlement time), shared by all operators on the store. */
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string): Promise<void>;

  /** Stores one estimate (unresolved). */
  recordEstimate(record: Omit<EstimateRecord, "outcome" | "resolvedAt">): Promise<void>;
  /** Sets the outcome of every unresolved estimate of `tokenId` on `venue`; returns how many. */
  resolveEstimates(venue: string, tokenId: string, outcome: 0 | 1, resolvedAt: number): Promise<number>;
  /** Estimates, oldest first; `resolved` true/false filters on whether the outcome is known. */
  listEstimates(filter?: { readonly resolved?: boolean; readonly limit?: number }): Promise<EstimateRecord[]>;

  /**
   * Takes `key` for `holder` for `ttlMs` when it is free, expired, or already held by `holder`
   * (a renewal). Atomic: of two concurrent callers exactly one acquires it.
   */
  acquireLease(key: string, holder: string, operator: string, ttlMs: number): Promise<LeaseResult>;
  /** Gives the lease up early; only its holder can. Returns whether it was released. */
  releaseLease(key: string, holder: string): Promise<boolean>;
  getLease(key: string): Promise<LeaseRecord | undefined>;

  /** Records a batch; false (nothing changed) when the id exists. */
  insertOutcomeBatch(record: Omit<OutcomeBatchRecord, "createdAt" | "updatedAt">): Promise<boolean>;
  getOutcomeBatch(id: Hex): Promise<OutcomeBatchRecord | undefined>;
  listOutcomeBatches(filter?: {
    readonly statuses?: readonly OutcomeBatchStatus[];
    readonly limit?: number;
  }): Promise<OutcomeBatchRecord[]>;
  /** Compare-and-set, like proposals. */
  transitionOutcomeBatch(
    id: Hex,
    from: readonly OutcomeBatchStatus[],
    to: OutcomeBatchStatus,
    extra?: { readonly reason?: string; readonly realized?: string },
  ): Promise<boolean>;
  /** Inserts or replaces an order's tracked state. */
  upsertOutcomeOrder(record: Omit<OutcomeOrderRecord, "updatedAt">): Promise<void>;
  listOutcomeOrders(batchId: Hex): Promise<OutcomeOrderRecord[]>;
  countOutcomeOrdersByStatus(): Promise<Record<OutcomeOrderStatus, number>>;
  /** Records a fill once (by trade id); false when it was already recorded. */
  recordOutcomeFill(record: OutcomeFillRecord): Promise<boolean>;
  listOutcomeFills(orderHash: Hex): Promise<OutcomeFillRecord[]>;
  /** Replaces a connector's recorded holding of a token (amount 0 removes it). */
  setOutcomePosition(record: Omit<OutcomePositionRecord, "updatedAt">): Promise<void>;
  listOutcomePositions(connector?: Address): Promise<OutcomePositionRecord[]>;

  /** The applied schema version. */
  schemaVersion(): Promise<number>;
  /**
   * Problems found by the backend's own consistency check (SQLite `integrity_check`, the schema
   * tables on Postgres); empty when the store is sound.
   */
  checkIntegrity(): Promise<string[]>;
  close(): Promise<void>;
}

import type { Address, Hex } from "viem";
import type {
  EstimateRecord,
  IntentRecord,
  IntentStatus,
  LeaseRecord,
  ProposalRecord,
  ProposalStatus,
  SendRecord,
  SendStatus,
} from "./types.js";

/**
 * Row → record mapping shared by the SQLite and Postgres stores: both keep the same column names,
 * bigint values as decimal text and times as unix milliseconds (Postgres BIGINT arrives as text).
 */
export type Row = Record<string, unknown>;

function optional<T>(value: unknown, map: (v: string) => T): T | undefined {
  return value === null || value === undefined ? undefined : map(String(value));
}

export function toProposal(row: Row): ProposalRecord {
  return {
    id: row.id as Hex,
    chainId: Number(row.chain_id),
    gate: row.gate as Address,
    vault: row.vault as Address,
    calls: JSON.parse(String(row.calls_json)) as ProposalRecord["calls"],
    nonce: BigInt(String(row.nonce)),
    deadline: BigInt(String(row.deadline)),
    provenance: row.provenance as Hex,
    planJson: String(row.plan_json),
    snapshotJson: String(row.snapshot_json),
    proposer: String(row.proposer),
    status: row.status as ProposalStatus,
    statusReason: optional(row.status_reason, String),
    txHash: optional(row.tx_hash, (v) => v as Hex),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toIntent(row: Row): IntentRecord {
  return {
    id: String(row.id),
    account: row.account as Address,
    chainId: Number(row.chain_id),
    to: row.target as Address,
    data: row.data as Hex,
    value: BigInt(String(row.value)),
    status: row.status as IntentStatus,
    txHash: optional(row.tx_hash, (v) => v as Hex),
    error: optional(row.error, String),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toSend(row: Row): SendRecord {
  return {
    hash: row.hash as Hex,
    intentId: String(row.intent_id),
    account: row.account as Address,
    chainId: Number(row.chain_id),
    nonce: Number(row.nonce),
    kind: row.kind as SendRecord["kind"],
    raw: row.raw as Hex,
    maxFeePerGas: BigInt(String(row.max_fee_per_gas)),
    maxPriorityFeePerGas: BigInt(String(row.max_priority_fee_per_gas)),
    status: row.status as SendStatus,
    blockNumber: optional(row.block_number, BigInt),
    receiptStatus: optional(row.receipt_status, (v) => v as "success" | "reverted"),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toLease(row: Row): LeaseRecord {
  return {
    key: String(row.key),
    holder: String(row.holder),
    operator: String(row.operator),
    expiresAt: Number(row.expires_at),
    acquiredAt: Number(row.acquired_at),
  };
}

export function toEstimate(row: Row): EstimateRecord {
  return {
    estimator: String(row.estimator),
    venue: String(row.venue),
    marketId: String(row.market_id),
    tokenId: String(row.token_id),
    p: Number(row.p),
    stdError: Number(row.std_error),
    marketPrice: Number(row.market_price),
    inputsJson: String(row.inputs_json),
    estimatedAt: Number(row.estimated_at),
    outcome: row.outcome === null || row.outcome === undefined ? null : (Number(row.outcome) as 0 | 1),
    resolvedAt: row.resolved_at === null || row.resolved_at === undefined ? null : Number(row.resolved_at),
  };
}

/** Column values of a new estimate, in the order both stores' INSERT statements name them. */
export function estimateValues(record: Omit<EstimateRecord, "outcome" | "resolvedAt">) {
  return [
    record.estimator,
    record.venue,
    record.marketId,
    record.tokenId,
    record.p,
    record.stdError,
    record.marketPrice,
    record.inputsJson,
    record.estimatedAt,
  ] as const;
}

/** The estimates query both stores run: oldest first, optionally only (un)resolved ones, at most `limit`. */
export function estimatesQuery(filter: { readonly resolved?: boolean; readonly limit?: number }): string {
  const where =
    filter.resolved === undefined
      ? ""
      : filter.resolved
        ? "WHERE outcome IS NOT NULL"
        : "WHERE outcome IS NULL";
  const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : "";
  return `SELECT * FROM estimates ${where} ORDER BY estimated_at, id${limit}`;
}

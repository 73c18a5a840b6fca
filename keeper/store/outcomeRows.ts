import type { Address, Hex } from "viem";
import type { Row } from "./rows.js";
import type {
  OutcomeBatchRecord,
  OutcomeBatchStatus,
  OutcomeFillRecord,
  OutcomeOrderRecord,
  OutcomeOrderStatus,
  OutcomePositionRecord,
} from "./types.js";

/**
 * Outcome-arbitrage rows, shared by the SQLite and Postgres stores: the same statements with
 * numbered placeholders (`$1`; SQLite reads them as `?1`) and the same row → record mapping.
 */
export const OUTCOME_SQL = {
  insertBatch: `INSERT INTO outcome_batches (id, vault, connector, strategy, set_id, status, batch_json, profit, cost,
      realized, status_reason, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) ON CONFLICT (id) DO NOTHING`,
  getBatch: "SELECT * FROM outcome_batches WHERE id = $1",
  transitionBatch: `UPDATE outcome_batches SET status = $1, status_reason = COALESCE($2, status_reason),
      realized = COALESCE($3, realized), updated_at = $4 WHERE id = $5 AND status = $6`,
  upsertOrder: `INSERT INTO outcome_orders (hash, batch_id, token_id, side, maker_amount, taker_amount, price, expiration,
      status, filled, received, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (hash) DO UPDATE SET status = excluded.status, filled = excluded.filled,
      received = excluded.received, updated_at = excluded.updated_at`,
  listOrders: "SELECT * FROM outcome_orders WHERE batch_id = $1 ORDER BY hash",
  countOrders: "SELECT status, COUNT(*) AS n FROM outcome_orders GROUP BY status",
  insertFill: `INSERT INTO outcome_fills (id, order_hash, maker_filled, taken, tx_hash, at)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
  listFills: "SELECT * FROM outcome_fills WHERE order_hash = $1 ORDER BY at, id",
  deletePosition: "DELETE FROM outcome_positions WHERE connector = $1 AND token_id = $2",
  upsertPosition: `INSERT INTO outcome_positions (connector, token_id, amount, valuation, batch_id, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (connector, token_id) DO UPDATE SET amount = excluded.amount, valuation = excluded.valuation,
      batch_id = excluded.batch_id, updated_at = excluded.updated_at`,
  listPositions: "SELECT * FROM outcome_positions ORDER BY connector, token_id",
  listPositionsOf: "SELECT * FROM outcome_positions WHERE connector = $1 ORDER BY token_id",
} as const;

/** The batches query: newest first, optionally by status, at most `limit`. */
export function outcomeBatchesQuery(filter: {
  readonly statuses?: readonly OutcomeBatchStatus[];
  readonly limit?: number;
}): { sql: string; args: (string | number)[] } {
  const args: (string | number)[] = [];
  const statuses = filter.statuses ?? [];
  const where =
    statuses.length > 0
      ? `WHERE status IN (${statuses.map((s) => (args.push(s), `$${args.length}`)).join(",")})`
      : "";
  args.push(Math.max(0, Math.floor(filter.limit ?? 1_000)));
  return {
    sql: `SELECT * FROM outcome_batches ${where} ORDER BY created_at DESC, id LIMIT $${args.length}`,
    args,
  };
}

/** SQLite spelling of the numbered placeholders. */
export function sqlitePlaceholders(sql: string): string {
  return sql.replace(/\$(\d+)/g, "?$1");
}

const optional = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

export function toOutcomeBatch(row: Row): OutcomeBatchRecord {
  return {
    id: row.id as Hex,
    vault: row.vault as Address,
    connector: row.connector as Address,
    strategy: String(row.strategy),
    setId: String(row.set_id),
    status: row.status as OutcomeBatchStatus,
    batchJson: String(row.batch_json),
    profit: String(row.profit),
    cost: String(row.cost),
    realized: optional(row.realized),
    statusReason: optional(row.status_reason),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toOutcomeOrder(row: Row): OutcomeOrderRecord {
  return {
    hash: row.hash as Hex,
    batchId: row.batch_id as Hex,
    tokenId: String(row.token_id),
    side: row.side as "BUY" | "SELL",
    makerAmount: String(row.maker_amount),
    takerAmount: String(row.taker_amount),
    price: Number(row.price),
    expiration: Number(row.expiration),
    status: row.status as OutcomeOrderStatus,
    filled: String(row.filled),
    received: String(row.received),
    updatedAt: Number(row.updated_at),
  };
}

export function toOutcomeFill(row: Row): OutcomeFillRecord {
  const txHash = optional(row.tx_hash) as Hex | undefined;
  return {
    id: String(row.id),
    orderHash: row.order_hash as Hex,
    makerFilled: String(row.maker_filled),
    taken: String(row.taken),
    ...(txHash ? { txHash } : {}),
    at: Number(row.at),
  };
}

export function toOutcomePosition(row: Row): OutcomePositionRecord {
  const batchId = optional(row.batch_id) as Hex | undefined;
  return {
    connector: row.connector as Address,
    tokenId: String(row.token_id),
    amount: String(row.amount),
    valuation: row.valuation as OutcomePositionRecord["valuation"],
    ...(batchId ? { batchId } : {}),
    updatedAt: Number(row.updated_at),
  };
}

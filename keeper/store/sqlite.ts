import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Address, Hex } from "viem";
import { REQUIRED_TABLES, SQLITE_MIGRATIONS, type Migration } from "./migrations.js";
import {
  OUTCOME_SQL,
  outcomeBatchesQuery,
  toOutcomeBatch,
  toOutcomeFill,
  toOutcomeOrder,
  toOutcomePosition,
  sqlitePlaceholders,
} from "./outcomeRows.js";
import { estimateValues, estimatesQuery, toEstimate, toIntent, toLease, toProposal, toSend } from "./rows.js";
import {
  OUTCOME_ORDER_STATUSES,
  PROPOSAL_STATUSES,
  SEND_STATUSES,
  type EstimateRecord,
  type OutcomeBatchRecord,
  type OutcomeBatchStatus,
  type OutcomeFillRecord,
  type OutcomeOrderRecord,
  type OutcomeOrderStatus,
  type OutcomePositionRecord,
  type IntentRecord,
  type IntentStatus,
  type LeaseRecord,
  type LeaseResult,
  type ProposalFilter,
  type ProposalRecord,
  type ProposalStatus,
  type SendRecord,
  type SendStatus,
  type SignatureRecord,
  type Store,
} from "./types.js";

export interface SqliteStoreOptions {
  /** File path, or `:memory:` for a throw-away store. */
  readonly path: string;
  /** How long a writer waits for another process's lock before failing (SQLite busy_timeout). */
  readonly busyTimeoutMs?: number;
  readonly now?: () => number;
  readonly migrations?: readonly Migration[];
}

type Row = Record<string, SQLInputValue>;

/**
 * The default {@link Store}: one SQLite file through `node:sqlite`. WAL journaling plus a busy
 * timeout let several keeper processes on the same host share the file; every write is a single
 * statement or an IMMEDIATE transaction, so concurrent writers serialise instead of interleaving.
 */
export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly now: () => number;

  private constructor(db: DatabaseSync, now: () => number) {
    this.db = db;
    this.now = now;
  }

  /**
   * Writes a consistent copy of the database at `source` to `destination` (SQLite `VACUUM INTO`),
   * safe while other processes write to it. Dry runs work on such a copy.
   */
  static snapshot(source: string, destination: string): void {
    const db = new DatabaseSync(source, { readOnly: true });
    try {
      db.prepare("VACUUM INTO ?").run(destination);
    } finally {
      db.close();
    }
  }

  /** Opens (creating if needed) the database and applies pending migrations. */
  static open(options: SqliteStoreOptions): SqliteStore {
    const db = new DatabaseSync(options.path);
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
    if (options.path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed journal entry survives power loss, which the no-double-send rule relies on.
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    const store = new SqliteStore(db, options.now ?? Date.now);
    store.migrate(options.migrations ?? SQLITE_MIGRATIONS);
    return store;
  }

  private migrate(migrations: readonly Migration[]): void {
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const sorted = [...migrations].sort((a, b) => a.version - b.version);
    for (const migration of sorted) {
      this.immediate(() => {
        const applied = this.db
          .prepare("SELECT 1 FROM schema_migrations WHERE version = ?")
          .get(migration.version);
        if (applied) return;
        this.db.exec(migration.sql);
        this.db
          .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .run(migration.version, migration.name, this.now());
      });
    }
  }

  /** Runs `fn` in a write transaction taken up front, so two processes never both read-then-write. */
  private immediate<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async schemaVersion(): Promise<number> {
    const row = this.db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as Row | undefined;
    return Number(row?.v ?? 0);
  }

  async insertProposal(record: Omit<ProposalRecord, "createdAt" | "updatedAt">): Promise<boolean> {
    const now = this.now();
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO proposals (id, chain_id, gate, vault, calls_json, nonce, deadline, provenance,
           plan_json, snapshot_json, proposer, status, status_reason, tx_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.id,
        record.chainId,
        record.gate,
        record.vault,
        JSON.stringify(record.calls),
        record.nonce.toString(),
        record.deadline.toString(),
        record.provenance,
        record.planJson,
        record.snapshotJson,
        record.proposer,
        record.status,
        record.statusReason ?? null,
        record.txHash ?? null,
        now,
        now,
      );
    return Number(result.changes) === 1;
  }

  async getProposal(id: Hex): Promise<ProposalRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM proposals WHERE id = ?").get(id.toLowerCase()) as
      Row | undefined;
    return row ? toProposal(row) : undefined;
  }

  async listProposals(filter: ProposalFilter = {}): Promise<ProposalRecord[]> {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.statuses && filter.statuses.length > 0) {
      where.push(`status IN (${filter.statuses.map(() => "?").join(",")})`);
      args.push(...filter.statuses);
    }
    if (filter.vault) {
      where.push("vault = ?");
      args.push(filter.vault);
    }
    const sql = `SELECT * FROM proposals ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY created_at DESC, id LIMIT ?`;
    args.push(filter.limit ?? 1_000);
    return (this.db.prepare(sql).all(...args) as Row[]).map(toProposal);
  }

  async transitionProposal(
    id: Hex,
    from: readonly ProposalStatus[],
    to: ProposalStatus,
    extra: { readonly txHash?: Hex; readonly reason?: string } = {},
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const result = this.db
      .prepare(
        `UPDATE proposals SET status = ?, tx_hash = COALESCE(?, tx_hash), status_reason = COALESCE(?, status_reason),
           updated_at = ? WHERE id = ? AND status IN (${from.map(() => "?").join(",")})`,
      )
      .run(to, extra.txHash ?? null, extra.reason ?? null, this.now(), id.toLowerCase(), ...from);
    return Number(result.changes) === 1;
  }

  async countProposalsByStatus(): Promise<Record<ProposalStatus, number>> {
    const counts = Object.fromEntries(PROPOSAL_STATUSES.map((s) => [s, 0])) as Record<ProposalStatus, number>;
    for (const row of this.db
      .prepare("SELECT status, COUNT(*) AS n FROM proposals GROUP BY status")
      .all() as Row[]) {
      counts[row.status as ProposalStatus] = Number(row.n);
    }
    return counts;
  }

  async addSignature(record: Omit<SignatureRecord, "createdAt">): Promise<boolean> {
    const result = this.db
      .prepare(
        "INSERT OR IGNORE INTO signatures (proposal_id, signer, signature, created_at) VALUES (?, ?, ?, ?)",
      )
      .run(record.proposalId.toLowerCase(), record.signer, record.signature, this.now());
    return Number(result.changes) === 1;
  }

  async listSignatures(proposalId: Hex): Promise<SignatureRecord[]> {
    const rows = this.db
      .prepare("SELECT * FROM signatures WHERE proposal_id = ? ORDER BY signer")
      .all(proposalId.toLowerCase()) as Row[];
    return rows.map((row) => ({
      proposalId: row.proposal_id as Hex,
      signer: row.signer as Address,
      signature: row.signature as Hex,
      createdAt: Number(row.created_at),
    }));
  }

  async upsertIntent(
    record: Omit<IntentRecord, "status" | "createdAt" | "updatedAt">,
  ): Promise<IntentRecord> {
    return this.immediate(() => {
      const now = this.now();
      this.db
        .prepare(
          `INSERT OR IGNORE INTO intents (id, account, chain_id, target, data, value, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        )
        .run(
          record.id,
          record.account,
          record.chainId,
          record.to,
          record.data,
          record.value.toString(),
          now,
          now,
        );
      return toIntent(this.db.prepare("SELECT * FROM intents WHERE id = ?").get(record.id) as Row);
    });
  }

  async getIntent(id: string): Promise<IntentRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM intents WHERE id = ?").get(id) as Row | undefined;
    return row ? toIntent(row) : undefined;
  }

  async setIntentStatus(
    id: string,
    status: IntentStatus,
    extra: { readonly txHash?: Hex; readonly error?: string } = {},
  ): Promise<void> {
    this.db
      .prepare(
        "UPDATE intents SET status = ?, tx_hash = COALESCE(?, tx_hash), error = COALESCE(?, error), updated_at = ? WHERE id = ?",
      )
      .run(status, extra.txHash ?? null, extra.error ?? null, this.now(), id);
  }

  async listIntents(account: Address, statuses: readonly IntentStatus[]): Promise<IntentRecord[]> {
    if (statuses.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM intents WHERE account = ? AND status IN (${statuses.map(() => "?").join(",")}) ORDER BY created_at, id`,
      )
      .all(account, ...statuses) as Row[];
    return rows.map(toIntent);
  }

  async insertSend(record: Omit<SendRecord, "createdAt" | "updatedAt">): Promise<void> {
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO sends (hash, intent_id, account, chain_id, nonce, kind, raw, max_fee_per_gas,
           max_priority_fee_per_gas, status, block_number, receipt_status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.hash,
        record.intentId,
        record.account,
        record.chainId,
        record.nonce,
        record.kind,
        record.raw,
        record.maxFeePerGas.toString(),
        record.maxPriorityFeePerGas.toString(),
        record.status,
        record.blockNumber?.toString() ?? null,
        record.receiptStatus ?? null,
        now,
        now,
      );
  }

  async updateSend(
    hash: Hex,
    status: SendStatus,
    extra: { readonly blockNumber?: bigint; readonly receiptStatus?: "success" | "reverted" } = {},
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE sends SET status = ?, block_number = COALESCE(?, block_number),
           receipt_status = COALESCE(?, receipt_status), updated_at = ? WHERE hash = ?`,
      )
      .run(status, extra.blockNumber?.toString() ?? null, extra.receiptStatus ?? null, this.now(), hash);
  }

  async listSends(intentId: string): Promise<SendRecord[]> {
    const rows = this.db
      .prepare("SELECT * FROM sends WHERE intent_id = ? ORDER BY created_at, rowid")
      .all(intentId) as Row[];
    return rows.map(toSend);
  }

  async listMinedSince(account: Address, chainId: number, fromBlock: bigint): Promise<SendRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM sends WHERE account = ? AND chain_id = ? AND status = 'mined'
           AND CAST(block_number AS INTEGER) >= ? ORDER BY nonce, rowid`,
      )
      .all(account, chainId, fromBlock) as Row[];
    return rows.map(toSend);
  }

  async listOpenSends(account: Address, chainId: number): Promise<SendRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM sends WHERE account = ? AND chain_id = ? AND status IN ('signed','broadcast')
         ORDER BY nonce, created_at, rowid`,
      )
      .all(account, chainId) as Row[];
    return rows.map(toSend);
  }

  async countSendsByStatus(): Promise<Record<SendStatus, number>> {
    const counts = Object.fromEntries(SEND_STATUSES.map((s) => [s, 0])) as Record<SendStatus, number>;
    for (const row of this.db
      .prepare("SELECT status, COUNT(*) AS n FROM sends GROUP BY status")
      .all() as Row[]) {
      counts[row.status as SendStatus] = Number(row.n);
    }
    return counts;
  }

  async getState(key: string): Promise<string | undefined> {
    const row = this.db.prepare("SELECT value FROM state WHERE key = ?").get(key) as Row | undefined;
    return row ? String(row.value) : undefined;
  }

  async setState(key: string, value: string): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      )
      .run(key, value, this.now());
  }

  async recordEstimate(record: Omit<EstimateRecord, "outcome" | "resolvedAt">): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO estimates (estimator, venue, market_id, token_id, p, std_error, market_price, inputs_json, estimated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...estimateValues(record));
  }

  async resolveEstimates(
    venue: string,
    tokenId: string,
    outcome: 0 | 1,
    resolvedAt: number,
  ): Promise<number> {
    const result = this.db
      .prepare(
        "UPDATE estimates SET outcome = ?, resolved_at = ? WHERE venue = ? AND token_id = ? AND outcome IS NULL",
      )
      .run(outcome, resolvedAt, venue, tokenId);
    return Number(result.changes);
  }

  async listEstimates(
    filter: { readonly resolved?: boolean; readonly limit?: number } = {},
  ): Promise<EstimateRecord[]> {
    const rows = this.db.prepare(estimatesQuery(filter)).all() as Row[];
    return rows.map(toEstimate);
  }

  private outcomeRun(sql: string, args: readonly SQLInputValue[]): number {
    return Number(this.db.prepare(sqlitePlaceholders(sql)).run(...args).changes);
  }

  private outcomeAll(sql: string, args: readonly SQLInputValue[]): Row[] {
    return this.db.prepare(sqlitePlaceholders(sql)).all(...args) as Row[];
  }

  private outcomeGet(sql: string, args: readonly SQLInputValue[]): Row | undefined {
    return this.db.prepare(sqlitePlaceholders(sql)).get(...args) as Row | undefined;
  }
  async insertOutcomeBatch(record: Omit<OutcomeBatchRecord, "createdAt" | "updatedAt">): Promise<boolean> {
    return (
      this.outcomeRun(OUTCOME_SQL.insertBatch, [
        record.id.toLowerCase(),
        record.vault,
        record.connector,
        record.strategy,
        record.setId,
        record.status,
        record.batchJson,
        record.profit,
        record.cost,
        record.realized ?? null,
        record.statusReason ?? null,
        this.now(),
      ]) === 1
    );
  }

  async getOutcomeBatch(id: Hex): Promise<OutcomeBatchRecord | undefined> {
    const row = this.outcomeGet(OUTCOME_SQL.getBatch, [id.toLowerCase()]);
    return row ? toOutcomeBatch(row) : undefined;
  }

  async listOutcomeBatches(
    filter: { readonly statuses?: readonly OutcomeBatchStatus[]; readonly limit?: number } = {},
  ): Promise<OutcomeBatchRecord[]> {
    const { sql, args } = outcomeBatchesQuery(filter);
    return this.outcomeAll(sql, args).map(toOutcomeBatch);
  }

  async transitionOutcomeBatch(
    id: Hex,
    from: readonly OutcomeBatchStatus[],
    to: OutcomeBatchStatus,
    extra: { readonly reason?: string; readonly realized?: string } = {},
  ): Promise<boolean> {
    for (const status of from) {
      const changed = this.outcomeRun(OUTCOME_SQL.transitionBatch, [
        to,
        extra.reason ?? null,
        extra.realized ?? null,
        this.now(),
        id.toLowerCase(),
        status,
      ]);
      if (changed === 1) return true;
    }
    return false;
  }

  async upsertOutcomeOrder(record: Omit<OutcomeOrderRecord, "updatedAt">): Promise<void> {
    this.outcomeRun(OUTCOME_SQL.upsertOrder, [
      record.hash.toLowerCase(),
      record.batchId.toLowerCase(),
      record.tokenId,
      record.side,
      record.makerAmount,
      record.takerAmount,
      record.price,
      record.expiration,
      record.status,
      record.filled,
      record.received,
      this.now(),
    ]);
  }

  async listOutcomeOrders(batchId: Hex): Promise<OutcomeOrderRecord[]> {
    return this.outcomeAll(OUTCOME_SQL.listOrders, [batchId.toLowerCase()]).map(toOutcomeOrder);
  }

  async countOutcomeOrdersByStatus(): Promise<Record<OutcomeOrderStatus, number>> {
    const counts = Object.fromEntries(OUTCOME_ORDER_STATUSES.map((s) => [s, 0])) as Record<
      OutcomeOrderStatus,
      number
    >;
    for (const row of this.outcomeAll(OUTCOME_SQL.countOrders, []))
      counts[row.status as OutcomeOrderStatus] = Number(row.n);
    return counts;
  }

  async recordOutcomeFill(record: OutcomeFillRecord): Promise<boolean> {
    return (
      this.outcomeRun(OUTCOME_SQL.insertFill, [
        record.id,
        record.orderHash.toLowerCase(),
        record.makerFilled,
        record.taken,
        record.txHash ?? null,
        record.at,
      ]) === 1
    );
  }

  async listOutcomeFills(orderHash: Hex): Promise<OutcomeFillRecord[]> {
    return this.outcomeAll(OUTCOME_SQL.listFills, [orderHash.toLowerCase()]).map(toOutcomeFill);
  }

  async setOutcomePosition(record: Omit<OutcomePositionRecord, "updatedAt">): Promise<void> {
    if (BigInt(record.amount) === 0n) {
      this.outcomeRun(OUTCOME_SQL.deletePosition, [record.connector, record.tokenId]);
      return;
    }
    this.outcomeRun(OUTCOME_SQL.upsertPosition, [
      record.connector,
      record.tokenId,
      record.amount,
      record.valuation,
      record.batchId?.toLowerCase() ?? null,
      this.now(),
    ]);
  }

  async listOutcomePositions(connector?: Address): Promise<OutcomePositionRecord[]> {
    const rows = connector
      ? this.outcomeAll(OUTCOME_SQL.listPositionsOf, [connector])
      : this.outcomeAll(OUTCOME_SQL.listPositions, []);
    return rows.map(toOutcomePosition);
  }

  async acquireLease(key: string, holder: string, operator: string, ttlMs: number): Promise<LeaseResult> {
    const who = holder.toLowerCase();
    return this.immediate(() => {
      const now = this.now();
      const before = this.db.prepare("SELECT * FROM leases WHERE key = ?").get(key) as Row | undefined;
      const row = this.db
        .prepare(
          `INSERT INTO leases (key, holder, operator, expires_at, acquired_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, operator = excluded.operator,
             expires_at = excluded.expires_at,
             acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
           WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
           RETURNING *`,
        )
        .get(key, who, operator, now + ttlMs, now, now) as Row | undefined;
      if (row) {
        const previous = before ? String(before.holder) : undefined;
        return {
          acquired: true,
          lease: toLease(row),
          takenOverFrom: previous !== undefined && previous !== who ? previous : undefined,
        };
      }
      return { acquired: false, lease: toLease(before!) };
    });
  }

  async releaseLease(key: string, holder: string): Promise<boolean> {
    const result = this.db
      .prepare("DELETE FROM leases WHERE key = ? AND holder = ?")
      .run(key, holder.toLowerCase());
    return Number(result.changes) === 1;
  }

  async getLease(key: string): Promise<LeaseRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM leases WHERE key = ?").get(key) as Row | undefined;
    return row ? toLease(row) : undefined;
  }

  async checkIntegrity(): Promise<string[]> {
    const problems: string[] = [];
    try {
      for (const row of this.db.prepare("PRAGMA integrity_check").all() as Row[]) {
        const text = String(Object.values(row)[0]);
        if (text !== "ok") problems.push(text);
      }
      const tables = new Set(
        (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[]).map((r) =>
          String(r.name),
        ),
      );
      for (const table of REQUIRED_TABLES) if (!tables.has(table)) problems.push(`table ${table} is missing`);
    } catch (error) {
      problems.push((error as Error).message);
    }
    return problems;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

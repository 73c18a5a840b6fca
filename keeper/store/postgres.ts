import postgres from "postgres";
import type { Address, Hex } from "viem";
import { POSTGRES_MIGRATIONS, REQUIRED_TABLES, type Migration } from "./migrations.js";
import {
  OUTCOME_SQL,
  outcomeBatchesQuery,
  toOutcomeBatch,
  toOutcomeFill,
  toOutcomeOrder,
  toOutcomePosition,
} from "./outcomeRows.js";
import {
  estimateValues,
  estimatesQuery,
  toEstimate,
  toIntent,
  toLease,
  toProposal,
  toSend,
  type Row,
} from "./rows.js";
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

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** Any one statement is cancelled by the server after this long (Postgres `statement_timeout`). */
  readonly statementTimeoutMs?: number;
  /** Giving up on reaching the server after this long. */
  readonly connectTimeoutMs?: number;
  readonly maxConnections?: number;
  readonly migrations?: readonly Migration[];
}

/** The database server's clock in unix milliseconds: the one clock every host on the store shares. */
const NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
/** Serialises migrations of keepers starting at the same time on several hosts. */
const MIGRATION_LOCK = 7_246_153;

/**
 * The {@link Store} for operators on several hosts: one Postgres database through the `postgres`
 * client. Same tables, same compare-and-set transitions and the same lease rule as the SQLite store;
 * times come from the database server's clock, so hosts with skewed clocks still agree on expiry.
 */
export class PostgresStore implements Store {
  private constructor(private readonly sql: postgres.Sql) {}

  /** Connects and applies pending migrations (under an advisory lock, so concurrent starts are safe). */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const sql = postgres(options.url, {
      max: options.maxConnections ?? 4,
      connect_timeout: Math.max(1, Math.ceil((options.connectTimeoutMs ?? 5_000) / 1_000)),
      idle_timeout: 30,
      onnotice: () => {},
      connection: { statement_timeout: options.statementTimeoutMs ?? 10_000 },
    });
    const store = new PostgresStore(sql);
    try {
      await store.migrate(options.migrations ?? POSTGRES_MIGRATIONS);
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
    return store;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const sorted = [...migrations].sort((a, b) => a.version - b.version);
    await this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
      await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;
      const applied = new Set(
        (await tx`SELECT version FROM schema_migrations`).map((r) => Number(r.version)),
      );
      for (const migration of sorted) {
        if (applied.has(migration.version)) continue;
        await tx.unsafe(migration.sql).simple();
        await tx.unsafe(
          `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, ${NOW_MS})`,
          [migration.version, migration.name],
        );
      }
    });
  }

  private async rows(query: string, args: readonly unknown[] = []): Promise<Row[]> {
    return (await this.sql.unsafe(query, args as postgres.ParameterOrJSON<never>[])) as unknown as Row[];
  }

  private async changed(query: string, args: readonly unknown[]): Promise<number> {
    const result = await this.sql.unsafe(query, args as postgres.ParameterOrJSON<never>[]);
    return result.count;
  }

  async schemaVersion(): Promise<number> {
    const [row] = await this.rows("SELECT MAX(version) AS v FROM schema_migrations");
    return Number(row?.v ?? 0);
  }

  async insertProposal(record: Omit<ProposalRecord, "createdAt" | "updatedAt">): Promise<boolean> {
    const count = await this.changed(
      `INSERT INTO proposals (id, chain_id, gate, vault, calls_json, nonce, deadline, provenance,
         plan_json, snapshot_json, proposer, status, status_reason, tx_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, ${NOW_MS}, ${NOW_MS})
       ON CONFLICT (id) DO NOTHING`,
      [
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
      ],
    );
    return count === 1;
  }

  async getProposal(id: Hex): Promise<ProposalRecord | undefined> {
    const [row] = await this.rows("SELECT * FROM proposals WHERE id = $1", [id.toLowerCase()]);
    return row ? toProposal(row) : undefined;
  }

  async listProposals(filter: ProposalFilter = {}): Promise<ProposalRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.statuses && filter.statuses.length > 0) {
      args.push([...filter.statuses]);
      where.push(`status = ANY($${args.length}::text[])`);
    }
    if (filter.vault) {
      args.push(filter.vault);
      where.push(`vault = $${args.length}`);
    }
    args.push(filter.limit ?? 1_000);
    const rows = await this.rows(
      `SELECT * FROM proposals ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY created_at DESC, id LIMIT $${args.length}`,
      args,
    );
    return rows.map(toProposal);
  }

  async transitionProposal(
    id: Hex,
    from: readonly ProposalStatus[],
    to: ProposalStatus,
    extra: { readonly txHash?: Hex; readonly reason?: string } = {},
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const count = await this.changed(
      `UPDATE proposals SET status = $1, tx_hash = COALESCE($2, tx_hash), status_reason = COALESCE($3, status_reason),
         updated_at = ${NOW_MS} WHERE id = $4 AND status = ANY($5::text[])`,
      [to, extra.txHash ?? null, extra.reason ?? null, id.toLowerCase(), [...from]],
    );
    return count === 1;
  }

  async countProposalsByStatus(): Promise<Record<ProposalStatus, number>> {
    const counts = Object.fromEntries(PROPOSAL_STATUSES.map((s) => [s, 0])) as Record<ProposalStatus, number>;
    for (const row of await this.rows("SELECT status, COUNT(*) AS n FROM proposals GROUP BY status"))
      counts[row.status as ProposalStatus] = Number(row.n);
    return counts;
  }

  async addSignature(record: Omit<SignatureRecord, "createdAt">): Promise<boolean> {
    const count = await this.changed(
      `INSERT INTO signatures (proposal_id, signer, signature, created_at) VALUES ($1, $2, $3, ${NOW_MS})
       ON CONFLICT (proposal_id, signer) DO NOTHING`,
      [record.proposalId.toLowerCase(), record.signer, record.signature],
    );
    return count === 1;
  }

  async listSignatures(proposalId: Hex): Promise<SignatureRecord[]> {
    const rows = await this.rows("SELECT * FROM signatures WHERE proposal_id = $1 ORDER BY signer", [
      proposalId.toLowerCase(),
    ]);
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
    await this.changed(
      `INSERT INTO intents (id, account, chain_id, target, data, value, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', ${NOW_MS}, ${NOW_MS}) ON CONFLICT (id) DO NOTHING`,
      [record.id, record.account, record.chainId, record.to, record.data, record.value.toString()],
    );
    return (await this.getIntent(record.id))!;
  }

  async getIntent(id: string): Promise<IntentRecord | undefined> {
    const [row] = await this.rows("SELECT * FROM intents WHERE id = $1", [id]);
    return row ? toIntent(row) : undefined;
  }

  async setIntentStatus(
    id: string,
    status: IntentStatus,
    extra: { readonly txHash?: Hex; readonly error?: string } = {},
  ): Promise<void> {
    await this.changed(
      `UPDATE intents SET status = $1, tx_hash = COALESCE($2, tx_hash), error = COALESCE($3, error),
         updated_at = ${NOW_MS} WHERE id = $4`,
      [status, extra.txHash ?? null, extra.error ?? null, id],
    );
  }

  async listIntents(account: Address, statuses: readonly IntentStatus[]): Promise<IntentRecord[]> {
    if (statuses.length === 0) return [];
    const rows = await this.rows(
      "SELECT * FROM intents WHERE account = $1 AND status = ANY($2::text[]) ORDER BY created_at, id",
      [account, [...statuses]],
    );
    return rows.map(toIntent);
  }

  async insertSend(record: Omit<SendRecord, "createdAt" | "updatedAt">): Promise<void> {
    await this.changed(
      `INSERT INTO sends (hash, intent_id, account, chain_id, nonce, kind, raw, max_fee_per_gas,
         max_priority_fee_per_gas, status, block_number, receipt_status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, ${NOW_MS}, ${NOW_MS})`,
      [
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
      ],
    );
  }

  async updateSend(
    hash: Hex,
    status: SendStatus,
    extra: { readonly blockNumber?: bigint; readonly receiptStatus?: "success" | "reverted" } = {},
  ): Promise<void> {
    await this.changed(
      `UPDATE sends SET status = $1, block_number = COALESCE($2, block_number),
         receipt_status = COALESCE($3, receipt_status), updated_at = ${NOW_MS} WHERE hash = $4`,
      [status, extra.blockNumber?.toString() ?? null, extra.receiptStatus ?? null, hash],
    );
  }

  async listSends(intentId: string): Promise<SendRecord[]> {
    const rows = await this.rows("SELECT * FROM sends WHERE intent_id = $1 ORDER BY created_at, seq", [
      intentId,
    ]);
    return rows.map(toSend);
  }

  async listMinedSince(account: Address, chainId: number, fromBlock: bigint): Promise<SendRecord[]> {
    const rows = await this.rows(
      `SELECT * FROM sends WHERE account = $1 AND chain_id = $2 AND status = 'mined'
         AND block_number::numeric >= $3::numeric ORDER BY nonce, seq`,
      [account, chainId, fromBlock.toString()],
    );
    return rows.map(toSend);
  }

  async listOpenSends(account: Address, chainId: number): Promise<SendRecord[]> {
    const rows = await this.rows(
      `SELECT * FROM sends WHERE account = $1 AND chain_id = $2 AND status IN ('signed','broadcast')
       ORDER BY nonce, created_at, seq`,
      [account, chainId],
    );
    return rows.map(toSend);
  }

  async countSendsByStatus(): Promise<Record<SendStatus, number>> {
    const counts = Object.fromEntries(SEND_STATUSES.map((s) => [s, 0])) as Record<SendStatus, number>;
    for (const row of await this.rows("SELECT status, COUNT(*) AS n FROM sends GROUP BY status"))
      counts[row.status as SendStatus] = Number(row.n);
    return counts;
  }

  async getState(key: string): Promise<string | undefined> {
    const [row] = await this.rows("SELECT value FROM state WHERE key = $1", [key]);
    return row ? String(row.value) : undefined;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.changed(
      `INSERT INTO state (key, value, updated_at) VALUES ($1, $2, ${NOW_MS})
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, value],
    );
  }

  async recordEstimate(record: Omit<EstimateRecord, "outcome" | "resolvedAt">): Promise<void> {
    await this.changed(
      `INSERT INTO estimates (estimator, venue, market_id, token_id, p, std_error, market_price, inputs_json, estimated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [...estimateValues(record)],
    );
  }

  async resolveEstimates(
    venue: string,
    tokenId: string,
    outcome: 0 | 1,
    resolvedAt: number,
  ): Promise<number> {
    return this.changed(
      "UPDATE estimates SET outcome = $1, resolved_at = $2 WHERE venue = $3 AND token_id = $4 AND outcome IS NULL",
      [outcome, resolvedAt, venue, tokenId],
    );
  }

  async listEstimates(
    filter: { readonly resolved?: boolean; readonly limit?: number } = {},
  ): Promise<EstimateRecord[]> {
    const rows = await this.rows(estimatesQuery(filter));
    return rows.map(toEstimate);
  }

  private async outcomeGet(query: string, args: readonly unknown[]): Promise<Row | undefined> {
    return (await this.rows(query, args))[0];
  }
  async insertOutcomeBatch(record: Omit<OutcomeBatchRecord, "createdAt" | "updatedAt">): Promise<boolean> {
    return (
      (await this.changed(OUTCOME_SQL.insertBatch, [
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
        Date.now(),
      ])) === 1
    );
  }

  async getOutcomeBatch(id: Hex): Promise<OutcomeBatchRecord | undefined> {
    const row = await this.outcomeGet(OUTCOME_SQL.getBatch, [id.toLowerCase()]);
    return row ? toOutcomeBatch(row) : undefined;
  }

  async listOutcomeBatches(
    filter: { readonly statuses?: readonly OutcomeBatchStatus[]; readonly limit?: number } = {},
  ): Promise<OutcomeBatchRecord[]> {
    const { sql, args } = outcomeBatchesQuery(filter);
    return (await this.rows(sql, args)).map(toOutcomeBatch);
  }

  async transitionOutcomeBatch(
    id: Hex,
    from: readonly OutcomeBatchStatus[],
    to: OutcomeBatchStatus,
    extra: { readonly reason?: string; readonly realized?: string } = {},
  ): Promise<boolean> {
    for (const status of from) {
      const changed = await this.changed(OUTCOME_SQL.transitionBatch, [
        to,
        extra.reason ?? null,
        extra.realized ?? null,
        Date.now(),
        id.toLowerCase(),
        status,
      ]);
      if (changed === 1) return true;
    }
    return false;
  }

  async upsertOutcomeOrder(record: Omit<OutcomeOrderRecord, "updatedAt">): Promise<void> {
    await this.changed(OUTCOME_SQL.upsertOrder, [
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
      Date.now(),
    ]);
  }

  async listOutcomeOrders(batchId: Hex): Promise<OutcomeOrderRecord[]> {
    return (await this.rows(OUTCOME_SQL.listOrders, [batchId.toLowerCase()])).map(toOutcomeOrder);
  }

  async countOutcomeOrdersByStatus(): Promise<Record<OutcomeOrderStatus, number>> {
    const counts = Object.fromEntries(OUTCOME_ORDER_STATUSES.map((s) => [s, 0])) as Record<
      OutcomeOrderStatus,
      number
    >;
    for (const row of await this.rows(OUTCOME_SQL.countOrders, []))
      counts[row.status as OutcomeOrderStatus] = Number(row.n);
    return counts;
  }

  async recordOutcomeFill(record: OutcomeFillRecord): Promise<boolean> {
    return (
      (await this.changed(OUTCOME_SQL.insertFill, [
        record.id,
        record.orderHash.toLowerCase(),
        record.makerFilled,
        record.taken,
        record.txHash ?? null,
        record.at,
      ])) === 1
    );
  }

  async listOutcomeFills(orderHash: Hex): Promise<OutcomeFillRecord[]> {
    return (await this.rows(OUTCOME_SQL.listFills, [orderHash.toLowerCase()])).map(toOutcomeFill);
  }

  async setOutcomePosition(record: Omit<OutcomePositionRecord, "updatedAt">): Promise<void> {
    if (BigInt(record.amount) === 0n) {
      await this.changed(OUTCOME_SQL.deletePosition, [record.connector, record.tokenId]);
      return;
    }
    await this.changed(OUTCOME_SQL.upsertPosition, [
      record.connector,
      record.tokenId,
      record.amount,
      record.valuation,
      record.batchId?.toLowerCase() ?? null,
      Date.now(),
    ]);
  }

  async listOutcomePositions(connector?: Address): Promise<OutcomePositionRecord[]> {
    const rows = connector
      ? await this.rows(OUTCOME_SQL.listPositionsOf, [connector])
      : await this.rows(OUTCOME_SQL.listPositions, []);
    return rows.map(toOutcomePosition);
  }

  async acquireLease(key: string, holder: string, operator: string, ttlMs: number): Promise<LeaseResult> {
    const who = holder.toLowerCase();
    return this.sql.begin(async (tx) => {
      // Row lock on the existing lease (if any), so the takeover decision and the write are one step.
      const [before] = (await tx.unsafe("SELECT * FROM leases WHERE key = $1 FOR UPDATE", [
        key,
      ])) as unknown as Row[];
      const [row] = (await tx.unsafe(
        `INSERT INTO leases (key, holder, operator, expires_at, acquired_at)
         VALUES ($1, $2, $3, ${NOW_MS} + $4::bigint, ${NOW_MS})
         ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, operator = excluded.operator,
           expires_at = excluded.expires_at,
           acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ${NOW_MS}
         RETURNING *`,
        [key, who, operator, Math.floor(ttlMs)],
      )) as unknown as Row[];
      if (row) {
        const previous = before ? String(before.holder) : undefined;
        return {
          acquired: true,
          lease: toLease(row),
          takenOverFrom: previous !== undefined && previous !== who ? previous : undefined,
        };
      }
      const [current] = (await tx.unsafe("SELECT * FROM leases WHERE key = $1", [key])) as unknown as Row[];
      return { acquired: false, lease: toLease(current!) };
    }) as Promise<LeaseResult>;
  }

  async releaseLease(key: string, holder: string): Promise<boolean> {
    return (
      (await this.changed("DELETE FROM leases WHERE key = $1 AND holder = $2", [
        key,
        holder.toLowerCase(),
      ])) === 1
    );
  }

  async getLease(key: string): Promise<LeaseRecord | undefined> {
    const [row] = await this.rows("SELECT * FROM leases WHERE key = $1", [key]);
    return row ? toLease(row) : undefined;
  }

  async checkIntegrity(): Promise<string[]> {
    const problems: string[] = [];
    try {
      const present = new Set(
        (
          await this.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
          )
        ).map((r) => String(r.table_name)),
      );
      for (const table of REQUIRED_TABLES)
        if (!present.has(table)) problems.push(`table ${table} is missing`);
      const version = await this.schemaVersion();
      const expected = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));
      if (version < expected) problems.push(`schema version ${version}, expected ${expected}`);
    } catch (error) {
      problems.push((error as Error).message);
    }
    return problems;
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

/** One schema step. Versions are applied in order, each once, inside its own write transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * SQLite schema history. Never edit an applied migration: append a new version. bigint values are
 * stored as decimal TEXT, JSON as TEXT, times as unix milliseconds.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "proposals, signatures, intents, sends, state",
    sql: `
      CREATE TABLE proposals (
        id TEXT PRIMARY KEY,
        chain_id INTEGER NOT NULL,
        gate TEXT NOT NULL,
        vault TEXT NOT NULL,
        calls_json TEXT NOT NULL,
        nonce TEXT NOT NULL,
        deadline TEXT NOT NULL,
        provenance TEXT NOT NULL,
        plan_json TEXT NOT NULL,
        snapshot_json TEXT NOT NULL,
        proposer TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('proposed','signed','submitted','executed','failed','expired')),
        status_reason TEXT,
        tx_hash TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX proposals_status ON proposals (status);
      CREATE INDEX proposals_vault_nonce ON proposals (vault, nonce);

      CREATE TABLE signatures (
        proposal_id TEXT NOT NULL REFERENCES proposals (id),
        signer TEXT NOT NULL,
        signature TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (proposal_id, signer)
      );

      CREATE TABLE intents (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        chain_id INTEGER NOT NULL,
        target TEXT NOT NULL,
        data TEXT NOT NULL,
        value TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','sent','confirmed','reverted','cancelled','failed')),
        tx_hash TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX intents_account_status ON intents (account, status);

      CREATE TABLE sends (
        hash TEXT PRIMARY KEY,
        intent_id TEXT NOT NULL REFERENCES intents (id),
        account TEXT NOT NULL,
        chain_id INTEGER NOT NULL,
        nonce INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('original','replacement','cancel')),
        raw TEXT NOT NULL,
        max_fee_per_gas TEXT NOT NULL,
        max_priority_fee_per_gas TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('signed','broadcast','mined','replaced','dropped')),
        block_number TEXT,
        receipt_status TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX sends_intent ON sends (intent_id);
      CREATE INDEX sends_account_status ON sends (account, chain_id, status, nonce);

      CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "estimates: each probability estimate with its market, time and later resolution",
    sql: `
      CREATE TABLE estimates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        estimator TEXT NOT NULL,
        venue TEXT NOT NULL,
        market_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        p REAL NOT NULL CHECK (p >= 0 AND p <= 1),
        std_error REAL NOT NULL CHECK (std_error >= 0),
        market_price REAL NOT NULL CHECK (market_price >= 0 AND market_price <= 1),
        inputs_json TEXT NOT NULL,
        estimated_at INTEGER NOT NULL,
        outcome INTEGER CHECK (outcome IN (0, 1)),
        resolved_at INTEGER
      );
      CREATE INDEX estimates_token ON estimates (venue, token_id);
      CREATE INDEX estimates_estimator ON estimates (estimator, outcome);
    `,
  },
  {
    version: 3,
    name: "leases: one submitter per proposal",
    sql: `
      CREATE TABLE leases (
        key TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        operator TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        acquired_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "outcome arbitrage: batches, orders, fills, positions",
    sql: `
      CREATE TABLE outcome_batches (
        id TEXT PRIMARY KEY,
        vault TEXT NOT NULL,
        connector TEXT NOT NULL,
        strategy TEXT NOT NULL,
        set_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('placing','placed','locked','unwound','failed')),
        batch_json TEXT NOT NULL,
        profit TEXT NOT NULL,
        cost TEXT NOT NULL,
        realized TEXT,
        status_reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX outcome_batches_status ON outcome_batches (status);

      CREATE TABLE outcome_orders (
        hash TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES outcome_batches (id),
        token_id TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('BUY','SELL')),
        maker_amount TEXT NOT NULL,
        taker_amount TEXT NOT NULL,
        price REAL NOT NULL CHECK (price > 0 AND price < 1),
        expiration INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('placed','partial','filled','expired','cancelled')),
        filled TEXT NOT NULL,
        received TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX outcome_orders_batch ON outcome_orders (batch_id);

      CREATE TABLE outcome_fills (
        id TEXT PRIMARY KEY,
        order_hash TEXT NOT NULL REFERENCES outcome_orders (hash),
        maker_filled TEXT NOT NULL,
        taken TEXT NOT NULL,
        tx_hash TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX outcome_fills_order ON outcome_fills (order_hash);

      CREATE TABLE outcome_positions (
        connector TEXT NOT NULL,
        token_id TEXT NOT NULL,
        amount TEXT NOT NULL,
        valuation TEXT NOT NULL CHECK (valuation IN ('set','unpaired','resolved')),
        batch_id TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (connector, token_id)
      );
    `,
  },
];

/**
 * Postgres schema history, the same tables as {@link SQLITE_MIGRATIONS} version for version.
 * Times are BIGINT unix milliseconds; `sends.seq` gives the insertion order SQLite's rowid gives.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "proposals, signatures, intents, sends, state",
    sql: `
      CREATE TABLE proposals (
        id TEXT PRIMARY KEY,
        chain_id INTEGER NOT NULL,
        gate TEXT NOT NULL,
        vault TEXT NOT NULL,
        calls_json TEXT NOT NULL,
        nonce TEXT NOT NULL,
        deadline TEXT NOT NULL,
        provenance TEXT NOT NULL,
        plan_json TEXT NOT NULL,
        snapshot_json TEXT NOT NULL,
        proposer TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('proposed','signed','submitted','executed','failed','expired')),
        status_reason TEXT,
        tx_hash TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX proposals_status ON proposals (status);
      CREATE INDEX proposals_vault_nonce ON proposals (vault, nonce);

      CREATE TABLE signatures (
        proposal_id TEXT NOT NULL REFERENCES proposals (id),
        signer TEXT NOT NULL,
        signature TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (proposal_id, signer)
      );

      CREATE TABLE intents (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        chain_id INTEGER NOT NULL,
        target TEXT NOT NULL,
        data TEXT NOT NULL,
        value TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','sent','confirmed','reverted','cancelled','failed')),
        tx_hash TEXT,
        error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX intents_account_status ON intents (account, status);

      CREATE TABLE sends (
        hash TEXT PRIMARY KEY,
        seq BIGSERIAL NOT NULL,
        intent_id TEXT NOT NULL REFERENCES intents (id),
        account TEXT NOT NULL,
        chain_id INTEGER NOT NULL,
        nonce INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('original','replacement','cancel')),
        raw TEXT NOT NULL,
        max_fee_per_gas TEXT NOT NULL,
        max_priority_fee_per_gas TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('signed','broadcast','mined','replaced','dropped')),
        block_number TEXT,
        receipt_status TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX sends_intent ON sends (intent_id);
      CREATE INDEX sends_account_status ON sends (account, chain_id, status, nonce);

      CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "estimates: each probability estimate with its market, time and later resolution",
    sql: `
      CREATE TABLE estimates (
        id BIGSERIAL PRIMARY KEY,
        estimator TEXT NOT NULL,
        venue TEXT NOT NULL,
        market_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        p DOUBLE PRECISION NOT NULL CHECK (p >= 0 AND p <= 1),
        std_error DOUBLE PRECISION NOT NULL CHECK (std_error >= 0),
        market_price DOUBLE PRECISION NOT NULL CHECK (market_price >= 0 AND market_price <= 1),
        inputs_json TEXT NOT NULL,
        estimated_at BIGINT NOT NULL,
        outcome INTEGER CHECK (outcome IN (0, 1)),
        resolved_at BIGINT
      );
      CREATE INDEX estimates_token ON estimates (venue, token_id);
      CREATE INDEX estimates_estimator ON estimates (estimator, outcome);
    `,
  },
  {
    version: 3,
    name: "leases: one submitter per proposal",
    sql: `
      CREATE TABLE leases (
        key TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        operator TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        acquired_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "outcome arbitrage: batches, orders, fills, positions",
    sql: `
      CREATE TABLE outcome_batches (
        id TEXT PRIMARY KEY,
        vault TEXT NOT NULL,
        connector TEXT NOT NULL,
        strategy TEXT NOT NULL,
        set_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('placing','placed','locked','unwound','failed')),
        batch_json TEXT NOT NULL,
        profit TEXT NOT NULL,
        cost TEXT NOT NULL,
        realized TEXT,
        status_reason TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX outcome_batches_status ON outcome_batches (status);

      CREATE TABLE outcome_orders (
        hash TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES outcome_batches (id),
        token_id TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('BUY','SELL')),
        maker_amount TEXT NOT NULL,
        taker_amount TEXT NOT NULL,
        price DOUBLE PRECISION NOT NULL CHECK (price > 0 AND price < 1),
        expiration BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('placed','partial','filled','expired','cancelled')),
        filled TEXT NOT NULL,
        received TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX outcome_orders_batch ON outcome_orders (batch_id);

      CREATE TABLE outcome_fills (
        id TEXT PRIMARY KEY,
        order_hash TEXT NOT NULL REFERENCES outcome_orders (hash),
        maker_filled TEXT NOT NULL,
        taken TEXT NOT NULL,
        tx_hash TEXT,
        at BIGINT NOT NULL
      );
      CREATE INDEX outcome_fills_order ON outcome_fills (order_hash);

      CREATE TABLE outcome_positions (
        connector TEXT NOT NULL,
        token_id TEXT NOT NULL,
        amount TEXT NOT NULL,
        valuation TEXT NOT NULL CHECK (valuation IN ('set','unpaired','resolved')),
        batch_id TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (connector, token_id)
      );
    `,
  },
];

/** Tables every migrated store has; a store missing one is damaged. */
export const REQUIRED_TABLES = [
  "proposals",
  "signatures",
  "intents",
  "sends",
  "state",
  "estimates",
  "leases",
  "outcome_batches",
  "outcome_orders",
  "outcome_fills",
  "outcome_positions",
] as const;

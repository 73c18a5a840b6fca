import { getAddress, isAddress, type Address, type Hex } from "viem";
import { z } from "zod";

const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "must be a 20-byte hex address (0x…)")
  .transform((value) => getAddress(value) as Address);

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const bps = z.number().int().min(0).max(10_000);

/** Local-only URLs are the default; the schema accepts any http(s) URL, the operator chooses. */
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

const marketList = z.array(z.string().trim().min(1)).min(1).max(200);

/** `product.liveSignals`: venues, their base URLs and the markets fetched each run. */
export const liveSignalsSchema = z
  .strictObject({
    timeoutMs: positiveInt.default(10_000),
    retries: z.number().int().min(0).max(5).default(2),
    polymarket: z
      .strictObject({
        gammaUrl: httpUrl.default("https://gamma-api.polymarket.com"),
        clobUrl: httpUrl.default("https://clob.polymarket.com"),
        /** Gamma market slugs */
        slugs: marketList,
        /** join each market's CLOB order book (best bid/ask, depth) */
        books: z.boolean().default(true),
      })
      .optional(),
    kalshi: z
      .strictObject({
        baseUrl: httpUrl.default("https://external-api.kalshi.com/trade-api/v2"),
        /** Kalshi event tickers; every market of each event */
        eventTickers: marketList,
      })
      .optional(),
  })
  .refine((v) => v.polymarket !== undefined || v.kalshi !== undefined, {
    error: "configure at least one venue (polymarket or kalshi)",
  });

export const depegBandsSchema = z
  .strictObject({
    /** Deviation from the peg above which the asset is watched (bps, exclusive). */
    watchBps: bps.default(50),
    /** Above this the strategy reduces exposure. */
    reduceBps: bps.default(200),
    /** Above this the strategy exits the asset. */
    exitBps: bps.default(500),
  })
  .refine((b) => b.watchBps < b.reduceBps && b.reduceBps < b.exitBps, {
    error: "bands must satisfy watchBps < reduceBps < exitBps",
  });

const bytes32 = z.custom<Hex>(
  (v) => typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v),
  "must be 32 bytes of hex (0x + 64 digits)",
);
const selector = z.custom<Hex>(
  (v) => typeof v === "string" && /^0x[0-9a-fA-F]{8}$/.test(v),
  "must be a 4-byte function selector (0x + 8 digits)",
);

/** Part of what a connector receives, swapped through LI.FI into another token. */
const swapShareSchema = z.strictObject({ token: address, shareBps: bps });

const connectorBase = { address, swapShare: swapShareSchema.optional() };

/** One connector the policy names, by what the planner does with it. */
export const connectorSchema = z.discriminatedUnion(
  "kind",
  [
    /** AaveV3Connector: supply / withdraw the base asset. */
    z.strictObject({ kind: z.literal("aave"), ...connectorBase }),
    /** ERC4626Connector: deposit / withdraw with share bounds read from `target`. */
    z.strictObject({ kind: z.literal("erc4626"), ...connectorBase, target: address }),
    /** UniswapV3Connector: base asset in, `swapShare` swapped, liquidity minted; reduced when over target. */
    z.strictObject({
      kind: z.literal("uniswapLp"),
      ...connectorBase,
      liquidity: z.strictObject({
        pool: address,
        fee: z.number().int().positive(),
        tickSpacing: positiveInt,
        /** half the position's width in ticks, a multiple of `tickSpacing` */
        halfWidthTicks: positiveInt,
      }),
    }),
    /** A connector whose positions the keeper does not manage: only loose base asset moves. */
    z.strictObject({ kind: z.literal("hold"), ...connectorBase }),
  ],
  { error: "kind must be one of aave, erc4626, uniswapLp, hold" },
);

export const swapsSchema = z.strictObject({
  /** LI.FI API (or the local stack's quote service) the SDK asks for quotes. */
  quoteUrl: httpUrl,
  integrator: z.string().min(1).default("agent-vault"),
  /** The vault's LiFiSwapHandler (must equal `Registry.swapHandlerOf(vault)`). */
  handler: address,
  /** A quote whose minimum output is worth less (by the oracle) than the input minus this is refused. */
  maxSlippageBps: bps.default(100),
});

/** An approved mandate's lists (`KeeperGate.mandateDigest` of the full terms is `id`). */
export const mandateSchema = z.strictObject({
  id: bytes32,
  connectors: z.array(address).min(1),
  tokens: z.array(address).min(1),
  selectors: z.array(selector).min(1),
});

/**
 * `outcomes`: the outcome-arbitrage task (docs/outcome-arbitrage.md). Venue metadata from Gamma (or a
 * recorded Gamma `/events` payload), books and orders on the CLOB, the vault's PolymarketConnector
 * and the Polymarket contracts it trades through, and the limits every opportunity must pass.
 */
export const outcomesSchema = z
  .strictObject({
    /** The CLOB (Polymarket's, or the local service `npm start` runs). */
    clobUrl: httpUrl,
    /** Gamma, for the events' market lists and negRisk ids; with `eventSlugs`. */
    gammaUrl: httpUrl.default("https://gamma-api.polymarket.com"),
    eventSlugs: z.array(z.string().trim().min(1)).max(200).default([]),
    /** A recorded Gamma `/events` payload instead of (or besides) live Gamma. */
    metadataFile: z.string().min(1).optional(),
    /** The vault's PolymarketConnector (a connector the Registry lists for the vault). */
    connector: address,
    exchange: address,
    negRiskExchange: address,
    negRiskAdapter: address,
    conditionalTokens: address,
    /** The CTF collateral (USDC on the local stack). */
    collateral: address,
    everySeconds: positiveInt.default(15),
    /** Order lifetime: a leg unfilled by then is unwound (at most the connector's MAX_ORDER_TTL). */
    orderTtlSeconds: positiveInt.max(86_400).default(120),
    /** Batches open (orders placed, not yet locked or unwound) at once. */
    maxOpenBatches: positiveInt.max(32).default(4),
    limits: z
      .strictObject({
        minProfitUsd: z.number().nonnegative().default(1),
        minProfitPerSet: z.number().positive().max(0.5).default(0.005),
        maxQuoteAgeSeconds: positiveInt.default(30),
        maxQuoteSkewSeconds: nonNegativeInt.default(5),
        /** |Σ best prices − par| above this is a stale or empty book. */
        maxDeviation: z.number().positive().max(1).default(0.1),
        minLegDepthUsd: z.number().nonnegative().default(50),
        /** Caps as bps of the last settled NAV: per event ≤ 15 %, per correlated group, per set, in total. */
        perEventBps: bps.max(1_500).default(1_500),
        perGroupBps: bps.default(3_000),
        perSetBps: bps.default(1_500),
        totalBps: bps.default(6_000),
      })
      .default({
        minProfitUsd: 1,
        minProfitPerSet: 0.005,
        maxQuoteAgeSeconds: 30,
        maxQuoteSkewSeconds: 5,
        maxDeviation: 0.1,
        minLegDepthUsd: 50,
        perEventBps: 1_500,
        perGroupBps: 3_000,
        perSetBps: 1_500,
        totalBps: 6_000,
      }),
  })
  .refine((o) => o.eventSlugs.length > 0 || o.metadataFile !== undefined, {
    error: "name the candidate events: eventSlugs (live Gamma) or metadataFile (a recorded /events payload)",
    path: ["eventSlugs"],
  });

export const keeperConfigSchema = z
  .strictObject({
    operator: z.strictObject({
      /** Names this operator in logs, alerts, metrics and the shared store. */
      id: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-' only"),
    }),
    chain: z.strictObject({
      rpcUrl: httpUrl,
      chainId: positiveInt,
      /** Receipts are awaited this many blocks deep before a send counts as final. */
      confirmations: positiveInt.default(1),
      pollingIntervalMs: positiveInt.default(1_000),
      /** Largest JSON-RPC response body read; a larger one is cut off and refused (keeper/chain/transport.ts). */
      maxResponseBytes: positiveInt.min(64 * 1024).default(8 * 1024 * 1024),
    }),
    signer: z
      .strictObject({
        /** Web3 Secret Storage v3 file; its password comes from the env var named below. */
        keystorePath: z.string().min(1).optional(),
        passwordEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .default("KEEPER_KEYSTORE_PASSWORD"),
        /** Alternative to a keystore: the env var that holds a raw private key. */
        privateKeyEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .default("KEEPER_PRIVATE_KEY"),
      })
      .default({ passwordEnv: "KEEPER_KEYSTORE_PASSWORD", privateKeyEnv: "KEEPER_PRIVATE_KEY" }),
    store: z
      .strictObject({
        /** SQLite file; several operators on one host may share it (WAL + busy_timeout). */
        path: z.string().min(1).default("keeper-state.sqlite"),
        /** A `postgres://` URL: operators on several hosts share one Postgres database. Overrides `path`. */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\/[^\s]+$/, "must be a postgres:// URL")
          .optional(),
        busyTimeoutMs: nonNegativeInt.default(5_000),
        /** Postgres: the server cancels any one statement after this long. */
        statementTimeoutMs: positiveInt.default(10_000),
        /** Where this host remembers the id of the store it uses (default: `<path>.id`, or `keeper-store-postgres.id`). */
        idFile: z.string().min(1).optional(),
        /** Start on a missing or empty store even though this host used one before (`--new-store`). */
        allowNew: z.boolean().default(false),
      })
      .default({
        path: "keeper-state.sqlite",
        busyTimeoutMs: 5_000,
        statementTimeoutMs: 10_000,
        allowNew: false,
      }),
    gate: z
      .strictObject({
        address,
        vault: address,
        /** k of the k-of-n gate; must equal the gate's on-chain threshold. */
        threshold: positiveInt,
        signers: z.array(address).min(1),
        proposalTtlSeconds: positiveInt.default(3_600),
        /** Call targets this operator co-signs for; empty = no local restriction (the gate's allowlist still applies). */
        allowedTargets: z.array(address).default([]),
        maxCallsPerProposal: positiveInt.max(256).default(16),
      })
      .refine((g) => g.threshold <= g.signers.length, {
        error: "threshold cannot exceed the number of signers",
        path: ["threshold"],
      })
      .refine((g) => new Set(g.signers.map((s) => s.toLowerCase())).size === g.signers.length, {
        error: "signers must not repeat",
        path: ["signers"],
      }),
    sender: z
      .strictObject({
        maxRetries: nonNegativeInt.max(20).default(5),
        baseDelayMs: positiveInt.default(250),
        maxDelayMs: positiveInt.default(10_000),
        rpcTimeoutMs: positiveInt.default(15_000),
        /** A broadcast tx not mined after this long is replaced with bumped fees. */
        stuckAfterMs: positiveInt.default(60_000),
        /** Fee bump per replacement; nodes refuse replacements below about 10%. */
        feeBumpPercent: z.number().int().min(10).max(300).default(15),
        maxReplacements: nonNegativeInt.max(10).default(3),
        /**
         * One wait for a transaction (a submit, a settlement) returns after this long; the tx stays
         * journaled and the next step resumes it. Keeps every task step bounded.
         */
        waitTimeoutMs: positiveInt.default(30_000),
      })
      .default({
        waitTimeoutMs: 30_000,
        maxRetries: 5,
        baseDelayMs: 250,
        maxDelayMs: 10_000,
        rpcTimeoutMs: 15_000,
        stuckAfterMs: 60_000,
        feeBumpPercent: 15,
        maxReplacements: 3,
      }),
    monitors: z
      .strictObject({
        /**
         * The operator's own band: largest price-per-share move between two settlements before this
         * keeper refuses and alerts, stricter than the vault's guardrail (which always applies, read
         * from the chain when the reading carries it).
         */
        operatorNavBandBps: bps.default(50),
        /** Largest primary vs secondary oracle deviation tolerated. */
        oracleMaxDeviationBps: bps.default(100),
        depeg: depegBandsSchema.default({ watchBps: 50, reduceBps: 200, exitBps: 500 }),
      })
      .default({
        operatorNavBandBps: 50,
        oracleMaxDeviationBps: 100,
        depeg: { watchBps: 50, reduceBps: 200, exitBps: 500 },
      }),
    schedule: z
      .strictObject({
        settleEverySeconds: positiveInt.default(21_600),
        strategyEverySeconds: positiveInt.default(300),
        monitorEverySeconds: positiveInt.default(60),
      })
      .default({ settleEverySeconds: 21_600, strategyEverySeconds: 300, monitorEverySeconds: 60 }),
    alerts: z
      .strictObject({
        webhookUrl: httpUrl.optional(),
        timeoutMs: positiveInt.default(5_000),
        /** The same alert (kind + subject) is not re-posted within this window. */
        cooldownSeconds: nonNegativeInt.default(300),
      })
      .default({ timeoutMs: 5_000, cooldownSeconds: 300 }),
    http: z
      .strictObject({
        host: z.string().min(1).default("127.0.0.1"),
        port: z.number().int().min(0).max(65_535).default(9464),
        /**
         * Bearer token of `POST /proposals/<id>/sign` (the keeper signs a proposal after its own
         * checks). A secret: only from the environment (KEEPER_HTTP__API_TOKEN), never in the file or
         * a log. Absent: the endpoint is off.
         */
        apiToken: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -hex 32)").optional(),
      })
      .default({ host: "127.0.0.1", port: 9464 }),
    log: z
      .strictObject({ level: z.enum(["debug", "info", "warn", "error"]).default("info") })
      .default({ level: "info" }),
    /**
     * The product contracts the chain-side tasks (monitor, settle, strategy) work on. Absent: only the
     * multisig task runs (co-signing and submitting proposals made elsewhere).
     */
    product: z
      .strictObject({
        registry: address,
        oracle: address,
        /** The vault's base asset (USDC). */
        asset: address,
        /** Wrapped native token, to value gas through the oracle. */
        nativeToken: address,
        /** Policy connector key → connector; the policy's `idle` key is the vault itself. */
        connectors: z.record(z.string().min(1), connectorSchema),
        /** LI.FI routing for connectors with a `swapShare`: quotes, the vault's swap handler, slippage bound. */
        swaps: swapsSchema.optional(),
        /** Approved single-keeper mandates this operator's key holds; the cycle runs covered actions in them. */
        mandates: z.array(mandateSchema).default([]),
        settlement: z
          .strictObject({
            /**
             * Settle pending requests inside the rebalance batch (withdrawals, `settle`, deposits), so
             * deposits are invested in the epoch they settle. Otherwise the settle task settles alone.
             */
            inRebalanceBatch: z.boolean().default(false),
          })
          .default({ inRebalanceBatch: false }),
        /** Chainlink USD feeds of the stablecoins watched for depeg (also the strategy's peg prices). */
        pegFeeds: z
          .array(
            z.strictObject({
              symbol: z.string().min(1),
              token: address,
              feed: address,
              decimals: z.number().int().min(0).max(36).default(8),
            }),
          )
          .default([]),
        policyPath: z.string().min(1).default("keeper/strategy/policies/example.policy.json"),
        /** Recorded snapshots (a JSON array of MarketSnapshot) replayed as the signal source. */
        signalsFile: z.string().min(1).optional(),
        /** Live signals fetched each strategy run through the keeper/signals adapters. */
        liveSignals: liveSignalsSchema.optional(),
        maxSignalAgeSeconds: positiveInt.default(900),
        /** This operator's key is the vault's guardian: critical findings pause the vault. */
        guardian: z.boolean().default(false),
        planner: z
          .strictObject({
            /** base-asset units, decimal string */
            minMoveAmount: z
              .string()
              .regex(/^[0-9]+$/)
              .default("100000000"),
            benefitBps: nonNegativeInt.default(10),
            gasBudgetPerBatch: positiveInt.default(3_000_000),
            maxSlippageBps: bps.default(10),
          })
          .default({
            minMoveAmount: "100000000",
            benefitBps: 10,
            gasBudgetPerBatch: 3_000_000,
            maxSlippageBps: 10,
          }),
      })
      .refine((p) => !(p.signalsFile && p.liveSignals), {
        error: "set either signalsFile (replay) or liveSignals, not both",
        path: ["liveSignals"],
      })
      .superRefine((p, ctx) => {
        for (const [key, c] of Object.entries(p.connectors))
          if (c.swapShare && !p.swaps)
            ctx.addIssue({
              code: "custom",
              message: `connector "${key}" swaps part of what it receives; configure product.swaps (LI.FI quotes and the swap handler)`,
              path: ["swaps"],
            });
      })
      .optional(),
    /** The outcome-arbitrage task; needs `product` (the vault, its Registry and oracle). */
    outcomes: outcomesSchema.optional(),
    /** Shadow mode: compute and log everything, never send or sign. */
    dryRun: z.boolean().default(false),
  })
  .refine((c) => c.outcomes === undefined || c.product !== undefined, {
    error: "the outcomes task trades for the vault of the product section: configure product",
    path: ["outcomes"],
  })
  .refine(
    (c) =>
      c.outcomes === undefined ||
      c.gate.allowedTargets.length === 0 ||
      c.gate.allowedTargets.some((t) => t.toLowerCase() === c.outcomes!.connector.toLowerCase()),
    {
      error:
        "gate.allowedTargets must list outcomes.connector, or the keeper refuses its own outcome batches",
      path: ["gate", "allowedTargets"],
    },
  );

export type KeeperConfig = z.output<typeof keeperConfigSchema>;
export type ProductConfig = NonNullable<KeeperConfig["product"]>;
export type OutcomesConfig = NonNullable<KeeperConfig["outcomes"]>;
export type ConnectorConfig = z.output<typeof connectorSchema>;
export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;
export type DepegBands = z.output<typeof depegBandsSchema>;

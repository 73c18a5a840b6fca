import { getAddress, isAddress, type Address } from "viem";
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

export const keeperConfigSchema = z.strictObject({
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
      busyTimeoutMs: nonNegativeInt.default(5_000),
    })
    .default({ path: "keeper-state.sqlite", busyTimeoutMs: 5_000 }),
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
    })
    .default({
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
      /** Largest price-per-share move between two settlements before the keeper refuses and alerts. */
      navBandBps: bps.default(50),
      /** Largest primary vs secondary oracle deviation tolerated. */
      oracleMaxDeviationBps: bps.default(100),
      depeg: depegBandsSchema.default({ watchBps: 50, reduceBps: 200, exitBps: 500 }),
    })
    .default({
      navBandBps: 50,
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
    })
    .default({ host: "127.0.0.1", port: 9464 }),
  log: z
    .strictObject({ level: z.enum(["debug", "info", "warn", "error"]).default("info") })
    .default({ level: "info" }),
  /** Shadow mode: compute and log everything, never send or sign. */
  dryRun: z.boolean().default(false),
});

export type KeeperConfig = z.output<typeof keeperConfigSchema>;
export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;
export type DepegBands = z.output<typeof depegBandsSchema>;

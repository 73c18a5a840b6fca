import { readFile } from "node:fs/promises";
import { z } from "zod";

export const TOTAL_BPS = 10_000;

const connectorKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "connector keys are lowercase letters, digits and dashes");
const bps = z.number().int().min(0).max(TOTAL_BPS);

const marketSignal = z.object({
  kind: z.literal("market"),
  venue: z.enum(["polymarket", "kalshi"]),
  marketId: z.string().min(1),
  outcome: z.string().min(1),
  /** Refuse the signal when the market's spread is wider (noise guard). */
  maxSpread: z.number().min(0).max(1).default(0.05),
});
const pegSignal = z.object({ kind: z.literal("peg"), asset: z.string().min(1) });

const move = z.object({
  from: z.union([connectorKey, z.array(connectorKey).min(1)]),
  to: connectorKey,
  /** Share of each source connector's current weight that moves. */
  shareBps: bps,
});

const level = z
  .object({
    name: z.string().min(1),
    /** Level turns on when the metric reaches `enter`… */
    enter: z.number().min(0),
    /** …and stays on until the metric falls below `exit` (hysteresis). */
    exit: z.number().min(0),
    moves: z.array(move),
    /** De-risking levels skip the turnover limit: an exit is not slowed down. */
    urgent: z.boolean().default(false),
  })
  .refine((l) => l.exit <= l.enter, { message: "exit must be ≤ enter (hysteresis)", path: ["exit"] });

const rule = z
  .object({
    id: z.string().min(1),
    description: z.string().optional(),
    signal: z.discriminatedUnion("kind", [marketSignal, pegSignal]),
    levels: z.array(level).min(1),
  })
  .superRefine((r, ctx) => {
    // A market rule compares a probability: a threshold above 1 could never be reached.
    if (r.signal.kind === "market") {
      r.levels.forEach((l, i) => {
        for (const field of ["enter", "exit"] as const) {
          if (l[field] > 1)
            ctx.addIssue({
              code: "custom",
              path: ["levels", i, field],
              message: `a market probability threshold lies in [0, 1], got ${l[field]}`,
            });
        }
      });
    }
    for (let i = 1; i < r.levels.length; i++) {
      if ((r.levels[i]?.enter ?? 0) <= (r.levels[i - 1]?.enter ?? 0)) {
        ctx.addIssue({
          code: "custom",
          path: ["levels", i, "enter"],
          message: "levels must have ascending enter thresholds",
        });
      }
    }
  });

/** The strategist-editable allocation policy (JSON file). */
export const policySchema = z
  .object({
    version: z.literal(1),
    connectors: z.array(connectorKey).min(1),
    baseWeightsBps: z.record(z.string(), bps),
    /** Largest one-way turnover per rebalance, Σ|Δw| / 2. */
    maxTurnoverBps: bps,
    /** Changes smaller than this on every connector are skipped (no churn). */
    minChangeBps: bps.default(0),
    /** Signals older than this are ignored and the rule keeps its previous level. */
    maxSignalAgeSec: z.number().int().positive().default(900),
    rules: z.array(rule),
  })
  .strict()
  .superRefine((p, ctx) => {
    const known = new Set(p.connectors);
    if (known.size !== p.connectors.length)
      ctx.addIssue({ code: "custom", path: ["connectors"], message: "duplicate connector" });
    let sum = 0;
    for (const [key, weight] of Object.entries(p.baseWeightsBps)) {
      if (!known.has(key))
        ctx.addIssue({
          code: "custom",
          path: ["baseWeightsBps", key],
          message: `unknown connector "${key}"`,
        });
      sum += weight;
    }
    for (const key of p.connectors) {
      if (!Object.hasOwn(p.baseWeightsBps, key))
        ctx.addIssue({ code: "custom", path: ["baseWeightsBps", key], message: "missing weight" });
    }
    if (sum !== TOTAL_BPS)
      ctx.addIssue({
        code: "custom",
        path: ["baseWeightsBps"],
        message: `weights sum to ${sum}, expected ${TOTAL_BPS}`,
      });
    const ids = new Set<string>();
    p.rules.forEach((r, i) => {
      if (ids.has(r.id))
        ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id "${r.id}"` });
      ids.add(r.id);
      r.levels.forEach((l, j) =>
        l.moves.forEach((m, k) => {
          const sources = Array.isArray(m.from) ? m.from : [m.from];
          for (const key of [...sources, m.to]) {
            if (!known.has(key)) {
              ctx.addIssue({
                code: "custom",
                path: ["rules", i, "levels", j, "moves", k],
                message: `unknown connector "${key}"`,
              });
            }
          }
          if (sources.includes(m.to)) {
            ctx.addIssue({
              code: "custom",
              path: ["rules", i, "levels", j, "moves", k, "to"],
              message: "moves into one of its sources",
            });
          }
        }),
      );
    });
  });

export type AllocationPolicy = z.output<typeof policySchema>;
export type PolicyRule = AllocationPolicy["rules"][number];

export interface PolicyError {
  readonly path: string;
  readonly message: string;
}

/** Validates a policy object; every problem comes back with its JSON path. */
export function parsePolicy(
  input: unknown,
): { ok: true; policy: AllocationPolicy } | { ok: false; errors: PolicyError[] } {
  const parsed = policySchema.safeParse(input);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      path:
        issue.path
          .map((s) => (typeof s === "number" ? `[${s}]` : `.${String(s)}`))
          .join("")
          .replace(/^\./, "") || "<root>",
      message: issue.message,
    })),
  };
}

/** The policy key for the vault's own idle assets; every other key must be a deployed connector. */
export const IDLE_KEY = "idle";

/**
 * The policy's connector keys checked against a deployment's (`deployed`: key → connector): every
 * key but `idle` must name a deployed connector, or the planner would have nowhere to send it.
 */
export function checkPolicyConnectors(policy: AllocationPolicy, deployed: readonly string[]): PolicyError[] {
  const known = new Set(deployed);
  return policy.connectors
    .map((key, i) => ({ key, i }))
    .filter(({ key }) => key !== IDLE_KEY && !known.has(key))
    .map(({ key, i }) => ({
      path: `connectors[${i}]`,
      message: `"${key}" is not a connector of this deployment (known: ${[...known].join(", ") || "none"}, and "${IDLE_KEY}")`,
    }));
}

/** Reads and validates a policy file; JSON syntax errors are reported like schema errors. */
export async function readPolicyFile(file: string): Promise<ReturnType<typeof parsePolicy>> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    return { ok: false, errors: [{ path: "<root>", message: `cannot read ${file}: ${String(error)}` }] };
  }
  return parsePolicy(decoded);
}

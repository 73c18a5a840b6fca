import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { RUNTIME_SIZE_BUDGET } from "./contractSizes.js";

/**
 * The benchmark's results file (`bench/results.json`): its shape, the targets each figure is judged
 * against, and the writer. Pure except for `writeResults`, so the classification can be tested on
 * synthetic measurements.
 */

/** Gas per operation (median receipt gasUsed, or an overhead difference; see docs/benchmarks.md). */
export type GasFigures = Record<string, number> & {
  readonly requestDeposit: number;
  readonly requestRedeem: number;
  readonly claimDeposit: number;
  readonly claimRedeem: number;
  readonly settle_1: number;
  readonly settle_3: number;
  readonly settle_8: number;
  readonly nav_3: number;
  readonly gate_2of3_overhead: number;
  readonly swapHandler_overhead: number;
};

export type Ratios = Record<string, number> & {
  readonly gate_vs_safe_2of3: number;
  readonly deposit_vs_oz4626: number;
};

/** Keeper figures; `null` means not measured (the reason is in `notMeasured`). */
export interface KeeperFigures {
  readonly snapshotsPerSec: number | null;
  readonly replaySeconds: number | null;
  readonly replayPeakMB: number | null;
  readonly cycleMsMedian: number | null;
  readonly cycleMsP95: number | null;
  /** Outcome arbitrage: book snapshot → signed POLY_1271 orders, ms (median, p95) by legs of the set. */
  readonly outcomeSnapshotToOrdersMs?: Readonly<
    Record<string, { readonly median: number; readonly p95: number }>
  >;
  /** Why a `null` figure above was not measured, keyed by the figure's name. */
  readonly notMeasured?: Readonly<Record<string, string>>;
}

/** What the Polymarket connector figures (`pm_*`) are bounded by, read from the contract in the same run. */
export interface PolymarketLimits {
  /** the connector's MAX_CONDITIONS and MAX_OPEN_ORDERS */
  readonly caps: { readonly maxConditions: number; readonly maxOpenOrders: number };
  /** the connector's revert when governance registers a negRisk group larger than MAX_CONDITIONS */
  readonly refusedSetError: string;
  /** questions of that group */
  readonly refusedSetSize: number;
  /** questions of the largest group the connector registers (MAX_CONDITIONS); the vault funds it */
  readonly maxSetSize: number;
}

export interface BenchResults {
  readonly gas: GasFigures;
  readonly scaling: {
    /** Settlement gas by pending deposit requests ("1", "10", "100", "200"). */
    readonly settle: Readonly<Record<string, number>>;
    /** NAV gas by connector count ("1" … "16"). */
    readonly nav: Readonly<Record<string, number>>;
  };
  readonly ratios: Ratios;
  /** Physical floor of each figure that has a floor model (bench/gasFloor.ts), by figure name. */
  readonly floors?: Readonly<Record<string, number>>;
  /** Runtime bytecode size of each product contract, bytes. */
  readonly sizes?: Readonly<Record<string, number>>;
  readonly polymarket?: PolymarketLimits;
  readonly keeper: KeeperFigures;
  readonly meta: { readonly commit: string; readonly date: string } & Readonly<Record<string, unknown>>;
}

export const REQUIRED_GAS_KEYS = [
  "requestDeposit",
  "requestRedeem",
  "claimDeposit",
  "claimRedeem",
  "settle_1",
  "settle_3",
  "settle_8",
  "nav_3",
  "gate_2of3_overhead",
  "swapHandler_overhead",
] as const;
export const REQUIRED_RATIO_KEYS = ["gate_vs_safe_2of3", "deposit_vs_oz4626"] as const;
export const SETTLE_SCALING_POINTS = [1, 10, 100, 200] as const;
export const NAV_SCALING_POINTS = Array.from({ length: 16 }, (_, i) => i + 1);

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** One target the issue sets, evaluated on a results set. */
export interface TargetCheck {
  readonly name: string;
  /** How the figure is derived from results.json. */
  readonly figureOf: string;
  readonly figure: number;
  readonly target: number;
  readonly comparison: "<=" | "<";
  readonly unit: "gas" | "ratio" | "bytes" | "ms";
  readonly met: boolean;
  /** `met`, or `MISSED by N` (N in the figure's unit). */
  readonly status: string;
}

function check(
  name: string,
  figureOf: string,
  figure: number,
  target: number,
  unit: TargetCheck["unit"],
  comparison: TargetCheck["comparison"] = "<=",
): TargetCheck {
  const met = comparison === "<=" ? figure <= target : figure < target;
  const by = figure - target;
  const shown = unit === "ratio" ? by.toFixed(3) : Math.round(by).toLocaleString("en-US");
  return {
    name,
    figureOf,
    figure,
    target,
    comparison,
    unit,
    met,
    status: met ? "met" : `MISSED by ${shown}`,
  };
}

/** Settlement counts as flat in the number of requests when 200 pending cost at most 5% over 1 pending. */
export const SETTLE_FLATNESS_TOLERANCE = 0.05;

/** Every target from the issue, judged on `results`. */
export function evaluateTargets(results: BenchResults): TargetCheck[] {
  const g = results.gas;
  const s = results.scaling.settle;
  const checks = [
    check("requestDeposit", "gas.requestDeposit", g.requestDeposit, 100_000, "gas"),
    check("requestRedeem", "gas.requestRedeem", g.requestRedeem, 80_000, "gas"),
    check("claimDeposit", "gas.claimDeposit", g.claimDeposit, 60_000, "gas"),
    check("claimRedeem", "gas.claimRedeem", g.claimRedeem, 60_000, "gas"),
    ...(["claimMint", "claimWithdraw"] as const).flatMap((claim) => {
      const value = g[claim];
      return value === undefined ? [] : [check(claim, `gas.${claim}`, value, 60_000, "gas")];
    }),
    ...(
      [
        ["claimRedeem_full", 60_000],
        ["claimDeposit_firstPartial", 75_000],
        ["claimRedeem_firstPartial", 75_000],
        ["settle_gated_3funded", 260_000],
      ] as const
    ).flatMap(([name, limit]) => {
      const value = g[name];
      return value === undefined ? [] : [check(name, `gas.${name}`, value, limit, "gas")];
    }),
    check("settle_1", "gas.settle_1", g.settle_1, 200_000, "gas"),
    check(
      "settle, per extra connector (1 → 3)",
      "(settle_3 − settle_1) / 2",
      (g.settle_3 - g.settle_1) / 2,
      30_000,
      "gas",
    ),
    check(
      "settle, per extra connector (1 → 8)",
      "(settle_8 − settle_1) / 7",
      (g.settle_8 - g.settle_1) / 7,
      30_000,
      "gas",
    ),
  ];
  if (s["1"] !== undefined && s["200"] !== undefined) {
    checks.push(
      check(
        "settle flat in pending requests (200 vs 1)",
        'scaling.settle["200"] ≤ 1.05 × scaling.settle["1"]',
        s["200"],
        Math.floor(s["1"] * (1 + SETTLE_FLATNESS_TOLERANCE)),
        "gas",
      ),
    );
  }
  checks.push(
    check("nav_3", "gas.nav_3", g.nav_3, 150_000, "gas"),
    check("gate_2of3_overhead", "gas.gate_2of3_overhead", g.gate_2of3_overhead, 30_000, "gas"),
    check(
      "gate 2-of-3 below the Safe's",
      "ratios.gate_vs_safe_2of3",
      results.ratios.gate_vs_safe_2of3,
      1,
      "ratio",
      "<",
    ),
    check("swapHandler_overhead", "gas.swapHandler_overhead", g.swapHandler_overhead, 45_000, "gas"),
  );
  for (const [name, bytes] of Object.entries(results.sizes ?? {})) {
    checks.push(check(`${name} runtime size`, `sizes.${name}`, bytes, RUNTIME_SIZE_BUDGET, "bytes"));
  }
  const cycle = results.keeper.cycleMsMedian;
  if (cycle !== null)
    checks.push(
      check("in-process keeper cycle compute, median", "keeper.cycleMsMedian", cycle, 100, "ms", "<"),
    );
  return checks;
}

/** Raw samples of one run: every repetition of every figure, before medians are taken. */
export interface Measurements {
  /**
   * Gas samples per operation. Besides the required operations it must hold the comparison points
   * `gate_2of3_exec`, `safe_2of3_exec`, `safe_2of3_overhead`, `oz4626_deposit` and `oz4626_redeem`.
   * `nav_3` may be left out: it is then taken from the NAV scaling curve at 3 connectors.
   */
  readonly gas: Readonly<Record<string, readonly number[]>>;
  readonly settleByRequests: Readonly<Record<string, readonly number[]>>;
  readonly navByConnectors: Readonly<Record<string, readonly number[]>>;
  readonly keeper: KeeperFigures;
  readonly meta: BenchResults["meta"];
  /** Floor samples per figure name (see `BenchResults.floors`). */
  readonly floors?: Readonly<Record<string, readonly number[]>>;
  readonly sizes?: Readonly<Record<string, number>>;
  readonly polymarket?: PolymarketLimits;
}

/** Gas medians, rounded to whole gas. */
function medians(samples: Readonly<Record<string, readonly number[]>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(samples).map(([key, values]) => [key, Math.round(median(values))]),
  );
}

const ratio = (a: number, b: number, digits = 4) => Number((a / b).toFixed(digits));

/** Takes medians and derives the ratios: the results set `writeResults` stores. */
export function buildResults(m: Measurements): BenchResults {
  const gas = medians(m.gas);
  const nav = medians(m.navByConnectors);
  if (gas.nav_3 === undefined && nav["3"] !== undefined) gas.nav_3 = nav["3"];
  const need = (key: string) => {
    const value = gas[key];
    if (value === undefined) throw new Error(`measurements lack gas.${key}`);
    return value;
  };
  const ratios = {
    gate_vs_safe_2of3: ratio(need("gate_2of3_exec"), need("safe_2of3_exec")),
    gate_vs_safe_2of3_overhead: ratio(need("gate_2of3_overhead"), need("safe_2of3_overhead")),
    deposit_vs_oz4626: ratio(need("requestDeposit") + need("claimDeposit"), need("oz4626_deposit")),
    redeem_vs_oz4626: ratio(need("requestRedeem") + need("claimRedeem"), need("oz4626_redeem")),
  };
  for (const key of REQUIRED_GAS_KEYS) need(key);
  const floors = m.floors ? medians(m.floors) : undefined;
  for (const [name, floor] of Object.entries(floors ?? {})) {
    const value = gas[name];
    if (value !== undefined) (ratios as Record<string, number>)[`${name}_vs_floor`] = ratio(value, floor, 3);
  }
  return {
    gas: gas as GasFigures,
    scaling: { settle: medians(m.settleByRequests), nav },
    ratios,
    ...(floors ? { floors } : {}),
    ...(m.sizes ? { sizes: m.sizes } : {}),
    ...(m.polymarket ? { polymarket: m.polymarket } : {}),
    keeper: m.keeper,
    meta: m.meta,
  };
}

/** Throws with every problem if `value` is not a results set of the shape. */
export function assertResultsShape(value: unknown): asserts value is BenchResults {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  const numbers = (where: string, v: unknown, keys: readonly string[], nullable = false) => {
    if (!isObject(v)) return problems.push(`${where} is not an object`);
    for (const key of keys) {
      const x = v[key];
      const ok = (typeof x === "number" && Number.isFinite(x)) || (nullable && x === null);
      if (!ok) problems.push(`${where}.${key} is ${JSON.stringify(x)}, not a number`);
    }
  };
  if (!isObject(value)) throw new Error("results is not an object");
  numbers("gas", value.gas, REQUIRED_GAS_KEYS);
  numbers("ratios", value.ratios, REQUIRED_RATIO_KEYS);
  const scaling = value.scaling;
  if (!isObject(scaling)) problems.push("scaling is not an object");
  else {
    numbers("scaling.settle", scaling.settle, SETTLE_SCALING_POINTS.map(String));
    numbers("scaling.nav", scaling.nav, NAV_SCALING_POINTS.map(String));
  }
  numbers(
    "keeper",
    value.keeper,
    ["snapshotsPerSec", "replaySeconds", "replayPeakMB", "cycleMsMedian", "cycleMsP95"],
    true,
  );
  const meta = value.meta;
  if (!isObject(meta) || typeof meta.commit !== "string" || typeof meta.date !== "string")
    problems.push("meta needs commit and date strings");
  if (problems.length > 0) throw new Error(`results.json shape: ${problems.join("; ")}`);
}

/** Writes `results` as pretty JSON after checking its shape; returns the path written. */
export async function writeResults(file: string, results: BenchResults): Promise<string> {
  assertResultsShape(results);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

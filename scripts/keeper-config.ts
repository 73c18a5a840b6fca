import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import {
  type KeeperStackAddresses,
  keeperConfigFor,
  keeperStackAddressesSchema,
} from "../deploy/local/keeperConfig.js";
import { ConfigError } from "../keeper/config/load.js";
import { keeperConfigSchema, mandateSchema } from "../keeper/config/schema.js";
import { parseCommand } from "./cli/common.js";
import {
  EXIT_OK,
  type OptionValues,
  parseHttpUrl,
  parseInteger,
  type ScriptIo,
  UsageError,
  processIo,
  requiredOption,
  runScript,
  stringOption,
} from "../keeper/cli/usage.js";

export const KEEPER_CONFIG_USAGE = `usage: npx tsx scripts/keeper-config.ts --out <file> [options]

Writes the config of one operator's keeper (\`npm run keeper -- run --config <file>\`) for the stack in
the addresses file \`npm start\` writes: the gate, the vault, every connector (Aave, Morpho ERC-4626,
the Uniswap LP), LI.FI swap routing, the operator's mandates, peg feeds and the signal source, with
the monitor, settle and strategy tasks all on. The key is never in the file: the keeper reads it
from KEEPER_PRIVATE_KEY (or a keystore).

options:
  --out <file>            where to write the config (required)
  --addresses <file>      addresses written by \`npm start\` (default .keeper-data/local-addresses.json)
  --rpc <url>             JSON-RPC endpoint (default: the one in the addresses file)
  --operator-id <id>      this operator's name in the store and logs (default operator)
  --store <file>          the operators' shared SQLite store (default .keeper-data/keeper.sqlite)
  --policy <file>         the allocation policy (default keeper/strategy/policies/example.policy.json)
  --signals <file>        recorded market snapshots to replay as signals (JSON array)
  --polymarket <slugs>    live signals instead: these Polymarket Gamma market slugs (comma-separated),
                          fetched at every strategy run
  --gamma-url <url>       Polymarket Gamma API for --polymarket (default https://gamma-api.polymarket.com)
  --clob-url <url>        join each market's CLOB order book from this API (default: Gamma's bid/ask only)
  --quote-url <url>       LI.FI quote API: the Uniswap connector becomes a managed LP funded through swaps
  --outcomes              also run the outcome-arbitrage task on the stack's PolymarketConnector, through
                          the local CLOB \`npm start\` serves (its URL is in the addresses file)
  --outcome-events <file> the Gamma /events payload naming the candidate events, with --outcomes
                          (default .keeper-data/outcome-events.json, written by \`npm start\`)
  --mandates <file>       JSON array of approved mandates this operator's key holds ({id, connectors, tokens, selectors})
  --every <seconds>       run the strategy, settle, monitor (and outcome) tasks this often (default 30)
  --port <n>              the keeper's /status and /metrics port (default 9464; 0 picks a free one)
  --help                  show this text

exit codes: 0 ok, 1 failure, 2 bad arguments`;

const OPTIONS = {
  out: { type: "string" },
  addresses: { type: "string" },
  rpc: { type: "string" },
  "operator-id": { type: "string" },
  store: { type: "string" },
  policy: { type: "string" },
  signals: { type: "string" },
  polymarket: { type: "string" },
  "gamma-url": { type: "string" },
  "clob-url": { type: "string" },
  "quote-url": { type: "string" },
  mandates: { type: "string" },
  outcomes: { type: "boolean" },
  "outcome-events": { type: "string" },
  every: { type: "string" },
  port: { type: "string" },
  help: { type: "boolean" },
} as const;

async function readJson(option: string, file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--${option} ${file}: cannot read it as JSON (${(error as Error).message})`);
  }
}

function integerOption(values: OptionValues, name: string, fallback: number, min = 1): number {
  const text = stringOption(values, name);
  return text === undefined
    ? fallback
    : parseInteger(name, text, { min, max: name === "port" ? 65_535 : undefined });
}

/** `--polymarket` and its API URLs as `product.liveSignals`; undefined without `--polymarket`. */
function liveSignalsOption(values: OptionValues) {
  const slugs = stringOption(values, "polymarket");
  const urlOption = (name: string) => {
    const text = stringOption(values, name);
    return text === undefined ? undefined : parseHttpUrl(name, text);
  };
  const gammaUrl = urlOption("gamma-url");
  const clobUrl = urlOption("clob-url");
  if (slugs === undefined) {
    if (gammaUrl !== undefined || clobUrl !== undefined)
      throw new UsageError("--gamma-url and --clob-url need --polymarket <slugs>");
    return undefined;
  }
  if (stringOption(values, "signals") !== undefined)
    throw new UsageError("--signals (recorded) and --polymarket (live) exclude each other");
  const list = slugs
    .split(",")
    .map((slug) => slug.trim())
    .filter((slug) => slug.length > 0);
  if (list.length === 0) throw new UsageError("--polymarket needs at least one market slug");
  return {
    polymarket: {
      slugs: list,
      books: clobUrl !== undefined,
      ...(gammaUrl !== undefined ? { gammaUrl } : {}),
      ...(clobUrl !== undefined ? { clobUrl } : {}),
    },
  };
}

/** `--outcomes`: the CLOB and the PolymarketConnector from the addresses file, the events file to read. */
function outcomesOption(values: OptionValues, addresses: KeeperStackAddresses, addressesFile: string) {
  const clobUrl = addresses.polymarket?.clobUrl;
  if (!addresses.polymarketConnector || clobUrl === undefined)
    throw new UsageError(
      `--outcomes: ${addressesFile} lists no PolymarketConnector and CLOB (a stack \`npm start\` deployed lists both)`,
    );
  return {
    clobUrl: parseHttpUrl("clob-url", clobUrl),
    metadataFile: stringOption(values, "outcome-events") ?? ".keeper-data/outcome-events.json",
    everySeconds: integerOption(values, "every", 30),
  };
}

export async function keeperConfigMain(argv: readonly string[], io: ScriptIo): Promise<number> {
  const { values } = parseCommand(argv, [], OPTIONS);
  if (values.help) {
    io.stdout(`${KEEPER_CONFIG_USAGE}\n`);
    return EXIT_OK;
  }
  // every option's own form first, then the files it names
  const out = requiredOption(values, "out", "keeper-config");
  const every = integerOption(values, "every", 30);
  const port = integerOption(values, "port", 9464, 0);
  const quoteText = stringOption(values, "quote-url");
  const quoteUrl = quoteText === undefined ? undefined : parseHttpUrl("quote-url", quoteText);
  const live = liveSignalsOption(values);
  const rpcText = stringOption(values, "rpc");
  if (rpcText !== undefined) parseHttpUrl("rpc", rpcText);
  const addressesFile = stringOption(values, "addresses") ?? ".keeper-data/local-addresses.json";
  const addresses = keeperStackAddressesSchema.safeParse(await readJson("addresses", addressesFile));
  if (!addresses.success)
    throw new UsageError(
      `--addresses ${addressesFile}: ${z.prettifyError(addresses.error).replace(/\n/g, "; ")}`,
    );
  const mandatesFile = stringOption(values, "mandates");
  const mandates = mandatesFile
    ? z.array(mandateSchema).safeParse(await readJson("mandates", mandatesFile))
    : undefined;
  if (mandates && !mandates.success)
    throw new UsageError(
      `--mandates ${mandatesFile}: ${z.prettifyError(mandates.error).replace(/\n/g, "; ")}`,
    );
  const rpcUrl = parseHttpUrl("rpc", rpcText ?? addresses.data.rpcUrl ?? "http://127.0.0.1:8545");
  const outcomes =
    values.outcomes === true ? outcomesOption(values, addresses.data, addressesFile) : undefined;
  if (values.outcomes !== true && stringOption(values, "outcome-events") !== undefined)
    throw new UsageError("--outcome-events needs --outcomes");
  const input = keeperConfigFor(addresses.data, {
    rpcUrl,
    chainId: addresses.data.chainId,
    operatorId: stringOption(values, "operator-id") ?? "operator",
    storePath: stringOption(values, "store") ?? ".keeper-data/keeper.sqlite",
    ...(stringOption(values, "policy") ? { policyPath: stringOption(values, "policy")! } : {}),
    ...(stringOption(values, "signals") ? { signalsFile: stringOption(values, "signals")! } : {}),
    ...(live ? { liveSignals: live } : {}),
    ...(quoteUrl ? { swaps: { quoteUrl } } : {}),
    ...(mandates ? { mandates: mandates.data } : {}),
    ...(outcomes ? { outcomes } : {}),
    schedule: { settleEverySeconds: every, strategyEverySeconds: every, monitorEverySeconds: every },
    http: { host: "127.0.0.1", port },
  });
  // the file is exactly what `keeper run` will accept
  const checked = keeperConfigSchema.safeParse(input);
  if (!checked.success)
    throw new ConfigError(
      checked.error.issues.map((i) => ({ path: i.path.join("."), source: "generated", message: i.message })),
    );
  await writeFile(out, `${JSON.stringify(input, null, 2)}\n`);
  io.stdout(`keeper config for ${input.operator.id} written to ${out}\n`);
  return EXIT_OK;
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await runScript(processIo, KEEPER_CONFIG_USAGE, () =>
    keeperConfigMain(process.argv.slice(2), processIo),
  );

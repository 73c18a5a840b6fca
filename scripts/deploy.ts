import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAddress } from "viem";
import { z } from "zod";
import type { Clients } from "../deploy/lib/clients.js";
import { localCanonicalFork } from "../deploy/local/canonical.js";
import { type NetworkConfig, readNetworkConfig } from "../deploy/networks/schema.js";
import path from "node:path";
import { DEFAULT_DEPLOYMENTS_ROOT, deployProductWithIgnition } from "../deploy/ignition/deployProduct.js";
import { checkExternals, planDeployment } from "../deploy/product/deployToNetwork.js";
import { connect, loadRoleSigner, parseCommand, parseRpc } from "./cli/common.js";
import {
  EXIT_OK,
  type ScriptIo,
  UsageError,
  processIo,
  requiredOption,
  runScript,
  stringOption,
} from "../keeper/cli/usage.js";

export const DEPLOY_USAGE = `usage: npx tsx scripts/deploy.ts --network-config <file> --params <file> [options]

Deploys the product (Safe + timelock governance, Registry, USDC vault, ValueOracle, LI.FI swap handler,
keeper gate, Aave / Morpho / Uniswap connectors) against the external protocols of a network config
(deploy/networks/*.json) with Hardhat Ignition, then offers the Registry to the timelock; the Safe's
first batch accepts it. Ignition journals every step in the deployment's directory: run the same
command again after an interruption and it resumes where it stopped; after success it sends nothing.

  --network-config <file>  deploy/networks/ethereum.json, arbitrum.json or base.json
  --params <file>          JSON: safeOwners, safeThreshold, operators, gateThreshold, guardian,
                           timelockDelay (seconds), morphoMarket {loanToken, collateralToken, oracle, irm, lltv}
                           (example: deploy/params/example.params.json)
  --deployment-id <id>     the Ignition deployment id (default agent-vault-<chainId>)
  --deployments-dir <dir>  where deployments are journaled (default ${DEFAULT_DEPLOYMENTS_ROOT}); the
                           deployment's directory holds journal.jsonl, deployed_addresses.json and
                           the build info \`npx hardhat ignition verify <id>\` needs
  --rpc <url>              JSON-RPC endpoint (default http://127.0.0.1:8545)
  --keystore <file>        deployer keystore (password in DEPLOYER_KEYSTORE_PASSWORD); else DEPLOYER_PRIVATE_KEY
  --out <file>             write the deployed addresses as JSON here
  --local-fork             instead of --rpc: start an in-process chain with the real protocols placed at the
                           network config's canonical addresses (deploy/local/canonical.ts; the Aave pool
                           is deployed beside them) and a local USDC/WETH Morpho market, which replaces
                           the params' morphoMarket; development account #0 deploys (no key needed) into
                           a temporary deployments directory unless --deployments-dir is given
  --dry-run                validate the config and parameters, check every external contract has code on
                           the chain, print the plan; send nothing
  --json                   print the deployment as JSON only
  --help                   show this text

exit codes: 0 ok, 1 failure, 2 bad arguments or invalid config`;

const OPTIONS = {
  "network-config": { type: "string" },
  params: { type: "string" },
  out: { type: "string" },
  "deployment-id": { type: "string" },
  "deployments-dir": { type: "string" },
  "local-fork": { type: "boolean" },
} as const;

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be an address")
  .transform((v) => v as `0x${string}`);
const integer = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)])
  .transform((v) => BigInt(v));
export const deployParamsSchema = z
  .strictObject({
    safeOwners: z.array(address).min(1),
    safeThreshold: integer,
    operators: z.array(address).min(1),
    gateThreshold: integer,
    guardian: address,
    timelockDelay: integer,
    morphoMarket: z.strictObject({
      loanToken: address,
      collateralToken: address,
      oracle: address,
      irm: address,
      lltv: integer,
    }),
  })
  .refine((p) => p.safeThreshold >= 1n && p.safeThreshold <= BigInt(p.safeOwners.length), {
    message: "safeThreshold must be between 1 and the number of safeOwners",
    path: ["safeThreshold"],
  })
  .refine((p) => p.gateThreshold >= 1n && p.gateThreshold <= BigInt(p.operators.length), {
    message: "gateThreshold must be between 1 and the number of operators",
    path: ["gateThreshold"],
  });

export async function deployMain(argv: readonly string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(io, DEPLOY_USAGE, async () => {
    const { command, values } = parseCommand(argv, [], OPTIONS);
    if (values.help) {
      io.stdout(`${DEPLOY_USAGE}\n`);
      return EXIT_OK;
    }
    if (command !== undefined) throw new UsageError(`unexpected argument '${command}'`);
    const configFile = requiredOption(values, "network-config", "deploy");
    const paramsFile = requiredOption(values, "params", "deploy");
    let config;
    try {
      config = await readNetworkConfig(configFile);
    } catch (error) {
      throw new UsageError(`--network-config ${(error as Error).message}`);
    }
    let decoded: unknown;
    try {
      decoded = JSON.parse(await readFile(paramsFile, "utf8"));
    } catch (error) {
      throw new UsageError(`--params ${paramsFile}: ${(error as Error).message}`);
    }
    const parsed = deployParamsSchema.safeParse(decoded);
    if (!parsed.success)
      throw new UsageError(
        `--params ${paramsFile}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "<root>"}: ${i.message}`).join("; ")}`,
      );
    const params = parsed.data;
    const idText = stringOption(values, "deployment-id");
    if (idText !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(idText))
      throw new UsageError(
        `--deployment-id must be 1-64 letters, digits, '_' or '-' (starting with a letter or digit), got '${idText}'`,
      );
    const target = values["local-fork"] === true ? await localFork(config, params) : undefined;
    try {
      return await deployTo(target?.clients, target?.config ?? config, target?.params ?? params);
    } finally {
      await target?.close();
    }

    async function deployTo(
      forked: Clients | undefined,
      config: NetworkConfig,
      params: z.output<typeof deployParamsSchema>,
    ): Promise<number> {
      const rpc = forked ? "an in-process local fork" : parseRpc(values);
      const clients =
        forked ?? (await connect(rpc, config.chainId, loadRoleSigner("DEPLOYER", values, io.env)));
      const account = clients.wallet.account;
      const plan = planDeployment(config, params);
      if (values.json !== true)
        io.stdout(
          [
            `network ${config.name} (chain ${config.chainId}) via ${rpc}, deployer ${account.address}`,
            "deploys:",
            ...plan.contracts.map((c) => `  ${c}`),
            "wired to:",
            ...Object.entries(plan.externals).map(([name, a]) => `  ${name.padEnd(28)} ${a}`),
            `governance: ${plan.governance}`,
          ].join("\n") + "\n",
        );
      await checkExternals(clients, config);
      if (values["dry-run"] === true) {
        io.stdout("dry run: every external contract has code; nothing was sent\n");
        return EXIT_OK;
      }
      const deploymentId = idText ?? `agent-vault-${config.chainId}`;
      // a fork lives as long as this process: its journal must not be resumed later
      const root =
        stringOption(values, "deployments-dir") ??
        (forked ? await mkdtemp(path.join(tmpdir(), "agent-vault-fork-")) : DEFAULT_DEPLOYMENTS_ROOT);
      const deploymentDir = path.join(root, deploymentId);
      const deployment = await deployProductWithIgnition(clients, config, params, {
        deploymentId,
        deploymentDir,
        onEvent: (s) => {
          if (values.json !== true) io.stdout(`${s}\n`);
        },
      });
      const json = JSON.stringify(
        deployment,
        (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
        2,
      );
      const out = stringOption(values, "out");
      if (out) await writeFile(out, `${json}\n`);
      io.stdout(
        values.json === true
          ? `${json}\n`
          : `${json}\nnext: the Safe proposes acceptOwnershipCall to the timelock (see docs/operator-guide.md)\n`,
      );
      return EXIT_OK;
    }
  });
}

/** `--local-fork`: an in-process chain with the config's protocols at their canonical addresses. */
async function localFork(config: NetworkConfig, params: z.output<typeof deployParamsSchema>) {
  const { network } = await import("hardhat");
  const connection = await network.create();
  const [wallet] = await connection.viem.getWalletClients();
  const clients: Clients = {
    public: (await connection.viem.getPublicClient()) as Clients["public"],
    wallet: wallet as Clients["wallet"],
  };
  const fork = await localCanonicalFork(clients, config);
  return {
    clients,
    config: fork.config,
    params: { ...params, morphoMarket: fork.morphoMarket },
    close: () => connection.close(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await deployMain(process.argv.slice(2));

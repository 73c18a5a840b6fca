import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { main as keeperMain } from "../../keeper/cli/main.js";
import { type StackAddresses } from "./common.js";
import { type ScriptIo, UsageError } from "../../keeper/cli/usage.js";

/**
 * The strategist and operator scripts drive the keeper CLI (keeper/cli) in process: they write a
 * keeper config for the stack in the addresses file and pass the command through, so proposals,
 * signatures and submissions go through the same SQLite store and multisig workflow as `npm run keeper`.
 */

export interface KeeperTarget {
  readonly addresses: StackAddresses & { file: string };
  readonly rpc: string;
  /** names the operator in the store and logs; letters, digits, '.', '_' or '-' */
  readonly operatorId: string;
  /** the shared SQLite store (several operators may use one) */
  readonly storePath: string;
  readonly threshold: number;
}

/** Writes the keeper config for `target` next to the store and returns its path. */
export async function writeKeeperConfig(target: KeeperTarget): Promise<string> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(target.operatorId))
    throw new UsageError(
      `--operator-id must be 1-64 letters, digits, '.', '_' or '-', got '${target.operatorId}'`,
    );
  const dir = path.dirname(target.storePath);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `keeper-${target.operatorId}.json`);
  const config = {
    operator: { id: target.operatorId },
    chain: { rpcUrl: target.rpc, chainId: target.addresses.chainId, pollingIntervalMs: 50 },
    store: { path: target.storePath },
    gate: {
      address: target.addresses.gate,
      vault: target.addresses.vault,
      threshold: target.threshold,
      signers: target.addresses.roles.operators,
    },
    http: { port: 0 },
  };
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** Runs `keeper <command> <args> --config <generated>`; returns its exit code. */
export async function runKeeper(
  target: KeeperTarget,
  command: string,
  args: readonly string[],
  io: ScriptIo,
  dryRun: boolean,
): Promise<number> {
  const config = await writeKeeperConfig(target);
  return keeperMain([command, ...args, "--config", config, ...(dryRun ? ["--dry-run"] : [])], {
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    log: () => undefined,
  });
}

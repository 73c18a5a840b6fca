import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Address, type Hex, encodeFunctionData, isHex, keccak256, toHex } from "viem";
import { projectArtifact } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import {
  type TimelockCall,
  advanceTime,
  executeTimelockBatch,
  scheduleBatchData,
  timelockBatchId,
} from "../deploy/product/core.js";
import { buildSafeTx, execSafeTx, safeArtifacts } from "../deploy/protocols/safe.js";
import { formatTokenAmount } from "../keeper/chain/decode.js";
import { connect, parseCommand, parseRpc, readAddresses, report } from "./cli/common.js";
import {
  EXIT_FAILURE,
  EXIT_OK,
  type ScriptIo,
  UsageError,
  parseAmount,
  processIo,
  requiredOption,
  runScript,
  stringOption,
} from "../keeper/cli/usage.js";
import { readVaultLimits } from "./cli/vaultLimits.js";
import { privateKeyToAccount } from "viem/accounts";

export const GOVERNANCE_USAGE = `usage: npx tsx scripts/governance.ts <action> [options]

Governance changes go Safe -> timelock: the Safe's owners sign a Safe transaction that schedules the
calls on the TimelockController, and anyone executes them once the timelock delay has passed.

actions:
  unpause --what deposits|redeems|both     resume requests (only governance may unpause)
  pause --what deposits|redeems|both       pause requests through governance (the guardian pauses
                                           at once with scripts/operator.ts pause)
  force-settle                             settle the pending requests at the last accepted NAV
                                           (after a guardrail breach)
  set-deposit-cap --usdc <amount>          the vault's deposit cap
  set-min-request --usdc <amount>          the smallest deposit request
  set-connector-cap --connector aave|morpho|uniswap --usdc <amount>
                                           the most a connector may hold
  execute --operation <id>                 execute a scheduled operation whose delay has passed

options:
  --skip-time          local chains only (chain 31337): move the clock past the timelock delay and
                       execute at once
  --rpc <url>          JSON-RPC endpoint (default http://127.0.0.1:8545)
  --addresses <file>   addresses written by \`npm start\` (default .keeper-data/local-addresses.json)
  --operations <dir>   where scheduled operations are kept for \`execute\` (default .keeper-data/governance)
  --dry-run            simulate the Safe transaction, send nothing
  --json               print the result as JSON
  --help               show this text

keys: SAFE_OWNER_PRIVATE_KEYS holds as many owners' keys as the Safe's threshold, comma-separated;
the first one also sends the Safe transaction and the execution. Keys are never printed.
exit codes: 0 ok (also when nothing needed to change), 1 failure, 2 bad arguments`;

const ACTIONS = [
  "unpause",
  "pause",
  "force-settle",
  "set-deposit-cap",
  "set-min-request",
  "set-connector-cap",
  "execute",
] as const;
const OPTIONS = {
  what: { type: "string" },
  usdc: { type: "string" },
  connector: { type: "string" },
  operation: { type: "string" },
  operations: { type: "string" },
  "skip-time": { type: "boolean" },
} as const;

const LOCAL_CHAIN_ID = 31337;
const vaultAbi = () => projectArtifact("AccountingManager").abi;
const registryAbi = () => projectArtifact("Registry").abi;
const timelockAbi = () => projectArtifact("TimelockController").abi;
const safeAbi = () => safeArtifacts.safe().abi;

interface ScheduledOperation {
  readonly id: Hex;
  readonly timelock: Address;
  readonly salt: Hex;
  readonly calls: readonly TimelockCall[];
  readonly readyAt: string;
}

function parseWhat(values: Record<string, unknown>, action: string): ("deposits" | "redeems")[] {
  const what = requiredOption(values, "what", action);
  if (what !== "deposits" && what !== "redeems" && what !== "both")
    throw new UsageError(`--what must be deposits, redeems or both, got '${what}'`);
  return what === "both" ? ["deposits", "redeems"] : [what];
}

function ownerKeys(env: NodeJS.ProcessEnv): Hex[] {
  const text = env.SAFE_OWNER_PRIVATE_KEYS;
  if (!text) throw new UsageError("set SAFE_OWNER_PRIVATE_KEYS to the Safe owners' keys, comma-separated");
  const keys = text.split(",").map((k) => k.trim());
  keys.forEach((k, i) => {
    if (!isHex(k) || k.length !== 66)
      throw new UsageError(`SAFE_OWNER_PRIVATE_KEYS entry ${i + 1} is not a 32-byte hex key`);
  });
  return keys as Hex[];
}

export async function governanceMain(argv: readonly string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(io, GOVERNANCE_USAGE, async () => {
    const { command, values } = parseCommand(argv, ACTIONS, OPTIONS);
    if (values.help) {
      io.stdout(`${GOVERNANCE_USAGE}\n`);
      return EXIT_OK;
    }
    if (!command) throw new UsageError(`an action is required: ${ACTIONS.join(", ")}`);
    const dryRun = values["dry-run"] === true;
    const skipTime = values["skip-time"] === true;
    const operationsDir = stringOption(values, "operations") ?? ".keeper-data/governance";
    // validate every argument before touching the network
    const what = command === "pause" || command === "unpause" ? parseWhat(values, command) : [];
    const usdcText = command.startsWith("set-") ? requiredOption(values, "usdc", command) : undefined;
    const amount = usdcText !== undefined ? parseAmount("usdc", usdcText, 6) : 0n;
    const connectorName = command === "set-connector-cap" ? requiredOption(values, "connector", command) : "";
    if (command === "set-connector-cap" && !["aave", "morpho", "uniswap"].includes(connectorName))
      throw new UsageError(`--connector must be aave, morpho or uniswap, got '${connectorName}'`);
    const operationId = command === "execute" ? requiredOption(values, "operation", command) : undefined;
    if (operationId !== undefined && !(isHex(operationId) && operationId.length === 66))
      throw new UsageError(`--operation must be a 32-byte hex id, got '${operationId}'`);
    const keys = ownerKeys(io.env);
    const rpc = parseRpc(values);
    const addresses = await readAddresses(values);
    const governance = addresses.governance;
    if (!governance || governance.kind !== "safe-timelock")
      throw new Error(
        `${addresses.file} names no Safe + timelock governance (governance.kind safe-timelock)`,
      );
    const owners = await Promise.all(
      keys.map((k) => connect(rpc, addresses.chainId, privateKeyToAccount(k))),
    );
    const executor = owners[0]!;
    const chainId = addresses.chainId;
    if (skipTime && chainId !== LOCAL_CHAIN_ID)
      throw new UsageError(
        `--skip-time works on the local chain (${LOCAL_CHAIN_ID}) only, not chain ${chainId}`,
      );
    const show = (data: Record<string, unknown>, text: string) => report(io, values, data, text);
    const vault = addresses.vault;

    if (command === "execute") {
      const file = path.join(operationsDir, `${operationId!.toLowerCase()}.json`);
      let op: ScheduledOperation;
      try {
        op = JSON.parse(await readFile(file, "utf8"), (_k, v: unknown) =>
          typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
        ) as ScheduledOperation;
      } catch (error) {
        throw new UsageError(`--operation: cannot read ${file} (${(error as Error).message})`);
      }
      return executeOperation(executor, op, { skipTime, dryRun, show, io });
    }

    // Build the calls, skipping what is already in the wanted state.
    const calls: { call: TimelockCall; text: string }[] = [];
    const unchanged: string[] = [];
    if (command === "pause" || command === "unpause") {
      const limits = await readVaultLimits(executor, vault);
      for (const side of what) {
        const paused = side === "deposits" ? limits.depositsPaused : limits.redeemsPaused;
        const wantPaused = command === "pause";
        if (paused === wantPaused) {
          unchanged.push(`${side} are already ${paused ? "paused" : "open"}`);
          continue;
        }
        const fn = `${command}${side === "deposits" ? "Deposits" : "Redeems"}`;
        calls.push({
          call: { target: vault, data: encodeFunctionData({ abi: vaultAbi(), functionName: fn }) },
          text: `vault.${fn}()`,
        });
      }
    } else if (command === "force-settle") {
      calls.push({
        call: { target: vault, data: encodeFunctionData({ abi: vaultAbi(), functionName: "forceSettle" }) },
        text: "vault.forceSettle()",
      });
    } else if (command === "set-deposit-cap" || command === "set-min-request") {
      const fn = command === "set-deposit-cap" ? "setDepositCap" : "setMinRequestAssets";
      const limits = await readVaultLimits(executor, vault);
      const current = command === "set-deposit-cap" ? limits.depositCap : limits.minRequestAssets;
      if (current === amount) unchanged.push(`${fn} is already ${formatUsdc(amount)}`);
      else
        calls.push({
          call: {
            target: vault,
            data: encodeFunctionData({ abi: vaultAbi(), functionName: fn, args: [amount] }),
          },
          text: `vault.${fn}(${formatUsdc(amount)}) (now ${formatUsdc(current)})`,
        });
    } else {
      const connector = addresses.connectors[connectorName as "aave" | "morpho" | "uniswap"];
      const config = (await executor.public.readContract({
        address: addresses.registry,
        abi: registryAbi(),
        functionName: "connectorConfig",
        args: [connector],
      })) as { cap: bigint };
      if (config.cap === amount) unchanged.push(`the ${connectorName} cap is already ${formatUsdc(amount)}`);
      else
        calls.push({
          call: {
            target: addresses.registry,
            data: encodeFunctionData({
              abi: registryAbi(),
              functionName: "setConnectorCap",
              args: [connector, amount],
            }),
          },
          text: `registry.setConnectorCap(${connectorName}, ${formatUsdc(amount)}) (now ${formatUsdc(config.cap)})`,
        });
    }
    if (calls.length === 0) {
      show(
        { action: command, sent: false, unchanged },
        `${unchanged.join("; ")}: nothing to do, nothing sent`,
      );
      return EXIT_OK;
    }

    const timelock = governance.timelock;
    const delay = (await executor.public.readContract({
      address: timelock,
      abi: timelockAbi(),
      functionName: "getMinDelay",
    })) as bigint;
    const threshold = (await executor.public.readContract({
      address: governance.safe,
      abi: safeAbi(),
      functionName: "getThreshold",
    })) as bigint;
    if (BigInt(keys.length) < threshold)
      throw new UsageError(
        `the Safe needs ${threshold} owner keys, SAFE_OWNER_PRIVATE_KEYS has ${keys.length}`,
      );
    const timelockCalls = calls.map((c) => c.call);
    const salt = keccak256(toHex(`${command}:${Date.now()}:${Math.random()}`));
    const id = timelockBatchId(timelockCalls, salt);
    const scheduleData = scheduleBatchData(timelockCalls, salt, delay);
    const safeTx = await buildSafeTx(executor, governance.safe, timelock, scheduleData);
    const lines = [
      `governance: Safe ${governance.safe} -> timelock ${timelock} (delay ${delay} s)`,
      ...calls.map((c) => `  ${c.text}`),
      ...unchanged.map((u) => `  unchanged: ${u}`),
    ];
    if (dryRun) {
      await executor.public.call({
        account: governance.safe,
        to: timelock,
        data: scheduleData,
      });
      show(
        { action: command, dryRun: true, operation: id, calls: timelockCalls, unchanged },
        [...lines, `[dry-run] scheduling simulates fine; nothing sent (operation ${id})`].join("\n"),
      );
      return EXIT_OK;
    }
    const scheduleTx = await execSafeTx(
      executor,
      governance.safe,
      safeTx,
      owners.slice(0, Number(threshold)).map((o) => o.wallet),
    );
    const now = (await executor.public.getBlock()).timestamp;
    const op: ScheduledOperation = {
      id,
      timelock,
      salt,
      calls: timelockCalls,
      readyAt: new Date(Number(now + delay) * 1000).toISOString(),
    };
    await mkdir(operationsDir, { recursive: true });
    await writeFile(
      path.join(operationsDir, `${id}.json`),
      `${JSON.stringify(op, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v), 2)}\n`,
    );
    io.stdout(
      values.json === true
        ? ""
        : `${lines.join("\n")}\nscheduled operation ${id} (Safe tx ${scheduleTx}); executable from ${op.readyAt}\n`,
    );
    if (!skipTime) {
      show(
        { action: command, operation: id, scheduleTx, readyAt: op.readyAt, executed: false },
        `then: npx tsx scripts/governance.ts execute --operation ${id}`,
      );
      return EXIT_OK;
    }
    return executeOperation(executor, op, { skipTime, dryRun, show, io, scheduleTx });
  });
}

async function executeOperation(
  executor: Clients,
  op: ScheduledOperation,
  o: {
    readonly skipTime: boolean;
    readonly dryRun: boolean;
    readonly show: (data: Record<string, unknown>, text: string) => void;
    readonly io: ScriptIo;
    readonly scheduleTx?: Hex;
  },
): Promise<number> {
  const timelock = op.timelock;
  const readTimelock = <T>(functionName: string) =>
    executor.public.readContract({
      address: timelock,
      abi: timelockAbi(),
      functionName,
      args: [op.id],
    }) as Promise<T>;
  if (await readTimelock<boolean>("isOperationDone")) {
    o.show({ operation: op.id, executed: true, already: true }, `operation ${op.id} was already executed`);
    return EXIT_OK;
  }
  if (!(await readTimelock<boolean>("isOperation")))
    throw new Error(`operation ${op.id} is not scheduled on ${timelock}`);
  const readyAt = await readTimelock<bigint>("getTimestamp");
  const now = (await executor.public.getBlock()).timestamp;
  if (now < readyAt) {
    if (!o.skipTime) {
      o.io.stderr(
        `error: operation ${op.id} is executable from ${new Date(Number(readyAt) * 1000).toISOString()} (chain time ${new Date(Number(now) * 1000).toISOString()}); nothing sent\n`,
      );
      return EXIT_FAILURE;
    }
    await advanceTime(executor, readyAt - now);
  }
  if (o.dryRun) {
    o.show({ operation: op.id, dryRun: true }, `[dry-run] operation ${op.id} is ready; nothing sent`);
    return EXIT_OK;
  }
  const tx = await executeTimelockBatch(executor, timelock, op.calls, op.salt);
  o.show(
    { operation: op.id, scheduleTx: o.scheduleTx, executeTx: tx, executed: true },
    `executed operation ${op.id} (tx ${tx})${o.skipTime ? " after moving the local clock past the delay" : ""}`,
  );
  return EXIT_OK;
}

function formatUsdc(units: bigint): string {
  return formatTokenAmount(units, { symbol: "USDC", decimals: 6 });
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await governanceMain(process.argv.slice(2));

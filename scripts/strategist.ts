import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Address, erc20Abi, isAddress, isHex } from "viem";
import { z } from "zod";
import { formatTokenAmount } from "../keeper/chain/decode.js";
import type { MarketSnapshot } from "../keeper/signals/types.js";
import { evaluateTargets } from "../keeper/cycle/cycle.js";
import { productAbis } from "../keeper/vault/abis.js";
import { defaultStrategyConfig } from "../keeper/strategy/index.js";
import { IDLE_KEY, checkPolicyConnectors, readPolicyFile } from "../keeper/strategy/policy.js";
import { LOCAL_CONNECTOR_KEYS } from "../deploy/local/keeperConfig.js";
import { readRecordedSnapshots } from "../keeper/vault/snapshots.js";
import { connectReadOnly, parseCommand, parseRpc, readAddresses, report } from "./cli/common.js";
import {
  EXIT_OK,
  parseHex,
  parseInteger,
  type ScriptIo,
  UsageError,
  processIo,
  requiredOption,
  runScript,
  stringOption,
} from "../keeper/cli/usage.js";
import { runKeeper } from "./cli/keeperBridge.js";

export const STRATEGIST_USAGE = `usage: npx tsx scripts/strategist.ts <command> [options]

commands:
  propose --calls <file>    propose a hand-written batch: a JSON array of {target, data}, or
                            {calls: [...], note?: string}; stored for the gate's next nonce. Operators
                            see it decoded with scripts/operator.ts review
  propose --policy <file>   validate an allocation policy file (keeper/strategy/policy.ts format) against
                            the deployment in --addresses (connector keys, thresholds) and show what it
                            would do now: the vault's current allocation, the target the policy computes
                            from the signals in --signals (none: no market rule is active), the moves.
                            Proposes nothing: the running keeper (npm start, keeper run) makes the batches
  cancel --proposal <id> --reason <text>
                            withdraw a proposal this strategist (--operator-id) made: it is marked failed
                            and no keeper signs it

options:
  --signals <file>     propose --policy: recorded market snapshots (JSON array, keeper/vault/snapshots.ts)
  --offline            propose --policy: check the file only, no deployment (connector keys unchecked)
  --rpc <url>          JSON-RPC endpoint (default http://127.0.0.1:8545)
  --addresses <file>   addresses written by \`npm start\` (default .keeper-data/local-addresses.json)
  --store <file>       the operators' shared SQLite store (default .keeper-data/keeper.sqlite)
  --operator-id <id>   who proposes, in the store and logs (default strategist)
  --threshold <k>      the gate's threshold (default 2)
  --dry-run            propose / cancel into a temporary copy of the store only
  --json               print the result as JSON
  --help               show this text

The proposal is then reviewed and co-signed with scripts/operator.ts review / sign and sent with
scripts/operator.ts submit.
exit codes: 0 ok, 1 failure, 2 bad arguments`;

const OPTIONS = {
  calls: { type: "string" },
  policy: { type: "string" },
  signals: { type: "string" },
  offline: { type: "boolean" },
  proposal: { type: "string" },
  reason: { type: "string" },
  store: { type: "string" },
  "operator-id": { type: "string" },
  threshold: { type: "string" },
} as const;

const call = z.strictObject({
  target: z.string().refine((v) => isAddress(v, { strict: false }), "must be an address"),
  data: z
    .string()
    .refine((v) => isHex(v) && v.length % 2 === 0 && v.length >= 10, "must be 0x-prefixed calldata"),
});
const callsFile = z.union([
  z.array(call).min(1),
  z.strictObject({ calls: z.array(call).min(1), note: z.string().optional() }),
]);

export function parseThreshold(text: string | undefined): number {
  return text === undefined ? 2 : parseInteger("threshold", text, { min: 1, max: 99 });
}

export async function strategistMain(argv: readonly string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(io, STRATEGIST_USAGE, async () => {
    const { command, values } = parseCommand(argv, ["propose", "cancel"], OPTIONS);
    if (values.help) {
      io.stdout(`${STRATEGIST_USAGE}\n`);
      return EXIT_OK;
    }
    if (!command) throw new UsageError("a command is required: propose, cancel");
    const threshold = parseThreshold(stringOption(values, "threshold"));
    const target = async () => ({
      addresses: await readAddresses(values),
      rpc: parseRpc(values),
      operatorId: stringOption(values, "operator-id") ?? "strategist",
      storePath: stringOption(values, "store") ?? ".keeper-data/keeper.sqlite",
      threshold,
    });
    const json = values.json === true ? ["--json"] : [];

    if (command === "cancel") {
      const id = parseHex("proposal", requiredOption(values, "proposal", command), 32, "a 32-byte hex id");
      const reason = requiredOption(values, "reason", command);
      return runKeeper(
        await target(),
        "cancel",
        ["--proposal", id, "--reason", reason, ...json],
        io,
        values["dry-run"] === true,
      );
    }
    const callsPath = stringOption(values, "calls");
    const policyPath = stringOption(values, "policy");
    if ((callsPath === undefined) === (policyPath === undefined))
      throw new UsageError("propose needs exactly one of --calls <file> or --policy <file>");
    if (policyPath !== undefined) return showPolicy(io, values, policyPath);

    let decoded: unknown;
    try {
      decoded = JSON.parse(await readFile(callsPath!, "utf8"));
    } catch (error) {
      throw new UsageError(`--calls ${callsPath}: ${(error as Error).message}`);
    }
    const parsed = callsFile.safeParse(decoded);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UsageError(`--calls ${callsPath}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    const calls = Array.isArray(parsed.data) ? parsed.data : parsed.data.calls;
    const note = Array.isArray(parsed.data) ? undefined : parsed.data.note;
    const keeperTarget = await target();
    const { addresses, operatorId } = keeperTarget;
    // a hand-made batch has no signal snapshot: the provenance commits to who proposed what, and why
    const input = {
      plan: { kind: "manual", proposer: operatorId, note: note ?? null, calls },
      snapshot: { kind: "manual", file: path.basename(callsPath!), vault: addresses.vault },
      calls,
    };
    const dir = await mkdtemp(path.join(tmpdir(), "strategist-"));
    const inputFile = path.join(dir, "proposal.json");
    await writeFile(inputFile, JSON.stringify(input));
    return runKeeper(
      keeperTarget,
      "propose",
      ["--input", inputFile, ...json],
      io,
      values["dry-run"] === true,
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await strategistMain(process.argv.slice(2));

/**
 * `propose --policy`: validates the file, checks its connector keys against the deployment, and
 * shows what it would do now: current allocation (idle + each connector's reported value), the
 * target the policy computes from the given signals, and the move per connector.
 */
async function showPolicy(
  io: ScriptIo,
  values: Record<string, unknown>,
  policyPath: string,
): Promise<number> {
  const signalsPath = stringOption(values, "signals");
  const result = await readPolicyFile(policyPath);
  if (!result.ok)
    throw new UsageError(
      `--policy ${policyPath}: ${result.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
    );
  const p = result.policy;
  const summary = [
    `policy ${policyPath} is valid`,
    `  base weights: ${Object.entries(p.baseWeightsBps)
      .map(([k, w]) => `${k} ${w / 100}%`)
      .join(", ")}`,
    `  max turnover ${p.maxTurnoverBps / 100}% per rebalance, min change ${p.minChangeBps / 100}%, signals older than ${p.maxSignalAgeSec} s ignored`,
    ...p.rules.map(
      (r) =>
        `  rule ${r.id}: ${r.signal.kind === "market" ? `${r.signal.venue} ${r.signal.marketId} ${r.signal.outcome}` : `peg ${r.signal.asset}`}; levels ${r.levels.map((l) => `${l.name}@${l.enter}`).join(", ")}`,
    ),
  ];
  if (values.offline === true) {
    report(
      io,
      values,
      { policy: policyPath, valid: true, checkedAgainstDeployment: false },
      [...summary, "  offline: connector keys not checked against a deployment"].join("\n"),
    );
    return EXIT_OK;
  }
  const addresses = await readAddresses(values);
  // The deployment's policy keys: the local stack's convention (deploy/local/keeperConfig.ts).
  const deployed = Object.fromEntries(
    Object.entries(LOCAL_CONNECTOR_KEYS).map(([key, name]) => [key, addresses.connectors[name]]),
  ) as Record<string, Address>;
  const problems = checkPolicyConnectors(p, Object.keys(deployed));
  if (problems.length > 0)
    throw new UsageError(
      `--policy ${policyPath}: ${problems.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
    );
  let snapshots: MarketSnapshot[] = [];
  const rejected: string[] = [];
  if (signalsPath !== undefined) {
    let recorded;
    try {
      recorded = await readRecordedSnapshots(signalsPath);
    } catch (error) {
      throw new UsageError(`--signals ${signalsPath}: ${(error as Error).message}`);
    }
    snapshots = recorded.snapshots;
    rejected.push(...recorded.rejected.map((r) => r.reason));
  }
  const reader = await connectReadOnly(parseRpc(values), addresses.chainId);
  const chainNow = Number((await reader.public.getBlock()).timestamp) * 1000;
  const fresh = snapshots.filter((s) => chainNow - s.fetchedAt <= p.maxSignalAgeSec * 1000);
  for (const s of snapshots)
    if (!fresh.includes(s))
      rejected.push(
        `${s.venue}:${s.marketId}:${s.outcome}: stale (fetched ${Math.round((chainNow - s.fetchedAt) / 1000)} s before chain time)`,
      );
  const evaluation = evaluateTargets(fresh, p, defaultStrategyConfig(), chainNow, {});

  const idle = (await reader.public.readContract({
    address: addresses.asset,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [addresses.vault],
  })) as bigint;
  const current: Record<string, bigint> = { [IDLE_KEY]: idle };
  for (const [key, connector] of Object.entries(deployed)) {
    const [value] = (await reader.public.readContract({
      address: connector,
      abi: productAbis.connector,
      functionName: "totalValue",
    })) as readonly [bigint, boolean];
    current[key] = value;
  }
  const total = Object.values(current).reduce((a, b) => a + b, 0n);
  const usdc = (x: bigint) => formatTokenAmount(x, { symbol: "USDC", decimals: 6 });
  const rows = p.connectors.map((key) => {
    const now = current[key] ?? 0n;
    const targetBps = evaluation.allocation.weightsBps[key] ?? 0;
    const target = (total * BigInt(targetBps)) / 10_000n;
    return {
      connector: key,
      current: now,
      currentBps: total === 0n ? 0 : Number((now * 10_000n) / total),
      targetBps,
      target,
      move: target - now,
    };
  });
  const lines = [
    ...summary,
    `what it would do now (chain time ${new Date(chainNow).toISOString()}, NAV ${usdc(total)}):`,
    `  signals: ${fresh.length} fresh snapshot(s)${signalsPath ? ` from ${signalsPath}` : " (no --signals: market rules stay inactive)"}`,
    ...rejected.map((r) => `    ignored ${r}`),
    ...evaluation.allocation.reasons.map((r) => `  ${r}`),
    ...rows.map(
      (r) =>
        `  ${r.connector.padEnd(20)} ${(r.currentBps / 100).toFixed(2).padStart(6)}% ${usdc(r.current).padStart(18)} -> ${(r.targetBps / 100).toFixed(2).padStart(6)}% ${usdc(r.target).padStart(18)}  (${r.move >= 0n ? "+" : ""}${usdc(r.move)})`,
    ),
    `  turnover ${evaluation.allocation.turnoverBps / 100}%; nothing was proposed (the running keeper plans and proposes)`,
  ];
  report(
    io,
    values,
    {
      policy: policyPath,
      valid: true,
      nav: total,
      allocation: rows,
      reasons: evaluation.allocation.reasons,
      ignoredSignals: rejected,
      turnoverBps: evaluation.allocation.turnoverBps,
    },
    lines.join("\n"),
  );
  return EXIT_OK;
}

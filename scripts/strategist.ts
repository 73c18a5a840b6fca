import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isAddress, isHex } from "viem";
import { z } from "zod";
import { readPolicyFile } from "../keeper/strategy/policy.js";
import {
  EXIT_OK,
  type ScriptIo,
  UsageError,
  parseCommand,
  parseRpc,
  processIo,
  readAddresses,
  runScript,
  stringOption,
} from "./cli/common.js";
import { runKeeper } from "./cli/keeperBridge.js";

export const STRATEGIST_USAGE = `usage: npx tsx scripts/strategist.ts propose (--calls <file> | --policy <file>) [options]

  propose --calls <file>    propose a hand-written batch: a JSON array of {target, data}, or
                            {calls: [...], note?: string}; stored for the gate's next nonce
  propose --policy <file>   validate an allocation policy file (keeper/strategy/policy.ts format) and
                            print its base weights and rules; the running keeper (npm start, keeper run)
                            turns it into batches

options:
  --rpc <url>          JSON-RPC endpoint (default http://127.0.0.1:8545)
  --addresses <file>   addresses written by \`npm start\` (default .keeper-data/local-addresses.json)
  --store <file>       the operators' shared SQLite store (default .keeper-data/keeper.sqlite)
  --operator-id <id>   who proposes, in the store and logs (default strategist)
  --threshold <k>      the gate's threshold (default 2)
  --dry-run            propose into a temporary copy of the store only
  --help               show this text

The proposal is then co-signed with scripts/operator.ts sign and sent with scripts/operator.ts submit.
exit codes: 0 ok, 1 failure, 2 bad arguments`;

const OPTIONS = {
  calls: { type: "string" },
  policy: { type: "string" },
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
  if (text === undefined) return 2;
  if (!/^[1-9]\d?$/.test(text)) throw new UsageError(`--threshold must be a positive integer, got '${text}'`);
  return Number(text);
}

export async function strategistMain(argv: readonly string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(io, STRATEGIST_USAGE, async () => {
    const { command, values } = parseCommand(argv, ["propose"], OPTIONS);
    if (values.help) {
      io.stdout(`${STRATEGIST_USAGE}\n`);
      return EXIT_OK;
    }
    if (!command) throw new UsageError("a command is required: propose");
    const callsPath = stringOption(values, "calls");
    const policyPath = stringOption(values, "policy");
    if ((callsPath === undefined) === (policyPath === undefined))
      throw new UsageError("propose needs exactly one of --calls <file> or --policy <file>");
    const threshold = parseThreshold(stringOption(values, "threshold"));

    if (policyPath !== undefined) {
      const result = await readPolicyFile(policyPath);
      if (!result.ok)
        throw new UsageError(
          `--policy ${policyPath}: ${result.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
        );
      const p = result.policy;
      io.stdout(
        [
          `policy ${policyPath} is valid`,
          `  base weights: ${Object.entries(p.baseWeightsBps)
            .map(([k, w]) => `${k} ${w / 100}%`)
            .join(", ")}`,
          `  max turnover ${p.maxTurnoverBps / 100}% per rebalance, min change ${p.minChangeBps / 100}%, signals older than ${p.maxSignalAgeSec} s ignored`,
          ...p.rules.map(
            (r) =>
              `  rule ${r.id}: ${r.signal.kind === "market" ? `${r.signal.venue} ${r.signal.marketId} ${r.signal.outcome}` : `peg ${r.signal.asset}`}; levels ${r.levels.map((l) => `${l.name}@${l.enter}`).join(", ")}`,
          ),
        ].join("\n") + "\n",
      );
      return EXIT_OK;
    }

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
    const rpc = parseRpc(values);
    const addresses = await readAddresses(values);
    const operatorId = stringOption(values, "operator-id") ?? "strategist";
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
      {
        addresses,
        rpc,
        operatorId,
        storePath: stringOption(values, "store") ?? ".keeper-data/keeper.sqlite",
        threshold,
      },
      "propose",
      ["--input", inputFile],
      io,
      values["dry-run"] === true,
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await strategistMain(process.argv.slice(2));

import { projectArtifact } from "../deploy/lib/artifacts.js";
import { connect, loadRoleSigner, parseCommand, parseRpc, readAddresses, report } from "./cli/common.js";
import {
  EXIT_OK,
  type OptionValues,
  parseHex,
  type ScriptIo,
  UsageError,
  processIo,
  requiredOption,
  runScript,
  stringOption,
} from "../keeper/cli/usage.js";
import { runKeeper } from "./cli/keeperBridge.js";
import { readVaultLimits } from "./cli/vaultLimits.js";
import { writeOrSimulate } from "./cli/write.js";
import { parseThreshold } from "./strategist.js";

export const OPERATOR_USAGE = `usage: npx tsx scripts/operator.ts <command> [options]

commands:
  review --proposal <id>    show the proposal's calls decoded (contract, function, arguments in units),
                            its note and the balance and NAV changes of the whole batch simulated at the
                            gate at the current state; signs nothing
  sign --proposal <id>      show the same review, then verify (nonce, deadline, simulation, limits) and
                            co-sign with this operator's key (KEEPER_PRIVATE_KEY, or a keystore with
                            KEEPER_KEYSTORE_PASSWORD)
  submit --proposal <id>    send a proposal that has reached the threshold through the keeper gate;
                            with --dry-run simulate it and print the calldata
  reject --proposal <id> --reason <text>
                            refuse a proposal: it is marked failed with the reason and no keeper on the
                            store signs or submits it
  status [--proposal <id>]  list proposals in the shared store, or show one
  pause --what deposits|redeems|both
                            as the guardian (GUARDIAN_PRIVATE_KEY or --keystore with
                            GUARDIAN_KEYSTORE_PASSWORD): pause new requests; a side already paused is
                            reported and nothing is sent for it. Unpausing is governance's:
                            scripts/governance.ts unpause

options:
  --rpc <url>          JSON-RPC endpoint (default http://127.0.0.1:8545)
  --addresses <file>   addresses written by \`npm start\` (default .keeper-data/local-addresses.json)
  --store <file>       the operators' shared SQLite store (default .keeper-data/keeper.sqlite)
  --operator-id <id>   this operator's name in the store and logs (default operator)
  --threshold <k>      the gate's threshold (default 2)
  --dry-run            sign/submit/reject: only into a temporary copy of the store; pause: simulate only
  --json               print the result as JSON
  --help               show this text

exit codes: 0 ok, 1 failure, 2 bad arguments`;

const COMMANDS = ["review", "sign", "submit", "reject", "status", "pause"] as const;
const OPTIONS = {
  proposal: { type: "string" },
  store: { type: "string" },
  "operator-id": { type: "string" },
  threshold: { type: "string" },
  what: { type: "string" },
  reason: { type: "string" },
} as const;

function proposalArg(values: OptionValues, command: string, required: boolean): string | undefined {
  const id = required ? requiredOption(values, "proposal", command) : stringOption(values, "proposal");
  return id === undefined ? undefined : parseHex("proposal", id, 32, "a 32-byte hex id");
}

export async function operatorMain(argv: readonly string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(io, OPERATOR_USAGE, async () => {
    const { command, values } = parseCommand(argv, COMMANDS, OPTIONS);
    if (values.help) {
      io.stdout(`${OPERATOR_USAGE}\n`);
      return EXIT_OK;
    }
    if (!command) throw new UsageError(`a command is required: ${COMMANDS.join(", ")}`);
    const dryRun = values["dry-run"] === true;
    if (command === "pause") {
      const what = requiredOption(values, "what", command);
      if (what !== "deposits" && what !== "redeems" && what !== "both")
        throw new UsageError(`--what must be deposits, redeems or both, got '${what}'`);
      const rpc = parseRpc(values);
      const addresses = await readAddresses(values);
      const guardian = loadRoleSigner("GUARDIAN", values, io.env);
      const clients = await connect(rpc, addresses.chainId, guardian);
      const vaultAbi = projectArtifact("AccountingManager").abi;
      const limits = await readVaultLimits(clients, addresses.vault);
      const sides = what === "both" ? (["deposits", "redeems"] as const) : [what];
      const results: { side: string; sent: boolean; tx?: string }[] = [];
      const lines: string[] = [];
      for (const side of sides) {
        if (side === "deposits" ? limits.depositsPaused : limits.redeemsPaused) {
          results.push({ side, sent: false });
          lines.push(`${side} are already paused on ${addresses.vault}; nothing sent`);
          continue;
        }
        const functionName = side === "deposits" ? "pauseDeposits" : "pauseRedeems";
        const hash = await writeOrSimulate(
          clients,
          { address: addresses.vault, abi: vaultAbi, functionName, args: [] },
          dryRun,
        );
        results.push({ side, sent: !dryRun, tx: hash });
        lines.push(`${dryRun ? "[dry-run] " : ""}${functionName} on ${addresses.vault} (${hash})`);
      }
      report(io, values, { dryRun, vault: addresses.vault, results }, lines.join("\n"));
      return EXIT_OK;
    }
    const id = proposalArg(values, command, command !== "status");
    const reason = command === "reject" ? requiredOption(values, "reason", command) : undefined;
    const threshold = parseThreshold(stringOption(values, "threshold"));
    const rpc = parseRpc(values);
    const addresses = await readAddresses(values);
    return runKeeper(
      {
        addresses,
        rpc,
        operatorId: stringOption(values, "operator-id") ?? "operator",
        storePath: stringOption(values, "store") ?? ".keeper-data/keeper.sqlite",
        threshold,
      },
      command,
      [
        ...(id ? ["--proposal", id] : []),
        ...(reason !== undefined ? ["--reason", reason] : []),
        ...(values.json === true ? ["--json"] : []),
      ],
      io,
      dryRun,
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await operatorMain(process.argv.slice(2));

import { type Address, maxUint256 } from "viem";
import { projectArtifact, read } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import {
  EXIT_OK,
  type ScriptIo,
  UsageError,
  connect,
  loadRoleSigner,
  parseAmount,
  parseCommand,
  parseRpc,
  processIo,
  readAddresses,
  requiredOption,
  runScript,
  stringOption,
} from "./cli/common.js";
import { writeOrSimulate } from "./cli/write.js";

export const DEPOSITOR_USAGE = `usage: npx tsx scripts/depositor.ts <command> [options]

commands:
  request-deposit --amount <usdc>     approve exactly <usdc> and request a deposit (settles at the next settlement)
  request-redeem  --shares <n>|--all  request to redeem vault shares (settles at the next settlement)
  claim                               claim settled deposits (shares) and settled redemptions (USDC)
  cancel --request deposit|redeem     cancel a pending request (claimable back after the next settlement)
  position                            show shares, their value, pending and claimable requests

options:
  --rpc <url>          JSON-RPC endpoint (default http://127.0.0.1:8545)
  --addresses <file>   addresses written by \`npm start\` (default .keeper-data/local-addresses.json)
  --keystore <file>    v3 keystore (password in DEPOSITOR_KEYSTORE_PASSWORD); else DEPOSITOR_PRIVATE_KEY
  --dry-run            simulate every transaction, send nothing
  --help               show this text

exit codes: 0 ok, 1 failure (e.g. a revert), 2 bad arguments`;

const COMMANDS = ["request-deposit", "request-redeem", "claim", "cancel", "position"] as const;
const OPTIONS = {
  amount: { type: "string" },
  shares: { type: "string" },
  all: { type: "boolean" },
  request: { type: "string" },
} as const;

const vaultAbi = () => projectArtifact("AccountingManager").abi;
const erc20Abi = () => projectArtifact("MockERC20").abi;
const usdc = (units: bigint) =>
  `${(Number(units) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 6 })} USDC`;

/** Runs one depositor command; returns the exit code. */
export async function depositorMain(argv: readonly string[], io: ScriptIo = processIo): Promise<number> {
  return runScript(io, DEPOSITOR_USAGE, async () => {
    const { command, values } = parseCommand(argv, COMMANDS, OPTIONS);
    if (values.help) {
      io.stdout(`${DEPOSITOR_USAGE}\n`);
      return EXIT_OK;
    }
    if (!command) throw new UsageError(`a command is required: ${COMMANDS.join(", ")}`);
    const dryRun = values["dry-run"] === true;
    // validate every argument before touching the network
    const amount =
      command === "request-deposit"
        ? parseAmount("amount", requiredOption(values, "amount", command), 6)
        : 0n;
    let shares: bigint | "all" = 0n;
    if (command === "request-redeem") {
      const text = stringOption(values, "shares");
      if (values.all === true && text !== undefined)
        throw new UsageError("give either --shares or --all, not both");
      if (values.all === true) shares = "all";
      else if (text === undefined) throw new UsageError("request-redeem needs --shares <n> or --all");
      else if (!/^[1-9]\d{0,40}$/.test(text))
        throw new UsageError(`--shares must be a positive integer number of share units, got '${text}'`);
      else shares = BigInt(text);
    }
    const kind = command === "cancel" ? requiredOption(values, "request", command) : undefined;
    if (kind !== undefined && kind !== "deposit" && kind !== "redeem")
      throw new UsageError(`--request must be 'deposit' or 'redeem', got '${kind}'`);
    const rpc = parseRpc(values);
    const addresses = await readAddresses(values);
    const account = loadRoleSigner("DEPOSITOR", values, io.env);
    const clients = await connect(rpc, addresses.chainId, account);
    const me = account.address;
    const vault = addresses.vault;
    const vaultRead = <T>(functionName: string, args: readonly unknown[] = []) =>
      read<T>(clients, { address: vault, abi: vaultAbi(), functionName, args });
    const vaultWrite = (functionName: string, args: readonly unknown[]) =>
      writeOrSimulate(clients, { address: vault, abi: vaultAbi(), functionName, args }, dryRun);
    const prefix = dryRun ? "[dry-run] " : "";

    switch (command) {
      case "request-deposit": {
        await approveExactly(clients, addresses.asset, vault, amount, dryRun);
        if (dryRun) {
          io.stdout(
            `${prefix}would approve ${usdc(amount)} and request a deposit (the request is simulated after the approval is sent)\n`,
          );
          return EXIT_OK;
        }
        const hash = await vaultWrite("requestDeposit", [amount, me, me]);
        io.stdout(
          `requested a deposit of ${usdc(amount)} (tx ${hash}); it settles at the next settlement, then run \`claim\`\n`,
        );
        return EXIT_OK;
      }
      case "request-redeem": {
        const owned = await vaultRead<bigint>("balanceOf", [me]);
        const redeem = shares === "all" ? owned : shares;
        if (redeem === 0n) throw new Error(`${me} holds no vault shares`);
        if (redeem > owned) throw new Error(`--shares ${redeem} exceeds the ${owned} shares ${me} holds`);
        const hash = await vaultWrite("requestRedeem", [redeem, me, me]);
        const worth = await vaultRead<bigint>("convertToAssets", [redeem]);
        io.stdout(
          `${prefix}requested to redeem ${redeem} shares (worth ~${usdc(worth)} at today's price; the settlement price applies) (${hash})\n`,
        );
        return EXIT_OK;
      }
      case "claim": {
        const depositAssets = await vaultRead<bigint>("maxDeposit", [me]);
        const redeemShares = await vaultRead<bigint>("maxRedeem", [me]);
        if (depositAssets === 0n && redeemShares === 0n) {
          io.stdout("nothing claimable yet: requests become claimable when the keeper settles\n");
          return EXIT_OK;
        }
        if (depositAssets > 0n) {
          const hash = await vaultWrite("deposit", [depositAssets, me, me]);
          io.stdout(`${prefix}claimed the shares of a ${usdc(depositAssets)} deposit (${hash})\n`);
        }
        if (redeemShares > 0n) {
          const assets = await vaultRead<bigint>("maxWithdraw", [me]);
          const hash = await vaultWrite("redeem", [redeemShares, me, me]);
          io.stdout(`${prefix}claimed ${usdc(assets)} for ${redeemShares} redeemed shares (${hash})\n`);
        }
        return EXIT_OK;
      }
      case "cancel": {
        const fn = kind === "deposit" ? "cancelDepositRequest" : "cancelRedeemRequest";
        const hash = await vaultWrite(fn, [0n, me]);
        io.stdout(
          `${prefix}cancelled the pending ${kind} request (${hash}); claim it back after the next settlement\n`,
        );
        return EXIT_OK;
      }
      default: {
        const shareBalance = await vaultRead<bigint>("balanceOf", [me]);
        const lines = [
          `account             ${me}`,
          `vault               ${vault}`,
          `shares              ${shareBalance}`,
          `value               ${usdc(await vaultRead<bigint>("convertToAssets", [shareBalance]))}`,
          `pending deposit     ${usdc(await vaultRead<bigint>("pendingDepositRequest", [0n, me]))}`,
          `claimable deposit   ${usdc(await vaultRead<bigint>("maxDeposit", [me]))}`,
          `pending redeem      ${await vaultRead<bigint>("pendingRedeemRequest", [0n, me])} shares`,
          `claimable redeem    ${usdc(await vaultRead<bigint>("maxWithdraw", [me]))}`,
          `USDC balance        ${usdc(await read<bigint>(clients, { address: addresses.asset, abi: erc20Abi(), functionName: "balanceOf", args: [me] }))}`,
        ];
        io.stdout(`${lines.join("\n")}\n`);
        return EXIT_OK;
      }
    }
  });
}

/** Approves exactly `amount` (resetting a different allowance to 0 first, as some tokens require). */
async function approveExactly(
  clients: Clients,
  token: Address,
  spender: Address,
  amount: bigint,
  dryRun: boolean,
): Promise<void> {
  const owner = clients.wallet.account.address;
  const current = await read<bigint>(clients, {
    address: token,
    abi: erc20Abi(),
    functionName: "allowance",
    args: [owner, spender],
  });
  if (current === amount || current === maxUint256) return;
  if (current !== 0n)
    await writeOrSimulate(
      clients,
      { address: token, abi: erc20Abi(), functionName: "approve", args: [spender, 0n] },
      dryRun,
    );
  await writeOrSimulate(
    clients,
    { address: token, abi: erc20Abi(), functionName: "approve", args: [spender, amount] },
    dryRun,
  );
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await depositorMain(process.argv.slice(2));

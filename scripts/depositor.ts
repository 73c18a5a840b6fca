import { type Address, type StateOverride, erc20Abi } from "viem";
import { projectArtifact } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { formatTokenAmount } from "../keeper/chain/decode.js";
import { allowanceOverride } from "./cli/allowance.js";
import {
  connect,
  connectReadOnly,
  loadRoleSigner,
  parseCommand,
  parseRpc,
  readAddresses,
  report,
} from "./cli/common.js";
import {
  EXIT_FAILURE,
  EXIT_OK,
  type ScriptIo,
  UsageError,
  describeFailure,
  parseAmount,
  processIo,
  requiredOption,
  runScript,
  stringOption,
  parseAddress,
} from "../keeper/cli/usage.js";
import { readVaultLimits } from "./cli/vaultLimits.js";
import { writeOrSimulate } from "./cli/write.js";

export const DEPOSITOR_USAGE = `usage: npx tsx scripts/depositor.ts <command> [options]

commands:
  request-deposit --amount <usdc>     simulate the request first; only if it would succeed, approve exactly
                                      <usdc> and request a deposit (settles at the next settlement)
  request-redeem  --shares <n>|--all  request to redeem <n> vault shares (in shares, e.g. 1000.5; the share
                                      token has 12 decimals); settles at the next settlement
  claim                               claim everything claimable: settled deposits (shares), settled
                                      redemptions (USDC), cancelled deposits (USDC), cancelled redemptions (shares)
  cancel --request deposit|redeem     cancel a pending request; what it held is claimable at once (\`claim\`)
  position [--account <address>]      shares, their value, price per share, pending, claimable and
                                      cancelled requests, pause states, the next settlement; with
                                      --account no key is needed

options:
  --rpc <url>          JSON-RPC endpoint (default http://127.0.0.1:8545)
  --addresses <file>   addresses written by \`npm start\` (default .keeper-data/local-addresses.json)
  --keystore <file>    v3 keystore (password in DEPOSITOR_KEYSTORE_PASSWORD); else DEPOSITOR_PRIVATE_KEY
  --dry-run            simulate each transaction at the current chain state, send nothing
  --json               print the result as JSON
  --help               show this text

exit codes: 0 ok, 1 failure (e.g. the request would revert: nothing was sent), 2 bad arguments`;

const COMMANDS = ["request-deposit", "request-redeem", "claim", "cancel", "position"] as const;
const OPTIONS = {
  amount: { type: "string" },
  shares: { type: "string" },
  all: { type: "boolean" },
  request: { type: "string" },
  account: { type: "string" },
} as const;

const USDC_DECIMALS = 6;
const vaultAbi = () => projectArtifact("AccountingManager").abi;

/** Only `position` reads without a key. */
type Reader = Pick<Clients, "public">;

interface Units {
  readonly asset: { readonly symbol: string; readonly decimals: number };
  readonly share: { readonly symbol: string; readonly decimals: number };
}

async function readUnits(clients: Reader, asset: Address, vault: Address): Promise<Units> {
  const decimalsOf = (address: Address) =>
    clients.public.readContract({ address, abi: erc20Abi, functionName: "decimals" });
  const [symbol, decimals, shareDecimals] = await Promise.all([
    clients.public.readContract({ address: asset, abi: erc20Abi, functionName: "symbol" }),
    decimalsOf(asset),
    decimalsOf(vault),
  ]);
  return {
    asset: { symbol, decimals: Number(decimals) },
    share: { symbol: "shares", decimals: Number(shareDecimals) },
  };
}

/** Everything the depositor sees about `who`, read at one moment. */
async function readPosition(clients: Reader, vault: Address, asset: Address, who: Address, units: Units) {
  const v = <T>(functionName: string, args: readonly unknown[] = []) =>
    clients.public.readContract({ address: vault, abi: vaultAbi(), functionName, args }) as Promise<T>;
  const [shares, pendingDeposit, claimableDeposit, pendingRedeem, claimableRedeemShares] = await Promise.all([
    v<bigint>("balanceOf", [who]),
    v<bigint>("pendingDepositRequest", [0n, who]),
    v<bigint>("claimableDepositRequest", [0n, who]),
    v<bigint>("pendingRedeemRequest", [0n, who]),
    v<bigint>("claimableRedeemRequest", [0n, who]),
  ]);
  const [cancelledDeposit, cancelledRedeem, limits, settlementDueAt, pricePerShare, value] =
    await Promise.all([
      v<bigint>("claimableCancelDepositRequest", [0n, who]),
      v<bigint>("claimableCancelRedeemRequest", [0n, who]),
      readVaultLimits(clients, vault),
      v<bigint>("settlementDueAt"),
      v<bigint>("convertToAssets", [10n ** BigInt(units.share.decimals)]),
      v<bigint>("convertToAssets", [shares]),
    ]);
  const claimableRedeemAssets = await v<bigint>("maxWithdraw", [who]);
  const [assetBalance, allowance, chainTime] = await Promise.all([
    clients.public.readContract({
      address: asset,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [who],
    }) as Promise<bigint>,
    clients.public.readContract({
      address: asset,
      abi: erc20Abi,
      functionName: "allowance",
      args: [who, vault],
    }) as Promise<bigint>,
    clients.public.getBlock().then((b) => b.timestamp),
  ]);
  return {
    account: who,
    vault,
    shares,
    value,
    pricePerShare,
    pendingDeposit,
    claimableDeposit,
    pendingRedeem,
    claimableRedeemShares,
    claimableRedeemAssets,
    cancelledDeposit,
    cancelledRedeem,
    depositsPaused: limits.depositsPaused,
    redeemsPaused: limits.redeemsPaused,
    minRequestAssets: limits.minRequestAssets,
    settlementDueAt,
    chainTime,
    assetBalance,
    allowance,
  };
}
type Position = Awaited<ReturnType<typeof readPosition>>;

function positionLines(p: Position, units: Units): string[] {
  const a = (x: bigint) => formatTokenAmount(x, units.asset);
  const s = (x: bigint) => formatTokenAmount(x, units.share);
  const due =
    p.settlementDueAt === 0n
      ? "nothing pending"
      : p.settlementDueAt <= p.chainTime
        ? `overdue since ${new Date(Number(p.settlementDueAt) * 1000).toISOString()}: anyone may settle now`
        : `the keeper settles on its schedule; anyone may settle from ${new Date(Number(p.settlementDueAt) * 1000).toISOString()}`;
  return [
    `account             ${p.account}`,
    `vault               ${p.vault}`,
    `shares              ${s(p.shares)}`,
    `value               ${a(p.value)}`,
    `price per share     ${a(p.pricePerShare)}`,
    `pending deposit     ${a(p.pendingDeposit)}`,
    `claimable deposit   ${a(p.claimableDeposit)}`,
    `pending redeem      ${s(p.pendingRedeem)}`,
    `claimable redeem    ${s(p.claimableRedeemShares)}${p.claimableRedeemShares > 0n ? ` = ${a(p.claimableRedeemAssets)}` : ""}`,
    `cancelled deposit   ${a(p.cancelledDeposit)} (claimable now)`,
    `cancelled redeem    ${s(p.cancelledRedeem)} (claimable now)`,
    `deposits            ${p.depositsPaused ? "PAUSED" : "open"}`,
    `redemptions         ${p.redeemsPaused ? "PAUSED" : "open"}`,
    `next settlement     ${due}`,
    `${units.asset.symbol} balance`.padEnd(20) + a(p.assetBalance),
    `${units.asset.symbol} allowance`.padEnd(20) + `${a(p.allowance)} (to the vault)`,
  ];
}

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
    // validate every argument before touching the network (units are checked again against the chain)
    const amountText = command === "request-deposit" ? requiredOption(values, "amount", command) : undefined;
    // USDC has 6 decimals; the amount is parsed again with the decimals the asset reports
    if (amountText !== undefined) parseAmount("amount", amountText, USDC_DECIMALS);
    let sharesText: string | "all" | undefined;
    if (command === "request-redeem") {
      const text = stringOption(values, "shares");
      if (values.all === true && text !== undefined)
        throw new UsageError("give either --shares or --all, not both");
      if (values.all === true) sharesText = "all";
      else if (text === undefined) throw new UsageError("request-redeem needs --shares <n> or --all");
      else {
        parseAmount("shares", text, 18);
        sharesText = text;
      }
    }
    const kind = command === "cancel" ? requiredOption(values, "request", command) : undefined;
    if (kind !== undefined && kind !== "deposit" && kind !== "redeem")
      throw new UsageError(`--request must be 'deposit' or 'redeem', got '${kind}'`);
    const accountText = stringOption(values, "account");
    if (accountText !== undefined && command !== "position")
      throw new UsageError("--account is only for position (other commands act as the key's account)");
    const positionOf = accountText === undefined ? undefined : parseAddress("account", accountText);
    const rpc = parseRpc(values);
    const addresses = await readAddresses(values);
    const vault = addresses.vault;
    const show = (data: Record<string, unknown>, text: string) => report(io, values, data, text);

    if (command === "position" && positionOf !== undefined) {
      const reader = await connectReadOnly(rpc, addresses.chainId);
      const units = await readUnits(reader, addresses.asset, vault);
      const p = await readPosition(reader, vault, addresses.asset, positionOf, units);
      show(p, positionLines(p, units).join("\n"));
      return EXIT_OK;
    }

    const account = loadRoleSigner("DEPOSITOR", values, io.env);
    const clients = await connect(rpc, addresses.chainId, account);
    const me = account.address;
    const units = await readUnits(clients, addresses.asset, vault);
    const a = (x: bigint) => formatTokenAmount(x, units.asset);
    const s = (x: bigint) => formatTokenAmount(x, units.share);
    const vaultWrite = (functionName: string, args: readonly unknown[]) =>
      writeOrSimulate(clients, { address: vault, abi: vaultAbi(), functionName, args }, dryRun);
    const prefix = dryRun ? "[dry-run] " : "";

    switch (command) {
      case "request-deposit": {
        const amount = parseAmount("amount", amountText!, units.asset.decimals);
        return requestDeposit(clients, io, values, { vault, asset: addresses.asset, amount, dryRun, a });
      }
      case "request-redeem": {
        const owned = await clients.public.readContract({
          address: vault,
          abi: vaultAbi(),
          functionName: "balanceOf",
          args: [me],
        });
        const redeem =
          sharesText === "all" ? (owned as bigint) : parseAmount("shares", sharesText!, units.share.decimals);
        if (redeem === 0n) throw new Error(`${me} holds no vault shares`);
        if (redeem > (owned as bigint))
          throw new Error(`--shares ${s(redeem)} exceeds the ${s(owned as bigint)} ${me} holds`);
        const worth = (await clients.public.readContract({
          address: vault,
          abi: vaultAbi(),
          functionName: "convertToAssets",
          args: [redeem],
        })) as bigint;
        const hash = await vaultWrite("requestRedeem", [redeem, me, me]);
        show(
          { dryRun, shares: redeem, estimatedAssets: worth, tx: hash },
          `${prefix}${dryRun ? "would request" : "requested"} to redeem ${s(redeem)} (worth ~${a(worth)} at today's price; the settlement price applies) (${hash})`,
        );
        return EXIT_OK;
      }
      case "claim":
        return claimAll(clients, io, values, { vault, units, dryRun });
      case "cancel": {
        const fn = kind === "deposit" ? "cancelDepositRequest" : "cancelRedeemRequest";
        const hash = await vaultWrite(fn, [0n, me]);
        const v = (functionName: string) =>
          clients.public.readContract({
            address: vault,
            abi: vaultAbi(),
            functionName,
            args: [0n, me],
          }) as Promise<bigint>;
        const back =
          kind === "deposit"
            ? a(await v(dryRun ? "pendingDepositRequest" : "claimableCancelDepositRequest"))
            : s(await v(dryRun ? "pendingRedeemRequest" : "claimableCancelRedeemRequest"));
        show(
          { dryRun, request: kind, claimable: back, tx: hash },
          `${prefix}${dryRun ? "would cancel" : "cancelled"} the pending ${kind} request (${hash}); ${back} ${dryRun ? "would be" : "is"} claimable at once: run \`claim\``,
        );
        return EXIT_OK;
      }
      default: {
        const p = await readPosition(clients, vault, addresses.asset, me, units);
        show(p, positionLines(p, units).join("\n"));
        return EXIT_OK;
      }
    }
  });
}

/**
 * Simulates `requestDeposit` as if the exact approval were already given (a state override on the
 * token's allowance slot), and only when it would succeed approves exactly `amount` and sends it.
 * Should the request still fail once sent, the approval is withdrawn again: nothing is left behind.
 */
async function requestDeposit(
  clients: Clients,
  io: ScriptIo,
  values: Record<string, unknown>,
  r: {
    readonly vault: Address;
    readonly asset: Address;
    readonly amount: bigint;
    readonly dryRun: boolean;
    readonly a: (x: bigint) => string;
  },
): Promise<number> {
  const me = clients.wallet.account.address;
  const override = await allowanceOverride(clients, r.asset, me, r.vault, r.amount);
  const preflight = await simulateRequest(clients, r.vault, r.asset, r.amount, override);
  const show = (data: Record<string, unknown>, text: string) => report(io, values, data, text);
  if (!preflight.ok) {
    io.stderr(`error: the deposit request would revert: ${preflight.reason}; nothing was approved or sent\n`);
    return EXIT_FAILURE;
  }
  if (r.dryRun) {
    show(
      { dryRun: true, amount: r.amount, simulation: preflight.how },
      `[dry-run] a request of ${r.a(r.amount)} would succeed at the current state (${preflight.how}); it would approve exactly ${r.a(r.amount)} and request the deposit. Nothing was sent.`,
    );
    return EXIT_OK;
  }
  const erc20 = erc20Abi;
  const allowance = () =>
    clients.public.readContract({
      address: r.asset,
      abi: erc20,
      functionName: "allowance",
      args: [me, r.vault],
    }) as Promise<bigint>;
  const approve = (amount: bigint) =>
    writeOrSimulate(
      clients,
      { address: r.asset, abi: erc20, functionName: "approve", args: [r.vault, amount] },
      false,
    );
  const before = await allowance();
  if (before !== r.amount) {
    // some tokens refuse to change a non-zero allowance to another non-zero value
    if (before !== 0n) await approve(0n);
    await approve(r.amount);
  }
  let hash: string;
  try {
    hash = await writeOrSimulate(
      clients,
      { address: r.vault, abi: vaultAbi(), functionName: "requestDeposit", args: [r.amount, me, me] },
      false,
    );
  } catch (error) {
    if ((await allowance()) !== 0n) await approve(0n);
    io.stderr(`error: ${describeFailure(error)}; the approval was withdrawn (allowance 0)\n`);
    return EXIT_FAILURE;
  }
  show(
    { dryRun: false, amount: r.amount, tx: hash, allowanceLeft: await allowance() },
    `requested a deposit of ${r.a(r.amount)} (tx ${hash}); it settles at the next settlement, then run \`claim\``,
  );
  return EXIT_OK;
}

/** The request simulated at the current state; `how` says whether the approval was simulated too. */
async function simulateRequest(
  clients: Clients,
  vault: Address,
  asset: Address,
  amount: bigint,
  override: StateOverride | undefined,
): Promise<{ ok: true; how: string } | { ok: false; reason: string }> {
  const me = clients.wallet.account.address;
  if (override) {
    try {
      await clients.public.simulateContract({
        address: vault,
        abi: vaultAbi(),
        functionName: "requestDeposit",
        args: [amount, me, me],
        account: clients.wallet.account,
        stateOverride: override,
      });
      return { ok: true, how: "simulated with the exact approval in place" };
    } catch (error) {
      return { ok: false, reason: describeFailure(error) };
    }
  }
  // The token keeps its allowances where the probe cannot find them: check what the vault checks.
  const [balance, limits] = await Promise.all([
    clients.public.readContract({
      address: asset,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [me],
    }) as Promise<bigint>,
    readVaultLimits(clients, vault),
  ]);
  if (limits.depositsPaused) return { ok: false, reason: "deposits are paused (DepositsPaused)" };
  if (balance < amount)
    return { ok: false, reason: `the balance (${balance} base units) is less than the request` };
  if (amount < limits.minRequestAssets)
    return { ok: false, reason: `below the minimum request of ${limits.minRequestAssets} base units` };
  return { ok: true, how: "balance, pause and minimum checked; the token's allowance slot was not found" };
}

/** Claims everything claimable now, each kind with its own transaction. */
async function claimAll(
  clients: Clients,
  io: ScriptIo,
  values: Record<string, unknown>,
  c: { readonly vault: Address; readonly units: Units; readonly dryRun: boolean },
): Promise<number> {
  const me = clients.wallet.account.address;
  const a = (x: bigint) => formatTokenAmount(x, c.units.asset);
  const s = (x: bigint) => formatTokenAmount(x, c.units.share);
  const v = (functionName: string, args: readonly unknown[]) =>
    clients.public.readContract({ address: c.vault, abi: vaultAbi(), functionName, args }) as Promise<bigint>;
  const write = (functionName: string, args: readonly unknown[]) =>
    writeOrSimulate(clients, { address: c.vault, abi: vaultAbi(), functionName, args }, c.dryRun);
  const [deposit, redeemShares, cancelledDeposit, cancelledRedeem] = await Promise.all([
    v("claimableDepositRequest", [0n, me]),
    v("claimableRedeemRequest", [0n, me]),
    v("claimableCancelDepositRequest", [0n, me]),
    v("claimableCancelRedeemRequest", [0n, me]),
  ]);
  const prefix = c.dryRun ? "[dry-run] would claim" : "claimed";
  const claimed: Record<string, unknown>[] = [];
  const lines: string[] = [];
  if (cancelledDeposit > 0n) {
    const tx = await write("claimCancelDepositRequest", [0n, me, me]);
    claimed.push({ kind: "cancelled-deposit", assets: cancelledDeposit, tx });
    lines.push(`${prefix} ${a(cancelledDeposit)} back from a cancelled deposit (${tx})`);
  }
  if (cancelledRedeem > 0n) {
    const tx = await write("claimCancelRedeemRequest", [0n, me, me]);
    claimed.push({ kind: "cancelled-redeem", shares: cancelledRedeem, tx });
    lines.push(`${prefix} ${s(cancelledRedeem)} back from a cancelled redemption (${tx})`);
  }
  // Claims are never paused: a settled request is the holder's.
  if (deposit > 0n) {
    const tx = await write("deposit", [deposit, me, me]);
    claimed.push({ kind: "deposit", assets: deposit, tx });
    lines.push(`${prefix} the shares of a ${a(deposit)} deposit (${tx})`);
  }
  if (redeemShares > 0n) {
    const assets = await v("maxWithdraw", [me]);
    const tx = await write("redeem", [redeemShares, me, me]);
    claimed.push({ kind: "redeem", shares: redeemShares, assets, tx });
    lines.push(`${prefix} ${a(assets)} for ${s(redeemShares)} redeemed (${tx})`);
  }
  if (lines.length === 0)
    lines.push("nothing claimable yet: requests become claimable when the keeper settles");
  report(io, values, { dryRun: c.dryRun, claimed }, lines.join("\n"));
  return EXIT_OK;
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await depositorMain(process.argv.slice(2));

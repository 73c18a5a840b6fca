import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import {
  type Address,
  type Hex,
  type PublicClient,
  createPublicClient,
  encodeFunctionData,
  http,
  parseUnits,
  toHex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact } from "../../../deploy/lib/artifacts.js";
import { type DemoSession, SCRIPT_DEPOSITOR_ACCOUNT, startDemo } from "../../../scripts/demo/run.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { readVaultLimits } from "../../../scripts/cli/vaultLimits.js";

// Every user path of the scripts, run as the user runs them: `tsx scripts/<name>.ts` as a child
// process against the local stack served over JSON-RPC, then the chain (and the operators' store)
// is read back. Attack classes (../shared/research/attack-classes.md): AC20 (a batch outside the
// allowlist never collects signatures), AC16 (pauses stop requests, governance alone unpauses).

const MNEMONIC = "test test test test test test test test test test test junk";
const keyOf = (index: number): Hex =>
  toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
const addressOf = (index: number): Address => mnemonicToAccount(MNEMONIC, { addressIndex: index }).address;
const USDC = (amount: string) => parseUnits(amount, 6);
const run = promisify(execFile);

/** Runs `scripts/<script>.ts` in a fresh Node process (the bundled Node 22 with the tsx loader). */
async function script(name: string, argv: readonly string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", `scripts/${name}.ts`, ...argv],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("user paths: the scripts as processes against the local stack", function () {
  this.timeout(240_000);
  let session: DemoSession;
  let dir: string;
  let common: string[];
  let store: string[];
  const vaultAbi = projectArtifact("AccountingManager").abi;
  const erc20Abi = projectArtifact("MockERC20").abi;
  const me = addressOf(SCRIPT_DEPOSITOR_ACCOUNT);
  const depositor = { DEPOSITOR_PRIVATE_KEY: keyOf(SCRIPT_DEPOSITOR_ACCOUNT) };
  let chain: PublicClient;
  const vaultRead = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.readContract({
      address: session.local.stack.vault,
      abi: vaultAbi,
      functionName,
      args,
    }) as Promise<T>;
  const usdcRead = <T>(functionName: string, args: readonly unknown[]) =>
    chain.readContract({
      address: session.local.stack.asset,
      abi: erc20Abi,
      functionName,
      args,
    }) as Promise<T>;
  const allowance = () => usdcRead<bigint>("allowance", [me, session.local.stack.vault]);
  const balance = () => usdcRead<bigint>("balanceOf", [me]);

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "user-paths-"));
    const addressesFile = path.join(dir, "addresses.json");
    session = await startDemo({
      port: 0,
      statusPort: null,
      addressesFile,
      log: () => undefined,
      polymarket: false,
    });
    common = ["--rpc", session.rpcUrl, "--addresses", addressesFile];
    store = ["--store", path.join(dir, "keeper.sqlite")];
    chain = createPublicClient({ transport: http(session.rpcUrl) });
  });
  after(async function () {
    await session?.close();
  });

  it("[AC16 pause] depositor: a failed request leaves no allowance, a cancelled deposit comes back to the wallet, pauses say so", async function () {
    const startBalance = await balance();
    expect(startBalance).to.equal(USDC("100000"));
    expect(await allowance()).to.equal(0n);

    // more than the balance: refused in simulation, nothing approved
    const tooMuch = await script(
      "depositor",
      ["request-deposit", "--amount", "999999999999", ...common],
      depositor,
    );
    expect(tooMuch.code, tooMuch.stderr).to.equal(1);
    expect(tooMuch.stderr).to.include("ERC20InsufficientBalance").and.include("nothing was approved or sent");
    expect(await allowance()).to.equal(0n);

    // a real dry run simulates at the current state and sends nothing
    const dry = await script(
      "depositor",
      ["request-deposit", "--amount", "250", "--dry-run", "--json", ...common],
      depositor,
    );
    expect(dry.code, dry.stderr).to.equal(0);
    expect(JSON.parse(dry.stdout)).to.include({ dryRun: true, amount: "250000000" });
    expect(await allowance()).to.equal(0n);
    expect(await balance()).to.equal(startBalance);

    const request = await script("depositor", ["request-deposit", "--amount", "250", ...common], depositor);
    expect(request.code, request.stderr).to.equal(0);
    expect(await allowance()).to.equal(0n); // the exact approval was consumed
    expect(await vaultRead<bigint>("pendingDepositRequest", [0n, me])).to.equal(USDC("250"));

    const cancel = await script("depositor", ["cancel", "--request", "deposit", ...common], depositor);
    expect(cancel.code, cancel.stderr).to.equal(0);
    expect(cancel.stdout).to.include("250 USDC is claimable at once");

    // position of any account, without a key
    const position = await script("depositor", ["position", "--account", me, "--json", ...common]);
    expect(position.code, position.stderr).to.equal(0);
    const p = JSON.parse(position.stdout) as Record<string, unknown>;
    expect(p).to.include({ cancelledDeposit: "250000000", pendingDeposit: "0", depositsPaused: false });
    expect(BigInt(p.pricePerShare as string) > 0n).to.equal(true);

    const claim = await script("depositor", ["claim", ...common], depositor);
    expect(claim.code, claim.stderr).to.equal(0);
    expect(claim.stdout).to.include("250 USDC back from a cancelled deposit");
    expect(await balance()).to.equal(startBalance);
    expect(await vaultRead<bigint>("claimableCancelDepositRequest", [0n, me])).to.equal(0n);

    // the guardian pauses deposits; pausing again says so and sends nothing
    const guardian = { GUARDIAN_PRIVATE_KEY: keyOf(7) };
    const paused = await script("operator", ["pause", "--what", "deposits", ...common], guardian);
    expect(paused.code, paused.stderr).to.equal(0);
    const sentBefore = await chain.getTransactionCount({ address: addressOf(7) });
    const again = await script("operator", ["pause", "--what", "deposits", ...common], guardian);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.include("deposits are already paused").and.include("nothing sent");
    expect(await chain.getTransactionCount({ address: addressOf(7) })).to.equal(sentBefore);

    // a request while paused fails before any approval
    const whilePaused = await script(
      "depositor",
      ["request-deposit", "--amount", "10", ...common],
      depositor,
    );
    expect(whilePaused.code).to.equal(1);
    expect(whilePaused.stderr).to.include("DepositsPaused()");
    expect(await allowance()).to.equal(0n);

    // governance unpauses: Safe (2 of 3 owners) -> timelock, with the local clock skipped
    const owners = { SAFE_OWNER_PRIVATE_KEYS: `${keyOf(1)},${keyOf(2)}` };
    const unpause = await script(
      "governance",
      ["unpause", "--what", "deposits", "--skip-time", "--operations", path.join(dir, "ops"), ...common],
      owners,
    );
    expect(unpause.code, unpause.stderr).to.equal(0);
    expect(unpause.stdout).to.match(/executed operation 0x[0-9a-f]{64}/);
    expect(
      (await readVaultLimits({ public: chain as never }, session.local.stack.vault)).depositsPaused,
    ).to.equal(false);
    const noop = await script("governance", ["unpause", "--what", "deposits", ...common], owners);
    expect(noop.code, noop.stderr).to.equal(0);
    expect(noop.stdout).to.include("deposits are already open").and.include("nothing sent");
  });

  it("[AC20 signed batches] operators: review decodes calls and reverts, a rejected proposal is never signed, a call outside the allowlist is marked failed", async function () {
    const vault = session.local.stack.vault;
    const gate = session.local.stack.gate;
    const gateNonce = () =>
      chain.readContract({ address: gate, abi: projectArtifact("KeeperGate").abi, functionName: "nonce" });
    const nonceBefore = await gateNonce();
    const settle = encodeFunctionData({ abi: vaultAbi, functionName: "settle" });
    const settleFile = path.join(dir, "settle.json");
    await writeFile(
      settleFile,
      JSON.stringify({ calls: [{ target: vault, data: settle }], note: "settle the queue" }),
    );
    const proposed = await script("strategist", ["propose", "--calls", settleFile, ...store, ...common]);
    expect(proposed.code, proposed.stderr).to.equal(0);
    const id = /proposal (0x[0-9a-f]{64})/.exec(proposed.stdout)![1]! as Hex;

    // nothing is pending: the review decodes the call and the revert (NothingToSettle, not a selector)
    const review = await script("operator", ["review", "--proposal", id, ...store, ...common]);
    expect(review.stdout).to.include("note: settle the queue").and.include("vault.settle()");
    expect(review.stdout).to.include("REVERTS").and.include("NothingToSettle()");
    expect(review.code).to.equal(1);

    const rejected = await script("operator", [
      "reject",
      "--proposal",
      id,
      "--reason",
      "nothing to settle",
      "--operator-id",
      "op-a",
      ...store,
      ...common,
    ]);
    expect(rejected.code, rejected.stderr).to.equal(0);
    expect(rejected.stdout).to.include(`proposal ${id}: rejected`);
    const sign = await script(
      "operator",
      ["sign", "--proposal", id, "--operator-id", "op-b", ...store, ...common],
      {
        KEEPER_PRIVATE_KEY: keyOf(5),
      },
    );
    expect(sign.code).to.equal(1);
    expect(sign.stderr).to.include(`proposal ${id}`).and.include("status failed");

    // a call the gate may never make: signing marks it failed with the decoded reason
    const outside = encodeFunctionData({ abi: vaultAbi, functionName: "pauseDeposits" });
    const outsideFile = path.join(dir, "outside.json");
    await writeFile(
      outsideFile,
      JSON.stringify({ calls: [{ target: vault, data: outside }], note: "not allowed" }),
    );
    const second = await script("strategist", ["propose", "--calls", outsideFile, ...store, ...common]);
    const outsideId = /proposal (0x[0-9a-f]{64})/.exec(second.stdout)![1]! as Hex;
    const refused = await script(
      "operator",
      ["sign", "--proposal", outsideId, "--operator-id", "op-a", ...store, ...common],
      {
        KEEPER_PRIVATE_KEY: keyOf(4),
      },
    );
    expect(refused.code).to.equal(1);
    expect(refused.stderr, refused.stderr).to.include("CallNotAllowed(vault");

    const db = SqliteStore.open({ path: store[1]! });
    try {
      expect((await db.getProposal(id))!.status).to.equal("failed");
      expect((await db.getProposal(id))!.statusReason).to.equal("rejected by op-a: nothing to settle");
      expect(await db.listSignatures(id)).to.have.length(0);
      const failed = (await db.getProposal(outsideId))!;
      expect(failed.status).to.equal("failed");
      expect(failed.statusReason).to.include("CallNotAllowed");
      expect(await db.listSignatures(outsideId)).to.have.length(0);
    } finally {
      await db.close();
    }
    // the gate never executed either of them
    expect(await gateNonce()).to.equal(nonceBefore);

    // the same batch proposed again after the earlier one was closed is a new proposal
    const again = await script("strategist", ["propose", "--calls", settleFile, ...store, ...common]);
    expect(again.code, again.stderr).to.equal(0);
    const againId = /proposal (0x[0-9a-f]{64})/.exec(again.stdout)![1]!;
    expect(againId).to.not.equal(id);
    expect(again.stdout).to.include("status proposed");
  });
});

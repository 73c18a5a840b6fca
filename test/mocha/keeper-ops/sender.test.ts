import { expect } from "chai";
import { createPublicClient, custom, encodeFunctionData, parseEther, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deploy, projectArtifact, read } from "../../../deploy/lib/artifacts.js";
import {
  ForeignIntentError,
  IntentConflictError,
  IntentFailedError,
  ReliableSender,
  SimulationRevertedError,
  WaitTimeoutError,
  type SendCheckpoint,
  type SenderOptions,
} from "../../../keeper/chain/sender.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { Store } from "../../../keeper/store/types.js";
import { localChain } from "../helpers/chain.js";
import { faultyProvider } from "./helpers/faultyProvider.js";

const { connection, networkHelpers, deployer, publicClient } = await localChain();
const token = await deploy(deployer, projectArtifact("MockERC20"), ["USD Coin", "USDC", 6]);
const erc20 = projectArtifact("MockERC20").abi;
const chainId = await publicClient.getChainId();

class Crash extends Error {}

function setAutomine(on: boolean) {
  return connection.provider.request({ method: "evm_setAutomine", params: [on] });
}

async function freshAccount() {
  const account = privateKeyToAccount(generatePrivateKey());
  await networkHelpers.setBalance(account.address, parseEther("10"));
  return account;
}

function mintIntent(id: string, to: Address, amount = 1n) {
  return {
    id,
    to: token,
    data: encodeFunctionData({ abi: erc20, functionName: "mint", args: [to, amount] }),
  };
}

const balanceOf = (who: Address) =>
  read<bigint>(deployer, { address: token, abi: erc20, functionName: "balanceOf", args: [who] });

function recipient(): Address {
  return privateKeyToAccount(generatePrivateKey()).address;
}

function makeSender(
  store: Store,
  account: Awaited<ReturnType<typeof freshAccount>>,
  overrides: Partial<SenderOptions> = {},
) {
  const faults = faultyProvider(connection.provider);
  const client = createPublicClient({ transport: custom(faults.provider, { retryCount: 0 }), cacheTime: 0 });
  const sender = new ReliableSender({
    client,
    account,
    chainId,
    store,
    retry: { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 5, rpcTimeoutMs: 300 },
    stuckAfterMs: 60_000,
    feeBumpPercent: 15,
    maxReplacements: 2,
    pollIntervalMs: 5,
    ...overrides,
  });
  return { sender, faults };
}

function crashAt(point: SendCheckpoint) {
  return (checkpoint: SendCheckpoint) => {
    if (checkpoint === point) throw new Crash(`crash at ${point}`);
  };
}

async function expectRejects<T extends Error>(
  promise: Promise<unknown>,
  type: new (...a: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return error as T;
  }
  throw new Error(`expected ${type.name}`);
}

describe("keeper/chain: reliable sender on a local EDR chain", function () {
  afterEach(async function () {
    await setAutomine(true);
  });

  it("simulates, journals, sends and confirms; a repeated send returns the stored outcome", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const { sender, faults } = makeSender(store, account);
    const to = recipient();
    const outcome = await sender.send(mintIntent("mint-1", to, 5n));
    expect(outcome.status).to.equal("confirmed");
    expect(await balanceOf(to)).to.equal(5n);
    const sends = await store.listSends("mint-1");
    expect(sends).to.have.length(1);
    expect(sends[0]).to.include({ status: "mined", nonce: 0, kind: "original", receiptStatus: "success" });
    faults.resetCounts();
    const again = await sender.send(mintIntent("mint-1", to, 5n));
    expect(again).to.deep.equal({ ...outcome, blockNumber: outcome.blockNumber });
    expect(faults.count("eth_sendRawTransaction")).to.equal(0);
    expect(await balanceOf(to)).to.equal(5n);
    await expectRejects(sender.send(mintIntent("mint-1", to, 6n)), IntentConflictError);
  });

  it("never sends a call that reverts in simulation, and does not retry the revert", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const { sender, faults } = makeSender(store, account);
    const transfer = encodeFunctionData({ abi: erc20, functionName: "transfer", args: [recipient(), 1n] });
    const error = await expectRejects(
      sender.send({ id: "bad", to: token, data: transfer }),
      SimulationRevertedError,
    );
    expect(error.reason).to.match(/revert/i);
    expect(faults.count("eth_call")).to.equal(1);
    expect(faults.count("eth_sendRawTransaction")).to.equal(0);
    expect(await publicClient.getTransactionCount({ address: account.address })).to.equal(0);
    expect(await store.getIntent("bad")).to.include({ status: "failed" });
  });

  it("retries transient RPC errors and timeouts with backoff", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const { sender, faults } = makeSender(store, account);
    faults.inject({ method: "eth_call", mode: "error", times: 2 });
    faults.inject({ method: "eth_estimateGas", mode: "timeout", times: 1 });
    faults.inject({ method: "eth_getTransactionReceipt", mode: "error", times: 2 });
    const to = recipient();
    const outcome = await sender.send(mintIntent("retry-1", to));
    expect(outcome.status).to.equal("confirmed");
    expect(faults.count("eth_call")).to.equal(3);
    expect(faults.count("eth_estimateGas")).to.equal(2);
    expect(await balanceOf(to)).to.equal(1n);
  });

  it("a lost broadcast response is retried without executing twice", async function () {
    for (const automine of [true, false]) {
      await setAutomine(automine);
      const store = SqliteStore.open({ path: ":memory:" });
      const account = await freshAccount();
      const { sender, faults } = makeSender(store, account);
      faults.inject({ method: "eth_sendRawTransaction", mode: "after", times: 1 });
      const to = recipient();
      const pending = sender.send(mintIntent(`lost-${automine}`, to));
      if (!automine) {
        while (faults.count("eth_sendRawTransaction") < 2) await new Promise((r) => setTimeout(r, 5));
        await networkHelpers.mine();
      }
      expect((await pending).status).to.equal("confirmed");
      expect(faults.count("eth_sendRawTransaction")).to.equal(2);
      expect(await balanceOf(to)).to.equal(1n);
      expect(await publicClient.getTransactionCount({ address: account.address })).to.equal(1);
    }
  });

  for (const point of ["journaled", "broadcast", "mined"] as const) {
    it(`a crash after '${point}' is recovered by a fresh sender on the same store, executing once`, async function () {
      const store = SqliteStore.open({ path: ":memory:" });
      const account = await freshAccount();
      const to = recipient();
      const first = makeSender(store, account, { onCheckpoint: crashAt(point) });
      await expectRejects(first.sender.send(mintIntent("crash", to, 7n)), Crash);
      const restarted = makeSender(store, account);
      const outcome = await restarted.sender.send(mintIntent("crash", to, 7n));
      expect(outcome.status).to.equal("confirmed");
      expect(await balanceOf(to)).to.equal(7n);
      expect(await publicClient.getTransactionCount({ address: account.address })).to.equal(1);
      const sends = await store.listSends("crash");
      expect(sends.map((s) => s.status)).to.deep.equal(["mined"]);
      expect(restarted.faults.count("eth_sendRawTransaction")).to.equal(point === "journaled" ? 1 : 0);
    });
  }

  it("a crash while the tx sits in the mempool resumes waiting instead of re-sending", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const to = recipient();
    const first = makeSender(store, account, { onCheckpoint: crashAt("broadcast") });
    await expectRejects(first.sender.send(mintIntent("mempool", to)), Crash);
    const restarted = makeSender(store, account);
    await expectRejects(
      restarted.sender.send(mintIntent("mempool", to), { timeoutMs: 30 }),
      WaitTimeoutError,
    );
    await networkHelpers.mine();
    const outcome = await restarted.sender.send(mintIntent("mempool", to));
    expect(outcome.status).to.equal("confirmed");
    expect(restarted.faults.count("eth_sendRawTransaction")).to.equal(0);
    expect(await balanceOf(to)).to.equal(1n);
  });

  it("a tx that simulated fine but reverts on-chain is reported as reverted and never re-sent", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    await deployer.wallet.writeContract({
      address: token,
      abi: erc20,
      functionName: "mint",
      args: [account.address, 1n],
    });
    await networkHelpers.mine();
    const { sender, faults } = makeSender(store, account);
    const transfer = encodeFunctionData({ abi: erc20, functionName: "transfer", args: [recipient(), 1n] });
    await sender.submit({ id: "doomed", to: token, data: transfer });
    // Someone burns the balance first, in the same block, with a higher tip.
    await deployer.wallet.writeContract({
      address: token,
      abi: erc20,
      functionName: "burn",
      args: [account.address, 1n],
      gas: 100_000n,
      maxPriorityFeePerGas: parseEther("0.000001"),
      maxFeePerGas: parseEther("0.00001"),
    });
    await networkHelpers.mine();
    const outcome = await sender.waitFor("doomed");
    expect(outcome.status).to.equal("reverted");
    expect(faults.count("eth_sendRawTransaction")).to.equal(1);
    expect(await publicClient.getTransactionCount({ address: account.address })).to.equal(1);
    const again = await sender.send({ id: "doomed", to: token, data: transfer });
    expect(again.status).to.equal("reverted");
    expect(faults.count("eth_sendRawTransaction")).to.equal(1);
  });

  it("replaces a stuck tx with bumped fees; only the replacement is mined", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    let clock = 0;
    const { sender } = makeSender(store, account, { stuckAfterMs: 1_000, now: () => clock });
    const to = recipient();
    const hash = await sender.submit(mintIntent("stuck", to));
    expect(hash).to.be.a("string");
    clock = 5_000;
    const waiting = sender.waitFor("stuck");
    while ((await store.listSends("stuck")).length < 2) await new Promise((r) => setTimeout(r, 5));
    await networkHelpers.mine();
    const outcome = await waiting;
    const sends = await store.listSends("stuck");
    expect(sends.map((s) => [s.kind, s.status])).to.deep.equal([
      ["original", "replaced"],
      ["replacement", "mined"],
    ]);
    expect(outcome.hash).to.equal(sends[1]!.hash);
    expect(sends[1]!.maxFeePerGas * 100n >= sends[0]!.maxFeePerGas * 115n).to.equal(true);
    expect(await balanceOf(to)).to.equal(1n);
  });

  it("cancels a stuck tx: the self-transfer takes the nonce and the call never runs", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const { sender } = makeSender(store, account);
    const to = recipient();
    await sender.submit(mintIntent("cancel-me", to));
    await sender.cancel("cancel-me");
    await networkHelpers.mine();
    const outcome = await sender.waitFor("cancel-me");
    expect(outcome.status).to.equal("cancelled");
    expect(await balanceOf(to)).to.equal(0n);
    expect(await publicClient.getTransactionCount({ address: account.address })).to.equal(1);
    expect((await store.getIntent("cancel-me"))!.status).to.equal("cancelled");
  });

  it("detects a nonce gap (the node dropped a journaled tx) and re-broadcasts the journaled bytes", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const { sender } = makeSender(store, account);
    const a = recipient();
    const b = recipient();
    const first = (await sender.submit(mintIntent("gap-a", a))) as Hex;
    await sender.submit(mintIntent("gap-b", b));
    expect(await networkHelpers.dropTransaction(first)).to.equal(true);
    const report = await sender.reconcile();
    expect(report.rebroadcast).to.deep.equal([first]);
    await networkHelpers.mine();
    expect((await sender.waitFor("gap-a")).status).to.equal("confirmed");
    expect((await sender.waitFor("gap-b")).status).to.equal("confirmed");
    expect([await balanceOf(a), await balanceOf(b)]).to.deep.equal([1n, 1n]);
  });

  it("fills a nonce hole with no journal entry (a dropped foreign tx) so our later tx is not stuck", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const foreign = await account.signTransaction({
      chainId,
      type: "eip1559",
      nonce: 0,
      to: account.address,
      gas: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const foreignHash = await publicClient.sendRawTransaction({ serializedTransaction: foreign });
    const { sender } = makeSender(store, account);
    const to = recipient();
    await sender.submit(mintIntent("behind-hole", to));
    expect((await store.listSends("behind-hole"))[0]!.nonce).to.equal(1);
    await networkHelpers.dropTransaction(foreignHash);
    const report = await sender.reconcile();
    expect(report.filled).to.deep.equal([0]);
    await networkHelpers.mine();
    expect((await sender.waitFor("behind-hole")).status).to.equal("confirmed");
    expect(await balanceOf(to)).to.equal(1n);
    expect(await publicClient.getTransactionCount({ address: account.address })).to.equal(2);
  });

  it("takes nonces from the chain: a foreign tx from the same key is not collided with", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const foreign = await account.signTransaction({
      chainId,
      type: "eip1559",
      nonce: 0,
      to: account.address,
      gas: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    await publicClient.sendRawTransaction({ serializedTransaction: foreign });
    const { sender } = makeSender(store, account);
    const to = recipient();
    await sender.send(mintIntent("after-foreign", to));
    expect((await store.listSends("after-foreign"))[0]!.nonce).to.equal(1);
    expect(await balanceOf(to)).to.equal(1n);
  });

  it("a halted chain: send returns after its timeout, stuck() names the intent after the replacements, a cancel is broadcast, and mining resumes it without a restart", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    let clock = 0;
    const stuckReports: string[] = [];
    const { sender } = makeSender(store, account, {
      stuckAfterMs: 1_000,
      maxReplacements: 1,
      cancelAfterMs: 3_000,
      now: () => clock,
      sleep: async () => {
        clock += 500;
        await new Promise((r) => setTimeout(r, 1));
      },
      onStuck: (s) => void stuckReports.push(s.intentId),
    });
    const to = recipient();
    const started = performance.now();
    await expectRejects(sender.send(mintIntent("halted", to), { timeoutMs: 10_000 }), WaitTimeoutError);
    expect(performance.now() - started).to.be.below(5_000, "bounded by the (simulated) timeout");
    const kinds = (await store.listSends("halted")).map((s) => s.kind);
    expect(kinds).to.deep.equal(["original", "replacement", "cancel"]);
    expect(stuckReports).to.deep.equal(["halted"]);
    expect(sender.stuck().map((s) => [s.intentId, s.cancelled])).to.deep.equal([["halted", true]]);
    await networkHelpers.mine();
    const outcome = await sender.waitFor("halted", { timeoutMs: 10_000 });
    expect(outcome.status).to.equal("cancelled", "the cancel had the highest fee and took the nonce");
    expect(await balanceOf(to)).to.equal(0n);
    expect(sender.stuck()).to.deep.equal([]);
  });

  it("a transaction the node dropped while we wait is re-broadcast by the same process", async function () {
    await setAutomine(false);
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const { sender } = makeSender(store, account, { rebroadcastEveryMs: 0 });
    const to = recipient();
    const hash = (await sender.submit(mintIntent("dropped", to))) as Hex;
    expect(await networkHelpers.dropTransaction(hash)).to.equal(true);
    const waiting = sender.waitFor("dropped", { timeoutMs: 30_000 });
    for (let i = 0; i < 200; i++) {
      const pending = (await connection.provider.request({
        method: "eth_getTransactionByHash",
        params: [hash],
      })) as unknown;
      if (pending) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await networkHelpers.mine();
    const outcome = await waiting;
    expect(outcome).to.include({ status: "confirmed", hash });
    expect(await balanceOf(to)).to.equal(1n);
  });

  it("waiting on a failed intent ends with IntentFailedError instead of hanging", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const account = await freshAccount();
    const { sender } = makeSender(store, account);
    await store.upsertIntent({
      ...mintIntent("gone", recipient()),
      account: account.address,
      chainId,
      value: 0n,
    });
    await store.setIntentStatus("gone", "failed", { error: "execute reverts in simulation" });
    const error = await expectRejects(sender.waitFor("gone", { timeoutMs: 60_000 }), IntentFailedError);
    expect(error.reason).to.equal("execute reverts in simulation");
  });

  it("refuses to send or reconcile another account's intent found in a shared store", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const mine = await freshAccount();
    const theirs = await freshAccount();
    const { sender: theirSender } = makeSender(store, theirs);
    const { sender } = makeSender(store, mine);
    const to = recipient();
    await theirSender.send(mintIntent("theirs", to));
    await expectRejects(sender.send(mintIntent("theirs", to)), ForeignIntentError);
    await expectRejects(sender.waitFor("theirs"), ForeignIntentError);
    expect(await publicClient.getTransactionCount({ address: mine.address })).to.equal(0);
    expect((await store.getIntent("theirs"))!.status).to.equal("confirmed");
  });
});

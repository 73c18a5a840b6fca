import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, custom, type LocalAccount } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { DEFAULT_ROLE_INDICES, stackCalls } from "../../../deploy/product/stack.js";
import { ReliableSender, type SendCheckpoint } from "../../../keeper/chain/sender.js";
import { ViemGateReader } from "../../../keeper/multisig/gate.js";
import { keeperGateAbi } from "../../../keeper/abi/contracts.js";
import { computeProvenance } from "../../../keeper/multisig/provenance.js";
import { MultisigWorkflow, submitLeaseKey } from "../../../keeper/multisig/workflow.js";
import { PostgresStore } from "../../../keeper/store/postgres.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { Store } from "../../../keeper/store/types.js";
import { localChain } from "../helpers/chain.js";
import { gateWorkflow } from "../helpers/gateWorkflow.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

// Two operators ("hosts") with their own accounts on one shared store, against the stack's real
// KeeperGate with interval mining (transactions wait in the pool): exactly one of them submits each
// proposal; a submitter that dies mid-submit is taken over once its lease lapses; the dead one, on
// restart, neither re-sends the execution nor hangs.

const { connection, clientsFor, publicClient } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const MNEMONIC = "test test test test test test test test test test test junk";
const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const client = createPublicClient({
  chain: publicClient.chain,
  transport: custom(connection.provider, { retryCount: 0 }),
  cacheTime: 0,
});
const retry = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, rpcTimeoutMs: 5_000 };
const { stack, protocols } = await deployLocalStack(accounts[0]!, { accounts });
const reader = new ViemGateReader(client, stack.gate);

class Crash extends Error {}

const BACKENDS: { name: string; shared(): Promise<() => Promise<Store>> }[] = [
  {
    name: "SQLite (one host)",
    shared: async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-mh-")), "shared.sqlite");
      return async () => SqliteStore.open({ path: file });
    },
  },
  {
    name: "Postgres (several hosts)",
    shared: async () => {
      const url = await freshPostgresDatabase();
      return () => PostgresStore.open({ url });
    },
  },
];

function operator(
  store: Store,
  id: string,
  account: LocalAccount,
  options: { submitTimeoutMs?: number; leaseMarginMs?: number; crashAt?: SendCheckpoint } = {},
) {
  const workflow = gateWorkflow(client, chainId, stack, store, id, {
    submitTimeoutMs: options.submitTimeoutMs ?? 20_000,
    submitLeaseMarginMs: options.leaseMarginMs ?? 5_000,
  });
  const sender = new ReliableSender({
    client,
    account,
    chainId,
    store,
    retry,
    stuckAfterMs: 60_000,
    feeBumpPercent: 15,
    maxReplacements: 1,
    pollIntervalMs: 20,
    onCheckpoint: (checkpoint) => {
      if (checkpoint === options.crashAt) throw new Crash(`${id} killed at ${checkpoint}`);
    },
  });
  return { workflow, sender, account };
}

async function signedProposal(workflow: MultisigWorkflow, seed: number) {
  const call = stackCalls.trackToken(stack.connectors.uniswap, protocols.tokens.weth);
  const plan = { actions: [{ trackToken: protocols.tokens.weth }], seed };
  const snapshot = { markets: [], seed };
  const p = await workflow.propose({
    plan,
    snapshot,
    calls: [call],
    provenance: computeProvenance(snapshot, plan),
  });
  await workflow.sign(p.id, key(DEFAULT_ROLE_INDICES.operators[0]));
  await workflow.sign(p.id, key(DEFAULT_ROLE_INDICES.operators[2]));
  return p;
}

async function executedCount(nonce: bigint): Promise<number> {
  const logs = await client.getContractEvents({
    address: stack.gate,
    abi: keeperGateAbi,
    eventName: "Executed",
    args: { nonce },
    fromBlock: 0n,
  });
  return logs.length;
}

for (const backend of BACKENDS) {
  describe(`several operators on one ${backend.name} store against the real KeeperGate`, function () {
    this.timeout(120_000);
    before(async function () {
      await connection.provider.request({ method: "evm_setAutomine", params: [false] });
      await connection.provider.request({ method: "evm_setIntervalMining", params: [100] });
    });
    after(async function () {
      await connection.provider.request({ method: "evm_setIntervalMining", params: [0] });
      await connection.provider.request({ method: "evm_setAutomine", params: [true] });
    });

    it("two operators submitting at once: one lease holder sends, the other observes; executed once", async function () {
      const open = await backend.shared();
      const [storeA, storeB] = [await open(), await open()];
      const a = operator(storeA, "op-a", key(11));
      const b = operator(storeB, "op-b", key(12));
      const p = await signedProposal(a.workflow, 1);
      const before = await Promise.all(
        [a, b].map((o) => client.getTransactionCount({ address: o.account.address })),
      );
      for (let round = 0; round < 50; round++) {
        const [ra, rb] = await Promise.all([
          a.workflow.submit(p.id, a.sender),
          b.workflow.submit(p.id, b.sender),
        ]);
        if (ra.status === "executed" && rb.status === "executed") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const after = await Promise.all(
        [a, b].map((o) => client.getTransactionCount({ address: o.account.address })),
      );
      const sent = after.map((n, i) => n - before[i]!);
      expect(sent.sort()).to.deep.equal([0, 1], "exactly one operator sent exactly one transaction");
      expect(await executedCount(p.nonce)).to.equal(1);
      expect((await storeA.getProposal(p.id))!.status).to.equal("executed");
      expect((await storeB.getProposal(p.id))!.txHash).to.equal((await reader.executed(p.nonce))!.txHash);
      expect(await storeA.getLease(submitLeaseKey(p.id))).to.equal(undefined, "lease released when final");
      await storeA.close();
      await storeB.close();
    });

    it("a submitter killed after journaling is taken over once its lease lapses; on restart it cancels instead of re-sending", async function () {
      const open = await backend.shared();
      const [storeA, storeB] = [await open(), await open()];
      const lease = { submitTimeoutMs: 300, leaseMarginMs: 200 };
      const dead = operator(storeA, "op-a", key(11), { ...lease, crashAt: "journaled" });
      const b = operator(storeB, "op-b", key(12), lease);
      const p = await signedProposal(b.workflow, 2);
      let crashed = false;
      try {
        await dead.workflow.submit(p.id, dead.sender);
      } catch (error) {
        crashed = error instanceof Crash;
      }
      expect(crashed).to.equal(true);
      const whileHeld = await b.workflow.submit(p.id, b.sender);
      expect(whileHeld.status).to.equal("submitted", "b only observes while a's lease is live");
      const nonceB = await client.getTransactionCount({ address: b.account.address });
      const started = performance.now();
      let done = whileHeld;
      while (done.status !== "executed" && performance.now() - started < 30_000) {
        await new Promise((r) => setTimeout(r, 50));
        done = await b.workflow.submit(p.id, b.sender);
      }
      expect(done.status).to.equal("executed");
      expect(await client.getTransactionCount({ address: b.account.address })).to.equal(nonceB + 1);

      // a restarts: its journaled execute (never broadcast) would now revert, so it takes the nonce
      // with a cancel; nothing of a's executes, and nothing hangs.
      const restarted = operator(storeA, "op-a", key(11), lease);
      const report = await restarted.sender.reconcile();
      expect(report.cancelled).to.have.length(1);
      const outcome = await restarted.sender.waitFor(report.cancelled[0]!, { timeoutMs: 20_000 });
      expect(outcome.status).to.equal("cancelled");
      expect(await executedCount(p.nonce)).to.equal(1);
      expect((await restarted.workflow.submit(p.id, restarted.sender)).status).to.equal("executed");
      await storeA.close();
      await storeB.close();
    });
  });
}

describe("finality: a reorg after execution", function () {
  this.timeout(60_000);
  it("moves the removed execution back; the next submit executes it once on the new fork", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const a = operator(store, "op-a", key(11));
    const p = await signedProposal(a.workflow, 3);
    const snapshot = (await connection.provider.request({ method: "evm_snapshot", params: [] })) as string;
    const first = await a.workflow.submit(p.id, a.sender);
    expect(first.status).to.equal("executed");
    await connection.provider.request({ method: "evm_revert", params: [snapshot] });
    expect(await reader.nonce()).to.equal(p.nonce, "the fork without the execution");
    expect(await executedCount(p.nonce)).to.equal(0);

    const reopened = await a.sender.recheckMined();
    expect(reopened).to.have.length(1);
    expect(await a.workflow.recheckExecuted()).to.deep.equal([p.id]);
    expect((await store.getProposal(p.id))!.status).to.equal("submitted");

    const again = await a.workflow.submit(p.id, a.sender);
    expect(again.status).to.equal("executed");
    expect(await executedCount(p.nonce)).to.equal(1);
    expect(again.txHash).to.equal((await reader.executed(p.nonce))!.txHash);
    expect(await a.sender.recheckMined()).to.deep.equal([], "nothing more to redo");
    expect(await a.workflow.recheckExecuted()).to.deep.equal([]);
    await store.close();
  });
});

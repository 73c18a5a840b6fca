import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http, toHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { startRpcServer } from "../../../deploy/local/rpcServer.js";
import { DEFAULT_ROLE_INDICES, stackCalls } from "../../../deploy/product/stack.js";
import { keeperGateAbi } from "../../../keeper/abi/contracts.js";
import { main } from "../../../keeper/cli/main.js";
import { ViemGateReader } from "../../../keeper/multisig/gate.js";
import { computeProvenance } from "../../../keeper/multisig/provenance.js";
import { REBUILT_PROPOSER } from "../../../keeper/multisig/rebuild.js";
import { submitIntentId } from "../../../keeper/multisig/workflow.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { addressesJson } from "../../../scripts/demo/run.js";
import { keeperConfigMain } from "../../../scripts/keeper-config.js";
import { localChain } from "../helpers/chain.js";
import { gateWorkflow } from "../helpers/gateWorkflow.js";
import { exited, startKeeper, stopKeeper, waitFor, type KeeperProcess } from "../helpers/keeperProcess.js";

// Faults met by real `keeper run` processes against the local chain over JSON-RPC with interval
// mining (one deployment for the file):
// - the store of two keepers is lost (deleted) while one of their executions waits in the node's
//   pool. `keeper rebuild --new-store` fills a new store from the chain; the keepers restarted on it
//   settle the pooled execution (no second one), execute the next proposal, and no gate nonce or
//   batch runs twice;
// - mining halts during a submit: the sender replaces, then reports itself stuck on `/health`
//   while the monitor and settle tasks keep running; the node drops the transactions and mining
//   resumes: the keeper re-sends the journaled one without a restart and the batch executes once;
//   SIGTERM during a stuck submit ends the process within the documented bound.

const MNEMONIC = "test test test test test test test test test test test junk";

const { connection, clientsFor, publicClient } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const local = await deployLocalStack(accounts[0]!, { accounts });
const { stack, protocols } = local;
const signers = stack.addresses.operators as Address[];
const rpc = await startRpcServer(connection.provider, { port: 0 });
const client = createPublicClient({ transport: http(rpc.url, { retryCount: 0 }), cacheTime: 0 });
const reader = new ViemGateReader(client, stack.gate);
after(() => rpc.close());

const mine = (ms: number) => connection.provider.request({ method: "evm_setIntervalMining", params: [ms] });

function workflowOn(store: SqliteStore) {
  return gateWorkflow(client, chainId, stack, store, "strategist");
}

async function rebuildCli(config: string, key: Hex, ...extra: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(["rebuild", "--config", config, "--json", ...extra], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { KEEPER_PRIVATE_KEY: key },
    log: () => {},
  });
  return { code, stdout, stderr };
}

describe("keeper rebuild: a lost store is rebuilt from the chain and the keepers go on without redoing work", function () {
  this.timeout(120_000);

  it("executed proposals (same ids, signatures) and a pooled execute come back; the pooled one is settled, not resent", async function () {
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    await mine(300);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-rebuild-")), "shared.sqlite");
    let store = SqliteStore.open({ path: file });
    let workflow = workflowOn(store);
    const operators = [DEFAULT_ROLE_INDICES.operators[0], DEFAULT_ROLE_INDICES.operators[2]];
    const keys = operators.map((i) =>
      toHex(mnemonicToAccount(MNEMONIC, { addressIndex: i }).getHdKey().privateKey!),
    );
    const addresses = operators.map((i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }).address);
    const configs = operators.map((_, i) => {
      const home = mkdtempSync(path.join(tmpdir(), `keeper-rebuild-host-${i + 1}-`));
      const config = path.join(home, "keeper.json");
      writeFileSync(
        config,
        JSON.stringify({
          operator: { id: `op-${i + 1}` },
          chain: { rpcUrl: rpc.url, chainId, pollingIntervalMs: 100 },
          store: { path: file, idFile: path.join(home, "store.id") },
          gate: { address: stack.gate, vault: stack.vault, threshold: 2, signers },
          sender: { stuckAfterMs: 20_000, waitTimeoutMs: 5_000, rpcTimeoutMs: 5_000 },
          http: { port: 0 },
          log: { level: "info" },
        }),
      );
      return config;
    });
    let keepers: KeeperProcess[] = configs.map((c, i) =>
      startKeeper({}, { name: `op-${i + 1}` }, c, keys[i]!),
    );
    const startNonce = await reader.nonce();
    let round = 0;
    const propose = () => {
      const plan = { actions: [{ trackToken: protocols.tokens.weth }], round: round++, test: "rebuild" };
      const snapshot = { round };
      return workflow.propose({
        plan,
        snapshot,
        calls: [stackCalls.trackToken(stack.connectors.uniswap, protocols.tokens.weth)],
        provenance: computeProvenance(snapshot, plan),
      });
    };
    const executed = (id: Hex, what: string) =>
      waitFor(
        what,
        async () => ((await store.getProposal(id))?.status === "executed" ? true : undefined),
        60_000,
      );
    try {
      const done = [await propose()];
      await executed(done[0]!.id, "proposal 1 executed");
      done.push(await propose());
      await executed(done[1]!.id, "proposal 2 executed");

      // Mining halts; the third proposal's execute is broadcast and waits in the pool. Then both
      // hosts die and the store is deleted.
      await mine(0);
      const pooled = await propose();
      const seen = keepers.map((k) => k.lines.length);
      const submitter = await waitFor(
        "a keeper to broadcast the third execute",
        () => {
          const i = keepers.findIndex((k, j) =>
            k.lines.slice(seen[j]).some((l) => l.includes('"msg":"transaction broadcast"')),
          );
          return i < 0 ? undefined : i;
        },
        30_000,
      );
      const pooledHash = (await store.listSends(submitIntentId(pooled.id, addresses[submitter]!)))[0]!.hash;
      for (const k of keepers) k.child.kill("SIGKILL");
      await Promise.all(keepers.map((k) => exited(k.child)));
      await store.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });

      // Refused without --new-store; then rebuilt by the host whose transaction is in the pool.
      const refused = await rebuildCli(configs[submitter]!, keys[submitter]!);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.include("pass --new-store");
      const rebuilt = await rebuildCli(configs[submitter]!, keys[submitter]!, "--new-store");
      expect(rebuilt.code, rebuilt.stderr).to.equal(0);
      const report = JSON.parse(rebuilt.stdout) as { executed: number; pending: number; gateNonce: string };
      expect(report.pending).to.equal(1);
      expect(BigInt(report.gateNonce)).to.equal(startNonce + 2n);
      const again = await rebuildCli(configs[submitter]!, keys[submitter]!, "--new-store");
      expect(again.code).to.equal(1);
      expect(again.stderr).to.include("the store is not empty");

      store = SqliteStore.open({ path: file });
      workflow = workflowOn(store);
      const events = await client.getContractEvents({
        address: stack.gate,
        abi: keeperGateAbi,
        eventName: "Executed",
        fromBlock: 0n,
      });
      for (const [i, p] of done.entries()) {
        const back = (await store.getProposal(p.id))!;
        expect(back, `proposal ${i + 1} back under its own id`).to.not.equal(undefined);
        expect(back.status).to.equal("executed");
        expect(back.proposer).to.equal(REBUILT_PROPOSER);
        expect(back.txHash).to.equal(events.find((e) => e.args.nonce === p.nonce)!.transactionHash);
        expect((await store.listSignatures(p.id)).map((s) => s.signer).sort()).to.deep.equal(
          [signers[0]!, signers[2]!].sort(),
        );
      }
      const inPool = (await store.getProposal(pooled.id))!;
      expect(inPool.status).to.equal("submitted");
      expect(
        (await store.listSends(submitIntentId(pooled.id, addresses[submitter]!))).map((s) => s.hash),
      ).to.deep.equal([pooledHash]);

      // Both hosts start on the new store (each confirms it with --new-store); mining resumes.
      keepers = configs.map((c, i) => startKeeper({}, { name: `op-${i + 1}` }, c, keys[i]!, ["--new-store"]));
      await mine(300);
      await executed(pooled.id, "the pooled execute settled");
      expect((await store.getProposal(pooled.id))!.txHash).to.equal(
        pooledHash,
        "settled with the pooled tx, none resent",
      );
      const next = await propose();
      await executed(next.id, "the next proposal executed");
    } finally {
      const stopped = await Promise.all(keepers.map((k) => stopKeeper(k)));
      for (const s of stopped) expect(s.code, `${s.name} stopped on SIGTERM`).to.not.equal("hung");
      await mine(0);
      await connection.provider.request({ method: "evm_setAutomine", params: [true] });
    }

    const ours = (
      await client.getContractEvents({
        address: stack.gate,
        abi: keeperGateAbi,
        eventName: "Executed",
        fromBlock: 0n,
      })
    ).filter((e) => e.args.nonce! >= startNonce);
    expect(ours.map((e) => e.args.nonce)).to.deep.equal(
      [0n, 1n, 2n, 3n].map((n) => startNonce + n),
      "each nonce once",
    );
    expect(new Set(ours.map((e) => e.args.provenance)).size).to.equal(4, "no batch twice");
    let reverted = 0;
    for (const address of addresses)
      for (const intent of await store.listIntents(address, ["confirmed", "reverted", "cancelled"]))
        for (const send of (await store.listSends(intent.id)).filter((s) => s.status === "mined"))
          if ((await client.getTransactionReceipt({ hash: send.hash })).status === "reverted") reverted++;
    expect(reverted).to.equal(0, "no duplicate execute was sent");
    await store.close();
  });
});

/** A TCP port free right now on 127.0.0.1 (the keeper's /health is read on it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("a halted chain during a submit: bounded, observable, recovered without a restart", function () {
  this.timeout(120_000);

  it("monitors keep running, /health names the stuck sender, dropped txs are re-sent once mining resumes, SIGTERM is bounded", async function () {
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    await mine(300);
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-halt-"));
    const file = (name: string) => path.join(dir, name);
    writeFileSync(
      file("addresses.json"),
      JSON.stringify(addressesJson(local, rpc.url, chainId), (_k, v: unknown) =>
        typeof v === "bigint" ? v.toString() : v,
      ),
    );
    writeFileSync(file("signals.json"), "[]");
    const port = await freePort();
    // The product's own script writes the config (monitor, settle, strategy and multisig tasks);
    // the sender is tuned so a stuck submit shows within seconds: replaced after 5 s, once, then
    // reported stuck 5 s later, with each wait bounded at 4 s.
    const code = await keeperConfigMain(
      [
        ...["--out", file("keeper.json"), "--addresses", file("addresses.json"), "--operator-id", "op-1"],
        ...["--store", file("state.sqlite"), "--signals", file("signals.json"), "--every", "1"],
        ...["--port", String(port)],
      ],
      { stdout: () => {}, stderr: () => {}, env: {} },
    );
    expect(code).to.equal(0);
    const config = JSON.parse(readFileSync(file("keeper.json"), "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    config.chain = { ...config.chain, pollingIntervalMs: 100 };
    config.sender = { stuckAfterMs: 5_000, maxReplacements: 1, waitTimeoutMs: 4_000, rpcTimeoutMs: 5_000 };
    config.log = { level: "info" };
    writeFileSync(file("keeper.json"), JSON.stringify(config));

    const [op1, op2] = [DEFAULT_ROLE_INDICES.operators[0], DEFAULT_ROLE_INDICES.operators[1]];
    const key = toHex(mnemonicToAccount(MNEMONIC, { addressIndex: op1 }).getHdKey().privateKey!);
    const address = mnemonicToAccount(MNEMONIC, { addressIndex: op1 }).address;
    const coSigner = mnemonicToAccount(MNEMONIC, { addressIndex: op2 });
    const store = SqliteStore.open({ path: file("state.sqlite") });
    const workflow = workflowOn(store);
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: response.status, text: await response.text() };
    };
    const taskRuns = async () => {
      const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
        tasks: Record<string, { runs: number }>;
      };
      return Object.fromEntries(Object.entries(status.tasks).map(([t, s]) => [t, s.runs]));
    };
    const keeper = startKeeper({}, { name: "op-1" }, file("keeper.json"), key);
    try {
      await waitFor(
        "the keeper healthy",
        () =>
          health().then(
            (h) => (h.status === 200 ? h : undefined),
            () => undefined,
          ),
        30_000,
      );
      const startNonce = await reader.nonce();

      // Mining halts; a proposal reaches its threshold (the keeper's signature and a co-signer's)
      // and the keeper broadcasts the execute, which waits in the pool.
      await mine(0);
      // A rebalance plan the keeper's risk checker accepts: its calls are the plan's encoding.
      const plan = {
        kind: "rebalance",
        vault: stack.vault,
        actions: [{ kind: "trackToken", connector: stack.connectors.uniswap, token: protocols.tokens.weth }],
        test: "halted chain",
      };
      const snapshot = { halted: true };
      const p = await workflow.propose({
        plan,
        snapshot,
        calls: [stackCalls.trackToken(stack.connectors.uniswap, protocols.tokens.weth)],
        provenance: computeProvenance(snapshot, plan),
      });
      await workflow.sign(p.id, coSigner);
      const intentId = submitIntentId(p.id, address);
      await waitFor(
        "the execute broadcast",
        async () => ((await store.listSends(intentId)).length > 0 ? true : undefined),
        20_000,
      );
      const before = await taskRuns();

      // Replaced once, then reported stuck: /health is 503 and names the sender and the intent.
      const stuck = await waitFor(
        "/health to report the stuck sender",
        () => health().then((h) => (h.status === 503 && h.text.includes("sender stuck") ? h : undefined)),
        20_000,
      );
      expect(stuck.text).to.include(intentId);
      const sends = await store.listSends(intentId);
      expect(sends.map((s) => s.kind).sort()).to.deep.equal(["original", "replacement"]);
      // The other tasks ran meanwhile: the stuck submit holds only the multisig lane.
      const after = await taskRuns();
      for (const task of ["monitor", "settle"])
        expect(after[task], `${task} runs while the submit is stuck`).to.be.above(before[task]! + 3);

      // The node loses both transactions; mining resumes. The keeper sees its journaled nonce
      // unknown to the node and broadcasts the highest-fee one again: the batch executes once.
      for (const s of sends)
        await connection.provider.request({ method: "hardhat_dropTransaction", params: [s.hash] });
      await mine(300);
      await waitFor(
        "the batch executed",
        async () => ((await store.getProposal(p.id))?.status === "executed" ? true : undefined),
        30_000,
      );
      const executedTx = (await store.getProposal(p.id))!.txHash!;
      expect(sends.map((s) => s.hash)).to.include(
        executedTx,
        "a journaled tx was re-sent, nothing new signed",
      );
      expect(keeper.starts).to.equal(1, "no restart");
      await waitFor(
        "/health healthy again",
        () => health().then((h) => (h.status === 200 ? h : undefined)),
        20_000,
      );
      const events = (
        await client.getContractEvents({
          address: stack.gate,
          abi: keeperGateAbi,
          eventName: "Executed",
          fromBlock: 0n,
        })
      ).filter((e) => e.args.nonce! >= startNonce);
      expect(events.map((e) => e.args.nonce)).to.deep.equal([startNonce], "the batch executed exactly once");

      // SIGTERM while a submit is stuck in a halted chain: the process ends within the bound of
      // docs/keeper-ops.md (steps abandoned after 10 s, exit 3 s later).
      await mine(0);
      const plan2 = { ...plan, second: true };
      const p2 = await workflow.propose({
        plan: plan2,
        snapshot,
        calls: [stackCalls.trackToken(stack.connectors.uniswap, protocols.tokens.weth)],
        provenance: computeProvenance(snapshot, plan2),
      });
      await workflow.sign(p2.id, coSigner);
      const seen = keeper.lines.length;
      await waitFor(
        "the second execute broadcast",
        () =>
          keeper.lines.slice(seen).some((l) => l.includes('"msg":"transaction broadcast"'))
            ? true
            : undefined,
        20_000,
      );
      await new Promise((r) => setTimeout(r, 1_000)); // the sender is now polling for a receipt
      const stopped = await stopKeeper(keeper, 13_000);
      expect(stopped.code, "exited on SIGTERM within 13 s").to.not.equal("hung");
      console.log(
        `      halted chain: stuck reported, re-sent, executed once; SIGTERM while stuck took ${Math.round(stopped.ms)} ms`,
      );
    } finally {
      if (keeper.child.exitCode === null && keeper.child.signalCode === null) await stopKeeper(keeper);
      await mine(0);
      await connection.provider.request({ method: "evm_setAutomine", params: [true] });
      await store.close();
    }
  });
});

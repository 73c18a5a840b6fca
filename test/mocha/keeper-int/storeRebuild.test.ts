import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { MultisigWorkflow, submitIntentId } from "../../../keeper/multisig/workflow.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { GateBatchSimulator } from "../../../keeper/vault/batchSimulator.js";
import { localChain } from "../helpers/chain.js";
import { exited, startKeeper, stopKeeper, waitFor, type KeeperProcess } from "../helpers/keeperProcess.js";

// The store of two `keeper run` processes is lost (deleted) while one of their executions waits in
// the node's pool. `keeper rebuild --new-store` fills a new store from the chain; the keepers
// restarted on it settle the pooled execution (no second one), execute the next proposal, and no
// gate nonce or batch runs twice.

const MNEMONIC = "test test test test test test test test test test test junk";

const { connection, clientsFor, publicClient } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const { stack, protocols } = await deployLocalStack(accounts[0]!, { accounts });
const signers = stack.addresses.operators as Address[];
const rpc = await startRpcServer(connection.provider, { port: 0 });
const client = createPublicClient({ transport: http(rpc.url, { retryCount: 0 }), cacheTime: 0 });
const reader = new ViemGateReader(client, stack.gate);
after(() => rpc.close());

const mine = (ms: number) => connection.provider.request({ method: "evm_setIntervalMining", params: [ms] });

function workflowOn(store: SqliteStore) {
  return new MultisigWorkflow({
    store,
    chainId,
    gate: stack.gate,
    vault: stack.vault,
    threshold: 2,
    signers,
    proposalTtlSeconds: 3_600,
    reader,
    simulator: new GateBatchSimulator(client),
    checker: { check: async () => ({ ok: true }) },
    operatorId: "strategist",
  });
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

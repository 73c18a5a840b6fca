import { expect } from "chai";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http, toHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { startRpcServer } from "../../../deploy/local/rpcServer.js";
import { DEFAULT_ROLE_INDICES, stackCalls } from "../../../deploy/product/stack.js";
import { ViemGateReader } from "../../../keeper/multisig/gate.js";
import { keeperGateAbi } from "../../../keeper/abi/contracts.js";
import { computeProvenance } from "../../../keeper/multisig/provenance.js";

import { PostgresStore } from "../../../keeper/store/postgres.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { Store } from "../../../keeper/store/types.js";
import { localChain } from "../helpers/chain.js";
import { gateWorkflow } from "../helpers/gateWorkflow.js";
import { exited, startKeeper, stopKeeper, waitFor, type KeeperProcess } from "../helpers/keeperProcess.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

// Fault injection with real processes: two `keeper run` processes (two operators, each with its own
// data directory standing for its host) on one shared store, against the local chain over JSON-RPC
// with interval mining, so transactions wait in the pool. Either process is killed with SIGKILL at
// a step of the cycle (signed, broadcast, final, submitted, or a random moment) and restarted, round
// after round. Afterwards: every gate nonce executed once, no batch twice, no execute reverted
// (nobody sent a duplicate), the journal matches the chain, no proposal lost, both operators kept
// signing, and each process stops within a bound on SIGTERM. Short rounds here; DEEP=1 runs long ones.
// The keeper runs as one node process (`node --import tsx`), so SIGKILL hits the keeper itself.

const ROUNDS = process.env.DEEP === "1" ? 16 : 2;
const STEPS = [
  "proposal signed",
  "transaction broadcast",
  "transaction final",
  "proposal submitted",
  "random",
];
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

type Keeper = KeeperProcess;

/** The store each keeper is given: a file path in its config, or a Postgres URL in its environment. */
const BACKENDS: {
  name: string;
  open(): Promise<{ store: Store; config: object; env: Record<string, string> }>;
}[] = [
  {
    name: "SQLite",
    open: async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-kill-")), "shared.sqlite");
      return { store: SqliteStore.open({ path: file }), config: { path: file }, env: {} };
    },
  },
  {
    name: "Postgres",
    open: async () => {
      const url = await freshPostgresDatabase();
      // The URL carries the password, so it goes in the environment, as the operator guide says.
      return { store: await PostgresStore.open({ url }), config: {}, env: { KEEPER_STORE__URL: url } };
    },
  },
];

for (const backend of BACKENDS) {
  describe(`kill -9 rounds: two keeper processes on one ${backend.name} store`, function () {
    this.timeout(ROUNDS * 60_000 + 60_000);

    it(`${ROUNDS} rounds: every nonce executed once, no duplicate, journal = chain, both progressing, bounded SIGTERM`, async function () {
      await connection.provider.request({ method: "evm_setAutomine", params: [false] });
      await connection.provider.request({ method: "evm_setIntervalMining", params: [300] });
      const { store, config: storeConfig, env } = await backend.open();
      const workflow = gateWorkflow(client, chainId, stack, store, "strategist");
      const operators = [DEFAULT_ROLE_INDICES.operators[0], DEFAULT_ROLE_INDICES.operators[2]];
      const keys = operators.map((i) =>
        toHex(mnemonicToAccount(MNEMONIC, { addressIndex: i }).getHdKey().privateKey!),
      );
      const configs = operators.map((_, i) => {
        const home = mkdtempSync(path.join(tmpdir(), `keeper-host-${i + 1}-`));
        mkdirSync(home, { recursive: true });
        const file = path.join(home, "keeper.json");
        writeFileSync(
          file,
          JSON.stringify({
            operator: { id: `op-${i + 1}` },
            chain: { rpcUrl: rpc.url, chainId, pollingIntervalMs: 100 },
            store: { ...storeConfig, idFile: path.join(home, "store.id") },
            gate: { address: stack.gate, vault: stack.vault, threshold: 2, signers },
            sender: { stuckAfterMs: 20_000, waitTimeoutMs: 5_000, rpcTimeoutMs: 5_000 },
            http: { port: 0 },
            log: { level: "info" },
          }),
        );
        return file;
      });
      const keepers = configs.map((file, i) => startKeeper(env, { name: `op-${i + 1}` }, file, keys[i]!));
      const startNonce = await reader.nonce();
      const proposals: { id: Hex; nonce: bigint; provenance: Hex }[] = [];
      const kills: string[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const plan = { actions: [{ trackToken: protocols.tokens.weth }], round, backend: backend.name };
          const snapshot = { round };
          const p = await workflow.propose({
            plan,
            snapshot,
            calls: [stackCalls.trackToken(stack.connectors.uniswap, protocols.tokens.weth)],
            provenance: computeProvenance(snapshot, plan),
          });
          proposals.push({ id: p.id, nonce: p.nonce, provenance: p.provenance });
          // Kill whichever keeper reaches the step first (only the lease holder broadcasts).
          const step = STEPS[round % STEPS.length]!;
          const seen = keepers.map((k) => k.lines.length);
          const reached = (k: Keeper, i: number) =>
            k.lines.slice(seen[i]).some((l) => l.includes(`"msg":"${step}"`));
          let victim: Keeper = keepers[round % 2]!;
          if (step === "random")
            await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 1_500)));
          else
            victim = await waitFor(
              `a keeper to log "${step}"`,
              () => keepers.find((k, i) => reached(k, i)),
              15_000,
            ).catch(() => victim);
          victim.child.kill("SIGKILL");
          await exited(victim.child);
          kills.push(`${victim.name}@${step}`);
          const index = keepers.indexOf(victim);
          keepers[index] = startKeeper(env, victim, configs[index]!, keys[index]!);
          await waitFor(
            `proposal of round ${round} executed`,
            async () => ((await store.getProposal(p.id))?.status === "executed" ? true : undefined),
            90_000,
          );
        }
      } finally {
        const stops = keepers.map((k) => stopKeeper(k));
        const stopped = await Promise.all(stops);
        for (const s of stopped) expect(s.code, `${s.name} stopped on SIGTERM`).to.not.equal("hung");
        await connection.provider.request({ method: "evm_setIntervalMining", params: [0] });
        await connection.provider.request({ method: "evm_setAutomine", params: [true] });
      }

      // The chain: one execution per nonce, each of our batches once, no execute reverted.
      const events = await client.getContractEvents({
        address: stack.gate,
        abi: keeperGateAbi,
        eventName: "Executed",
        fromBlock: 0n,
      });
      const ours = events.filter((e) => e.args.nonce! >= startNonce);
      expect(ours.map((e) => e.args.nonce)).to.deep.equal(
        proposals.map((p) => p.nonce),
        "each nonce once, in order",
      );
      expect(new Set(ours.map((e) => e.args.provenance)).size).to.equal(proposals.length, "no batch twice");
      expect(await reader.nonce()).to.equal(startNonce + BigInt(proposals.length));
      // The journal: every proposal executed with the event's transaction; every mined send has its receipt.
      let reverted = 0;
      for (const [i, p] of proposals.entries()) {
        const stored = (await store.getProposal(p.id))!;
        expect(stored.status).to.equal("executed");
        expect(stored.txHash).to.equal(ours[i]!.transactionHash);
        expect((await store.listSignatures(p.id)).map((s) => s.signer).sort()).to.deep.equal(
          operators.map((_, k) => signers[k === 0 ? 0 : 2]!).sort(),
          "both operators signed every proposal: both kept making progress",
        );
      }
      for (const address of signers) {
        for (const intent of await store.listIntents(address, ["confirmed", "reverted", "cancelled"])) {
          for (const send of (await store.listSends(intent.id)).filter((s) => s.status === "mined")) {
            const receipt = await client.getTransactionReceipt({ hash: send.hash });
            expect(receipt.blockNumber).to.equal(send.blockNumber);
            if (receipt.status === "reverted") reverted++;
          }
        }
      }
      expect(reverted).to.equal(0, "no duplicate execute was mined and reverted");
      expect(kills).to.have.length(ROUNDS);
      console.log(`      kill rounds (${backend.name}): ${kills.join(", ")}; duplicate executions 0; hung 0`);
      await store.close();
    });
  });
}

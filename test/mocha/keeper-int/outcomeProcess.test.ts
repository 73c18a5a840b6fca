import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { parseUnits, toHex, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { startRpcServer } from "../../../deploy/local/rpcServer.js";
import { gateDomain, signMandate, sortSignatures, type Mandate } from "../../../deploy/product/gate.js";
import {
  asCall,
  gateExecute,
  provenanceHash,
  stackCalls,
  stackGovernanceRunner,
} from "../../../deploy/product/stack.js";
import { main } from "../../../keeper/cli/main.js";
import type { OutcomeBatch } from "../../../keeper/planning/outcomeOrders.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import {
  DEMO_GROUP_AT_MS,
  clobAddresses,
  demoGammaEvents,
  demoMarketCalls,
  startDemoClob,
} from "../../../scripts/demo/clob.js";
import { addressesJson } from "../../../scripts/demo/run.js";
import { keeperConfigMain } from "../../../scripts/keeper-config.js";
import { localChain } from "../helpers/chain.js";
import { startKeeper, stopKeeper, waitFor } from "../helpers/keeperProcess.js";

// One `keeper run` process, its config written by scripts/keeper-config.ts --outcomes from the addresses
// file, against the local chain over JSON-RPC with interval mining (a block every 500 ms): the keeper
// holds a 2-of-3 approved mandate for the PolymarketConnector's order actions, so it places the RBA
// group's legs alone (KeeperGate.executeMandate, no proposal), the local CLOB matches them, and the next
// outcome steps lock the set. The vault's NAV rises by the batch's profit.

const MNEMONIC = "test test test test test test test test test test test junk";
const USDC = (amount: string) => parseUnits(amount, 6);
const { connection, clientsFor, publicClient } = await localChain();
const accounts = Array.from({ length: 20 }, (_, i) => clientsFor(i));
const deployer = accounts[0]!;
const chainId = await publicClient.getChainId();

describe("keeper run as a process: outcome arbitrage under a mandate, interval mining", function () {
  this.timeout(180_000);

  it("places every leg alone within its mandate, locks the set, and the vault's NAV rises by the profit", async function () {
    const local = await deployLocalStack(deployer, { accounts, governance: "eoa", polymarket: true });
    const { stack } = local;
    const pm = stack.polymarket!;
    const demo = await startDemoClob(accounts, local.protocols, { atMs: DEMO_GROUP_AT_MS, venue: pm.venue });
    const rpc = await startRpcServer(connection.provider, { port: 0 });
    try {
      await stackGovernanceRunner(stack, accounts)(demoMarketCalls(pm.connector, demo).map(asCall));
      await fundAndRequestDeposit(deployer, accounts[9]!, stack, USDC("20000"));
      await gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash("settle"));
      // working capital on the connector, by a 2-of-3 batch: the mandate covers trading, not funding
      await gateExecute(
        stack,
        accounts,
        [stackCalls.transferToConnector(stack, pm.connector, USDC("2000"))],
        provenanceHash("fund the Polymarket connector"),
      );
      const strategist = accounts[stack.roles.strategist]!;
      const selectors = ["placeOrders", "closeOrders", "merge", "convert"].map(
        (fn) => stack.allowedCalls.find((c) => c.name === `PolymarketConnector.${fn}`)!.selector,
      );
      const mandate: Mandate = {
        keeper: strategist.wallet.account.address,
        connectors: [pm.connector],
        tokens: [stack.asset],
        selectors,
        maxNotionalPerAction: USDC("1000"),
        maxNotionalPerPeriod: USDC("3000"),
        period: 86_400n,
        maxSlippageBps: 0n,
        maxLossBps: 50n,
        lossWindow: 86_400n,
        expiry: (await publicClient.getBlock()).timestamp + 86_400n,
        nonce: 1n,
      };
      const gateAbi = projectArtifact("KeeperGate").abi;
      const signatures = sortSignatures(
        await Promise.all(
          stack.roles.operators
            .slice(0, 2)
            .map((i) =>
              signMandate(accounts[i]!.wallet, gateDomain(chainId, stack.gate), stack.vault, mandate),
            ),
        ),
      );
      await send(strategist, {
        address: stack.gate,
        abi: gateAbi,
        functionName: "approveMandate",
        args: [mandate, signatures],
      });
      const mandateId = await read<Hex>(deployer, {
        address: stack.gate,
        abi: gateAbi,
        functionName: "mandateDigest",
        args: [mandate],
      });

      const dir = mkdtempSync(path.join(tmpdir(), "outcome-process-"));
      const file = (name: string) => path.join(dir, name);
      writeFileSync(
        file("addresses.json"),
        JSON.stringify(
          { ...(addressesJson(local, rpc.url, chainId) as object), polymarket: clobAddresses(demo) },
          (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
        ),
      );
      writeFileSync(file("events.json"), JSON.stringify(demoGammaEvents(demo)));
      writeFileSync(
        file("mandates.json"),
        JSON.stringify([
          { id: mandateId, connectors: mandate.connectors, tokens: mandate.tokens, selectors },
        ]),
      );
      const io = { stdout: () => {}, stderr: () => {}, env: {} };
      const code = await keeperConfigMain(
        [
          ...["--out", file("keeper.json"), "--addresses", file("addresses.json"), "--outcomes"],
          ...["--outcome-events", file("events.json"), "--mandates", file("mandates.json")],
          ...["--store", file("state.sqlite"), "--port", "0", "--every", "1", "--operator-id", "pm-1"],
        ],
        io,
      );
      expect(code).to.equal(0);
      // the operator's own limits: the seeded books hold the recorded top-of-book sizes (~$2 on the 0.02 leg)
      const config = JSON.parse(readFileSync(file("keeper.json"), "utf8"));
      config.outcomes.limits = { minLegDepthUsd: 1 };
      config.chain.pollingIntervalMs = 100;
      writeFileSync(file("keeper.json"), JSON.stringify(config));

      const nav = () =>
        read<bigint>(deployer, {
          address: stack.vault,
          abi: projectArtifact("AccountingManager").abi,
          functionName: "totalAssets",
        });
      const before = await nav();
      await connection.provider.request({ method: "evm_setAutomine", params: [false] });
      await connection.provider.request({ method: "evm_setIntervalMining", params: [500] });
      const key = toHex(
        mnemonicToAccount(MNEMONIC, { addressIndex: stack.roles.strategist }).getHdKey().privateKey!,
      );
      const keeper = startKeeper({}, { name: "pm-1" }, file("keeper.json"), key);
      let store: SqliteStore | undefined;
      try {
        const locked = await waitFor(
          "the outcome batch locked",
          async () => {
            store ??= SqliteStore.open({ path: file("state.sqlite") });
            // every leg fills at once here: an unwind means the tracker misread the fills (e.g. the
            // fills and the order statuses read at different blocks while matches were being mined)
            const [gone] = await store.listOutcomeBatches({ statuses: ["unwound", "failed"] });
            if (gone) throw new Error(`batch ${gone.status}: ${gone.statusReason}`);
            const [batch] = await store.listOutcomeBatches({ statuses: ["locked"] });
            return batch;
          },
          90_000,
        ).catch((error: Error) => {
          throw new Error(`${error.message}\n${keeper.lines.slice(-15).join("\n")}`);
        });
        const batch = JSON.parse(locked.batchJson) as OutcomeBatch;
        expect(locked.strategy).to.equal("dutch-book");
        // alone, within the mandate: no proposal was needed
        expect(await store!.listProposals({})).to.deep.equal([]);
        const placedLine = keeper.lines.find((l) => l.includes("outcome batch placed"));
        expect(placedLine, keeper.lines.slice(-10).join("\n")).to.not.equal(undefined);
        const rise = (await nav()) - before;
        expect(rise >= BigInt(batch.profit), `NAV +${rise}, profit ${batch.profit}`).to.equal(true);
        expect(rise - BigInt(batch.profit) < USDC("1")).to.equal(true);
        expect(keeper.lines.some((l) => l.includes(key.slice(2)))).to.equal(false);
        // the operator's view: `keeper status` lists the batch from the store
        let out = "";
        const status = await main(["status", "--config", file("keeper.json")], {
          stdout: (t) => (out += t),
          stderr: () => {},
          env: {},
          log: () => {},
        });
        expect(status).to.equal(0);
        expect(out).to.include("outcome batches: 1");
        expect(out).to.match(new RegExp(`${locked.id} locked +dutch-book expected profit ${batch.profit}`));
      } finally {
        store?.close();
        const stopped = await stopKeeper(keeper);
        expect(stopped.code).to.equal(0);
        await connection.provider.request({ method: "evm_setAutomine", params: [true] });
      }
    } finally {
      await demo.clob.close();
      await rpc.close();
    }
  });
});

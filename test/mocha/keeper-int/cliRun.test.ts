import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { parseUnits, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, read } from "../../../deploy/lib/artifacts.js";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { startRpcServer } from "../../../deploy/local/rpcServer.js";
import { DEFAULT_ROLE_INDICES } from "../../../deploy/product/stack.js";
import { main } from "../../../keeper/cli/main.js";
import { localKeeperConfig } from "../../../deploy/local/keeperConfig.js";
import { localChain } from "../helpers/chain.js";
import { liveConfig, liveRoutes } from "../keeper/helpers/liveSignals.js";
import { startRecordedServer } from "../keeper/helpers/recordedServer.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";

// `keeper run` as an operator runs it: JSON-RPC over HTTP to the local chain, config from
// localKeeperConfig (the shape of keeper/config/examples/local.json), keys from the environment.
// Two operator processes share one SQLite store and reach the gate's 2-of-3 threshold together.

const { connection, clientsFor } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const MNEMONIC = "test test test test test test test test test test test junk";
const USDC = (amount: string) => parseUnits(amount, 6);

describe("keeper run against the local stack over JSON-RPC (two operators, one shared store)", function () {
  it("[AC20 signed batches] settles the pending deposits and rebalances to the policy's weights", async function () {
    this.timeout(120_000);
    const local = await deployLocalStack(accounts[0]!, { accounts });
    const { stack } = local;
    const alice = clientsFor(10);
    const me = alice.wallet.account.address;
    const vaultAbi = projectArtifact("AccountingManager").abi;
    await fundAndRequestDeposit(accounts[0]!, alice, stack, USDC("1000000"));

    const rpc = await startRpcServer(connection.provider, { port: 0 });
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-run-"));
    const signalsFile = path.join(dir, "signals.json");
    const snapshot = JSON.parse(
      await import("node:fs").then((fs) =>
        fs.readFileSync("keeper/config/examples/local-signals.json", "utf8"),
      ),
    ) as { fetchedAt: number }[];
    writeFileSync(signalsFile, JSON.stringify(snapshot.map((s) => ({ ...s, fetchedAt: Date.now() }))));
    const logs: string[] = [];
    const runs = DEFAULT_ROLE_INDICES.operators.slice(0, 2).map((index, i) => {
      const config = localKeeperConfig(local, {
        rpcUrl: rpc.url,
        chainId: 31337,
        operatorId: `op-${i + 1}`,
        storePath: path.join(dir, "shared.sqlite"),
        signalsFile,
      });
      const file = path.join(dir, `op-${i + 1}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          ...config,
          http: { port: 0 },
          chain: { ...config.chain, pollingIntervalMs: 50 },
          schedule: { settleEverySeconds: 1, strategyEverySeconds: 1, monitorEverySeconds: 1 },
        }),
      );
      const key = toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
      return main(["run", "--config", file], {
        stdout: () => undefined,
        stderr: () => undefined,
        log: (line) => logs.push(line),
        env: { KEEPER_PRIVATE_KEY: key },
      });
    });
    try {
      const aaveValue = async () =>
        (
          await read<readonly [bigint, boolean]>(clientsFor(0), {
            address: stack.connectors.aave,
            abi: projectArtifact("BaseConnector").abi,
            functionName: "totalValue",
          })
        )[0];
      for (let i = 0; i < 600 && (await aaveValue()) === 0n; i++) await new Promise((r) => setTimeout(r, 50));
      expect(
        await read(clientsFor(0), {
          address: stack.vault,
          abi: vaultAbi,
          functionName: "claimableDepositRequest",
          args: [0n, me],
        }),
      ).to.equal(USDC("1000000"));
      expect(await aaveValue()).to.equal(USDC("400000"));
      expect(logs.some((l) => l.includes('"settlement proposed"'))).to.equal(true);
      expect(logs.some((l) => l.includes('"rebalance proposed"'))).to.equal(true);
      expect(logs.filter((l) => l.includes("task disabled"))).to.deep.equal([]);
    } finally {
      process.emit("SIGTERM", "SIGTERM");
      const codes = await Promise.all(runs);
      expect(codes).to.deep.equal([0, 0]);
      await rpc.close();
    }
  });
  it("with product.liveSignals it fetches from the configured venues each run; a malformed payload is logged and counted, the loop goes on", async function () {
    this.timeout(60_000);
    // account 12 deploys: the first stack's local protocols spent account 0's ETH
    const local = await deployLocalStack(accounts[12]!, {
      accounts,
      roles: { ...DEFAULT_ROLE_INDICES, deployer: 12 },
    });
    const rpc = await startRpcServer(connection.provider, { port: 0 });
    const venues = await startRecordedServer(liveRoutes());
    const dir = mkdtempSync(path.join(tmpdir(), "keeper-live-"));
    const config = localKeeperConfig(local, {
      rpcUrl: rpc.url,
      chainId: 31337,
      storePath: path.join(dir, "state.sqlite"),
    });
    const file = path.join(dir, "op.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...config,
        http: { port: 0 },
        chain: { ...config.chain, pollingIntervalMs: 50 },
        schedule: { settleEverySeconds: 60, strategyEverySeconds: 1, monitorEverySeconds: 60 },
        product: { ...config.product, liveSignals: liveConfig(venues.baseUrl) },
      }),
    );
    const index = DEFAULT_ROLE_INDICES.operators[0]!;
    const key = toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
    const logs: string[] = [];
    const run = main(["run", "--config", file], {
      stdout: () => undefined,
      stderr: () => undefined,
      log: (line) => logs.push(line),
      env: { KEEPER_PRIVATE_KEY: key },
    });
    const rejectedBook = () =>
      logs.filter((l) => l.includes('"input rejected"') && l.includes("polymarket-clob")).length;
    try {
      for (let i = 0; i < 400 && rejectedBook() < 2; i++) await new Promise((r) => setTimeout(r, 25));
      expect(rejectedBook()).to.be.at.least(2); // two strategy runs, each fetched and counted the bad book
      expect(venues.hits.filter((h) => h.startsWith("/gamma/markets?slug=")).length).to.be.at.least(2);
      expect(venues.hits.some((h) => h.startsWith("/kalshi/markets?event_ticker="))).to.equal(true);
      expect(logs.filter((l) => l.includes("task disabled"))).to.deep.equal([]);
    } finally {
      process.emit("SIGTERM", "SIGTERM");
      expect(await run).to.equal(0);
      await venues.close();
      await rpc.close();
    }
  });
});

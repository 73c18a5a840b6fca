import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parseUnits, toHex, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { read, send } from "../../../deploy/lib/artifacts.js";
import { startLiFiQuoteService } from "../../../deploy/local/lifiQuoteService.js";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { startRpcServer } from "../../../deploy/local/rpcServer.js";
import { gateDomain, signMandate, sortSignatures, type Mandate } from "../../../deploy/product/gate.js";
import { DEFAULT_ROLE_INDICES } from "../../../deploy/product/stack.js";
import {
  accountingManagerAbi,
  keeperGateAbi,
  uniswapV3ConnectorAbi,
  baseConnectorAbi,
} from "../../../keeper/abi/contracts.js";
import { allocationStateKey } from "../../../keeper/cycle/allocationState.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { addressesJson } from "../../../scripts/demo/run.js";
import { localChain } from "../helpers/chain.js";
import { EXAMPLE_POLICY_FILE } from "../keeper/helpers/examplePolicy.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";

// The done-when test of the one keeper: `keeper run` as two operator processes, each with a config
// written by scripts/keeper-config.ts from the addresses file, against the local stack over JSON-RPC.
// The first run settles, swaps through LI.FI and mints the LP; after a restart with a policy that
// drops the LP, the stored allocation limits the turnover, an Aave withdrawal runs inside the first
// operator's mandate and the LP position is reduced.

const { connection, publicClient, clientsFor } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const MNEMONIC = "test test test test test test test test test test test junk";
const USDC = (amount: string) => parseUnits(amount, 6);
const exec = promisify(execFile);
const [OP1, OP2] = DEFAULT_ROLE_INDICES.operators;

interface KeeperProcess {
  readonly child: ChildProcess;
  readonly logs: string[];
  readonly exited: Promise<number | null>;
}

function startKeeper(config: string, index: number): KeeperProcess {
  const key = toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
  // node itself (the one running the tests) with tsx's loader: a signal reaches the keeper, not a wrapper
  const child = spawn(process.execPath, ["--import", "tsx", "keeper/cli.ts", "run", "--config", config], {
    env: { ...process.env, KEEPER_PRIVATE_KEY: key },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, logs, exited };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(...keepers: KeeperProcess[]): Promise<(number | null)[]> {
  for (const k of keepers) k.child.kill("SIGTERM");
  return Promise.all(keepers.map((k) => k.exited));
}

describe("keeper run as processes, configured by scripts/keeper-config.ts (the one keeper end to end)", function () {
  it("[AC20 signed batches] settles, swaps through LI.FI, mints the LP; after a restart the stored allocation limits the turnover, an action runs inside a mandate and the LP is reduced", async function () {
    this.timeout(240_000);
    const local = await deployLocalStack(accounts[0]!, { accounts });
    const { stack, protocols } = local;
    await fundAndRequestDeposit(accounts[0]!, clientsFor(10), stack, USDC("200000"));
    const rpc = await startRpcServer(connection.provider, { port: 0 });
    const lifi = await startLiFiQuoteService({
      client: publicClient,
      diamond: stack.lifiDiamond,
      swapRouter: protocols.uniswap.swapRouter,
      quoterV2: protocols.uniswap.quoterV2,
    });
    try {
      const dir = mkdtempSync(path.join(tmpdir(), "keeper-process-"));
      const file = (name: string) => path.join(dir, name);
      writeFileSync(
        file("addresses.json"),
        JSON.stringify(addressesJson(local, rpc.url, 31337), (_k, v: unknown) =>
          typeof v === "bigint" ? v.toString() : v,
        ),
      );
      writeFileSync(file("signals.json"), "[]");
      const example = JSON.parse(readFileSync(EXAMPLE_POLICY_FILE, "utf8")) as Record<string, unknown>;
      writeFileSync(file("policy-lp.json"), JSON.stringify(example));
      writeFileSync(
        file("policy-no-lp.json"),
        JSON.stringify({
          ...example,
          baseWeightsBps: { "aave-usdc": 2000, "morpho-usdc": 7500, "uniswap-usdc-weth": 0, idle: 500 },
        }),
      );

      // a 2-of-3 approved mandate for operator 1: Aave withdrawals of the vault asset
      const now = (await publicClient.getBlock()).timestamp;
      const mandate: Mandate = {
        keeper: mnemonicToAccount(MNEMONIC, { addressIndex: OP1! }).address,
        connectors: [stack.connectors.aave],
        tokens: [stack.asset],
        selectors: [stack.allowedCalls.find((c) => c.name === "AaveV3Connector.withdraw")!.selector],
        maxNotionalPerAction: USDC("1000000"),
        maxNotionalPerPeriod: USDC("1000000"),
        period: 86_400n,
        maxSlippageBps: 100n,
        maxLossBps: 100n,
        lossWindow: 7n * 86_400n,
        expiry: now + 30n * 86_400n,
        nonce: 1n,
      };
      const domain = gateDomain(31337, stack.gate);
      const signatures = sortSignatures(
        await Promise.all(
          [OP1!, OP2!].map((i) => signMandate(clientsFor(i).wallet, domain, stack.vault, mandate)),
        ),
      );
      await send(clientsFor(DEFAULT_ROLE_INDICES.strategist), {
        address: stack.gate,
        abi: keeperGateAbi,
        functionName: "approveMandate",
        args: [mandate, signatures],
      });
      const mandateId = await read<Hex>(accounts[0]!, {
        address: stack.gate,
        abi: keeperGateAbi,
        functionName: "mandateDigest",
        args: [mandate],
      });
      writeFileSync(
        file("mandates.json"),
        JSON.stringify([
          {
            id: mandateId,
            connectors: mandate.connectors,
            tokens: mandate.tokens,
            selectors: mandate.selectors,
          },
        ]),
      );

      // the product's own script writes each operator's config, for each policy
      const writeConfig = (operator: 1 | 2, policy: string) =>
        exec("npx", [
          "tsx",
          "scripts/keeper-config.ts",
          ...["--out", file(`op-${operator}-${policy}`), "--addresses", file("addresses.json")],
          ...["--operator-id", `op-${operator}`, "--store", file("shared.sqlite"), "--policy", file(policy)],
          ...["--signals", file("signals.json"), "--quote-url", lifi.apiUrl, "--every", "1", "--port", "0"],
          ...(operator === 1 ? ["--mandates", file("mandates.json")] : []),
        ]);
      await Promise.all([
        writeConfig(1, "policy-lp.json"),
        writeConfig(2, "policy-lp.json"),
        writeConfig(1, "policy-no-lp.json"),
        writeConfig(2, "policy-no-lp.json"),
      ]);
      const events = (address: Hex, abi: typeof baseConnectorAbi | typeof uniswapV3ConnectorAbi) =>
        publicClient.getContractEvents({ address, abi, fromBlock: 0n });
      const named = async (
        address: Hex,
        abi: typeof baseConnectorAbi | typeof uniswapV3ConnectorAbi,
        name: string,
      ) => (await events(address, abi)).filter((e) => e.eventName === name).length;
      const vaultEvents = async (name: string) =>
        (
          await publicClient.getContractEvents({
            address: stack.vault,
            abi: accountingManagerAbi,
            fromBlock: 0n,
          })
        ).filter((e) => e.eventName === name).length;

      const first = [
        startKeeper(file("op-1-policy-lp.json"), OP1!),
        startKeeper(file("op-2-policy-lp.json"), OP2!),
      ];
      try {
        await until("the deposits to settle", async () => (await vaultEvents("DepositsSettled")) > 0);
        await until(
          "the LP connector's LI.FI swap",
          async () => (await named(stack.connectors.uniswap, uniswapV3ConnectorAbi, "Swapped")) > 0,
        );
        await until(
          "the LP position",
          async () => (await named(stack.connectors.uniswap, uniswapV3ConnectorAbi, "PositionMinted")) > 0,
        );
      } finally {
        const codes = await stop(...first);
        expect(codes).to.deep.equal([0, 0], first.map((k) => k.logs.slice(-20).join("\n")).join("\n---\n"));
      }
      const store = SqliteStore.open({ path: file("shared.sqlite") });
      const stored = await store.getState(allocationStateKey(stack.vault));
      await store.close();
      expect(JSON.parse(stored!).weightsBps).to.deep.equal(example.baseWeightsBps);

      // restart: operator 1 alone first (its mandate covers the leading Aave withdrawal), then operator 2 co-signs
      const op1 = startKeeper(file("op-1-policy-no-lp.json"), OP1!);
      let op2: KeeperProcess | undefined;
      try {
        const mandated = async () =>
          (
            await publicClient.getContractEvents({
              address: stack.gate,
              abi: keeperGateAbi,
              eventName: "MandateExecuted",
              fromBlock: 0n,
            })
          ).length;
        await until("an action inside the mandate", async () => (await mandated()) > 0);
        op2 = startKeeper(file("op-2-policy-no-lp.json"), OP2!);
        await until(
          "the LP to be reduced",
          async () =>
            (await named(stack.connectors.uniswap, uniswapV3ConnectorAbi, "LiquidityDecreased")) > 0,
        );
        // the stored previous allocation survived the restart: the move away from the LP is turnover-limited
        expect(op1.logs.some((l) => l.includes("limited to 2000 bps"))).to.equal(true, op1.logs.join("\n"));
      } finally {
        const codes = await stop(op1, ...(op2 ? [op2] : []));
        expect(codes).to.deep.equal(op2 ? [0, 0] : [0], op1.logs.slice(-20).join("\n"));
      }
    } finally {
      await lifi.close();
      await rpc.close();
    }
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createPublicClient, custom, getAddress, parseUnits, type Address, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { startLiFiQuoteService } from "../../../deploy/local/lifiQuoteService.js";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { connectorValue } from "../../../deploy/product/connectors.js";
import { DEFAULT_ROLE_INDICES } from "../../../deploy/product/stack.js";
import { uniswapArtifacts } from "../../../deploy/protocols/uniswapV3.js";
import type { ProposalRecord } from "../../../keeper/store/types.js";
import type { PlanAction } from "../../../keeper/planning/actions.js";
import { composeLocalKeeper } from "../../../deploy/local/keeperConfig.js";
import { runKeeperCycle } from "../../../keeper/cycle/cycle.js";
import { encodePlan } from "../../../keeper/planning/actions.js";
import { ChainRiskChecker } from "../../../keeper/vault/riskChecker.js";
import { RecordedSnapshotSource } from "../../../keeper/vault/snapshots.js";
import { localChain } from "../helpers/chain.js";
import { EXAMPLE_POLICY_FILE } from "../keeper/helpers/examplePolicy.js";

// The planner's full batch on the local stack (AC20 signed batches, AC17 allowlisted calls only):
// settlement, vault → connector transfers, connector → connector moves, the LI.FI swap and the
// Uniswap LP mint / increase in one 2-of-3 gate proposal, and the risk checker refusing anything else.

const { connection, publicClient, clientsFor } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const MNEMONIC = "test test test test test test test test test test test junk";
const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const USDC = (amount: string) => parseUnits(amount, 6);
const erc20 = projectArtifact("MockERC20").abi;
const vaultAbi = projectArtifact("AccountingManager").abi;
const uniAbi = projectArtifact("UniswapV3Connector").abi;

const local = await deployLocalStack(accounts[0]!, { accounts });
const { stack, protocols } = local;
const service = await startLiFiQuoteService({
  client: publicClient,
  diamond: stack.lifiDiamond,
  swapRouter: protocols.uniswap.swapRouter,
  quoterV2: protocols.uniswap.quoterV2,
});
const client = createPublicClient({
  chain: publicClient.chain,
  transport: custom(connection.provider),
  cacheTime: 0,
}) as PublicClient;

const policyDir = mkdtempSync(path.join(tmpdir(), "lp-move-policy-"));
const examplePolicy = JSON.parse(readFileSync(EXAMPLE_POLICY_FILE, "utf8")) as Record<string, unknown>;

/** A keeper whose policy (a file, as an operator would configure it) has these base weights. */
function keeperWith(weightsBps: Record<string, number>) {
  const policyPath = path.join(policyDir, `policy-${Object.values(weightsBps).join("-")}.json`);
  writeFileSync(policyPath, JSON.stringify({ ...examplePolicy, baseWeightsBps: weightsBps }));
  return composeLocalKeeper(local, {
    client,
    transport: custom(connection.provider),
    operators: DEFAULT_ROLE_INDICES.operators.map(key),
    submitter: key(DEFAULT_ROLE_INDICES.strategist),
    snapshots: new RecordedSnapshotSource([], 900_000),
    policyPath,
    swaps: { quoteUrl: service.apiUrl, wethShareBps: 5_000, halfWidthTicks: 600 },
    planner: { minMoveAmount: USDC("1000").toString(), gasBudgetPerBatch: 6_000_000 },
    settleInRebalanceBatch: true,
  });
}

/** WETH the LP's swap bought, which an arbitrageur sells back before the next move (pool back near the oracle). */
let boughtWeth = 0n;

async function arbitrageBack(amount: bigint): Promise<void> {
  const deployer = accounts[0]!;
  const { swapRouter } = protocols.uniswap;
  const { weth, usdc } = protocols.tokens;
  await send(deployer, { address: weth, abi: erc20, functionName: "approve", args: [swapRouter, amount] });
  const block = await publicClient.getBlock();
  await send(deployer, {
    address: swapRouter,
    abi: uniswapArtifacts.swapRouter().abi,
    functionName: "exactInputSingle",
    args: [
      {
        tokenIn: weth,
        tokenOut: usdc,
        fee: 500,
        recipient: deployer.wallet.account.address,
        deadline: block.timestamp + 600n,
        amountIn: amount,
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: 0n,
      },
    ],
  });
}

const kinds = (actions: readonly PlanAction[]) => actions.map((a) => a.kind);

async function navParts(): Promise<{ nav: bigint; parts: bigint }> {
  const nav = await read<bigint>(accounts[0]!, {
    address: stack.vault,
    abi: vaultAbi,
    functionName: "totalAssets",
  });
  const book = await read<{ idle: bigint }>(accounts[0]!, {
    address: stack.vault,
    abi: vaultAbi,
    functionName: "assetBook",
  });
  let parts = book.idle;
  for (const c of Object.values(stack.connectors)) parts += (await connectorValue(accounts[0]!, c)).value;
  return { nav, parts };
}

describe("Keeper planner: settlement, connector-to-connector moves and the Uniswap LP in one batch", function () {
  after(() => service.close());

  it("[AC20 signed batches] settles the pending deposit and funds the connectors from the vault in one proposal", async function () {
    const alice = clientsFor(10);
    const me = alice.wallet.account.address;
    await send(accounts[0]!, {
      address: stack.asset,
      abi: erc20,
      functionName: "transfer",
      args: [me, USDC("200000")],
    });
    await send(alice, {
      address: stack.asset,
      abi: erc20,
      functionName: "approve",
      args: [stack.vault, USDC("200000")],
    });
    await send(alice, {
      address: stack.vault,
      abi: vaultAbi,
      functionName: "requestDeposit",
      args: [USDC("200000"), me, me],
    });
    const keeper = await keeperWith({
      "aave-usdc": 6000,
      "morpho-usdc": 3500,
      "uniswap-usdc-weth": 0,
      idle: 500,
    });
    try {
      const cycle = await runKeeperCycle(keeper, new Date());
      expect(cycle.status).to.equal("executed");
      const actions = cycle.plan!.actions;
      // settlement first: the deposits it brings in fund the transfers after it
      expect(kinds(actions)[0]).to.equal("settle");
      expect(kinds(actions)).to.deep.equal([
        "settle",
        "transferToConnector",
        "aaveSupply",
        "transferToConnector",
        "erc4626Deposit",
      ]);
      const pending = await read<{ depositAssets: bigint }>(accounts[0]!, {
        address: stack.vault,
        abi: vaultAbi,
        functionName: "pendingTotals",
      });
      expect(pending.depositAssets).to.equal(0n);
      const { nav, parts } = await navParts();
      expect(nav).to.equal(parts);
    } finally {
      await keeper.close();
    }
  });

  it("[AC20 signed batches] moves Aave's surplus straight into the LP connector with sendToConnector (no round trip through the vault), swaps half to WETH through LI.FI and mints the position", async function () {
    const keeper = await keeperWith({
      "aave-usdc": 4000,
      "morpho-usdc": 3500,
      "uniswap-usdc-weth": 2000,
      idle: 500,
    });
    try {
      const before = (await connectorValue(accounts[0]!, stack.connectors.uniswap)).value;
      const cycle = await runKeeperCycle(keeper, new Date());
      expect(cycle.status).to.equal("executed");
      const actions = cycle.plan!.actions;
      expect(cycle.plan!.skipped.filter((s) => /swap/.test(s.reason))).to.deep.equal([]);
      const move = actions.find((a) => a.kind === "sendToConnector") as Extract<
        PlanAction,
        { kind: "sendToConnector" }
      >;
      expect(getAddress(move.connector)).to.equal(getAddress(stack.connectors.aave));
      expect(getAddress(move.to)).to.equal(getAddress(stack.connectors.uniswap));
      expect(kinds(actions)).to.deep.equal([
        "aaveWithdraw",
        "sendToConnector",
        "trackToken",
        "swap",
        "uniswapMint",
      ]);
      const positions = await read<readonly bigint[]>(accounts[0]!, {
        address: stack.connectors.uniswap,
        abi: uniAbi,
        functionName: "positionIds",
      });
      expect(positions).to.have.length(1);
      boughtWeth = BigInt((actions.find((a) => a.kind === "swap") as { minAmountOut: string }).minAmountOut);
      expect(actions.some((a) => a.kind === "transferToConnector")).to.equal(false);
      expect(actions.some((a) => a.kind === "sendToVault")).to.equal(false);
      const after = (await connectorValue(accounts[0]!, stack.connectors.uniswap)).value;
      expect(after - before > (BigInt(move.amount) * 98n) / 100n).to.equal(true);
      const { nav, parts } = await navParts();
      expect(nav).to.equal(parts);
    } finally {
      await keeper.close();
    }
  });

  it("[AC20 signed batches] a further move into the LP connector increases its existing position", async function () {
    await arbitrageBack(boughtWeth);
    const keeper = await keeperWith({
      "aave-usdc": 3800,
      "morpho-usdc": 3500,
      "uniswap-usdc-weth": 2200,
      idle: 500,
    });
    try {
      const cycle = await runKeeperCycle(keeper, new Date());
      expect(cycle.status).to.equal("executed");
      expect(cycle.plan!.skipped.filter((s) => /swap/.test(s.reason))).to.deep.equal([]);
      expect(kinds(cycle.plan!.actions)).to.deep.equal([
        "aaveWithdraw",
        "sendToConnector",
        "trackToken",
        "swap",
        "uniswapIncrease",
      ]);
      const positions = await read<readonly bigint[]>(accounts[0]!, {
        address: stack.connectors.uniswap,
        abi: uniAbi,
        functionName: "positionIds",
      });
      expect(positions).to.have.length(1);
      const { nav, parts } = await navParts();
      expect(nav).to.equal(parts);
    } finally {
      await keeper.close();
    }
  });

  it("[AC20 signed batches] an LP position above its target is reduced: part of its liquidity decreased, collected and the WETH swapped back through LI.FI; at a 0 % target it is emptied and burned", async function () {
    const lpValue = async () => (await connectorValue(accounts[0]!, stack.connectors.uniswap)).value;
    const positions = () =>
      read<readonly bigint[]>(accounts[0]!, {
        address: stack.connectors.uniswap,
        abi: uniAbi,
        functionName: "positionIds",
      });
    const partial = await keeperWith({
      "aave-usdc": 4800,
      "morpho-usdc": 3500,
      "uniswap-usdc-weth": 1200,
      idle: 500,
    });
    try {
      const before = await lpValue();
      const cycle = await runKeeperCycle(partial, new Date());
      expect(cycle.status).to.equal("executed");
      expect(kinds(cycle.plan!.actions).slice(0, 3)).to.deep.equal([
        "uniswapDecrease",
        "uniswapCollect",
        "swap",
      ]);
      const swap = cycle.plan!.actions.find((a) => a.kind === "swap") as Extract<
        PlanAction,
        { kind: "swap" }
      >;
      expect(getAddress(swap.tokenIn)).to.equal(getAddress(protocols.tokens.weth));
      expect(getAddress(swap.tokenOut)).to.equal(getAddress(stack.asset));
      expect(await positions()).to.have.length(1, "a partial reduction keeps the position");
      const after = await lpValue();
      const target = BigInt(cycle.plan!.targets["uniswap-usdc-weth"]!);
      expect(after < before).to.equal(true);
      // within 2 % of the target (the removed share is sized at the pool's price, with slippage margins)
      expect(after > (target * 98n) / 100n && after < (target * 102n) / 100n).to.equal(
        true,
        `LP ${after} vs ${target}`,
      );
      const { nav, parts } = await navParts();
      expect(nav).to.equal(parts);
    } finally {
      await partial.close();
    }
    const exit = await keeperWith({
      "aave-usdc": 6000,
      "morpho-usdc": 3500,
      "uniswap-usdc-weth": 0,
      idle: 500,
    });
    try {
      const cycle = await runKeeperCycle(exit, new Date());
      expect(cycle.status).to.equal("executed");
      expect(kinds(cycle.plan!.actions).slice(0, 4)).to.deep.equal([
        "uniswapDecrease",
        "uniswapCollect",
        "uniswapBurn",
        "swap",
      ]);
      expect(await positions()).to.deep.equal([]);
      // what the minimums kept back (the slippage margins, ~2 %) stays loose in the connector
      const left = await lpValue();
      expect(left > 0n && left < USDC("10000")).to.equal(true, `LP connector keeps ${left}`);
      const { nav, parts } = await navParts();
      expect(nav).to.equal(parts);
    } finally {
      await exit.close();
    }
  });

  it("[AC17 allowlisted calls] the risk checker refuses a send to a non-connector, above a cap, calls that are not the plan's encoding, and unknown actions", async function () {
    const checker = new ChainRiskChecker({ client, vault: stack.vault, registry: stack.registry });
    const check = (actions: readonly unknown[], calls?: ProposalRecord["calls"]) => {
      const plan = { kind: "rebalance", vault: stack.vault, actions };
      let encoded: ProposalRecord["calls"] = [];
      try {
        encoded = encodePlan(plan as unknown as { vault: Address; actions: PlanAction[] });
      } catch {
        // an action that does not encode: the checker must say so itself
      }
      return checker.check({ calls: calls ?? encoded } as ProposalRecord, plan);
    };
    const send = (to: Address, amount: bigint): PlanAction => ({
      kind: "sendToConnector",
      connector: stack.connectors.aave,
      to,
      token: stack.asset,
      amount: amount.toString(),
    });
    const ok = await check([send(stack.connectors.morpho, USDC("10")), { kind: "settle" }]);
    expect(ok).to.deep.equal({ ok: true });

    const stranger = await check([send(accounts[5]!.wallet.account.address, USDC("10"))]);
    expect(stranger.ok).to.equal(false);
    expect(JSON.stringify(stranger)).to.match(/not one of the vault's connectors/);

    const overCap = await check([send(stack.connectors.morpho, 10n ** 30n)]);
    expect(JSON.stringify(overCap)).to.match(/above its cap/);

    const smuggled = await check(
      [{ kind: "settle" }],
      [
        ...encodePlan({ vault: stack.vault, actions: [{ kind: "settle" }] }),
        ...encodePlan({ vault: stack.vault, actions: [send(stack.connectors.morpho, 1n)] }),
      ],
    );
    expect(JSON.stringify(smuggled)).to.match(/calls are not the encoding of the stored plan/);

    const unknown = await check([{ kind: "approve", connector: stack.connectors.aave, amount: "1" }], []);
    expect(unknown.ok).to.equal(false);
    expect(unknown.ok ? "" : unknown.reasons.join()).to.equal(
      'plan actions do not encode: unknown plan action kind "approve"',
    );
  });
});

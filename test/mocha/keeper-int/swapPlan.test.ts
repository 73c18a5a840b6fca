import { expect } from "chai";
import { createPublicClient, custom, parseUnits } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { startLiFiQuoteService } from "../../../deploy/local/lifiQuoteService.js";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { connectorValue } from "../../../deploy/product/connectors.js";
import { DEFAULT_ROLE_INDICES } from "../../../deploy/product/stack.js";
import { composeLocalKeeper } from "../../../deploy/local/keeperConfig.js";
import { runKeeperCycle } from "../../../keeper/cycle/cycle.js";
import { settleOnce } from "../../../keeper/service/tasks.js";
import type { TargetAllocation } from "../../../keeper/strategy/index.js";
import { RecordedSnapshotSource } from "../../../keeper/vault/snapshots.js";
import { localChain } from "../helpers/chain.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";

// The planner's LI.FI leg (AC18 aggregator calldata, AC19 oracle-bounded swap): part of what the LP
// connector receives is swapped to WETH with calldata from @lifi/sdk's getQuote against the local
// quote service, its minimum output checked against the vault's oracle, inside a 2-of-3 batch.

const { connection, publicClient, clientsFor } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const MNEMONIC = "test test test test test test test test test test test junk";
const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const USDC = (amount: string) => parseUnits(amount, 6);

describe("Keeper planner: LI.FI swap leg on the local stack", function () {
  it("[AC18 aggregator calldata] [AC19 slippage] the LP connector's target share is swapped to WETH, at least the quote's minimum, within the oracle bound", async function () {
    const local = await deployLocalStack(accounts[0]!, { accounts });
    const { stack, protocols } = local;
    const alice = clientsFor(10);
    const me = alice.wallet.account.address;
    const erc20 = projectArtifact("MockERC20").abi;
    const vaultAbi = projectArtifact("AccountingManager").abi;
    await fundAndRequestDeposit(accounts[0]!, alice, stack, USDC("1000000"));
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
    });
    const keeperSwapping = (wethShareBps: number) =>
      composeLocalKeeper(local, {
        client,
        transport: custom(connection.provider),
        operators: DEFAULT_ROLE_INDICES.operators.map(key),
        submitter: key(DEFAULT_ROLE_INDICES.strategist),
        snapshots: new RecordedSnapshotSource([], 900_000),
        swaps: { quoteUrl: service.apiUrl, wethShareBps, mintLiquidity: false },
      });
    const keeper = await keeperSwapping(500);
    try {
      await settleOnce(keeper);
      await send(alice, {
        address: stack.vault,
        abi: vaultAbi,
        functionName: "deposit",
        args: [USDC("1000000"), me, me],
      });
      // 100k USDC through the local pool costs ~2 % in price impact: below the oracle floor, refused
      const greedy = await keeperSwapping(5_000);
      const allocation: TargetAllocation = {
        weightsBps: { "uniswap-usdc-weth": 2_000, idle: 8_000 },
        ruleLevels: {},
        reasons: [],
        evidence: [],
        snapshotHash: "0x00",
        turnoverBps: 0,
      };
      const refused = await greedy.product!.planner.plan(allocation);
      expect(refused?.calls).to.deep.equal([]);
      expect(refused?.plan.skipped.map((s) => s.reason).join()).to.match(/oracle floor/);
      await greedy.close();
      const result = await runKeeperCycle(keeper, new Date());
      expect(result.status).to.equal("executed");
      const swap = result.plan!.actions.find((a) => a.kind === "swap");
      if (swap?.kind !== "swap")
        throw new Error(`no swap leg planned: ${JSON.stringify(result.plan?.skipped)}`);
      expect(swap).to.include({
        connector: stack.connectors.uniswap,
        tokenOut: protocols.tokens.weth,
        amountIn: USDC("10000").toString(),
      });
      const weth = await read<bigint>(clientsFor(0), {
        address: protocols.tokens.weth,
        abi: erc20,
        functionName: "balanceOf",
        args: [stack.connectors.uniswap],
      });
      expect(weth >= BigInt(swap.minAmountOut)).to.equal(true);
      // the LP connector holds 100k USDC and ~100k of WETH: its value within the swap's cost of 200k
      const { value } = await connectorValue(clientsFor(0), stack.connectors.uniswap);
      expect(value >= USDC("199000") && value <= USDC("200000")).to.equal(
        true,
        `LP connector value ${value}`,
      );
    } finally {
      await keeper.close();
      await service.close();
    }
  });
});

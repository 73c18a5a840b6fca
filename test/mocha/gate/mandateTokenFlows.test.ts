import { getQuote } from "@lifi/sdk";
import { expect } from "chai";
import { type Address, type Hex, getAddress, parseEther, parseEventLogs, parseUnits } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { deployLocalProtocols } from "../../../deploy/local/protocols.js";
import {
  type Mandate,
  gateDomain,
  keeperGateArtifact,
  signMandate,
  sortSignatures,
} from "../../../deploy/product/gate.js";
import {
  deployProductStack,
  gateExecute,
  productCall,
  provenanceHash,
  stackAccount,
  stackCalls,
} from "../../../deploy/product/stack.js";
import { sortTokens, uniswapArtifacts } from "../../../deploy/protocols/uniswapV3.js";
import { expectWithin } from "../helpers/bigintAssert.js";
import { localChain } from "../helpers/chain.js";
import { withLocalLiFi } from "../helpers/localLiFi.js";
import { expectRevert } from "../helpers/revert.js";

// Findings F5 (an action moving more than one token) and F6 (what a swap produces) of issue 11, with the
// real Uniswap v3 connector, LI.FI handler, oracle and gate: the gate reads every token the connector
// holds or tracks around a mandate action, so the first calldata word no longer hides the others.

const { publicClient, networkHelpers, wallets, clientsFor, deployer } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const USDC = (amount: string) => parseUnits(amount, 6);
const gateAbi = keeperGateArtifact().abi;
const erc20 = () => projectArtifact("MockERC20").abi;

async function fixture() {
  const protocols = await deployLocalProtocols(deployer);
  const stack = await deployProductStack(deployer, protocols, { accounts, governance: "eoa" });
  const { weth } = protocols.tokens;
  const uniswap = stack.connectors.uniswap;
  // The connector holds 20,000 USDC and 10 WETH (30,000 USDC), both counted in its value.
  await gateExecute(stack, accounts, [stackCalls.trackToken(uniswap, weth)], provenanceHash("track WETH"));
  await send(deployer, {
    address: stack.asset,
    abi: erc20(),
    functionName: "transfer",
    args: [uniswap, USDC("20000")],
  });
  await send(deployer, {
    address: weth,
    abi: projectArtifact("WETH9").abi,
    functionName: "deposit",
    value: parseEther("10"),
  });
  await send(deployer, {
    address: weth,
    abi: erc20(),
    functionName: "transfer",
    args: [uniswap, parseEther("10")],
  });
  return { protocols, stack, weth };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

const balanceOf = (token: Address, owner: Address) =>
  read<bigint>(deployer, { address: token, abi: erc20(), functionName: "balanceOf", args: [owner] });

/** Approves a 1,000 USDC-per-action mandate over the Uniswap connector's `selectors`, listing `tokens`. */
async function approveMandate(
  f: Fixture,
  tokens: Address[],
  selectors: string[],
  nonce: bigint,
): Promise<Hex> {
  const { stack } = f;
  const strategist = stackAccount(stack, accounts, "strategist");
  const now = (await publicClient.getBlock()).timestamp;
  const mandate: Mandate = {
    keeper: strategist.wallet.account.address,
    connectors: [stack.connectors.uniswap],
    tokens,
    selectors: selectors.map((name) => stack.allowedCalls.find((c) => c.name === name)!.selector),
    maxNotionalPerAction: USDC("1000"),
    maxNotionalPerPeriod: USDC("100000"),
    period: 86_400n,
    maxSlippageBps: 100n,
    maxLossBps: 100n,
    lossWindow: 7n * 86_400n,
    expiry: now + 86_400n,
    nonce,
  };
  const domain = gateDomain(chainId, stack.gate);
  const signatures = sortSignatures(
    await Promise.all(
      stack.roles.operators
        .slice(0, 2)
        .map((i) => signMandate(accounts[i]!.wallet, domain, stack.vault, mandate)),
    ),
  );
  await send(strategist, {
    address: stack.gate,
    abi: gateAbi,
    functionName: "approveMandate",
    args: [mandate, signatures],
  });
  return read<Hex>(deployer, {
    address: stack.gate,
    abi: gateAbi,
    functionName: "mandateDigest",
    args: [mandate],
  });
}

function executeMandate(f: Fixture, id: Hex, action: { target: Address; data: Hex }) {
  return send(stackAccount(f.stack, accounts, "strategist"), {
    address: f.stack.gate,
    abi: gateAbi,
    functionName: "executeMandate",
    args: [id, action, provenanceHash("mandate action")],
  });
}

/** A mint that needs only WETH: the range sits on WETH's side of the current tick, and the USDC amount is 0. */
async function wethOnlyMint(f: Fixture, wethAmount: bigint) {
  const { stack, protocols, weth } = f;
  const [, tick] = await read<readonly [bigint, number]>(deployer, {
    address: protocols.uniswap.usdcWethPool,
    abi: uniswapArtifacts.pool().abi,
    functionName: "slot0",
  });
  const center = Math.floor(tick / 10) * 10;
  const [token0, token1] = sortTokens(stack.asset, weth);
  const wethIs1 = token1 === getAddress(weth);
  // token1 alone funds a range below the current tick, token0 alone one above it
  const [tickLower, tickUpper] = wethIs1 ? [center - 1200, center - 600] : [center + 600, center + 1200];
  return {
    token0,
    amount0: wethIs1 ? 0n : wethAmount,
    token1,
    amount1: wethIs1 ? wethAmount : 0n,
    fee: 500,
    tickLower,
    tickUpper,
    amount0Min: 0n,
    amount1Min: 0n,
  };
}

const mintCall = (f: Fixture, request: Awaited<ReturnType<typeof wethOnlyMint>>) =>
  productCall(f.stack.connectors.uniswap, "UniswapV3Connector", "mint", [request]);

describe("KeeperGate mandates: every token an action moves (F5, F6)", function () {
  it("[F5 mandate multi-token] a Uniswap mint with amount0 = 0 and the whole WETH balance is refused unless WETH is listed, and then counts at its value", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { stack, weth } = f;
    const usdcOnly = await approveMandate(f, [stack.asset], ["UniswapV3Connector.mint"], 1n);
    await expectRevert(
      executeMandate(f, usdcOnly, mintCall(f, await wethOnlyMint(f, parseEther("10")))),
      "TokenNotInMandate",
    );
    expect(await balanceOf(weth, stack.connectors.uniswap)).to.equal(parseEther("10"));

    const both = await approveMandate(
      f,
      [stack.asset, weth],
      ["UniswapV3Connector.mint", "UniswapV3Connector.increaseLiquidity"],
      2n,
    );
    // 10 WETH = 30,000 USDC against a 1,000 USDC limit, although the calldata's first amount is 0
    await expectRevert(
      executeMandate(f, both, mintCall(f, await wethOnlyMint(f, parseEther("10")))),
      "NotionalAboveActionLimit",
    );
    const hash = await executeMandate(f, both, mintCall(f, await wethOnlyMint(f, parseEther("0.1"))));
    const receipt = await publicClient.getTransactionReceipt({ hash });
    const [executed] = parseEventLogs({ abi: gateAbi, logs: receipt.logs, eventName: "MandateExecuted" });
    const notional = (executed as unknown as { args: { notional: bigint } }).args.notional;
    // 0.1 WETH at the oracle's 3,000 USDC, less what the pool left unused
    expectWithin(notional, USDC("290"), USDC("300"));

    // increaseLiquidity moves token1 too: the same 10 WETH through it is over the limit
    const [tokenId] = await read<readonly bigint[]>(deployer, {
      address: stack.connectors.uniswap,
      abi: projectArtifact("UniswapV3Connector").abi,
      functionName: "positionIds",
    });
    const request = await wethOnlyMint(f, parseEther("9"));
    const increase = productCall(stack.connectors.uniswap, "UniswapV3Connector", "increaseLiquidity", [
      request.token0,
      request.amount0,
      tokenId,
      request.amount1,
      0n,
      0n,
    ]);
    await expectRevert(executeMandate(f, both, increase), "NotionalAboveActionLimit");
  });

  it("[F6 mandate output token] a swap under a mandate that does not list its output token is refused", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { stack, protocols, weth } = f;
    await withLocalLiFi(
      {
        client: publicClient,
        diamond: stack.lifiDiamond,
        swapRouter: protocols.uniswap.swapRouter,
        quoterV2: protocols.uniswap.quoterV2,
      },
      async (lifi) => {
        const quote = await getQuote(lifi, {
          fromChain: chainId,
          toChain: chainId,
          fromToken: stack.asset,
          toToken: weth,
          fromAmount: USDC("900").toString(),
          fromAddress: stack.swapHandler,
          toAddress: stack.connectors.uniswap,
          slippage: 0.003,
        });
        const swap = stackCalls.swap(
          stack.connectors.uniswap,
          stack.asset,
          USDC("900"),
          quote.transactionRequest!.data as Hex,
        );
        const spendOnly = await approveMandate(f, [stack.asset], ["UniswapV3Connector.swap"], 3n);
        await expectRevert(executeMandate(f, spendOnly, swap), "TokenNotInMandate");
        const wethBefore = await balanceOf(weth, stack.connectors.uniswap);
        const both = await approveMandate(f, [stack.asset, weth], ["UniswapV3Connector.swap"], 4n);
        await executeMandate(f, both, swap);
        expect((await balanceOf(weth, stack.connectors.uniswap)) > wethBefore).to.equal(true);
      },
    );
  });
});

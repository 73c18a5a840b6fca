import { expect } from "chai";
import { keccak256, maxUint256, parseEther, parseUnits } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { deployMockToken, deployWeth, mintMockToken } from "../../../deploy/protocols/tokens.js";
import {
  addLiquidity,
  createPool,
  deployUniswapV3,
  fullRangeTicks,
  sqrtPriceX96,
  uniswapArtifacts,
} from "../../../deploy/protocols/uniswapV3.js";
import { localChain } from "../helpers/chain.js";

const { deployer, networkHelpers } = await localChain();

async function uniswapFixture() {
  const usdc = await deployMockToken(deployer, "USD Coin", "USDC", 6);
  const weth = await deployWeth(deployer);
  const uni = await deployUniswapV3(deployer, weth);
  return { usdc, weth, uni };
}

describe("Uniswap v3 core + periphery (npm artifacts)", function () {
  it("pool init code hash matches the periphery's PoolAddress constant", function () {
    expect(keccak256(uniswapArtifacts.pool().bytecode)).to.equal(
      "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54",
    );
  });

  it("creates a pool, adds liquidity via the position manager and swaps via the router", async function () {
    const { usdc, weth, uni } = await networkHelpers.loadFixture(uniswapFixture);
    const me = deployer.wallet.account.address;
    // 3000 USDC per WETH; price = token1/token0 in raw units
    const usdcIsToken0 = BigInt(usdc) < BigInt(weth);
    const price = usdcIsToken0
      ? sqrtPriceX96(parseEther("1"), parseUnits("3000", 6))
      : sqrtPriceX96(parseUnits("3000", 6), parseEther("1"));
    const pool = await createPool(deployer, uni, usdc, weth, 3000, price);
    await mintMockToken(deployer, usdc, me, parseUnits("3000000", 6));
    await send(deployer, {
      address: weth,
      abi: projectArtifact("WETH9").abi,
      functionName: "deposit",
      value: parseEther("1000"),
    });
    const tokenId = await addLiquidity(deployer, uni, {
      tokenA: usdc,
      tokenB: weth,
      fee: 3000,
      amountA: parseUnits("300000", 6),
      amountB: parseEther("100"),
      ...fullRangeTicks(3000),
    });
    expect(tokenId).to.equal(1n);
    expect(
      await read<bigint>(deployer, {
        address: pool,
        abi: uniswapArtifacts.pool().abi,
        functionName: "liquidity",
      }),
    ).to.be.greaterThan(0n);

    await send(deployer, {
      address: usdc,
      abi: projectArtifact("MockERC20").abi,
      functionName: "approve",
      args: [uni.swapRouter, maxUint256],
    });
    const wethBefore = await read<bigint>(deployer, {
      address: weth,
      abi: projectArtifact("WETH9").abi,
      functionName: "balanceOf",
      args: [me],
    });
    const block = await deployer.public.getBlock();
    await send(deployer, {
      address: uni.swapRouter,
      abi: uniswapArtifacts.swapRouter().abi,
      functionName: "exactInputSingle",
      args: [
        {
          tokenIn: usdc,
          tokenOut: weth,
          fee: 3000,
          recipient: me,
          deadline: block.timestamp + 600n,
          amountIn: parseUnits("3000", 6),
          amountOutMinimum: 0n,
          sqrtPriceLimitX96: 0n,
        },
      ],
    });
    const received =
      (await read<bigint>(deployer, {
        address: weth,
        abi: projectArtifact("WETH9").abi,
        functionName: "balanceOf",
        args: [me],
      })) - wethBefore;
    // ~1 WETH less the 0.3% fee and price impact
    expect(received > parseEther("0.98") && received < parseEther("1")).to.equal(true);
  });
});

import { type Address, parseEther, parseUnits } from "viem";
import { projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { type AaveReserve, type AaveV3Deployment, deployAaveV3 } from "../protocols/aaveV3.js";
import { deployMockFeed } from "../protocols/chainlink.js";
import { deployConditionalTokens } from "../protocols/conditionalTokens.js";
import {
  type MorphoBlueDeployment,
  type MorphoMarketParams,
  createMorphoMarket,
  deployMorphoBlue,
} from "../protocols/morphoBlue.js";
import { type SafeDeployment, deploySafeInfrastructure } from "../protocols/safe.js";
import { deployMockToken, deployWeth, mintMockToken } from "../protocols/tokens.js";
import {
  type UniswapV3Deployment,
  addLiquidity,
  createPool,
  deployUniswapV3,
  fullRangeTicks,
  sortTokens,
  sqrtPriceX96,
} from "../protocols/uniswapV3.js";

/** Starting market prices of the local stack, in USD. */
export const LOCAL_PRICES = { eth: 3000n, usdc: 1n, usdt: 1n } as const;

export interface LocalProtocols {
  readonly tokens: { readonly usdc: Address; readonly usdt: Address; readonly weth: Address };
  readonly feeds: { readonly usdcUsd: Address; readonly usdtUsd: Address; readonly ethUsd: Address };
  readonly uniswap: UniswapV3Deployment & { readonly usdcWethPool: Address; readonly usdcUsdtPool: Address };
  readonly aave: AaveV3Deployment;
  readonly morpho: MorphoBlueDeployment & { readonly usdcWethMarket: MorphoMarketParams };
  readonly safe: SafeDeployment;
  readonly conditionalTokens: Address;
}

/** Uniswap price of `base` in `quote` raw units per raw unit, as sqrtPriceX96 in the pool's token order. */
function poolPrice(base: Address, quote: Address, baseAmount: bigint, quoteAmount: bigint): bigint {
  const [token0] = sortTokens(base, quote);
  return token0 === base ? sqrtPriceX96(quoteAmount, baseAmount) : sqrtPriceX96(baseAmount, quoteAmount);
}

/** The local Aave market's reserves: USDC and USDT (75% LTV), WETH (80% LTV), all borrowable. */
export function localAaveReserves(tokens: { usdc: Address; usdt: Address; weth: Address }): AaveReserve[] {
  const { usdc, usdt, weth } = tokens;
  return [
    {
      asset: usdc,
      decimals: 6,
      priceUsd8: 1_00000000n,
      ltvBps: 7500n,
      liquidationThresholdBps: 7800n,
      borrowingEnabled: true,
    },
    {
      asset: usdt,
      decimals: 6,
      priceUsd8: 1_00000000n,
      ltvBps: 7500n,
      liquidationThresholdBps: 7800n,
      borrowingEnabled: true,
    },
    {
      asset: weth,
      decimals: 18,
      priceUsd8: LOCAL_PRICES.eth * 100000000n,
      ltvBps: 8000n,
      liquidationThresholdBps: 8250n,
      borrowingEnabled: true,
    },
  ];
}

/**
 * Deploys every real external protocol the product talks to, from npm artifacts, and seeds
 * liquidity so swaps, lending and LP valuation behave like a small live market.
 */
export async function deployLocalProtocols(clients: Clients): Promise<LocalProtocols> {
  const me = clients.wallet.account.address;
  const usdc = await deployMockToken(clients, "USD Coin", "USDC", 6);
  const usdt = await deployMockToken(clients, "Tether USD", "USDT", 6);
  const weth = await deployWeth(clients);

  const feeds = {
    usdcUsd: await deployMockFeed(clients, 8, 1_00000000n),
    usdtUsd: await deployMockFeed(clients, 8, 1_00000000n),
    ethUsd: await deployMockFeed(clients, 8, LOCAL_PRICES.eth * 100000000n),
  };

  await mintMockToken(clients, usdc, me, parseUnits("50000000", 6));
  await mintMockToken(clients, usdt, me, parseUnits("50000000", 6));
  await send(clients, {
    address: weth,
    abi: projectArtifact("WETH9").abi,
    functionName: "deposit",
    value: parseEther("5000"),
  });

  const uni = await deployUniswapV3(clients, weth);
  const oneEth = parseEther("1");
  const ethInUsdc = parseUnits(LOCAL_PRICES.eth.toString(), 6);
  const usdcWethPool = await createPool(
    clients,
    uni,
    usdc,
    weth,
    500,
    poolPrice(weth, usdc, oneEth, ethInUsdc),
  );
  await addLiquidity(clients, uni, {
    tokenA: usdc,
    tokenB: weth,
    fee: 500,
    amountA: parseUnits("6000000", 6),
    amountB: parseEther("2000"),
    ...fullRangeTicks(500),
  });
  const usdcUsdtPool = await createPool(clients, uni, usdc, usdt, 100, sqrtPriceX96(1n, 1n));
  await addLiquidity(clients, uni, {
    tokenA: usdc,
    tokenB: usdt,
    fee: 100,
    amountA: parseUnits("5000000", 6),
    amountB: parseUnits("5000000", 6),
    tickLower: -1000,
    tickUpper: 1000,
  });

  const aave = await deployAaveV3(clients, localAaveReserves({ usdc, usdt, weth }));

  const blue = await deployMorphoBlue(clients);
  // Morpho prices 1 raw collateral unit in raw loan units, scaled by 1e36.
  const usdcWethMarket = await createMorphoMarket(clients, blue, {
    loanToken: usdc,
    collateralToken: weth,
    price: (ethInUsdc * 10n ** 36n) / oneEth,
    lltv: parseEther("0.86"),
  });

  return {
    tokens: { usdc, usdt, weth },
    feeds,
    uniswap: { ...uni, usdcWethPool, usdcUsdtPool },
    aave,
    morpho: { ...blue, usdcWethMarket },
    safe: await deploySafeInfrastructure(clients),
    conditionalTokens: await deployConditionalTokens(clients),
  };
}

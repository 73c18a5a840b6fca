import { type Address, getAddress, maxUint256 } from "viem";
import { type Artifact, deploy, npmArtifact, projectArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

const CORE = "@uniswap/v3-core/artifacts/contracts";
const PERIPHERY = "@uniswap/v3-periphery/artifacts/contracts";

/** Real Uniswap v3 artifacts from npm (v3-core 1.0.1, v3-periphery 1.4.4). */
export const uniswapArtifacts = {
  factory: (): Artifact => npmArtifact(`${CORE}/UniswapV3Factory.sol/UniswapV3Factory.json`),
  pool: (): Artifact => npmArtifact(`${CORE}/UniswapV3Pool.sol/UniswapV3Pool.json`),
  positionManager: (): Artifact =>
    npmArtifact(`${PERIPHERY}/NonfungiblePositionManager.sol/NonfungiblePositionManager.json`),
  swapRouter: (): Artifact => npmArtifact(`${PERIPHERY}/SwapRouter.sol/SwapRouter.json`),
  quoterV2: (): Artifact => npmArtifact(`${PERIPHERY}/lens/QuoterV2.sol/QuoterV2.json`),
};

export interface UniswapV3Deployment {
  readonly factory: Address;
  readonly positionManager: Address;
  readonly swapRouter: Address;
  readonly quoterV2: Address;
  readonly weth: Address;
}

// The NFT descriptor is only read by tokenURI(), which nothing here calls.
const UNUSED_TOKEN_DESCRIPTOR = "0x0000000000000000000000000000000000000001";

/** Deploys the factory and the periphery the product uses (position manager, router, quoter). */
export async function deployUniswapV3(clients: Clients, weth: Address): Promise<UniswapV3Deployment> {
  const factory = await deploy(clients, uniswapArtifacts.factory());
  // The 0.01% tier was enabled by Uniswap governance after launch (Nov 2021); the factory's
  // constructor only enables 0.05%, 0.3% and 1%.
  await send(clients, {
    address: factory,
    abi: uniswapArtifacts.factory().abi,
    functionName: "enableFeeAmount",
    args: [100, 1],
  });
  const positionManager = await deploy(clients, uniswapArtifacts.positionManager(), [
    factory,
    weth,
    UNUSED_TOKEN_DESCRIPTOR,
  ]);
  const swapRouter = await deploy(clients, uniswapArtifacts.swapRouter(), [factory, weth]);
  const quoterV2 = await deploy(clients, uniswapArtifacts.quoterV2(), [factory, weth]);
  return { factory, positionManager, swapRouter, quoterV2, weth };
}

/** Orders two tokens the way Uniswap does (token0 < token1). */
export function sortTokens(a: Address, b: Address): [Address, Address] {
  return BigInt(a) < BigInt(b) ? [getAddress(a), getAddress(b)] : [getAddress(b), getAddress(a)];
}

/**
 * sqrt(price) in Q64.96 for a price expressed as `amount1 / amount0` in raw token units
 * (`num / den`), so decimals are the caller's business and nothing is rounded through floats.
 */
export function sqrtPriceX96(num: bigint, den: bigint): bigint {
  const ratioX192 = (num << 192n) / den;
  return sqrtBig(ratioX192);
}

function sqrtBig(value: bigint): bigint {
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

/**
 * Creates and initializes a pool and grows its observation buffer so a TWAP over
 * `cardinality` blocks is available.
 */
export async function createPool(
  clients: Clients,
  uni: UniswapV3Deployment,
  tokenA: Address,
  tokenB: Address,
  fee: number,
  initialSqrtPriceX96: bigint,
  cardinality = 100,
): Promise<Address> {
  const factoryAbi = uniswapArtifacts.factory().abi;
  const poolAbi = uniswapArtifacts.pool().abi;
  const [token0, token1] = sortTokens(tokenA, tokenB);
  await send(clients, {
    address: uni.factory,
    abi: factoryAbi,
    functionName: "createPool",
    args: [token0, token1, fee],
  });
  const pool = await read<Address>(clients, {
    address: uni.factory,
    abi: factoryAbi,
    functionName: "getPool",
    args: [token0, token1, fee],
  });
  await send(clients, {
    address: pool,
    abi: poolAbi,
    functionName: "initialize",
    args: [initialSqrtPriceX96],
  });
  await send(clients, {
    address: pool,
    abi: poolAbi,
    functionName: "increaseObservationCardinalityNext",
    args: [cardinality],
  });
  return pool;
}

/**
 * Adds full-range-ish liquidity from the sender through the real NonfungiblePositionManager.
 * Returns the minted position id.
 */
export async function addLiquidity(
  clients: Clients,
  uni: UniswapV3Deployment,
  params: {
    tokenA: Address;
    tokenB: Address;
    fee: number;
    amountA: bigint;
    amountB: bigint;
    tickLower: number;
    tickUpper: number;
  },
): Promise<bigint> {
  const erc20 = projectArtifact("MockERC20").abi;
  const npm = uniswapArtifacts.positionManager().abi;
  const [token0, token1] = sortTokens(params.tokenA, params.tokenB);
  const aIsToken0 = getAddress(params.tokenA) === token0;
  for (const token of [token0, token1]) {
    await send(clients, {
      address: token,
      abi: erc20,
      functionName: "approve",
      args: [uni.positionManager, maxUint256],
    });
  }
  const block = await clients.public.getBlock();
  const mint = {
    token0,
    token1,
    fee: params.fee,
    tickLower: params.tickLower,
    tickUpper: params.tickUpper,
    amount0Desired: aIsToken0 ? params.amountA : params.amountB,
    amount1Desired: aIsToken0 ? params.amountB : params.amountA,
    amount0Min: 0n,
    amount1Min: 0n,
    recipient: clients.wallet.account.address,
    deadline: block.timestamp + 3600n,
  };
  const { result } = await clients.public.simulateContract({
    address: uni.positionManager,
    abi: npm,
    functionName: "mint",
    args: [mint],
    account: clients.wallet.account,
  });
  await send(clients, { address: uni.positionManager, abi: npm, functionName: "mint", args: [mint] });
  return (result as readonly bigint[])[0] as bigint;
}

/** Maximum usable tick for a fee tier's spacing (full range). */
export function fullRangeTicks(fee: number): { tickLower: number; tickUpper: number } {
  const spacing = ({ 100: 1, 500: 10, 3000: 60, 10000: 200 } as Record<number, number>)[fee];
  if (!spacing) throw new Error(`unknown Uniswap v3 fee tier ${fee}`);
  const max = Math.floor(887272 / spacing) * spacing;
  return { tickLower: -max, tickUpper: max };
}

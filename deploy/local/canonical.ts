import { type Address, type Hex, concatHex, keccak256, numberToHex, pad, parseEther, parseUnits } from "viem";
import { deploy, projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import type { NetworkConfig } from "../networks/schema.js";
import { EXACT_INPUT, EXACT_INPUT_SINGLE, localLiFiDiamondArtifact } from "../product/lifi.js";
import { deployAaveV3 } from "../protocols/aaveV3.js";
import { deployMockFeed, updateFeed } from "../protocols/chainlink.js";
import { type MorphoMarketParams, createMorphoMarket, deployMorphoBlue } from "../protocols/morphoBlue.js";
import { deploySafeInfrastructure } from "../protocols/safe.js";
import { deployMockToken, deployWeth, mintMockToken } from "../protocols/tokens.js";
import {
  type UniswapV3Deployment,
  addLiquidity,
  createPool,
  deployUniswapV3,
  fullRangeTicks,
  sqrtPriceX96,
} from "../protocols/uniswapV3.js";
import { localAaveReserves } from "./protocols.js";

/**
 * Places locally deployed contracts at other (canonical) addresses on a local chain:
 * `hardhat_setCode` with the runtime code, where every 20-byte address in `replace` is rewritten (a
 * contract's own address or a dependency's, inlined as immutables), and `hardhat_setStorageAt` for the
 * plain storage slots and the mapping entries the constructor wrote.
 */

type Rpc = (args: { method: string; params: unknown[] }) => Promise<unknown>;
const rpcOf = (clients: Clients) => clients.public.request as unknown as Rpc;

const bare = (address: Address) => address.slice(2).toLowerCase();

export interface RelocateOptions {
  /** address pairs to rewrite inside the runtime code, besides `from` -> `to` */
  readonly replace?: readonly (readonly [Address, Address])[];
  /** plain slots 0..plainSlots-1 are copied (default 16) */
  readonly plainSlots?: number;
  /** mapping keys (32-byte words) to copy for every mapping declared in slots 0..plainSlots-1 */
  readonly mappingKeys?: readonly Hex[];
}

/** Copies the code (patched) and state of `from` to `to`; returns how many 20-byte patches were made. */
export async function relocate(clients: Clients, from: Address, to: Address, options: RelocateOptions = {}) {
  const rpc = rpcOf(clients);
  const code = (await rpc({ method: "eth_getCode", params: [from, "latest"] })) as Hex;
  if (code === "0x") throw new Error(`no code at ${from}`);
  let patched = code.toLowerCase();
  let patches = 0;
  for (const [a, b] of [[from, to] as const, ...(options.replace ?? [])]) {
    const parts = patched.split(bare(a));
    patches += parts.length - 1;
    patched = parts.join(bare(b));
  }
  await rpc({ method: "hardhat_setCode", params: [to, patched] });
  const plainSlots = options.plainSlots ?? 16;
  const slots: Hex[] = [];
  for (let i = 0; i < plainSlots; i++) {
    const slot = pad(numberToHex(i), { size: 32 });
    slots.push(slot);
    for (const key of options.mappingKeys ?? []) slots.push(keccak256(concatHex([key, slot])));
  }
  for (const slot of slots) {
    const value = (await rpc({ method: "eth_getStorageAt", params: [from, slot, "latest"] })) as Hex;
    if (BigInt(value) !== 0n) await rpc({ method: "hardhat_setStorageAt", params: [to, slot, value] });
  }
  return { patches };
}

/** A uint as a 32-byte mapping key. */
export const uintKey = (value: number | bigint): Hex => pad(numberToHex(value), { size: 32 });

/**
 * Puts the real protocol code at the canonical addresses of `config` on the local chain. Everything is
 * deployed from npm artifacts and moved with `hardhat_setCode` (+ the constructor's storage) except the
 * Aave v3 Pool: it is an upgradeable proxy whose reserves live in mapping storage keyed by values only
 * known after listing, and its aTokens and debt tokens inline the Pool address as an immutable and only
 * accept calls from it; relocating it would mean patching every token's code and copying the Pool's
 * mappings slot by slot. The Aave market is therefore deployed normally and the returned config points
 * `aaveV3.pool` at it; every other external address stays the canonical one.
 */
export async function placeCanonicalProtocols(
  deployer: Clients,
  config: NetworkConfig,
): Promise<{ config: NetworkConfig; morphoIrm: Address }> {
  const me = deployer.wallet.account.address;
  const usdc = config.tokens.USDC.address;
  const usdt = config.tokens.USDT.address;
  const weth = config.tokens.WETH.address;
  await relocate(deployer, await deployMockToken(deployer, "USD Coin", "USDC", 6), usdc);
  await relocate(deployer, await deployMockToken(deployer, "Tether USD", "USDT", 6), usdt);
  await relocate(deployer, await deployWeth(deployer), weth);
  await mintMockToken(deployer, usdc, me, parseUnits("20000000", 6));
  await mintMockToken(deployer, usdt, me, parseUnits("10000000", 6));
  await send(deployer, {
    address: weth,
    abi: projectArtifact("WETH9").abi,
    functionName: "deposit",
    value: parseEther("3000"),
  });

  for (const [pair, answer] of [
    ["USDC/USD", 1_00000000n],
    ["USDT/USD", 1_00000000n],
    ["ETH/USD", 3000_00000000n],
  ] as const) {
    const canonical = config.chainlink[pair].address;
    await relocate(deployer, await deployMockFeed(deployer, 8, answer), canonical);
    await updateFeed(deployer, canonical, answer);
  }

  // Uniswap v3: the factory guards createPool with NoDelegateCall (its own address as an immutable),
  // the periphery inlines the factory address; both are rewritten. Fee tiers live in a mapping.
  const local = await deployUniswapV3(deployer, weth);
  const swapRouter = config.uniswapV3.swapRouter;
  if (!swapRouter) throw new Error(`${config.name} has no SwapRouter`);
  const uni: UniswapV3Deployment = { ...config.uniswapV3, swapRouter, weth };
  const factoryMoved = [[local.factory, uni.factory]] as const;
  await relocate(deployer, local.factory, uni.factory, { mappingKeys: [100, 500, 3000, 10000].map(uintKey) });
  await relocate(deployer, local.positionManager, uni.positionManager, { replace: factoryMoved });
  await relocate(deployer, local.swapRouter, uni.swapRouter, { replace: factoryMoved });
  await relocate(deployer, local.quoterV2, uni.quoterV2, { replace: factoryMoved });
  const [token0] = BigInt(usdc) < BigInt(weth) ? [usdc] : [weth];
  const usdcIs0 = token0 === usdc;
  const oneEth = parseEther("1");
  const ethInUsdc = parseUnits("3000", 6);
  await createPool(
    deployer,
    uni,
    usdc,
    weth,
    500,
    usdcIs0 ? sqrtPriceX96(oneEth, ethInUsdc) : sqrtPriceX96(ethInUsdc, oneEth),
  );
  await addLiquidity(deployer, uni, {
    tokenA: usdc,
    tokenB: weth,
    fee: 500,
    amountA: parseUnits("3000000", 6),
    amountB: parseEther("1000"),
    ...fullRangeTicks(500),
  });
  await createPool(deployer, uni, usdc, usdt, 100, sqrtPriceX96(1n, 1n));
  await addLiquidity(deployer, uni, {
    tokenA: usdc,
    tokenB: usdt,
    fee: 100,
    amountA: parseUnits("1000000", 6),
    amountB: parseUnits("1000000", 6),
    tickLower: -1000,
    tickUpper: 1000,
  });

  // Morpho Blue is not a proxy: its owner sits in slot 0; IRMs, LLTVs and markets are re-created in place.
  const blue = await deployMorphoBlue(deployer);
  await relocate(deployer, blue.morpho, config.morphoBlue);
  await send(deployer, {
    address: config.morphoBlue,
    abi: projectArtifact("Morpho").abi,
    functionName: "enableIrm",
    args: [blue.irm],
  });

  const safe = await deploySafeInfrastructure(deployer);
  await relocate(deployer, safe.singleton, config.safe.singleton);
  await relocate(deployer, safe.proxyFactory, config.safe.proxyFactory);
  await relocate(deployer, safe.fallbackHandler, config.safe.fallbackHandler);

  const diamond = await projectDeployDiamond();
  await relocate(deployer, diamond, config.lifiDiamond);
  for (const selector of [EXACT_INPUT_SINGLE, EXACT_INPUT])
    await send(deployer, {
      address: config.lifiDiamond,
      abi: localLiFiDiamondArtifact().abi,
      functionName: "setContractSelectorWhitelist",
      args: [uni.swapRouter, selector, true],
    });

  const aave = await deployAaveV3(deployer, localAaveReserves({ usdc, usdt, weth }));
  return {
    config: { ...config, aaveV3: { pool: aave.pool, addressesProvider: aave.addressesProvider } },
    morphoIrm: blue.irm,
  };

  async function projectDeployDiamond(): Promise<Address> {
    return deploy(deployer, localLiFiDiamondArtifact(), [me]);
  }
}

/**
 * A local fork of `canonical` on the chain `deployer` is connected to: the protocols placed at the
 * canonical addresses (`placeCanonicalProtocols`, the config's chain id set to the local one) and a
 * USDC/WETH Morpho Blue market (86 % LLTV) for the supply vault, created at the canonical Morpho.
 */
export async function localCanonicalFork(
  deployer: Clients,
  canonical: NetworkConfig,
): Promise<{ config: NetworkConfig; morphoMarket: MorphoMarketParams }> {
  const { config, morphoIrm } = await placeCanonicalProtocols(deployer, {
    ...canonical,
    chainId: await deployer.public.getChainId(),
  });
  const morphoMarket = await createMorphoMarket(
    deployer,
    { morpho: config.morphoBlue, irm: morphoIrm },
    {
      loanToken: config.tokens.USDC.address,
      collateralToken: config.tokens.WETH.address,
      price: 3000n * 10n ** 24n,
      lltv: parseEther("0.86"),
    },
  ).catch(async (error: Error) => {
    throw new Error(`Morpho market at the canonical address: ${error.message}`);
  });
  return { config, morphoMarket };
}

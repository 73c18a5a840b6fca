import { type Abi, type Address, type Hex, encodeFunctionData, parseAbi, toFunctionSelector } from "viem";
import { type Artifact, deploy, projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { type UniswapV3Deployment, uniswapArtifacts } from "../protocols/uniswapV3.js";

/** LI.FI Diamond same-chain swap ABI (GenericSwapFacet / GenericSwapFacetV3 signatures, LibSwap.SwapData). */
export const LIFI_DIAMOND_ABI = parseAbi([
  "struct SwapData { address callTo; address approveTo; address sendingAssetId; address receivingAssetId; uint256 fromAmount; bytes callData; bool requiresDeposit; }",
  "function swapTokensSingleV3ERC20ToERC20(bytes32 _transactionId, string _integrator, string _referrer, address _receiver, uint256 _minAmountOut, SwapData _swapData)",
  "function swapTokensMultipleV3ERC20ToERC20(bytes32 _transactionId, string _integrator, string _referrer, address _receiver, uint256 _minAmountOut, SwapData[] _swapData)",
  "function swapTokensGeneric(bytes32 _transactionId, string _integrator, string _referrer, address _receiver, uint256 _minAmount, SwapData[] _swapData) payable",
  "event LiFiGenericSwapCompleted(bytes32 indexed transactionId, string integrator, string referrer, address receiver, address fromAssetId, address toAssetId, uint256 fromAmount, uint256 toAmount)",
]);

/** LibSwap.SwapData as viem encodes it. */
export interface SwapData {
  readonly callTo: Address;
  readonly approveTo: Address;
  readonly sendingAssetId: Address;
  readonly receivingAssetId: Address;
  readonly fromAmount: bigint;
  readonly callData: Hex;
  readonly requiresDeposit: boolean;
}

/** The Uniswap v3 SwapRouter entry points the local stack lets a swap step call. */
export const EXACT_INPUT_SINGLE = toFunctionSelector(
  "exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))",
);
export const EXACT_INPUT = toFunctionSelector("exactInput((bytes,address,uint256,uint256,uint256))");

export const localLiFiDiamondArtifact = (): Artifact => projectArtifact("LocalLiFiDiamond");
export const liFiSwapHandlerArtifact = (): Artifact => projectArtifact("LiFiSwapHandler");

/** Calls `functionName(swapRouter, selector, true)` for both SwapRouter exact-input selectors. */
async function allowExactInputCalls(
  clients: Clients,
  target: { address: Address; abi: Abi; functionName: string; swapRouter: Address },
): Promise<void> {
  for (const selector of [EXACT_INPUT_SINGLE, EXACT_INPUT]) {
    await send(clients, {
      address: target.address,
      abi: target.abi,
      functionName: target.functionName,
      args: [target.swapRouter, selector, true],
    });
  }
}

/**
 * Deploys the local LI.FI Diamond stand-in and whitelists the real Uniswap v3 SwapRouter's exact-input
 * functions, the only DEX calls it will make.
 */
export async function deployLocalLiFiDiamond(clients: Clients, uni: UniswapV3Deployment): Promise<Address> {
  const diamond = await deploy(clients, localLiFiDiamondArtifact(), [clients.wallet.account.address]);
  await allowExactInputCalls(clients, {
    address: diamond,
    abi: localLiFiDiamondArtifact().abi,
    functionName: "setContractSelectorWhitelist",
    swapRouter: uni.swapRouter,
  });
  return diamond;
}

/**
 * Deploys a LiFiSwapHandler for `registry` and, from `governance` (the registry owner), allowlists the
 * Uniswap SwapRouter's exact-input calls as swap steps.
 */
export async function deployLiFiSwapHandler(
  deployer: Clients,
  governance: Clients,
  params: { registry: Address; diamond: Address; maxSlippageBps: bigint; swapRouter: Address },
): Promise<Address> {
  const handler = await deploy(deployer, liFiSwapHandlerArtifact(), [
    params.registry,
    params.diamond,
    params.maxSlippageBps,
  ]);
  await allowExactInputCalls(governance, {
    address: handler,
    abi: liFiSwapHandlerArtifact().abi,
    functionName: "setDexCallAllowed",
    swapRouter: params.swapRouter,
  });
  return handler;
}

/** SwapRouter `exactInputSingle` calldata paying out to `recipient` (the Diamond, which forwards it). */
export function encodeExactInputSingle(params: {
  tokenIn: Address;
  tokenOut: Address;
  fee: number;
  recipient: Address;
  deadline: bigint;
  amountIn: bigint;
  amountOutMinimum: bigint;
}): Hex {
  return encodeFunctionData({
    abi: uniswapArtifacts.swapRouter().abi,
    functionName: "exactInputSingle",
    args: [{ ...params, sqrtPriceLimitX96: 0n }],
  });
}

/** Diamond calldata for a one-step ERC-20 to ERC-20 swap (`swapTokensSingleV3ERC20ToERC20`). */
export function encodeSingleV3Swap(params: {
  transactionId: Hex;
  integrator: string;
  referrer: string;
  receiver: Address;
  minAmountOut: bigint;
  swapData: SwapData;
}): Hex {
  return encodeFunctionData({
    abi: LIFI_DIAMOND_ABI,
    functionName: "swapTokensSingleV3ERC20ToERC20",
    args: [
      params.transactionId,
      params.integrator,
      params.referrer,
      params.receiver,
      params.minAmountOut,
      params.swapData,
    ],
  });
}

/** Diamond calldata for a multi-step swap (`swapTokensMultipleV3ERC20ToERC20` or `swapTokensGeneric`). */
export function encodeMultiStepSwap(
  functionName: "swapTokensMultipleV3ERC20ToERC20" | "swapTokensGeneric",
  params: {
    transactionId: Hex;
    integrator: string;
    referrer: string;
    receiver: Address;
    minAmountOut: bigint;
    swapData: readonly SwapData[];
  },
): Hex {
  return encodeFunctionData({
    abi: LIFI_DIAMOND_ABI,
    functionName,
    args: [
      params.transactionId,
      params.integrator,
      params.referrer,
      params.receiver,
      params.minAmountOut,
      params.swapData,
    ],
  });
}

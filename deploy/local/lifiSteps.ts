import type { LiFiStep, Route, Token } from "@lifi/sdk";
import { type Address, type Hex, encodePacked, keccak256, numberToHex } from "viem";
import { encodeExactInputSingle, encodeSingleV3Swap } from "../product/lifi.js";

/** Pure builders of LI.FI API objects (steps, routes) from a Uniswap v3 quote on the local chain. */

/** LI.FI's API error codes used by the local service (from the LI.FI API documentation). */
export const LIFI_ERROR_CODES = { noQuote: 1002, notFound: 1003, server: 1006, validation: 1011 } as const;

/** LI.FI's referrer field when there is none: the zero address as a string, as real calldata carries it. */
export const NO_REFERRER = "0x0000000000000000000000000000000000000000";

const SLIPPAGE_SCALE = 1_000_000n;

/** A same-chain swap request, already validated. */
export interface SwapRequest {
  readonly chainId: number;
  readonly fromToken: Address;
  readonly toToken: Address;
  readonly fromAmount: bigint;
  readonly fromAddress: Address;
  readonly toAddress: Address;
  readonly slippage: number;
  readonly integrator: string;
  readonly referrer: string;
}

/** The best Uniswap v3 quote found for a request. */
export interface PoolQuote {
  readonly fee: number;
  readonly amountOut: bigint;
  readonly gasEstimate: bigint;
}

/** Local-chain facts the calldata depends on. */
export interface LocalVenue {
  readonly diamond: Address;
  readonly swapRouter: Address;
  readonly deadline: bigint;
  readonly gasPrice: bigint;
}

/** `amountOut` less `slippage` (a fraction, e.g. 0.005), rounded down to 1e-6 precision of the fraction. */
export function minimumAfterSlippage(amountOut: bigint, slippage: number): bigint {
  const cut = BigInt(Math.ceil(slippage * Number(SLIPPAGE_SCALE)));
  return (amountOut * (SLIPPAGE_SCALE - cut)) / SLIPPAGE_SCALE;
}

/** A deterministic 32-byte LI.FI transaction id for a request and a sequence number. */
export function transactionIdFor(request: SwapRequest, sequence: number): Hex {
  return keccak256(
    encodePacked(
      ["uint256", "address", "address", "uint256", "address", "uint256"],
      [
        BigInt(request.chainId),
        request.fromToken,
        request.toToken,
        request.fromAmount,
        request.toAddress,
        BigInt(sequence),
      ],
    ),
  );
}

/** Diamond calldata (`swapTokensSingleV3ERC20ToERC20` over SwapRouter.exactInputSingle) for a quote. */
export function buildSwapCalldata(
  request: SwapRequest,
  quote: PoolQuote,
  venue: LocalVenue,
  transactionId: Hex,
): Hex {
  const minAmountOut = minimumAfterSlippage(quote.amountOut, request.slippage);
  return encodeSingleV3Swap({
    transactionId,
    integrator: request.integrator,
    referrer: request.referrer,
    receiver: request.toAddress,
    minAmountOut,
    swapData: {
      callTo: venue.swapRouter,
      approveTo: venue.swapRouter,
      sendingAssetId: request.fromToken,
      receivingAssetId: request.toToken,
      fromAmount: request.fromAmount,
      callData: encodeExactInputSingle({
        tokenIn: request.fromToken,
        tokenOut: request.toToken,
        fee: quote.fee,
        recipient: venue.diamond,
        deadline: venue.deadline,
        amountIn: request.fromAmount,
        amountOutMinimum: minAmountOut,
      }),
      requiresDeposit: true,
    },
  });
}

const UNISWAP_TOOL = {
  key: "uniswap",
  name: "Uniswap V3 (local)",
  logoURI: "",
} as const;

// Gas for the Diamond call plus the Uniswap swap; the local service cannot simulate a caller's approvals.
const STEP_GAS_LIMIT = 600_000n;

/** A LI.FI `LiFiStep` (type "lifi" with one included "swap" step), with or without its transaction. */
export function buildStep(
  request: SwapRequest,
  quote: PoolQuote,
  tokens: { from: Token; to: Token },
  venue: LocalVenue,
  transactionId: Hex,
  withTransaction: boolean,
): LiFiStep {
  const toAmountMin = minimumAfterSlippage(quote.amountOut, request.slippage);
  const action = {
    fromChainId: request.chainId,
    fromAmount: request.fromAmount.toString(),
    fromToken: tokens.from,
    fromAddress: request.fromAddress,
    toChainId: request.chainId,
    toToken: tokens.to,
    toAddress: request.toAddress,
    slippage: request.slippage,
  };
  const estimate = {
    tool: UNISWAP_TOOL.key,
    fromAmount: request.fromAmount.toString(),
    toAmount: quote.amountOut.toString(),
    toAmountMin: toAmountMin.toString(),
    approvalAddress: venue.diamond,
    feeCosts: [],
    gasCosts: [],
    executionDuration: 0,
  };
  const step: LiFiStep = {
    id: transactionId,
    type: "lifi",
    tool: UNISWAP_TOOL.key,
    toolDetails: UNISWAP_TOOL,
    integrator: request.integrator,
    action,
    estimate,
    includedSteps: [
      {
        id: `${transactionId}:swap`,
        type: "swap",
        tool: UNISWAP_TOOL.key,
        toolDetails: UNISWAP_TOOL,
        action,
        estimate,
      },
    ],
    transactionId,
  };
  if (!withTransaction) return step;
  return {
    ...step,
    transactionRequest: {
      to: venue.diamond,
      from: request.fromAddress,
      data: buildSwapCalldata(request, quote, venue, transactionId),
      value: "0x0",
      chainId: request.chainId,
      gasLimit: numberToHex(STEP_GAS_LIMIT),
      gasPrice: numberToHex(venue.gasPrice),
    },
  };
}

/** A one-step LI.FI `Route` around a step (routes carry steps without transactions). */
export function buildRoute(request: SwapRequest, step: LiFiStep): Route {
  return {
    id: step.id,
    insurance: { state: "NOT_INSURABLE", feeAmountUsd: "0" },
    fromChainId: request.chainId,
    fromAmountUSD: "0",
    fromAmount: step.action.fromAmount,
    fromToken: step.action.fromToken,
    fromAddress: request.fromAddress,
    toChainId: request.chainId,
    toAmountUSD: "0",
    toAmount: step.estimate?.toAmount ?? "0",
    toAmountMin: step.estimate?.toAmountMin ?? "0",
    toToken: step.action.toToken,
    toAddress: request.toAddress,
    gasCostUSD: "0",
    containsSwitchChain: false,
    steps: [step],
    tags: ["RECOMMENDED"],
  };
}

import { encodeFunctionData, getAddress, type Address, type Hex } from "viem";
import type { GateCall } from "../store/types.js";
import { productAbis } from "./abis.js";

/** How the planner moves base asset in and out of a connector. */
export type ConnectorKind =
  /** AaveV3Connector: supply / withdraw the base asset */
  | "aave"
  /** ERC4626Connector: deposit / withdraw with share bounds */
  | "erc4626"
  /** a connector whose positions the planner does not manage (e.g. Uniswap LP): only loose base asset moves */
  | "hold"
  /** UniswapV3Connector funded by the planner: base asset in, part swapped, liquidity minted or increased */
  | "uniswapLp";

/**
 * One step of a plan, JSON-safe (amounts as decimal strings) because the plan is stored, hashed
 * into the provenance and re-read by every signer.
 */
export type PlanAction =
  | { readonly kind: "transferToConnector"; readonly connector: Address; readonly amount: string }
  | { readonly kind: "sendToVault"; readonly connector: Address; readonly amount: string }
  | {
      readonly kind: "aaveSupply";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
    }
  | {
      readonly kind: "aaveWithdraw";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
    }
  | {
      readonly kind: "erc4626Deposit";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      /** fewest shares accepted */
      readonly minShares: string;
    }
  | { readonly kind: "trackToken"; readonly connector: Address; readonly token: Address }
  | {
      readonly kind: "swap";
      readonly connector: Address;
      readonly tokenIn: Address;
      readonly amountIn: string;
      readonly tokenOut: Address;
      /** what the LI.FI calldata enforces; checked against the oracle when planned */
      readonly minAmountOut: string;
      readonly lifiCalldata: Hex;
    }
  | {
      /** connector to connector directly (one call instead of sendToVault + transferToConnector) */
      readonly kind: "sendToConnector";
      readonly connector: Address;
      readonly to: Address;
      readonly token: Address;
      readonly amount: string;
    }
  | {
      readonly kind: "uniswapMint";
      readonly connector: Address;
      readonly token0: Address;
      readonly amount0: string;
      readonly token1: Address;
      readonly amount1: string;
      readonly fee: number;
      readonly tickLower: number;
      readonly tickUpper: number;
    }
  | {
      readonly kind: "uniswapIncrease";
      readonly connector: Address;
      readonly token0: Address;
      readonly amount0: string;
      readonly tokenId: string;
      readonly amount1: string;
    }
  /** the vault settles pending deposit and redeem requests at live NAV */
  | { readonly kind: "settle" }
  | {
      readonly kind: "erc4626Withdraw";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      /** most shares burned */
      readonly maxShares: string;
    };

/** Gas a call of each kind uses through the gate on the local stack, with headroom (measured, rounded up). */
export const ACTION_GAS: Readonly<Record<PlanAction["kind"], bigint>> = {
  transferToConnector: 120_000n,
  sendToVault: 110_000n,
  aaveSupply: 260_000n,
  aaveWithdraw: 260_000n,
  erc4626Deposit: 280_000n,
  erc4626Withdraw: 280_000n,
  trackToken: 60_000n,
  swap: 400_000n,
  sendToConnector: 130_000n,
  uniswapMint: 520_000n,
  uniswapIncrease: 300_000n,
  settle: 450_000n,
};
/** Signature checks and bookkeeping of one `KeeperGate.execute`. */
export const GATE_OVERHEAD_GAS = 90_000n;

/** The gate call of one plan action. The vault is the target of `transferToConnector` and `settle`. */
export function encodeAction(vault: Address, action: PlanAction): GateCall {
  const call = (
    target: Address,
    abi: ReturnType<typeof productAbis.vault>,
    functionName: string,
    args: readonly unknown[],
  ) => ({
    target: getAddress(target),
    data: encodeFunctionData({ abi, functionName, args }).toLowerCase() as Hex,
  });
  switch (action.kind) {
    case "settle":
      return call(vault, productAbis.vault(), "settle", []);
    case "uniswapMint":
      return call(action.connector, productAbis.uniswap(), "mint", [
        {
          token0: action.token0,
          amount0: BigInt(action.amount0),
          token1: action.token1,
          amount1: BigInt(action.amount1),
          fee: action.fee,
          tickLower: action.tickLower,
          tickUpper: action.tickUpper,
          // the swap's oracle-checked minimum bounds the price; the position takes what the range needs
          amount0Min: 0n,
          amount1Min: 0n,
        },
      ]);
    case "uniswapIncrease":
      return call(action.connector, productAbis.uniswap(), "increaseLiquidity", [
        action.token0,
        BigInt(action.amount0),
        BigInt(action.tokenId),
        BigInt(action.amount1),
        0n,
        0n,
      ]);
    case "trackToken":
      return call(action.connector, productAbis.connector(), "trackToken", [action.token]);
    case "swap":
      return call(action.connector, productAbis.connector(), "swap", [
        action.tokenIn,
        BigInt(action.amountIn),
        action.lifiCalldata,
      ]);
  }
  const amount = BigInt(action.amount);
  switch (action.kind) {
    case "transferToConnector":
      return call(vault, productAbis.vault(), "transferToConnector", [action.connector, amount]);
    case "sendToVault":
      return call(action.connector, productAbis.connector(), "sendToVault", [amount]);
    case "sendToConnector":
      return call(action.connector, productAbis.connector(), "sendToConnector", [
        action.to,
        action.token,
        amount,
      ]);
    case "aaveSupply":
      return call(action.connector, productAbis.aave(), "supply", [action.token, amount]);
    case "aaveWithdraw":
      return call(action.connector, productAbis.aave(), "withdraw", [action.token, amount]);
    case "erc4626Deposit":
      return call(action.connector, productAbis.erc4626(), "deposit", [
        action.token,
        amount,
        BigInt(action.minShares),
      ]);
    case "erc4626Withdraw":
      return call(action.connector, productAbis.erc4626(), "withdraw", [
        action.token,
        amount,
        BigInt(action.maxShares),
      ]);
  }
  throw new Error(`unknown plan action kind "${(action as { kind?: unknown }).kind}"`);
}

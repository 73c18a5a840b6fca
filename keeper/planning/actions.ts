import { encodeFunctionData, getAddress, type Abi, type Address, type Hex } from "viem";
import {
  aaveV3ConnectorAbi,
  accountingManagerAbi,
  baseConnectorAbi,
  conditionalTokensConnectorAbi,
  erc4626ConnectorAbi,
  polymarketConnectorAbi,
  uniswapV3ConnectorAbi,
} from "../abi/contracts.js";

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
 * A CTF Exchange order of the PolymarketConnector (`ICtfExchange.Order`), JSON-safe: amounts as decimal
 * strings, side 0 = BUY / 1 = SELL, signature type 3 = POLY_1271 (the connector signs by holding the hash open,
 * so the signature is `0x`).
 */
export interface PmOrder {
  readonly salt: string;
  readonly maker: Address;
  readonly signer: Address;
  readonly taker: Address;
  readonly tokenId: string;
  readonly makerAmount: string;
  readonly takerAmount: string;
  readonly expiration: string;
  readonly nonce: string;
  readonly feeRateBps: string;
  readonly side: 0 | 1;
  readonly signatureType: number;
  readonly signature: Hex;
}

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
  | {
      /** removes `liquidity` from an own position; the tokens become owed to the connector */
      readonly kind: "uniswapDecrease";
      readonly connector: Address;
      readonly tokenId: string;
      readonly liquidity: string;
      readonly amount0Min: string;
      readonly amount1Min: string;
    }
  | {
      /** collects what a position owes (removed liquidity and fees) into the connector */
      readonly kind: "uniswapCollect";
      readonly connector: Address;
      readonly tokenId: string;
    }
  | {
      /** burns an emptied position */
      readonly kind: "uniswapBurn";
      readonly connector: Address;
      readonly tokenId: string;
    }
  /** the vault settles pending deposit and redeem requests at live NAV */
  | { readonly kind: "settle" }
  | {
      /** ConditionalTokensConnector: `amount` base asset into a full set of the market's outcomes */
      readonly kind: "outcomeSplit";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      readonly conditionId: Hex;
    }
  | {
      /** ConditionalTokensConnector: `amount` full sets back into base asset */
      readonly kind: "outcomeMerge";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      readonly conditionId: Hex;
    }
  | {
      /** ConditionalTokensConnector: every outcome token of a resolved market for at least `minPayout` */
      readonly kind: "outcomeRedeem";
      readonly connector: Address;
      readonly token: Address;
      readonly minPayout: string;
      readonly conditionId: Hex;
    }
  | {
      /** ConditionalTokensConnector: exactly `amount` on the market's pool for at least `minOutcomeTokens` */
      readonly kind: "outcomeBuy";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      readonly conditionId: Hex;
      readonly outcomeIndex: number;
      readonly minOutcomeTokens: string;
    }
  | {
      /** ConditionalTokensConnector: exactly `amount` from the market's pool for at most `maxOutcomeTokens` */
      readonly kind: "outcomeSell";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      readonly conditionId: Hex;
      readonly outcomeIndex: number;
      readonly maxOutcomeTokens: string;
    }
  | {
      /**
       * PolymarketConnector: signs `orders` (ERC-1271) with exact allowances; `notional` must be the sum of
       * their maker amounts, the figure a mandate bounds
       */
      readonly kind: "pmPlaceOrders";
      readonly connector: Address;
      readonly token: Address;
      readonly notional: string;
      readonly orders: readonly PmOrder[];
    }
  | {
      /** PolymarketConnector: cancels and drops open orders, resetting the approvals */
      readonly kind: "pmCloseOrders";
      readonly connector: Address;
      readonly orders: readonly PmOrder[];
    }
  | {
      /** PolymarketConnector: `amount` YES + NO of a condition back into base asset (CTF or adapter) */
      readonly kind: "pmMerge";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      readonly conditionId: Hex;
    }
  | {
      /** PolymarketConnector: `amount` base asset into YES + NO of a condition (for mint-and-sell) */
      readonly kind: "pmSplit";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      readonly conditionId: Hex;
    }
  | {
      /** PolymarketConnector: `amount` NO of the negRisk questions in `indexSet` into collateral + other YES */
      readonly kind: "pmConvert";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      readonly marketId: Hex;
      readonly indexSet: string;
    }
  | {
      /** PolymarketConnector: a resolved condition's tokens for at least `minPayout` */
      readonly kind: "pmRedeem";
      readonly connector: Address;
      readonly token: Address;
      readonly minPayout: string;
      readonly conditionId: Hex;
    }
  | {
      readonly kind: "erc4626Withdraw";
      readonly connector: Address;
      readonly token: Address;
      readonly amount: string;
      /** most shares burned */
      readonly maxShares: string;
    };

/** Which contract an action calls: the vault, any connector, or a connector of one kind. */
export type ActionContract =
  "vault" | "connector" | "aave" | "erc4626" | "uniswap" | "outcomes" | "polymarket";

/** The ABI of each action contract (a connector of a kind has the base connector's functions too). */
export const ACTION_CONTRACT_ABIS: Readonly<Record<ActionContract, Abi>> = {
  vault: accountingManagerAbi,
  connector: baseConnectorAbi,
  aave: aaveV3ConnectorAbi,
  erc4626: erc4626ConnectorAbi,
  uniswap: uniswapV3ConnectorAbi,
  outcomes: conditionalTokensConnectorAbi,
  polymarket: polymarketConnectorAbi,
};

/**
 * Every action the keeper plans: the contract and function it calls and the gas it uses through
 * the gate on the local stack, with headroom (measured, rounded up). The one table behind encoding
 * (`encodeAction`), gas budgeting (the planner) and the Registry allowlist (`keeperFunctions`,
 * which deploy/product/stack.ts allowlists), so the allowlist holds exactly what the keeper uses.
 */
export const ACTIONS = {
  transferToConnector: { contract: "vault", functionName: "transferToConnector", gas: 120_000n },
  settle: { contract: "vault", functionName: "settle", gas: 450_000n },
  sendToVault: { contract: "connector", functionName: "sendToVault", gas: 110_000n },
  sendToConnector: { contract: "connector", functionName: "sendToConnector", gas: 130_000n },
  trackToken: { contract: "connector", functionName: "trackToken", gas: 60_000n },
  swap: { contract: "connector", functionName: "swap", gas: 400_000n },
  aaveSupply: { contract: "aave", functionName: "supply", gas: 260_000n },
  aaveWithdraw: { contract: "aave", functionName: "withdraw", gas: 260_000n },
  erc4626Deposit: { contract: "erc4626", functionName: "deposit", gas: 280_000n },
  erc4626Withdraw: { contract: "erc4626", functionName: "withdraw", gas: 280_000n },
  uniswapMint: { contract: "uniswap", functionName: "mint", gas: 520_000n },
  uniswapIncrease: { contract: "uniswap", functionName: "increaseLiquidity", gas: 300_000n },
  uniswapDecrease: { contract: "uniswap", functionName: "decreaseLiquidity", gas: 250_000n },
  uniswapCollect: { contract: "uniswap", functionName: "collect", gas: 200_000n },
  uniswapBurn: { contract: "uniswap", functionName: "burn", gas: 120_000n },
  // measured on a binary market (whole gate transaction: split 193k, buy 324k, sell 260k, merge 137k,
  // redeem 142k); an n-outcome pool splits or merges through all n positions, roughly n times more
  outcomeSplit: { contract: "outcomes", functionName: "split", gas: 260_000n },
  outcomeMerge: { contract: "outcomes", functionName: "merge", gas: 200_000n },
  outcomeRedeem: { contract: "outcomes", functionName: "redeem", gas: 200_000n },
  outcomeBuy: { contract: "outcomes", functionName: "buy", gas: 320_000n },
  outcomeSell: { contract: "outcomes", functionName: "sell", gas: 360_000n },
  // PM_GAS
  pmPlaceOrders: { contract: "polymarket", functionName: "placeOrders", gas: 600_000n },
  pmCloseOrders: { contract: "polymarket", functionName: "closeOrders", gas: 300_000n },
  pmMerge: { contract: "polymarket", functionName: "merge", gas: 250_000n },
  pmSplit: { contract: "polymarket", functionName: "split", gas: 300_000n },
  pmConvert: { contract: "polymarket", functionName: "convert", gas: 600_000n },
  pmRedeem: { contract: "polymarket", functionName: "redeem", gas: 250_000n },
} as const satisfies Record<
  PlanAction["kind"],
  { readonly contract: ActionContract; readonly functionName: string; readonly gas: bigint }
>;

/** The function names the keeper calls on `contract`, in table order (what the Registry must allow). */
export function keeperFunctions(contract: ActionContract): string[] {
  return Object.values(ACTIONS)
    .filter((a) => a.contract === contract)
    .map((a) => a.functionName);
}

/** Signature checks and bookkeeping of one `KeeperGate.execute`. */
export const GATE_OVERHEAD_GAS = 90_000n;

/** The arguments of an action's call, in the order of its function. */
function actionArgs(action: PlanAction): readonly unknown[] {
  switch (action.kind) {
    case "settle":
      return [];
    case "transferToConnector":
      return [action.connector, BigInt(action.amount)];
    case "sendToVault":
      return [BigInt(action.amount)];
    case "sendToConnector":
      return [action.to, action.token, BigInt(action.amount)];
    case "trackToken":
      return [action.token];
    case "swap":
      return [action.tokenIn, BigInt(action.amountIn), action.lifiCalldata];
    case "aaveSupply":
    case "aaveWithdraw":
      return [action.token, BigInt(action.amount)];
    case "erc4626Deposit":
      return [action.token, BigInt(action.amount), BigInt(action.minShares)];
    case "erc4626Withdraw":
      return [action.token, BigInt(action.amount), BigInt(action.maxShares)];
    case "uniswapMint":
      return [
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
      ];
    case "uniswapIncrease":
      return [action.token0, BigInt(action.amount0), BigInt(action.tokenId), BigInt(action.amount1), 0n, 0n];
    case "uniswapDecrease":
      return [
        BigInt(action.tokenId),
        BigInt(action.liquidity),
        BigInt(action.amount0Min),
        BigInt(action.amount1Min),
      ];
    case "uniswapCollect":
    case "uniswapBurn":
      return [BigInt(action.tokenId)];
    case "outcomeSplit":
    case "outcomeMerge":
      return [action.token, BigInt(action.amount), action.conditionId];
    case "outcomeRedeem":
      return [action.token, BigInt(action.minPayout), action.conditionId];
    case "outcomeBuy":
      return [
        action.token,
        BigInt(action.amount),
        action.conditionId,
        BigInt(action.outcomeIndex),
        BigInt(action.minOutcomeTokens),
      ];
    case "pmPlaceOrders":
      return [action.token, BigInt(action.notional), action.orders.map(orderArg)];
    case "pmCloseOrders":
      return [action.orders.map(orderArg)];
    case "pmMerge":
    case "pmSplit":
      return [action.token, BigInt(action.amount), action.conditionId];
    case "pmConvert":
      return [action.token, BigInt(action.amount), action.marketId, BigInt(action.indexSet)];
    case "pmRedeem":
      return [action.token, BigInt(action.minPayout), action.conditionId];
    case "outcomeSell":
      return [
        action.token,
        BigInt(action.amount),
        action.conditionId,
        BigInt(action.outcomeIndex),
        BigInt(action.maxOutcomeTokens),
      ];
  }
}

/** The `ICtfExchange.Order` tuple of a JSON-safe order. */
function orderArg(order: PmOrder) {
  return {
    salt: BigInt(order.salt),
    maker: order.maker,
    signer: order.signer,
    taker: order.taker,
    tokenId: BigInt(order.tokenId),
    makerAmount: BigInt(order.makerAmount),
    takerAmount: BigInt(order.takerAmount),
    expiration: BigInt(order.expiration),
    nonce: BigInt(order.nonce),
    feeRateBps: BigInt(order.feeRateBps),
    side: order.side,
    signatureType: order.signatureType,
    signature: order.signature,
  };
}

/** One call of a gate batch: `struct Call { address target; bytes data; }`. */
export interface GateCall {
  readonly target: Address;
  readonly data: Hex;
}

/** The gate call of one plan action. The vault is the target of `transferToConnector` and `settle`. */
export function encodeAction(vault: Address, action: PlanAction): GateCall {
  const entry = ACTIONS[action.kind];
  if (!entry) throw new Error(`unknown plan action kind "${String(action.kind)}"`);
  const target = entry.contract === "vault" ? vault : "connector" in action ? action.connector : undefined;
  if (!target) throw new Error(`plan action ${action.kind} names no connector`);
  const data = encodeFunctionData({
    abi: ACTION_CONTRACT_ABIS[entry.contract],
    functionName: entry.functionName,
    args: actionArgs(action),
  });
  return { target: getAddress(target), data: data.toLowerCase() as Hex };
}

/** The gate calls of a plan, in order; signers recompute them from the stored plan. */
export function encodePlan(plan: {
  readonly vault: Address;
  readonly actions: readonly PlanAction[];
}): GateCall[] {
  return plan.actions.map((a) => encodeAction(plan.vault, a));
}

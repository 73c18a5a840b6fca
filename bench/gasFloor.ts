import type { Hex } from "viem";

/**
 * The physical floor of a transaction: what the EVM charges for the work no implementation of the same
 * operation can skip. It is the sum of the intrinsic cost (21,000 plus calldata at 4 gas per zero byte
 * and 16 per non-zero byte), the storage transitions the operation must make (each counted cold, as the
 * first touch in the transaction: 22,100 to create a slot, 5,000 to change one, 200 net to clear one
 * after its 4,800 refund), the cold accounts it must call besides the one it is sent to (2,600 each),
 * the signatures it must recover (3,000 per ecrecover) and the logs it emits (375 + 375 per topic + 8 per
 * data byte, taken from the receipt). Execution of the contract code itself counts as zero, so a ratio
 * figure/floor says how much the implementation adds on top of the EVM's own price.
 */
export const FLOOR_GAS = {
  intrinsic: 21_000,
  calldataZeroByte: 4,
  calldataNonZeroByte: 16,
  slotCreate: 22_100,
  slotUpdate: 5_000,
  slotClear: 200,
  coldAccount: 2_600,
  ecrecover: 3_000,
  log: 375,
  logTopic: 375,
  logDataByte: 8,
} as const;

/** The unavoidable work of one operation, besides its calldata and logs. */
export interface FloorModel {
  readonly slotCreates?: number;
  readonly slotUpdates?: number;
  readonly slotClears?: number;
  readonly coldAccounts?: number;
  readonly signatures?: number;
}

/** One log of a receipt, as viem returns it. */
export interface ReceiptLog {
  readonly topics: readonly Hex[];
  readonly data: Hex;
}

const bytesOf = (hex: Hex) => (hex.length - 2) / 2;

/** The intrinsic cost of a transaction with calldata `input`. */
export function intrinsicGas(input: Hex): number {
  let gas = FLOOR_GAS.intrinsic;
  for (let i = 2; i < input.length; i += 2) {
    gas += input.slice(i, i + 2) === "00" ? FLOOR_GAS.calldataZeroByte : FLOOR_GAS.calldataNonZeroByte;
  }
  return gas;
}

/** The floor of a transaction with calldata `input` that emitted `logs` and must do `model`'s work. */
export function floorGas(input: Hex, logs: readonly ReceiptLog[], model: FloorModel): number {
  const logGas = logs.reduce(
    (sum, log) =>
      sum +
      FLOOR_GAS.log +
      FLOOR_GAS.logTopic * log.topics.length +
      FLOOR_GAS.logDataByte * bytesOf(log.data),
    0,
  );
  return (
    intrinsicGas(input) +
    logGas +
    FLOOR_GAS.slotCreate * (model.slotCreates ?? 0) +
    FLOOR_GAS.slotUpdate * (model.slotUpdates ?? 0) +
    FLOOR_GAS.slotClear * (model.slotClears ?? 0) +
    FLOOR_GAS.coldAccount * (model.coldAccounts ?? 0) +
    FLOOR_GAS.ecrecover * (model.signatures ?? 0)
  );
}

/**
 * The unavoidable work of each measured operation (docs/benchmarks.md, "Physical floors"). A share
 * transfer is two balance updates (or a create for a first-time holder); an asset transfer adds the token's
 * cold account; a claim must record what remains (clear it on a full claim, create it on a first partial).
 */
export const FLOOR_MODELS: Readonly<Record<string, FloorModel>> = {
  // claim record cleared, escrow and holder balances updated
  claimDeposit_full: { slotClears: 1, slotUpdates: 2 },
  // claim record cleared, escrow balance updated, the holder's balance created
  claimDeposit_fullFirstTime: { slotClears: 1, slotUpdates: 1, slotCreates: 1 },
  // remaining claim recorded, escrow and holder balances updated
  claimDeposit_firstPartial: { slotCreates: 1, slotUpdates: 2 },
  // claim record cleared, the reserve total updated, the asset moved (token account, two balances)
  claimRedeem_full: { slotClears: 1, slotUpdates: 3, coldAccounts: 1 },
  // remaining claim recorded, reserve total updated, the asset moved
  claimRedeem_firstPartial: { slotCreates: 1, slotUpdates: 3, coldAccounts: 1 },
  // a later partial claim: the claim record and the two balances updated
  claimDeposit: { slotUpdates: 3 },
  claimRedeem: { slotUpdates: 4, coldAccounts: 1 },
  // gate nonce; vault epoch state, pending totals, books, supply, escrow balance, fee receiver balance,
  // the epoch's settlement record; two signatures; the registry and each connector read cold
  settle_gated_3empty: { slotUpdates: 7, slotCreates: 1, signatures: 2, coldAccounts: 4 },
  // the same plus what valuing real positions must read: Aave pool + aToken, the 4626 vault + Morpho,
  // the oracle (the Uniswap connector's tracked WETH) and the USDC token for the idle balances
  settle_gated_3funded: { slotUpdates: 7, slotCreates: 1, signatures: 2, coldAccounts: 10 },
  // gate nonce and the target action's own counter; k signatures; the registry, the target and the vault
  // double the action reads, cold
  gate_1of1_exec: { slotUpdates: 2, signatures: 1, coldAccounts: 3 },
  gate_2of3_exec: { slotUpdates: 2, signatures: 2, coldAccounts: 3 },
  gate_5of9_exec: { slotUpdates: 2, signatures: 5, coldAccounts: 3 },
  // a LI.FI swap from a connector: its input and output balances, the pool's two balances, its price slot
  // and its fee growth change; USDC, WETH, the Diamond, the router, the pool and the registry (the
  // connector's role check) are cold. The Diamond's and router's transient balances and approvals (0 -> x
  // -> 0 within the transaction) are LI.FI's custody mechanics and are not counted.
  swapHandler_direct: { slotUpdates: 6, coldAccounts: 6 },
  // the same swap checked: the handler and the oracle it asks are two more cold accounts
  swapHandler_exec: { slotUpdates: 6, coldAccounts: 8 },
};

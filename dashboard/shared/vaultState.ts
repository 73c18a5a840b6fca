import type { Address, Hex, PublicClient } from "viem";
import {
  accountingManagerAbi,
  baseConnectorAbi,
  keeperGateAbi,
  vaultLensAbi,
  vaultLensRuntimeCode,
} from "../../keeper/abi/contracts.js";

/**
 * Everything a dashboard view shows about the vault (and one account), read in ONE `eth_call`: a
 * deployless Multicall3 with the stateless VaultLens code placed by state override. Shared by the
 * browser (live reads) and the server (state at each past settlement's block).
 */

/** Where the VaultLens code is put for the call; nothing is deployed there on any chain. */
const LENS: Address = "0x000000000000000000000000000000000000da5b";
const ZERO: Address = "0x0000000000000000000000000000000000000000";

export interface DashboardAddresses {
  readonly chainId: number;
  readonly vault: Address;
  readonly asset: Address;
  readonly gate: Address;
  /** connector name → address */
  readonly connectors: Readonly<Record<string, Address>>;
  /** the share token's decimals (read once by the server) */
  readonly shareDecimals: number;
}

export interface AccountState {
  readonly address: Address;
  readonly shares: bigint;
  readonly value: bigint;
  readonly assetBalance: bigint;
  readonly allowance: bigint;
  readonly pendingDeposit: bigint;
  readonly claimableDeposit: bigint;
  readonly pendingRedeem: bigint;
  readonly claimableRedeemShares: bigint;
  readonly claimableRedeemAssets: bigint;
  readonly cancelledDeposit: bigint;
  readonly cancelledRedeem: bigint;
}

export interface VaultState {
  readonly nav: bigint;
  readonly totalSupply: bigint;
  readonly shareDecimals: number;
  readonly pricePerShare: bigint;
  readonly idle: bigint;
  readonly claimableRedeemReserve: bigint;
  readonly cancelledDepositsReserve: bigint;
  readonly pendingDepositAssets: bigint;
  readonly pendingRedeemShares: bigint;
  readonly settlementDueAt: bigint;
  readonly limits: {
    readonly depositCap: bigint;
    readonly minRequestAssets: bigint;
    readonly depositsPaused: boolean;
    readonly redeemsPaused: boolean;
  };
  readonly guardrails: {
    readonly toleranceBps: number;
    readonly maxIncreaseBpsPerYear: number;
    readonly maxDecreaseBpsPerYear: number;
    readonly settlementDeadline: bigint;
  };
  readonly lastNavAt: bigint;
  readonly highWaterMark: bigint;
  readonly fees: {
    readonly receiver: Address;
    readonly managementFeeBps: number;
    readonly performanceFeeBps: number;
  };
  /** each connector's reported value and health (`totalValue()`) */
  readonly connectors: readonly {
    readonly name: string;
    readonly address: Address;
    readonly value: bigint;
    readonly healthy: boolean;
  }[];
  readonly gateNonce: bigint;
  readonly gateThreshold: bigint;
  readonly gateSigners: readonly Address[];
  readonly account?: AccountState;
}

type Contract = {
  readonly address: Address;
  readonly abi:
    typeof accountingManagerAbi | typeof vaultLensAbi | typeof baseConnectorAbi | typeof keeperGateAbi;
  readonly functionName: string;
  readonly args?: readonly unknown[];
};

const erc20 = [
  {
    type: "function",
    name: "balanceOf",
    stateMutability: "view",
    inputs: [{ name: "a", type: "address" }],
    outputs: [{ name: "", type: "uint256" }],
  },
  {
    type: "function",
    name: "allowance",
    stateMutability: "view",
    inputs: [
      { name: "o", type: "address" },
      { name: "s", type: "address" },
    ],
    outputs: [{ name: "", type: "uint256" }],
  },
] as const;

/** Reads the vault (and `account`, if given) at `blockNumber` (default latest) in one RPC call. */
export async function readVaultState(
  client: Pick<PublicClient, "multicall">,
  at: DashboardAddresses,
  options: { readonly account?: Address; readonly blockNumber?: bigint } = {},
): Promise<VaultState> {
  const v = (functionName: string, args: readonly unknown[] = []): Contract => ({
    address: at.vault,
    abi: accountingManagerAbi,
    functionName,
    args,
  });
  const lens = (functionName: string): Contract => ({
    address: LENS,
    abi: vaultLensAbi,
    functionName,
    args: [at.vault],
  });
  const gate = (functionName: string): Contract => ({ address: at.gate, abi: keeperGateAbi, functionName });
  const connectorNames = Object.keys(at.connectors);
  const unit = 10n ** BigInt(at.shareDecimals);
  const base: Contract[] = [
    v("convertToAssets", [unit]),
    v("totalAssets"),
    v("totalSupply"),
    v("decimals"),
    v("assetBook"),
    v("pendingTotals"),
    v("settlementDueAt"),
    lens("limits"),
    lens("guardrails"),
    lens("epochState"),
    lens("highWaterMark"),
    lens("feeState"),
    gate("nonce"),
    gate("threshold"),
    gate("signers"),
    ...connectorNames.map((name) => ({
      address: at.connectors[name]!,
      abi: baseConnectorAbi,
      functionName: "totalValue",
    })),
  ];
  const who = options.account;
  const accountCalls: Contract[] = who
    ? [
        v("balanceOf", [who]),
        v("pendingDepositRequest", [0n, who]),
        v("claimableDepositRequest", [0n, who]),
        v("pendingRedeemRequest", [0n, who]),
        v("claimableRedeemRequest", [0n, who]),
        v("maxWithdraw", [who]),
        v("claimableCancelDepositRequest", [0n, who]),
        v("claimableCancelRedeemRequest", [0n, who]),
        {
          address: at.asset,
          abi: erc20 as unknown as Contract["abi"],
          functionName: "balanceOf",
          args: [who],
        },
        {
          address: at.asset,
          abi: erc20 as unknown as Contract["abi"],
          functionName: "allowance",
          args: [who, at.vault],
        },
      ]
    : [];
  const results = (await client.multicall({
    contracts: [...base, ...accountCalls] as never,
    allowFailure: false,
    deployless: true,
    stateOverride: [{ address: LENS, code: vaultLensRuntimeCode as Hex }],
    ...(options.blockNumber !== undefined ? { blockNumber: options.blockNumber } : {}),
  })) as unknown[];
  const r = <T>(i: number) => results[i] as T;
  const pricePerShare = r<bigint>(0);
  const nav = r<bigint>(1);
  const totalSupply = r<bigint>(2);
  const shareDecimals = Number(r<number>(3));
  const book = r<{ idle: bigint; claimableRedeem: bigint; cancelledDeposits: bigint }>(4);
  const pending = r<{ depositAssets: bigint; redeemShares: bigint }>(5);
  const limits = r<VaultState["limits"]>(7);
  const guardrails = r<{
    toleranceBps: number;
    maxIncreaseBpsPerYear: number;
    maxDecreaseBpsPerYear: number;
    settlementDeadline: bigint;
  }>(8);
  const epochs = r<{ lastNavAt: bigint }>(9);
  const fees =
    r<readonly [{ receiver: Address; managementFeeBps: number; performanceFeeBps: number }, unknown, bigint]>(
      11,
    );
  const state: VaultState = {
    nav,
    totalSupply,
    shareDecimals,
    pricePerShare,
    idle: book.idle,
    claimableRedeemReserve: book.claimableRedeem,
    cancelledDepositsReserve: book.cancelledDeposits,
    pendingDepositAssets: pending.depositAssets,
    pendingRedeemShares: pending.redeemShares,
    settlementDueAt: r<bigint>(6),
    limits,
    guardrails: {
      toleranceBps: Number(guardrails.toleranceBps),
      maxIncreaseBpsPerYear: Number(guardrails.maxIncreaseBpsPerYear),
      maxDecreaseBpsPerYear: Number(guardrails.maxDecreaseBpsPerYear),
      settlementDeadline: BigInt(guardrails.settlementDeadline),
    },
    lastNavAt: BigInt(epochs.lastNavAt),
    highWaterMark: r<bigint>(10),
    fees: {
      receiver: fees[0].receiver ?? ZERO,
      managementFeeBps: Number(fees[0].managementFeeBps),
      performanceFeeBps: Number(fees[0].performanceFeeBps),
    },
    gateNonce: r<bigint>(12),
    gateThreshold: r<bigint>(13),
    gateSigners: r<readonly Address[]>(14),
    connectors: connectorNames.map((name, i) => ({
      name,
      address: at.connectors[name]!,
      value: r<readonly [bigint, boolean]>(15 + i)[0],
      healthy: r<readonly [bigint, boolean]>(15 + i)[1],
    })),
  };
  if (!who) return state;
  const a = 15 + connectorNames.length;
  const shares = r<bigint>(a);
  return {
    ...state,
    account: {
      address: who,
      shares,
      value: (shares * pricePerShare) / unit,
      pendingDeposit: r<bigint>(a + 1),
      claimableDeposit: r<bigint>(a + 2),
      pendingRedeem: r<bigint>(a + 3),
      claimableRedeemShares: r<bigint>(a + 4),
      claimableRedeemAssets: r<bigint>(a + 5),
      cancelledDeposit: r<bigint>(a + 6),
      cancelledRedeem: r<bigint>(a + 7),
      assetBalance: r<bigint>(a + 8),
      allowance: r<bigint>(a + 9),
    },
  };
}

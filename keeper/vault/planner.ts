import { getAddress, type Address, type Hex, type PublicClient } from "viem";
import type { Planner, TargetAllocation } from "../service/ports.js";
import type { GateCall } from "../store/types.js";
import { productAbis } from "./abis.js";
import type { SwapQuoter } from "./lifiQuoter.js";
import {
  ACTION_GAS,
  GATE_OVERHEAD_GAS,
  encodeAction,
  type ConnectorKind,
  type PlanAction,
} from "./actions.js";

const BPS = 10_000n;

/** A connector the allocation names, by its policy key. */
export interface PlannedConnector {
  readonly address: Address;
  readonly kind: ConnectorKind;
  /** The ERC-4626 the connector deposits into (kind "erc4626"), for share bounds. */
  readonly target?: Address;
  /** Part of what the connector receives to swap into another token (e.g. WETH for the LP connector). */
  readonly swapShare?: { readonly token: Address; readonly shareBps: bigint };
}

export interface ChainPlannerOptions {
  readonly client: PublicClient;
  readonly vault: Address;
  readonly registry: Address;
  readonly oracle: Address;
  /** The vault's base asset (USDC). */
  readonly asset: Address;
  /** Policy connector key → connector; the key `idleKey` is the vault's own idle balance. */
  readonly connectors: Readonly<Record<string, PlannedConnector>>;
  readonly idleKey?: string;
  /** Wrapped native token, to value gas in base asset through the oracle. */
  readonly nativeToken: Address;
  /** Legs moving less than this (base-asset units) are skipped as noise. */
  readonly minMoveAmount: bigint;
  /** Expected benefit of a rebalance leg per unit moved (basis points over the holding horizon). */
  readonly benefitBps: bigint;
  /** Largest gas one gate batch may use; the rest of the plan waits for the next cycle. */
  readonly gasBudgetPerBatch: bigint;
  /** Share-bound slippage for ERC-4626 deposits and withdrawals. */
  readonly maxSlippageBps: bigint;
  /** Quotes LI.FI swaps for connectors with a `swapShare`; the handler pulls from the connector. */
  readonly swaps?: {
    readonly quoter: SwapQuoter;
    readonly handler: Address;
    readonly chainId: number;
    /** a quote whose minimum output is worth less than the input minus this (oracle) is refused */
    readonly maxSlippageBps: bigint;
  };
}

/** A withdraw leg or a deposit leg: calls that only make sense together (atomic in one batch). */
interface Leg {
  readonly key: string;
  readonly direction: "out" | "in";
  readonly amount: bigint;
  readonly actions: readonly PlanAction[];
  readonly gas: bigint;
}

export interface Holding {
  readonly key: string;
  readonly value: bigint;
  readonly loose: bigint;
  readonly cap: bigint;
}

/** What the planner decided; stored with the proposal and hashed into its provenance. */
export interface RebalancePlan {
  readonly kind: "rebalance";
  readonly vault: Address;
  readonly snapshotHash: string;
  /** Oracle peg prices the strategy used (set by the cycle); with `snapshotHash`, the signal inputs. */
  readonly pegPrices?: Readonly<Record<string, number>>;
  readonly nav: string;
  readonly holdings: Readonly<Record<string, string>>;
  readonly targets: Readonly<Record<string, string>>;
  readonly actions: readonly PlanAction[];
  readonly gas: string;
  /** legs left for a later batch (gas budget) */
  readonly deferred: readonly { readonly key: string; readonly amount: string }[];
  /** legs not worth their cost, with why */
  readonly skipped: readonly { readonly key: string; readonly amount: string; readonly reason: string }[];
}

/**
 * Reads holdings from chain (vault idle, each connector's value and loose base asset), diffs them
 * against the target weights and emits ordered gate calls: every withdrawal first (so the vault
 * holds the idle the deposits need), then transfers and deposits, within each connector's cap.
 * Legs below `minMoveAmount` or whose gas costs more than their expected benefit are skipped; the
 * rest is packed into one batch within `gasBudgetPerBatch`.
 */
export class ChainPlanner implements Planner {
  private readonly idleKey: string;
  constructor(private readonly o: ChainPlannerOptions) {
    this.idleKey = o.idleKey ?? "idle";
  }

  async holdings(): Promise<{ nav: bigint; idle: bigint; byKey: Holding[] }> {
    const { client, vault, registry, asset } = this.o;
    const nav = (await client.readContract({
      address: vault,
      abi: productAbis.vault(),
      functionName: "totalAssets",
    })) as bigint;
    const byKey: Holding[] = [];
    let deployed = 0n;
    for (const [key, c] of Object.entries(this.o.connectors)) {
      const [[value], loose, config] = (await Promise.all([
        client.readContract({ address: c.address, abi: productAbis.connector(), functionName: "totalValue" }),
        client.readContract({
          address: asset,
          abi: productAbis.erc20(),
          functionName: "balanceOf",
          args: [c.address],
        }),
        client.readContract({
          address: registry,
          abi: productAbis.registry(),
          functionName: "connectorConfig",
          args: [c.address],
        }),
      ])) as [readonly [bigint, boolean], bigint, { cap: bigint; enabled: boolean }];
      deployed += value;
      byKey.push({ key, value, loose, cap: config.enabled ? config.cap : value });
    }
    return { nav, idle: nav - deployed, byKey };
  }

  async plan(allocation: TargetAllocation): Promise<{ plan: RebalancePlan; calls: GateCall[] } | undefined> {
    for (const key of Object.keys(allocation.weightsBps)) {
      if (key !== this.idleKey && !this.o.connectors[key])
        throw new Error(`allocation names connector "${key}", which the planner config does not map`);
    }
    const { nav, idle, byKey } = await this.holdings();
    if (nav === 0n) return undefined;
    const target = (key: string) => (nav * BigInt(allocation.weightsBps[key] ?? 0)) / BPS;
    const legs: Leg[] = [];
    const skipped: { key: string; amount: string; reason: string }[] = [];
    const gasCost = await this.gasCostPerUnit();

    const consider = (leg: Leg) => {
      if (leg.amount < this.o.minMoveAmount) {
        if (leg.amount > 0n)
          skipped.push({ key: leg.key, amount: leg.amount.toString(), reason: "below minMoveAmount" });
        return;
      }
      const benefit = (leg.amount * this.o.benefitBps) / BPS;
      const cost = gasCost === undefined ? 0n : leg.gas * gasCost;
      if (benefit <= cost) {
        skipped.push({
          key: leg.key,
          amount: leg.amount.toString(),
          reason: `benefit ${benefit} <= gas cost ${cost}`,
        });
        return;
      }
      legs.push(leg);
    };

    let freed = 0n;
    for (const h of byKey) {
      const excess = h.value - target(h.key);
      if (excess > 0n) {
        const leg = await this.withdrawLeg(h, excess);
        if (leg) consider(leg);
      }
    }
    for (const leg of legs) freed += leg.amount;
    let available = idle + freed - target(this.idleKey);
    for (const h of byKey) {
      const deficit = target(h.key) - h.value;
      const room = h.cap > h.value ? h.cap - h.value : 0n;
      const amount = [deficit, room, available].reduce((a, b) => (a < b ? a : b));
      if (amount <= 0n) continue;
      const before = legs.length;
      const leg = await this.depositLeg(h.key, amount);
      if ("reason" in leg) skipped.push({ key: h.key, amount: amount.toString(), reason: leg.reason });
      else consider(leg);
      if (legs.length > before) available -= amount;
    }

    const batch: Leg[] = [];
    const deferred: { key: string; amount: string }[] = [];
    let gas = GATE_OVERHEAD_GAS;
    for (const leg of legs) {
      // Deposits rely on the withdrawals before them; once one leg is deferred, later deposits wait too.
      if (gas + leg.gas > this.o.gasBudgetPerBatch || (deferred.length > 0 && leg.direction === "in")) {
        deferred.push({ key: leg.key, amount: leg.amount.toString() });
        continue;
      }
      batch.push(leg);
      gas += leg.gas;
    }
    if (batch.length === 0) return undefined;
    const actions = batch.flatMap((l) => l.actions);
    const plan: RebalancePlan = {
      kind: "rebalance",
      vault: getAddress(this.o.vault),
      snapshotHash: allocation.snapshotHash,
      nav: nav.toString(),
      holdings: Object.fromEntries([
        [this.idleKey, idle.toString()],
        ...byKey.map((h) => [h.key, h.value.toString()]),
      ]),
      targets: Object.fromEntries(Object.keys(allocation.weightsBps).map((k) => [k, target(k).toString()])),
      actions,
      gas: gas.toString(),
      deferred,
      skipped,
    };
    return { plan, calls: encodePlan(plan) };
  }

  private async withdrawLeg(h: Holding, excess: bigint): Promise<Leg | undefined> {
    const c = this.o.connectors[h.key]!;
    const { asset } = this.o;
    const actions: PlanAction[] = [];
    let amount = excess;
    const fromPosition = excess > h.loose ? excess - h.loose : 0n;
    if (c.kind === "hold") {
      amount = excess < h.loose ? excess : h.loose;
    } else if (fromPosition > 0n && c.kind === "aave") {
      actions.push({
        kind: "aaveWithdraw",
        connector: c.address,
        token: asset,
        amount: fromPosition.toString(),
      });
    } else if (fromPosition > 0n && c.kind === "erc4626") {
      const shares = await this.previewOn(c, "previewWithdraw", fromPosition);
      const maxShares = (shares * (BPS + this.o.maxSlippageBps)) / BPS;
      actions.push({
        kind: "erc4626Withdraw",
        connector: c.address,
        token: asset,
        amount: fromPosition.toString(),
        maxShares: maxShares.toString(),
      });
    }
    if (amount === 0n) return undefined;
    actions.push({ kind: "sendToVault", connector: c.address, amount: amount.toString() });
    return { key: h.key, direction: "out", amount, actions, gas: gasOf(actions) };
  }

  private async depositLeg(key: string, amount: bigint): Promise<Leg | { reason: string }> {
    const c = this.o.connectors[key]!;
    const { asset } = this.o;
    const actions: PlanAction[] = [
      { kind: "transferToConnector", connector: c.address, amount: amount.toString() },
    ];
    if (c.swapShare && this.o.swaps) {
      const swap = await this.swapAction(c, c.swapShare, (amount * c.swapShare.shareBps) / BPS);
      if ("reason" in swap) return swap;
      actions.push({ kind: "trackToken", connector: c.address, token: c.swapShare.token }, swap);
    }
    if (c.kind === "aave")
      actions.push({ kind: "aaveSupply", connector: c.address, token: asset, amount: amount.toString() });
    if (c.kind === "erc4626") {
      const shares = await this.previewOn(c, "previewDeposit", amount);
      const minShares = (shares * (BPS - this.o.maxSlippageBps)) / BPS;
      actions.push({
        kind: "erc4626Deposit",
        connector: c.address,
        token: asset,
        amount: amount.toString(),
        minShares: minShares.toString(),
      });
    }
    return { key, direction: "in", amount, actions, gas: gasOf(actions) };
  }

  /**
   * A LI.FI swap of `amountIn` base asset into `share.token` for connector `c`, quoted through the
   * SDK; refused when the calldata's minimum output is worth less, by the vault's oracle, than the
   * input minus the allowed slippage (the swap handler enforces the same bound on chain).
   */
  private async swapAction(
    c: PlannedConnector,
    share: NonNullable<PlannedConnector["swapShare"]>,
    amountIn: bigint,
  ): Promise<PlanAction | { reason: string }> {
    const swaps = this.o.swaps!;
    const quote = await swaps.quoter.quote({
      chainId: swaps.chainId,
      tokenIn: this.o.asset,
      tokenOut: share.token,
      amountIn,
      fromAddress: swaps.handler,
      toAddress: c.address,
    });
    const [ok, minValue] = (await this.o.client.readContract({
      address: this.o.oracle,
      abi: productAbis.oracle(),
      functionName: "tryValueOf",
      args: [share.token, quote.toAmountMin],
    })) as readonly [boolean, bigint, Hex];
    if (!ok) return { reason: `oracle cannot price ${share.token}; swap not planned` };
    const floor = (amountIn * (BPS - swaps.maxSlippageBps)) / BPS;
    if (minValue < floor)
      return { reason: `quote minimum worth ${minValue} < oracle floor ${floor}; swap not planned` };
    return {
      kind: "swap",
      connector: c.address,
      tokenIn: this.o.asset,
      amountIn: amountIn.toString(),
      tokenOut: share.token,
      minAmountOut: quote.toAmountMin.toString(),
      lifiCalldata: quote.calldata,
    };
  }

  private async previewOn(
    c: PlannedConnector,
    fn: "previewDeposit" | "previewWithdraw",
    amount: bigint,
  ): Promise<bigint> {
    if (!c.target)
      throw new Error(`connector ${c.address} is an ERC-4626 connector without its target vault configured`);
    return (await this.o.client.readContract({
      address: c.target,
      abi: productAbis.erc4626Target(),
      functionName: fn,
      args: [amount],
    })) as bigint;
  }

  /** Base-asset cost of one unit of gas at the current gas price (oracle-valued); undefined if unpriceable. */
  private async gasCostPerUnit(): Promise<bigint | undefined> {
    const gasPrice = await this.o.client.getGasPrice();
    const scale = 10n ** 18n;
    const [ok, value] = (await this.o.client.readContract({
      address: this.o.oracle,
      abi: productAbis.oracle(),
      functionName: "tryValueOf",
      args: [this.o.nativeToken, gasPrice * scale],
    })) as readonly [boolean, bigint, string];
    return ok ? value / scale : undefined;
  }
}

function gasOf(actions: readonly PlanAction[]): bigint {
  return actions.reduce((sum, a) => sum + ACTION_GAS[a.kind], 0n);
}

/** The gate calls of a plan, in order; signers recompute them from the stored plan. */
export function encodePlan(plan: Pick<RebalancePlan, "vault" | "actions">): GateCall[] {
  return plan.actions.map((a) => encodeAction(plan.vault, a));
}

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
  /**
   * Kind "uniswapLp": the pool the received base asset and its swapped share go into (mint a
   * position centred on the current tick, or increase the connector's first position).
   */
  readonly liquidity?: {
    readonly pool: Address;
    readonly fee: number;
    readonly tickSpacing: number;
    /** half the position's width in ticks, a multiple of `tickSpacing` */
    readonly halfWidthTicks: number;
  };
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
  /** Quotes LI.FI swaps for connectors with a `swapShare`; the connector calls the Diamond itself. */
  readonly swaps?: {
    readonly quoter: SwapQuoter;
    readonly chainId: number;
    /** a quote whose minimum output is worth less than the input minus this (oracle) is refused */
    readonly maxSlippageBps: bigint;
  };
  /**
   * Settle pending deposit and redeem requests inside the rebalance batch: withdrawals first, then
   * `settle`, then deposits, with targets taken from the NAV after settlement.
   */
  readonly settle?: boolean;
}

/** A withdraw leg or a deposit leg: calls that only make sense together (atomic in one batch). */
interface Leg {
  readonly key: string;
  /** "move": a connector-to-connector leg (withdraw, sendToConnector, invest), after the settlement */
  readonly direction: "out" | "in" | "move";
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
    const { nav: navNow, idle: idleNow, byKey } = await this.holdings();
    const pending = this.o.settle ? await this.pendingAssets() : undefined;
    const nav = navNow + (pending ? pending.deposits - pending.redeems : 0n);
    const idle = idleNow + (pending ? pending.deposits - pending.redeems : 0n);
    if (nav <= 0n && !pending) return undefined;
    const target = (key: string) => (nav * BigInt(allocation.weightsBps[key] ?? 0)) / BPS;
    const legs: Leg[] = [];
    const skipped: { key: string; amount: string; reason: string }[] = [];
    const gasCost = await this.gasCostPerUnit();

    const worthIt = (leg: Leg) => {
      if (leg.amount < this.o.minMoveAmount) {
        if (leg.amount > 0n)
          skipped.push({ key: leg.key, amount: leg.amount.toString(), reason: "below minMoveAmount" });
        return false;
      }
      const benefit = (leg.amount * this.o.benefitBps) / BPS;
      const cost = gasCost === undefined ? 0n : leg.gas * gasCost;
      if (benefit <= cost) {
        skipped.push({
          key: leg.key,
          amount: leg.amount.toString(),
          reason: `benefit ${benefit} <= gas cost ${cost}`,
        });
        return false;
      }
      return true;
    };

    const outs: Leg[] = [];
    for (const h of byKey) {
      const excess = h.value - target(h.key);
      if (excess > 0n) {
        const leg = await this.withdrawLeg(h, excess);
        if (leg && worthIt(leg)) outs.push(leg);
      }
    }
    // Surplus goes straight to the connectors short of their target: one sendToConnector instead of
    // sendToVault + transferToConnector (cheaper, and the vault's idle is not needed in between).
    const surplus = new Map(outs.map((l) => [l.key, l.amount]));
    const moves: Leg[] = [];
    const deficits: { h: Holding; amount: bigint }[] = [];
    for (const h of byKey) {
      const deficit = target(h.key) - h.value;
      const room = h.cap > h.value ? h.cap - h.value : 0n;
      let amount = deficit < room ? deficit : room;
      for (const out of outs) {
        const free = surplus.get(out.key)!;
        const moved = free < amount ? free : amount;
        if (moved < this.o.minMoveAmount) continue;
        const leg = await this.moveLeg(out.key, h.key, moved);
        if ("reason" in leg) {
          skipped.push({ key: h.key, amount: moved.toString(), reason: leg.reason });
          continue;
        }
        moves.push(leg);
        surplus.set(out.key, free - moved);
        amount -= moved;
      }
      if (amount > 0n) deficits.push({ h, amount });
    }
    let returned = 0n;
    for (const out of outs) {
      // the position withdrawal stays here (before the moves); only what is left goes back to the vault
      const left = surplus.get(out.key)!;
      // a remainder below minMoveAmount stays in the position rather than costing a sendToVault
      const back = left >= this.o.minMoveAmount ? left : 0n;
      const actions = out.actions.flatMap((a): PlanAction[] => {
        if (a.kind === "sendToVault") return back > 0n ? [{ ...a, amount: back.toString() }] : [];
        if ((a.kind === "aaveWithdraw" || a.kind === "erc4626Withdraw") && left > back) {
          const amount = BigInt(a.amount) - (left - back);
          return amount > 0n ? [{ ...a, amount: amount.toString() }] : [];
        }
        return [a];
      });
      returned += back;
      if (actions.length > 0) legs.push({ ...out, amount: back, actions, gas: gasOf(actions) });
    }
    let available = idle + returned - target(this.idleKey);
    const ins: Leg[] = [];
    for (const { h, amount: wanted } of deficits) {
      const amount = wanted < available ? wanted : available;
      if (amount <= 0n) continue;
      const leg = await this.depositLeg(h.key, amount);
      if ("reason" in leg) skipped.push({ key: h.key, amount: amount.toString(), reason: leg.reason });
      else if (worthIt(leg)) {
        ins.push(leg);
        available -= amount;
      }
    }
    const settleLeg: Leg[] =
      pending && (pending.deposits > 0n || pending.redeemShares > 0n)
        ? [
            {
              key: "settle",
              direction: "out",
              amount: 0n,
              actions: [{ kind: "settle" }],
              gas: ACTION_GAS.settle,
            },
          ]
        : [];
    legs.push(...settleLeg, ...moves, ...ins);

    const batch: Leg[] = [];
    const deferred: { key: string; amount: string }[] = [];
    let gas = GATE_OVERHEAD_GAS;
    for (const leg of legs) {
      // Deposits rely on the withdrawals before them; once one leg is deferred, later deposits wait too.
      if (gas + leg.gas > this.o.gasBudgetPerBatch || (deferred.length > 0 && leg.direction !== "out")) {
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

  /** Pending requests in base asset: deposits as requested, redemptions at the live share price. */
  private async pendingAssets(): Promise<{ deposits: bigint; redeems: bigint; redeemShares: bigint }> {
    const { client, vault } = this.o;
    const pending = (await client.readContract({
      address: vault,
      abi: productAbis.vault(),
      functionName: "pendingTotals",
    })) as { depositAssets: bigint; redeemShares: bigint };
    const redeems =
      pending.redeemShares === 0n
        ? 0n
        : ((await client.readContract({
            address: vault,
            abi: productAbis.vault(),
            functionName: "convertToAssets",
            args: [pending.redeemShares],
          })) as bigint);
    return { deposits: pending.depositAssets, redeems, redeemShares: pending.redeemShares };
  }

  /** `amount` from `from` (already out of its position) straight to `to` with sendToConnector, invested there. */
  private async moveLeg(from: string, to: string, amount: bigint): Promise<Leg | { reason: string }> {
    const into = await this.depositLeg(to, amount);
    if ("reason" in into) return into;
    const actions: PlanAction[] = [
      {
        kind: "sendToConnector",
        connector: this.o.connectors[from]!.address,
        to: this.o.connectors[to]!.address,
        token: this.o.asset,
        amount: amount.toString(),
      },
      ...into.actions.filter((a) => a.kind !== "transferToConnector"),
    ];
    return { key: `${from}->${to}`, direction: "move", amount, actions, gas: gasOf(actions) };
  }

  private async withdrawLeg(h: Holding, excess: bigint): Promise<Leg | undefined> {
    const c = this.o.connectors[h.key]!;
    const { asset } = this.o;
    const actions: PlanAction[] = [];
    let amount = excess;
    const fromPosition = excess > h.loose ? excess - h.loose : 0n;
    if (c.kind === "hold" || c.kind === "uniswapLp") {
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
      if (c.kind === "uniswapLp" && c.liquidity && swap.kind === "swap")
        actions.push(await this.liquidityAction(c, c.liquidity, amount - BigInt(swap.amountIn), swap));
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
      fromAddress: c.address,
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

  /**
   * Mints a position centred on the pool's current tick (or increases the connector's first one)
   * with the base asset left after the swap and the swap's guaranteed minimum output.
   */
  private async liquidityAction(
    c: PlannedConnector,
    liquidity: NonNullable<PlannedConnector["liquidity"]>,
    baseAmount: bigint,
    swap: Extract<PlanAction, { kind: "swap" }>,
  ): Promise<PlanAction> {
    const { client, asset } = this.o;
    const baseIs0 = BigInt(asset) < BigInt(swap.tokenOut);
    const [token0, token1] = baseIs0 ? [asset, swap.tokenOut] : [swap.tokenOut, asset];
    const [amount0, amount1] = (
      baseIs0 ? [baseAmount, swap.minAmountOut] : [swap.minAmountOut, baseAmount]
    ).map(String) as [string, string];
    const positions = (await client.readContract({
      address: c.address,
      abi: productAbis.uniswap(),
      functionName: "positionIds",
    })) as readonly bigint[];
    if (positions.length > 0)
      return {
        kind: "uniswapIncrease",
        connector: c.address,
        token0: getAddress(token0),
        amount0,
        tokenId: positions[0]!.toString(),
        amount1,
      };
    const [, tick] = (await client.readContract({
      address: liquidity.pool,
      abi: productAbis.uniswapPool(),
      functionName: "slot0",
    })) as readonly [bigint, number];
    const center = Math.floor(tick / liquidity.tickSpacing) * liquidity.tickSpacing;
    return {
      kind: "uniswapMint",
      connector: c.address,
      token0: getAddress(token0),
      amount0,
      token1: getAddress(token1),
      amount1,
      fee: liquidity.fee,
      tickLower: center - liquidity.halfWidthTicks,
      tickUpper: center + liquidity.halfWidthTicks,
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

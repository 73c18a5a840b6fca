import { getAddress, type Address, type Hex } from "viem";
import { ACTIONS, GATE_OVERHEAD_GAS, type ConnectorKind, type PlanAction } from "./actions.js";

const BPS = 10_000n;

/**
 * Token amounts are valued through the oracle's value of this many units (`PlanInputs.prices`):
 * value(token, amount) = amount × prices[token] / PRICE_UNIT, rounded down.
 */
export const PRICE_UNIT = 10n ** 18n;

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

/** What the planner is configured with: the vault, its connectors and the cost rules. */
export interface PlanSettings {
  readonly vault: Address;
  /** The vault's base asset (USDC). */
  readonly asset: Address;
  /** Policy connector key → connector; the key `idleKey` is the vault's own idle balance. */
  readonly connectors: Readonly<Record<string, PlannedConnector>>;
  readonly idleKey: string;
  /** Legs moving less than this (base-asset units) are skipped as noise. */
  readonly minMoveAmount: bigint;
  /** Expected benefit of a rebalance leg per unit moved (basis points over the holding horizon). */
  readonly benefitBps: bigint;
  /** Largest gas one gate batch may use; the rest of the plan waits for the next cycle. */
  readonly gasBudgetPerBatch: bigint;
  /** Share-bound slippage for ERC-4626 deposits and withdrawals. */
  readonly maxSlippageBps: bigint;
  /**
   * LI.FI swaps for connectors with a `swapShare` (the connector calls the Diamond itself): a quote
   * whose minimum output is worth less than the input minus `maxSlippageBps` (oracle) is refused.
   */
  readonly swaps?: { readonly maxSlippageBps: bigint };
  /**
   * Settle pending deposit and redeem requests inside the rebalance batch: withdrawals first, then
   * `settle`, then deposits, with targets taken from the NAV after settlement.
   */
  readonly settle: boolean;
}

/** One connector's position as read from the chain. */
export interface Holding {
  readonly key: string;
  /** `totalValue()` in base asset */
  readonly value: bigint;
  /** base asset the connector holds outside its positions */
  readonly loose: bigint;
  /** Registry cap; a disabled connector's cap is its value (nothing more goes in) */
  readonly cap: bigint;
}

/** A Uniswap v3 position of an LP connector, as `NonfungiblePositionManager.positions` reports it. */
export interface LpPosition {
  readonly tokenId: bigint;
  readonly token0: Address;
  readonly tickLower: number;
  readonly tickUpper: number;
  readonly liquidity: bigint;
}

/** Everything the plan needs from the chain, read at one block (keeper/vault/planner.ts reads it). */
export interface PlanInputs {
  /** The vault's `totalAssets()` */
  readonly nav: bigint;
  /** Every configured connector, in the settings' order. */
  readonly holdings: readonly Holding[];
  /** Pending requests in base asset (read when `settle`): redemptions at the live share price. */
  readonly pending?: { readonly deposits: bigint; readonly redeems: bigint; readonly redeemShares: bigint };
  /** Base-asset cost of one unit of gas; undefined when the oracle cannot price the native token. */
  readonly gasCostPerUnit: bigint | undefined;
  /** Oracle value of `PRICE_UNIT` units, by lower-case token address; absent: the oracle cannot price it. */
  readonly prices: Readonly<Record<string, bigint>>;
  /** ERC-4626 connectors by key: the target's previews of `assets` (conversions scale linearly). */
  readonly erc4626: Readonly<
    Record<
      string,
      { readonly assets: bigint; readonly depositShares: bigint; readonly withdrawShares: bigint }
    >
  >;
  /** LP connectors by key: the pool's price and tick, and the connector's first position, if any. */
  readonly lp: Readonly<
    Record<string, { readonly sqrtPriceX96: bigint; readonly tick: number; readonly position?: LpPosition }>
  >;
}

/** A LI.FI swap the plan needs quoted: `amountIn` of `tokenIn` into `tokenOut`, for `connector`. */
export interface SwapRequest {
  readonly connector: Address;
  readonly tokenIn: Address;
  readonly tokenOut: Address;
  readonly amountIn: bigint;
}

/** The quote's calldata and the minimum output it enforces. */
export interface QuotedSwap {
  readonly calldata: Hex;
  readonly toAmountMin: bigint;
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

/** A withdraw leg or a deposit leg: calls that only make sense together (atomic in one batch). */
interface Leg {
  readonly key: string;
  /** "move": a connector-to-connector leg (withdraw, sendToConnector, invest), after the settlement */
  readonly direction: "out" | "in" | "move";
  readonly amount: bigint;
  readonly actions: readonly PlanAction[];
  readonly gas: bigint;
}

type SwapAction = Extract<PlanAction, { kind: "swap" }>;
type Refusal = { readonly reason: string };
/** The plan as a generator: it yields each swap it needs quoted and receives the quote. */
type Planning<T> = Generator<SwapRequest, T, QuotedSwap>;

/**
 * The rebalance plan from read inputs: pure, deterministic, no I/O. It diffs the holdings against
 * the target weights and orders the legs: every withdrawal first (an over-weight connector's
 * surplus goes straight to the connectors short of their target with `sendToConnector`; an LP
 * position above target is decreased, collected, burned when emptied, and its other token swapped
 * back), then the settlement (when `settle`), then deposits from the vault's idle above its own
 * target (which keeps what pending redemptions need), each within its connector's cap. Legs below
 * `minMoveAmount` or whose gas costs more than their expected benefit are skipped with why; the
 * rest is packed into one batch within `gasBudgetPerBatch`, the remainder deferred.
 *
 * Amounts after a swap depend on the quote, so the plan yields each `SwapRequest` and continues
 * with the answer (`runPlan` drives it; `ChainPlanner` answers through the LI.FI quoter). Returns
 * undefined when on target: no leg to send, none deferred and none skipped.
 */
export function* planRebalance(
  s: PlanSettings,
  inputs: PlanInputs,
  allocation: { readonly weightsBps: Readonly<Record<string, number>>; readonly snapshotHash: string },
): Planning<RebalancePlan | undefined> {
  for (const key of Object.keys(allocation.weightsBps)) {
    if (key !== s.idleKey && !s.connectors[key])
      throw new Error(`allocation names connector "${key}", which the planner config does not map`);
  }
  const { holdings: byKey, pending } = inputs;
  const deployed = byKey.reduce((sum, h) => sum + h.value, 0n);
  const change = pending ? pending.deposits - pending.redeems : 0n;
  const nav = inputs.nav + change;
  const idle = inputs.nav - deployed + change;
  if (nav <= 0n && !pending) return undefined;
  const target = (key: string) => (nav * BigInt(allocation.weightsBps[key] ?? 0)) / BPS;
  const legs: Leg[] = [];
  const skipped: { key: string; amount: string; reason: string }[] = [];
  const ctx = new PlanContext(s, inputs);

  const worthIt = (leg: Leg) => {
    if (leg.amount < s.minMoveAmount) {
      if (leg.amount > 0n)
        skipped.push({ key: leg.key, amount: leg.amount.toString(), reason: "below minMoveAmount" });
      return false;
    }
    const benefit = (leg.amount * s.benefitBps) / BPS;
    const cost = inputs.gasCostPerUnit === undefined ? 0n : leg.gas * inputs.gasCostPerUnit;
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
      const leg = yield* ctx.withdrawLeg(h, excess);
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
      if (moved < s.minMoveAmount) continue;
      const leg = yield* ctx.moveLeg(out.key, h.key, moved);
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
    const back = left >= s.minMoveAmount ? left : 0n;
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
  let available = idle + returned - target(s.idleKey);
  const ins: Leg[] = [];
  for (const { h, amount: wanted } of deficits) {
    const amount = wanted < available ? wanted : available;
    if (amount <= 0n) continue;
    const leg = yield* ctx.depositLeg(h.key, amount);
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
            gas: ACTIONS.settle.gas,
          },
        ]
      : [];
  legs.push(...settleLeg, ...moves, ...ins);

  const batch: Leg[] = [];
  const deferred: { key: string; amount: string }[] = [];
  let gas = GATE_OVERHEAD_GAS;
  for (const leg of legs) {
    // Deposits rely on the withdrawals before them; once one leg is deferred, later deposits wait too.
    if (gas + leg.gas > s.gasBudgetPerBatch || (deferred.length > 0 && leg.direction !== "out")) {
      deferred.push({ key: leg.key, amount: leg.amount.toString() });
      continue;
    }
    batch.push(leg);
    gas += leg.gas;
  }
  if (batch.length === 0 && deferred.length === 0 && skipped.length === 0) return undefined;
  return {
    kind: "rebalance",
    vault: getAddress(s.vault),
    snapshotHash: allocation.snapshotHash,
    nav: nav.toString(),
    holdings: Object.fromEntries([
      [s.idleKey, idle.toString()],
      ...byKey.map((h) => [h.key, h.value.toString()]),
    ]),
    targets: Object.fromEntries(Object.keys(allocation.weightsBps).map((k) => [k, target(k).toString()])),
    actions: batch.flatMap((l) => l.actions),
    gas: gas.toString(),
    deferred,
    skipped,
  };
}

/** Runs `planRebalance` to the end, answering each swap request with `quote` (tests, previews). */
export function runPlan(
  settings: PlanSettings,
  inputs: PlanInputs,
  allocation: Parameters<typeof planRebalance>[2],
  quote: (request: SwapRequest) => QuotedSwap,
): RebalancePlan | undefined {
  const planning = planRebalance(settings, inputs, allocation);
  let step = planning.next();
  while (!step.done) step = planning.next(quote(step.value));
  return step.value;
}

/** The legs of one plan: each connector's actions from the read inputs, asking for quotes as needed. */
class PlanContext {
  constructor(
    private readonly s: PlanSettings,
    private readonly inputs: PlanInputs,
  ) {}

  /** `amount` from `from` (already out of its position) straight to `to` with sendToConnector, invested there. */
  *moveLeg(from: string, to: string, amount: bigint): Planning<Leg | Refusal> {
    const into = yield* this.depositLeg(to, amount);
    if ("reason" in into) return into;
    const actions: PlanAction[] = [
      {
        kind: "sendToConnector",
        connector: this.s.connectors[from]!.address,
        to: this.s.connectors[to]!.address,
        token: this.s.asset,
        amount: amount.toString(),
      },
      ...into.actions.filter((a) => a.kind !== "transferToConnector"),
    ];
    return { key: `${from}->${to}`, direction: "move", amount, actions, gas: gasOf(actions) };
  }

  *withdrawLeg(h: Holding, excess: bigint): Planning<Leg | undefined> {
    const c = this.s.connectors[h.key]!;
    const { asset } = this.s;
    const actions: PlanAction[] = [];
    let amount = excess;
    const fromPosition = excess > h.loose ? excess - h.loose : 0n;
    if (c.kind === "uniswapLp" && fromPosition > 0n && this.s.swaps) {
      const reduce = yield* this.lpReduce(h.key, c, fromPosition);
      actions.push(...reduce.actions);
      const out = h.loose + reduce.baseOut;
      amount = excess < out ? excess : out;
    } else if (c.kind === "hold" || c.kind === "uniswapLp") {
      amount = excess < h.loose ? excess : h.loose;
    } else if (fromPosition > 0n && c.kind === "aave") {
      actions.push({
        kind: "aaveWithdraw",
        connector: c.address,
        token: asset,
        amount: fromPosition.toString(),
      });
    } else if (fromPosition > 0n && c.kind === "erc4626") {
      const shares = this.shares(h.key, "withdraw", fromPosition);
      const maxShares = (shares * (BPS + this.s.maxSlippageBps)) / BPS;
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

  *depositLeg(key: string, amount: bigint): Planning<Leg | Refusal> {
    const c = this.s.connectors[key]!;
    const { asset } = this.s;
    const actions: PlanAction[] = [
      { kind: "transferToConnector", connector: c.address, amount: amount.toString() },
    ];
    if (c.swapShare && this.s.swaps) {
      const swap = yield* this.swapAction(c, asset, c.swapShare.token, (amount * c.swapShare.shareBps) / BPS);
      if ("reason" in swap) return swap;
      actions.push({ kind: "trackToken", connector: c.address, token: c.swapShare.token }, swap);
      if (c.kind === "uniswapLp" && c.liquidity)
        actions.push(this.liquidityAction(key, c, c.liquidity, amount - BigInt(swap.amountIn), swap));
    }
    if (c.kind === "aave")
      actions.push({ kind: "aaveSupply", connector: c.address, token: asset, amount: amount.toString() });
    if (c.kind === "erc4626") {
      const shares = this.shares(key, "deposit", amount);
      const minShares = (shares * (BPS - this.s.maxSlippageBps)) / BPS;
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
   * Shares of the connector's ERC-4626 target for `amount`, scaled from the previews read with the
   * inputs and rounded against the vault: a deposit's shares down (previewDeposit rounds down), a
   * withdrawal's up (previewWithdraw rounds up), so the bounds hold for the exact previews too.
   */
  private shares(key: string, side: "deposit" | "withdraw", amount: bigint): bigint {
    const p = this.inputs.erc4626[key];
    const c = this.s.connectors[key]!;
    if (!c.target)
      throw new Error(`connector ${c.address} is an ERC-4626 connector without its target vault configured`);
    if (!p) throw new Error(`no ERC-4626 previews read for connector "${key}"`);
    if (p.assets === 0n) return 0n;
    if (side === "deposit") return (amount * p.depositShares) / p.assets;
    return (amount * p.withdrawShares + p.assets - 1n) / p.assets;
  }

  /** `amount` of `token` in base asset by the oracle prices read (the base asset is itself). */
  private valueOf(token: Address, amount: bigint): bigint | undefined {
    if (getAddress(token) === getAddress(this.s.asset)) return amount;
    const price = this.inputs.prices[token.toLowerCase()];
    return price === undefined ? undefined : (amount * price) / PRICE_UNIT;
  }

  /**
   * A LI.FI swap of `amountIn` of `tokenIn` into `tokenOut` for connector `c`, quoted by whoever
   * drives the plan; refused when the calldata's minimum output is worth less, by the vault's
   * oracle, than the input minus the allowed slippage (the swap handler enforces the same bound on
   * chain).
   */
  private *swapAction(
    c: PlannedConnector,
    tokenIn: Address,
    tokenOut: Address,
    amountIn: bigint,
  ): Planning<SwapAction | Refusal> {
    const swaps = this.s.swaps!;
    const quote = yield { connector: c.address, tokenIn, tokenOut, amountIn };
    const inValue = this.valueOf(tokenIn, amountIn);
    const minValue = this.valueOf(tokenOut, quote.toAmountMin);
    if (inValue === undefined || minValue === undefined)
      return {
        reason: `oracle cannot price ${inValue !== undefined ? tokenOut : tokenIn}; swap not planned`,
      };
    const floor = (inValue * (BPS - swaps.maxSlippageBps)) / BPS;
    if (minValue < floor)
      return { reason: `quote minimum worth ${minValue} < oracle floor ${floor}; swap not planned` };
    return {
      kind: "swap",
      connector: c.address,
      tokenIn,
      amountIn: amountIn.toString(),
      tokenOut,
      minAmountOut: quote.toAmountMin.toString(),
      lifiCalldata: quote.calldata,
    };
  }

  /**
   * Takes about `need` base asset out of the LP connector's first position: removes that share of
   * its liquidity (all of it, and burns the position, when `need` is most of its value), collects,
   * and swaps the other token back to the base asset through LI.FI. Every amount is a guaranteed
   * minimum at the pool's current price less the swap slippage bound (the decrease refuses less;
   * the swap handler checks the oracle), so `baseOut` is what the connector holds afterwards at least.
   */
  private *lpReduce(
    key: string,
    c: PlannedConnector,
    need: bigint,
  ): Planning<{ actions: PlanAction[]; baseOut: bigint }> {
    const { asset } = this.s;
    const none = { actions: [], baseOut: 0n };
    const lp = this.inputs.lp[key];
    const position = lp?.position;
    const other = c.swapShare?.token;
    if (!c.liquidity || !lp || !position || position.liquidity === 0n || !other) return none;
    const { tickLower, tickUpper, liquidity } = position;
    const baseIs0 = getAddress(position.token0) === getAddress(asset);
    const whole = positionAmounts(lp.sqrtPriceX96, tickLower, tickUpper, liquidity);
    const [baseWhole, otherWhole] = baseIs0 ? whole : [whole[1], whole[0]];
    const otherValue = this.valueOf(other, otherWhole);
    if (otherValue === undefined) return none;
    const value = baseWhole + otherValue;
    if (value === 0n) return none;
    // within 5 % of the whole position: take all of it and burn the emptied position
    const all = need * BPS >= value * (BPS - 500n);
    const removed = all ? liquidity : (liquidity * need) / value;
    const keep = BPS - this.s.swaps!.maxSlippageBps;
    const [amount0, amount1] = positionAmounts(lp.sqrtPriceX96, tickLower, tickUpper, removed).map(
      (a) => (a * keep) / BPS,
    ) as [bigint, bigint];
    const [baseMin, otherMin] = baseIs0 ? [amount0, amount1] : [amount1, amount0];
    const id = position.tokenId.toString();
    const actions: PlanAction[] = [
      {
        kind: "uniswapDecrease",
        connector: c.address,
        tokenId: id,
        liquidity: removed.toString(),
        amount0Min: amount0.toString(),
        amount1Min: amount1.toString(),
      },
      { kind: "uniswapCollect", connector: c.address, tokenId: id },
      ...(all ? [{ kind: "uniswapBurn" as const, connector: c.address, tokenId: id }] : []),
    ];
    if (otherMin === 0n) return { actions, baseOut: baseMin };
    const swap = yield* this.swapAction(c, other, asset, otherMin);
    if ("reason" in swap) return { actions, baseOut: baseMin };
    actions.push(swap);
    return { actions, baseOut: baseMin + BigInt(swap.minAmountOut) };
  }

  /**
   * Mints a position centred on the pool's current tick (or increases the connector's first one)
   * with the base asset left after the swap and the swap's guaranteed minimum output.
   */
  private liquidityAction(
    key: string,
    c: PlannedConnector,
    liquidity: NonNullable<PlannedConnector["liquidity"]>,
    baseAmount: bigint,
    swap: SwapAction,
  ): PlanAction {
    const { asset } = this.s;
    const baseIs0 = BigInt(asset) < BigInt(swap.tokenOut);
    const [token0, token1] = baseIs0 ? [asset, swap.tokenOut] : [swap.tokenOut, asset];
    const [amount0, amount1] = baseIs0
      ? [baseAmount.toString(), swap.minAmountOut]
      : [swap.minAmountOut, baseAmount.toString()];
    const lp = this.inputs.lp[key];
    if (!lp) throw new Error(`no pool state read for LP connector "${key}"`);
    if (lp.position)
      return {
        kind: "uniswapIncrease",
        connector: c.address,
        token0: getAddress(token0),
        amount0,
        tokenId: lp.position.tokenId.toString(),
        amount1,
      };
    const center = Math.floor(lp.tick / liquidity.tickSpacing) * liquidity.tickSpacing;
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
}

/** The gas the action table budgets for `actions`. */
export function gasOf(actions: readonly PlanAction[]): bigint {
  return actions.reduce((sum, a) => sum + ACTIONS[a.kind].gas, 0n);
}

/**
 * Token amounts of `liquidity` between two ticks at the pool's current price (Uniswap v3's
 * LiquidityAmounts, in floating point: used for minimum amounts that carry a slippage margin).
 */
export function positionAmounts(
  sqrtPriceX96: bigint,
  tickLower: number,
  tickUpper: number,
  liquidity: bigint,
): [bigint, bigint] {
  const sqrtP = Number(sqrtPriceX96) / 2 ** 96;
  const sqrtA = 1.0001 ** (tickLower / 2);
  const sqrtB = 1.0001 ** (tickUpper / 2);
  const l = Number(liquidity);
  const floor = (x: number) => BigInt(Math.max(0, Math.floor(x)));
  if (sqrtP <= sqrtA) return [floor((l * (sqrtB - sqrtA)) / (sqrtA * sqrtB)), 0n];
  if (sqrtP >= sqrtB) return [0n, floor(l * (sqrtB - sqrtA))];
  return [floor((l * (sqrtB - sqrtP)) / (sqrtP * sqrtB)), floor(l * (sqrtP - sqrtA))];
}

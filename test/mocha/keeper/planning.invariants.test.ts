import { expect } from "chai";
import { getAddress, type Address } from "viem";
import { ACTIONS, GATE_OVERHEAD_GAS, type PlanAction } from "../../../keeper/planning/actions.js";
import {
  PRICE_UNIT,
  runPlan,
  type Holding,
  type PlanInputs,
  type PlanSettings,
  type QuotedSwap,
  type SwapRequest,
} from "../../../keeper/planning/rebalance.js";

// Invariants of the pure rebalance plan over seeded random vaults (connectors of every kind the
// plan funds with base asset, caps, disabled connectors, loose balances, pending requests, gas
// prices and budgets, target weights). Each plan is replayed on a ledger of the vault's idle and
// each connector's loose and invested base asset, and for the LP connector its WETH:
// - no action moves more than its source holds (idle, loose, invested), at any step;
// - value is conserved: the ledger's total after the plan is the NAV plus the settled change,
//   less at most the swaps' slippage bound (a swap's output is valued at the oracle);
// - no connector receives past its cap, and none ends farther from its target than it started;
// - every transfer is at least `minMoveAmount`, the batch is within its gas budget, and what
//   leaves the connectors is no more than their excess over target (the turnover the weights ask).

const RUNS = 1_500;
const SEED = 0x5eed;

/** mulberry32: a small seeded generator, so a failure names its run and repeats. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

const addr = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const USDC = addr(0x1000);
const WETH = addr(0x2000);
const U = (n: number) => BigInt(Math.round(n)) * 1_000_000n;
const WETH_PRICE = U(3000);
const SWAP_SLIPPAGE_BPS = 100n;

const KEYS = ["aave", "morpho", "hold", "swapper"] as const;

function scenario(seed: number) {
  const r = rng(seed);
  const connectors: PlanSettings["connectors"] = {
    aave: { address: addr(0x21), kind: "aave" },
    morpho: { address: addr(0x22), kind: "erc4626", target: addr(0x32) },
    hold: { address: addr(0x23), kind: "hold" },
    // receives base asset and swaps part of it to WETH (kind "hold" with a swap share)
    swapper: {
      address: addr(0x24),
      kind: "hold",
      swapShare: { token: WETH, shareBps: BigInt(r.int(0, 10_000)) },
    },
  };
  const holdings: Holding[] = KEYS.map((key) => {
    const value = r.next() < 0.2 ? 0n : U(r.int(0, 2_000_000));
    const loose =
      key === "hold" || key === "swapper"
        ? value
        : r.next() < 0.3
          ? (value * BigInt(r.int(0, 100))) / 100n
          : 0n;
    const enabled = r.next() > 0.1;
    const cap = enabled ? value + U(r.int(0, 3_000_000)) : value;
    return { key, value, loose, cap };
  });
  const deployed = holdings.reduce((s, h) => s + h.value, 0n);
  const idle = U(r.int(0, 1_000_000));
  const settle = r.next() < 0.5;
  const pending = settle
    ? { deposits: U(r.int(0, 500_000)), redeems: U(r.int(0, 500_000)), redeemShares: 0n }
    : undefined;
  const raw = [...KEYS, "idle"].map(() => r.int(0, 100));
  const sum = raw.reduce((a, b) => a + b, 0) || 1;
  const weightsBps: Record<string, number> = {};
  let left = 10_000;
  [...KEYS, "idle"].forEach((k, i) => {
    const w = i === KEYS.length ? left : Math.floor((raw[i]! * 10_000) / sum);
    weightsBps[k] = w;
    left -= w;
  });
  const shareRate = BigInt(r.int(1, 3)) * 10n ** 12n;
  const settings: PlanSettings = {
    vault: addr(0x10),
    asset: USDC,
    connectors,
    idleKey: "idle",
    minMoveAmount: U(r.pick([1, 100, 10_000])),
    benefitBps: BigInt(r.pick([0, 10, 50])),
    gasBudgetPerBatch: BigInt(r.pick([400_000, 1_000_000, 3_000_000, 30_000_000])),
    maxSlippageBps: BigInt(r.pick([0, 10, 100])),
    swaps: { maxSlippageBps: SWAP_SLIPPAGE_BPS },
    settle,
  };
  const inputs: PlanInputs = {
    nav: deployed + idle,
    holdings,
    ...(pending ? { pending: { ...pending, redeemShares: pending.redeems > 0n ? 1n : 0n } } : {}),
    gasCostPerUnit: r.pick([undefined, 0n, 1n, 100n]),
    prices: { [WETH.toLowerCase()]: WETH_PRICE },
    erc4626: {
      morpho: {
        assets: U(1_000_000),
        depositShares: U(1_000_000) * shareRate,
        withdrawShares: U(1_000_000) * shareRate + 1n,
      },
    },
    lp: {},
  };
  // quotes between the oracle price and 2 % under it: some pass the 1 % floor, some are refused
  const quote = (q: SwapRequest): QuotedSwap => {
    const out = (q.amountIn * PRICE_UNIT) / WETH_PRICE;
    return { calldata: "0x", toAmountMin: (out * BigInt(10_000 - r.int(0, 200))) / 10_000n };
  };
  return { settings, inputs, weightsBps, quote, idle, pending };
}

interface Ledger {
  idle: bigint;
  loose: Record<string, bigint>;
  invested: Record<string, bigint>;
  weth: Record<string, bigint>;
}

describe("keeper planning: invariants of the pure rebalance plan (seeded random vaults)", function () {
  it(`${RUNS} random vaults: nothing moved beyond what is held, value conserved, caps, targets, dust, gas and turnover respected`, function () {
    let planned = 0;
    for (let run = 0; run < RUNS; run++) {
      const seed = SEED + run;
      const { settings, inputs, weightsBps, quote, idle, pending } = scenario(seed);
      const where = `seed ${seed}`;
      const plan = runPlan(settings, inputs, { weightsBps, snapshotHash: "0x01" }, quote);
      if (!plan) continue;
      planned++;
      const byAddress = new Map(Object.entries(settings.connectors).map(([k, c]) => [c.address, k]));
      const keyOf = (a: Address) => {
        const key = byAddress.get(a);
        if (!key) throw new Error(`${where}: action on unknown connector ${a}`);
        return key;
      };
      const ledger: Ledger = { idle, loose: {}, invested: {}, weth: {} };
      for (const h of inputs.holdings) {
        ledger.loose[h.key] = h.loose;
        ledger.invested[h.key] = h.value - h.loose;
        ledger.weth[h.key] = 0n;
      }
      const received: Record<string, bigint> = {};
      const swappedIn: Record<string, bigint> = {};
      let slippageAllowance = 0n;
      const take = (
        from: "idle" | { loose: string } | { invested: string },
        amount: bigint,
        a: PlanAction,
      ) => {
        const have =
          from === "idle"
            ? ledger.idle
            : "loose" in from
              ? ledger.loose[from.loose]!
              : ledger.invested[from.invested]!;
        expect(
          amount <= have,
          `${where}: ${a.kind} of ${amount} from ${JSON.stringify(from)} holding ${have}`,
        ).to.equal(true);
        if (from === "idle") ledger.idle -= amount;
        else if ("loose" in from) ledger.loose[from.loose]! -= amount;
        else ledger.invested[from.invested]! -= amount;
      };
      for (const a of plan.actions) {
        switch (a.kind) {
          case "settle":
            ledger.idle += pending!.deposits - pending!.redeems;
            break;
          case "aaveWithdraw":
          case "erc4626Withdraw":
            take({ invested: keyOf(a.connector) }, BigInt(a.amount), a);
            ledger.loose[keyOf(a.connector)]! += BigInt(a.amount);
            break;
          case "aaveSupply":
          case "erc4626Deposit":
            take({ loose: keyOf(a.connector) }, BigInt(a.amount), a);
            ledger.invested[keyOf(a.connector)]! += BigInt(a.amount);
            break;
          case "sendToVault":
            expect(BigInt(a.amount) >= settings.minMoveAmount, `${where}: dust sendToVault`).to.equal(true);
            take({ loose: keyOf(a.connector) }, BigInt(a.amount), a);
            ledger.idle += BigInt(a.amount);
            break;
          case "sendToConnector": {
            expect(BigInt(a.amount) >= settings.minMoveAmount, `${where}: dust sendToConnector`).to.equal(
              true,
            );
            take({ loose: keyOf(a.connector) }, BigInt(a.amount), a);
            const to = keyOf(a.to);
            ledger.loose[to]! += BigInt(a.amount);
            received[to] = (received[to] ?? 0n) + BigInt(a.amount);
            break;
          }
          case "transferToConnector": {
            expect(BigInt(a.amount) >= settings.minMoveAmount, `${where}: dust transfer`).to.equal(true);
            take("idle", BigInt(a.amount), a);
            const to = keyOf(a.connector);
            ledger.loose[to]! += BigInt(a.amount);
            received[to] = (received[to] ?? 0n) + BigInt(a.amount);
            break;
          }
          case "swap": {
            const key = keyOf(a.connector);
            take({ loose: key }, BigInt(a.amountIn), a);
            swappedIn[key] = (swappedIn[key] ?? 0n) + BigInt(a.amountIn);
            ledger.weth[key]! += BigInt(a.minAmountOut);
            // the swap handler's bound: the output is worth at least the input less the slippage
            const worth = (BigInt(a.minAmountOut) * WETH_PRICE) / PRICE_UNIT;
            expect(
              worth >= (BigInt(a.amountIn) * (10_000n - SWAP_SLIPPAGE_BPS)) / 10_000n,
              `${where}: swap below floor`,
            ).to.equal(true);
            slippageAllowance += BigInt(a.amountIn) - worth;
            break;
          }
          case "trackToken":
            break;
          default:
            throw new Error(`${where}: unexpected action ${a.kind}`);
        }
      }
      // value conserved, up to the swaps' slippage (WETH valued at the oracle)
      const total =
        ledger.idle +
        Object.values(ledger.loose).reduce((s, v) => s + v, 0n) +
        Object.values(ledger.invested).reduce((s, v) => s + v, 0n) +
        Object.values(ledger.weth).reduce((s, v) => s + (v * WETH_PRICE) / PRICE_UNIT, 0n);
      const expected =
        idle +
        inputs.holdings.reduce((s, h) => s + h.value, 0n) +
        (plan.actions.some((a) => a.kind === "settle") ? pending!.deposits - pending!.redeems : 0n);
      expect(
        total <= expected && total >= expected - slippageAllowance,
        `${where}: total ${total} vs ${expected}`,
      ).to.equal(true);

      let excess = 0n;
      let out = 0n;
      for (const h of inputs.holdings) {
        const target = BigInt(plan.targets[h.key] ?? "0");
        const after = ledger.loose[h.key]! + ledger.invested[h.key]!;
        const swappedAway = swappedIn[h.key] ?? 0n;
        // caps: nothing goes into a connector past its cap (a disabled one has cap = value)
        expect(
          h.value + (received[h.key] ?? 0n) <= (h.cap > h.value ? h.cap : h.value),
          `${where}: ${h.key} past its cap`,
        ).to.equal(true);
        // toward the target, never past it (the swapper's WETH counts at the base asset it cost)
        if (h.value > target)
          expect(after >= target && after <= h.value, `${where}: ${h.key} overshoots`).to.equal(true);
        if (h.value < target)
          expect(
            after + swappedAway >= h.value && after + swappedAway <= target,
            `${where}: ${h.key} overfunded`,
          ).to.equal(true);
        if (h.value > target) excess += h.value - target;
        if (h.value > after) out += h.value - after;
      }
      // turnover: what leaves the connectors is no more than their excess over the targets
      expect(out <= excess, `${where}: moved ${out} > excess ${excess}`).to.equal(true);
      // gas: the batch is the action table's gas, within the budget
      const gas = GATE_OVERHEAD_GAS + plan.actions.reduce((s, a) => s + ACTIONS[a.kind].gas, 0n);
      expect(BigInt(plan.gas)).to.equal(gas);
      if (plan.actions.length > 0)
        expect(gas <= settings.gasBudgetPerBatch, `${where}: over budget`).to.equal(true);
      // ERC-4626 share bounds hold at the exact rate the previews gave
      for (const a of plan.actions) {
        const p = inputs.erc4626.morpho!;
        if (a.kind === "erc4626Deposit")
          expect(
            BigInt(a.minShares) <= (BigInt(a.amount) * p.depositShares) / p.assets,
            `${where}: minShares`,
          ).to.equal(true);
        if (a.kind === "erc4626Withdraw")
          expect(
            BigInt(a.maxShares) * p.assets >= BigInt(a.amount) * p.withdrawShares,
            `${where}: maxShares`,
          ).to.equal(true);
      }
    }
    // the generator must produce real plans, not only 'on target'
    expect(planned > RUNS / 2).to.equal(true);
  });
});

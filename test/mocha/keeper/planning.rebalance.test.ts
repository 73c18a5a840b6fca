import { expect } from "chai";
import { getAddress, type Address, type Hex } from "viem";
import { ACTIONS, GATE_OVERHEAD_GAS, encodePlan, type PlanAction } from "../../../keeper/planning/actions.js";
import {
  PRICE_UNIT,
  positionAmounts,
  runPlan,
  type Holding,
  type PlanInputs,
  type PlanSettings,
  type QuotedSwap,
  type RebalancePlan,
  type SwapRequest,
} from "../../../keeper/planning/rebalance.js";
import type { MarketSnapshot } from "../../../keeper/signals/types.js";
import { computeAllocation, turnoverBps } from "../../../keeper/strategy/allocation.js";
import { parsePolicy } from "../../../keeper/strategy/policy.js";
import { EXAMPLE_POLICY } from "./helpers/examplePolicy.js";

// The pure rebalance plan (keeper/planning/rebalance.ts) on inputs written here: no chain, no
// quoter service. The keeper-int tests run the same plan on the local stack.

const addr = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const USDC = addr(0x1000);
const WETH = addr(0x2000);
const VAULT = addr(0x10);
const AAVE = addr(0x21);
const MORPHO = addr(0x22);
const LP = addr(0x23);
const HOLD = addr(0x24);
const MORPHO_TARGET = addr(0x31);
const POOL = addr(0x41);
const U = (n: number) => BigInt(Math.round(n * 1e6));
/** 1 WETH = 3,000 USDC: the oracle's value of PRICE_UNIT wei */
const WETH_PRICE = U(3000);
const QUOTE_SLIPPAGE_BPS = 30n;

const baseSettings: PlanSettings = {
  vault: VAULT,
  asset: USDC,
  connectors: {
    aave: { address: AAVE, kind: "aave" },
    morpho: { address: MORPHO, kind: "erc4626", target: MORPHO_TARGET },
    hold: { address: HOLD, kind: "hold" },
  },
  idleKey: "idle",
  minMoveAmount: U(100),
  benefitBps: 10n,
  gasBudgetPerBatch: 3_000_000n,
  maxSlippageBps: 10n,
  settle: false,
};

const lpSettings: PlanSettings = {
  ...baseSettings,
  connectors: {
    ...baseSettings.connectors,
    lp: {
      address: LP,
      kind: "uniswapLp",
      swapShare: { token: WETH, shareBps: 5_000n },
      liquidity: { pool: POOL, fee: 500, tickSpacing: 10, halfWidthTicks: 600 },
    },
  },
  swaps: { maxSlippageBps: 100n },
};

/** The pool's price: WETH per USDC in raw units (token0 USDC, token1 WETH). */
const RAW_PRICE = Number(PRICE_UNIT) / Number(WETH_PRICE);
const SQRT_PRICE_X96 = BigInt(Math.floor(Math.sqrt(RAW_PRICE) * 2 ** 96));
const TICK = Math.floor(Math.log(RAW_PRICE) / Math.log(1.0001));

function holding(key: string, value: bigint, extra: Partial<Holding> = {}): Holding {
  return { key, value, loose: 0n, cap: U(10_000_000), ...extra };
}

function inputs(holdings: Holding[], extra: Partial<PlanInputs> = {}): PlanInputs {
  const deployed = holdings.reduce((s, h) => s + h.value, 0n);
  return {
    nav: deployed,
    holdings,
    gasCostPerUnit: 0n,
    prices: { [WETH.toLowerCase()]: WETH_PRICE },
    erc4626: {
      morpho: {
        assets: U(1_000_000),
        depositShares: U(1_000_000) * 10n ** 12n,
        withdrawShares: U(1_000_000) * 10n ** 12n,
      },
    },
    lp: { lp: { sqrtPriceX96: SQRT_PRICE_X96, tick: TICK } },
    ...extra,
  };
}

/** A quoter at the oracle price less 0.3 %; `worse` takes more off (to hit the oracle floor). */
function quoter(worseBps = 0n) {
  const requests: SwapRequest[] = [];
  const quote = (r: SwapRequest): QuotedSwap => {
    requests.push(r);
    const out =
      r.tokenIn === USDC ? (r.amountIn * PRICE_UNIT) / WETH_PRICE : (r.amountIn * WETH_PRICE) / PRICE_UNIT;
    return {
      calldata: "0x4666fc80" as Hex,
      toAmountMin: (out * (10_000n - QUOTE_SLIPPAGE_BPS - worseBps)) / 10_000n,
    };
  };
  return { quote, requests };
}

const noQuotes = (r: SwapRequest): QuotedSwap => {
  throw new Error(
    `unexpected quote request ${JSON.stringify(r, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`,
  );
};

const kinds = (plan: RebalancePlan | undefined) => plan?.actions.map((a) => a.kind) ?? [];
const weights = (w: Record<string, number>) => ({ weightsBps: w, snapshotHash: "0x01" });
function only<K extends PlanAction["kind"]>(plan: RebalancePlan | undefined, kind: K) {
  return (plan?.actions ?? []).filter((a): a is Extract<PlanAction, { kind: K }> => a.kind === kind);
}

describe("keeper planning: the pure rebalance plan", function () {
  it("is on target (undefined) only when no leg is needed, none skipped and none deferred", function () {
    const plan = runPlan(
      baseSettings,
      inputs([holding("aave", U(500_000)), holding("morpho", U(500_000)), holding("hold", 0n)]),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(plan).to.equal(undefined);
  });

  it("refuses an allocation naming a connector the planner does not map", function () {
    expect(() =>
      runPlan(
        baseSettings,
        inputs([holding("aave", U(1))]),
        weights({ aave: 5_000, nowhere: 5_000 }),
        noQuotes,
      ),
    ).to.throw(/allocation names connector "nowhere"/);
  });

  it("moves an over-weight connector's surplus straight to the under-weight one (withdraw, sendToConnector, deposit)", function () {
    const plan = runPlan(
      baseSettings,
      inputs([holding("aave", U(700_000)), holding("morpho", U(300_000)), holding("hold", 0n)]),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(kinds(plan)).to.deep.equal(["aaveWithdraw", "sendToConnector", "erc4626Deposit"]);
    const [withdraw] = only(plan, "aaveWithdraw");
    const [send] = only(plan, "sendToConnector");
    const [deposit] = only(plan, "erc4626Deposit");
    expect(withdraw!.amount).to.equal(U(200_000).toString());
    expect(send).to.include({ connector: AAVE, to: MORPHO, amount: U(200_000).toString() });
    // 1e12 shares per base unit at the previews read, less the 10 bps share-bound slippage
    expect(BigInt(deposit!.minShares)).to.equal((U(200_000) * 10n ** 12n * 9_990n) / 10_000n);
    expect(plan!.targets).to.deep.equal({
      aave: U(500_000).toString(),
      morpho: U(500_000).toString(),
      hold: "0",
    });
    expect(encodePlan(plan!).map((c) => c.target)).to.deep.equal([AAVE, AAVE, MORPHO]);
  });

  it("sends what no under-weight connector takes back to the vault, and funds from the vault's idle", function () {
    const plan = runPlan(
      baseSettings,
      inputs([holding("aave", U(600_000)), holding("morpho", U(200_000)), holding("hold", 0n)], {
        nav: U(1_000_000),
      }),
      weights({ aave: 2_000, morpho: 3_000, hold: 0, idle: 5_000 }),
      noQuotes,
    );
    // aave has 400k above target: 100k straight to morpho, 300k back to the vault (idle target 500k, idle 200k)
    expect(kinds(plan)).to.deep.equal(["aaveWithdraw", "sendToVault", "sendToConnector", "erc4626Deposit"]);
    expect(only(plan, "sendToVault")[0]!.amount).to.equal(U(300_000).toString());
    expect(only(plan, "sendToConnector")[0]!.amount).to.equal(U(100_000).toString());
  });

  it("skips legs below minMoveAmount and reports them: a plan without actions, not 'on target'", function () {
    const plan = runPlan(
      baseSettings,
      inputs([holding("aave", U(500_050)), holding("morpho", U(499_950)), holding("hold", 0n)]),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(plan).to.not.equal(undefined);
    expect(plan!.actions).to.deep.equal([]);
    expect(plan!.skipped).to.deep.equal([
      { key: "aave", amount: U(50).toString(), reason: "below minMoveAmount" },
    ]);
  });

  it("skips a leg whose gas costs more than its expected benefit", function () {
    // 10 bps of 200k = 200 USDC benefit; withdraw + send + deposit ≈ 670k gas at 1 USDC per 1,000 gas
    const plan = runPlan(
      baseSettings,
      inputs([holding("aave", U(700_000)), holding("morpho", U(300_000)), holding("hold", 0n)], {
        gasCostPerUnit: 1_000n,
      }),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(plan!.actions).to.deep.equal([]);
    expect(plan!.skipped[0]!.reason).to.match(/^benefit 200000000 <= gas cost \d+$/);
  });

  it("keeps every deposit within its connector's cap; a disabled connector (cap = value) receives nothing", function () {
    const plan = runPlan(
      baseSettings,
      inputs(
        [
          holding("aave", U(100_000), { cap: U(150_000) }),
          holding("morpho", U(100_000), { cap: U(100_000) }),
          holding("hold", 0n),
        ],
        {
          nav: U(1_000_000),
        },
      ),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(kinds(plan)).to.deep.equal(["transferToConnector", "aaveSupply"]);
    expect(only(plan, "transferToConnector")[0]!.amount).to.equal(U(50_000).toString());
  });

  it("with settlement: frees what pending redemptions need, then settles, then deposits from the NAV after settlement", function () {
    // idle 100k, connectors 900k; 300k of redemptions and 50k of deposits pending → NAV after 750k
    const plan = runPlan(
      { ...baseSettings, settle: true },
      inputs([holding("aave", U(450_000)), holding("morpho", U(450_000)), holding("hold", 0n)], {
        nav: U(1_000_000),
        pending: { deposits: U(50_000), redeems: U(300_000), redeemShares: U(290_000) },
      }),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(plan!.nav).to.equal(U(750_000).toString());
    expect(plan!.holdings.idle).to.equal(U(-150_000).toString());
    expect(kinds(plan)).to.deep.equal([
      "aaveWithdraw",
      "sendToVault",
      "erc4626Withdraw",
      "sendToVault",
      "settle",
    ]);
    const freed = only(plan, "sendToVault").reduce((s, a) => s + BigInt(a.amount), 0n);
    expect(freed).to.equal(U(150_000));
    const [withdraw] = only(plan, "erc4626Withdraw");
    // a withdrawal's share bound is rounded up and widened by the slippage
    expect(BigInt(withdraw!.maxShares) >= U(75_000) * 10n ** 12n).to.equal(true);
  });

  it("with settlement and nothing else to move: the batch is only the settlement", function () {
    const plan = runPlan(
      { ...baseSettings, settle: true },
      inputs([holding("aave", U(500_000)), holding("morpho", U(500_000)), holding("hold", 0n)], {
        pending: { deposits: 0n, redeems: 0n, redeemShares: 1n },
      }),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(kinds(plan)).to.deep.equal(["settle"]);
  });

  it("a 'hold' connector only gives up its loose base asset", function () {
    const plan = runPlan(
      baseSettings,
      inputs([
        holding("aave", U(400_000)),
        holding("morpho", U(400_000)),
        holding("hold", U(200_000), { loose: U(50_000) }),
      ]),
      weights({ aave: 5_000, morpho: 5_000, hold: 0 }),
      noQuotes,
    );
    expect(kinds(plan)).to.deep.equal(["sendToConnector", "aaveSupply"]);
    expect(only(plan, "sendToConnector")[0]).to.include({
      connector: HOLD,
      to: AAVE,
      amount: U(50_000).toString(),
    });
  });

  it("funds an LP connector: transfer, track WETH, swap its share through LI.FI (quoted) and mint around the pool tick", function () {
    const q = quoter();
    const plan = runPlan(
      lpSettings,
      inputs([holding("aave", U(800_000)), holding("morpho", 0n), holding("hold", 0n), holding("lp", 0n)], {
        nav: U(1_000_000),
      }),
      weights({ aave: 8_000, morpho: 0, hold: 0, lp: 2_000 }),
      q.quote,
    );
    expect(kinds(plan)).to.deep.equal(["transferToConnector", "trackToken", "swap", "uniswapMint"]);
    expect(q.requests).to.deep.equal([
      { connector: LP, tokenIn: USDC, tokenOut: WETH, amountIn: U(100_000) },
    ]);
    const [swap] = only(plan, "swap");
    const [mint] = only(plan, "uniswapMint");
    expect(mint).to.include({
      token0: USDC,
      token1: WETH,
      amount0: U(100_000).toString(),
      amount1: swap!.minAmountOut,
    });
    const center = Math.floor(TICK / 10) * 10;
    expect([mint!.tickLower, mint!.tickUpper]).to.deep.equal([center - 600, center + 600]);
  });

  it("refuses a swap whose quoted minimum is worth less than the oracle floor: the leg is skipped with why", function () {
    const plan = runPlan(
      lpSettings,
      inputs([holding("aave", U(800_000)), holding("morpho", 0n), holding("hold", 0n), holding("lp", 0n)], {
        nav: U(1_000_000),
      }),
      weights({ aave: 8_000, morpho: 0, hold: 0, lp: 2_000 }),
      quoter(200n).quote,
    );
    expect(plan!.actions).to.deep.equal([]);
    expect(plan!.skipped.map((s) => s.reason).join()).to.match(/quote minimum worth \d+ < oracle floor \d+/);
  });

  it("refuses a swap the oracle cannot price", function () {
    const plan = runPlan(
      lpSettings,
      inputs([holding("aave", U(800_000)), holding("morpho", 0n), holding("hold", 0n), holding("lp", 0n)], {
        nav: U(1_000_000),
        prices: {},
      }),
      weights({ aave: 8_000, morpho: 0, hold: 0, lp: 2_000 }),
      quoter().quote,
    );
    expect(plan!.skipped.map((s) => s.reason).join()).to.match(/oracle cannot price/);
  });

  it("increases the LP connector's existing position instead of minting another", function () {
    const position = {
      tokenId: 7n,
      token0: USDC,
      tickLower: TICK - 600,
      tickUpper: TICK + 600,
      liquidity: 10n ** 15n,
    };
    const plan = runPlan(
      lpSettings,
      inputs([holding("aave", U(800_000)), holding("morpho", 0n), holding("hold", 0n), holding("lp", 0n)], {
        nav: U(1_000_000),
        lp: { lp: { sqrtPriceX96: SQRT_PRICE_X96, tick: TICK, position } },
      }),
      weights({ aave: 8_000, morpho: 0, hold: 0, lp: 2_000 }),
      quoter().quote,
    );
    expect(only(plan, "uniswapIncrease")[0]).to.include({ tokenId: "7", token0: USDC });
  });

  describe("an LP position above its target", function () {
    const liquidity = 6n * 10n ** 16n;
    const position = { tokenId: 9n, token0: USDC, tickLower: TICK - 600, tickUpper: TICK + 600, liquidity };
    const [base, weth] = positionAmounts(SQRT_PRICE_X96, TICK - 600, TICK + 600, liquidity);
    const value = base + (weth * WETH_PRICE) / PRICE_UNIT;
    const lpInputs = () =>
      inputs([holding("aave", 0n), holding("morpho", 0n), holding("hold", 0n), holding("lp", value)], {
        lp: { lp: { sqrtPriceX96: SQRT_PRICE_X96, tick: TICK, position } },
      });

    it("at a 0 % target: decreases all its liquidity, collects, burns, swaps the WETH back and returns the base asset", function () {
      const q = quoter();
      const plan = runPlan(
        lpSettings,
        lpInputs(),
        weights({ aave: 0, morpho: 0, hold: 0, lp: 0, idle: 10_000 }),
        q.quote,
      );
      expect(kinds(plan)).to.deep.equal([
        "uniswapDecrease",
        "uniswapCollect",
        "uniswapBurn",
        "swap",
        "sendToVault",
      ]);
      const [decrease] = only(plan, "uniswapDecrease");
      expect(decrease!.liquidity).to.equal(liquidity.toString());
      const [swap] = only(plan, "swap");
      expect(swap).to.include({ tokenIn: WETH, tokenOut: USDC });
      expect(q.requests[0]!.amountIn).to.equal(BigInt(decrease!.amount1Min));
      // what goes back is at most what the decrease and swap guarantee
      const guaranteed = BigInt(decrease!.amount0Min) + BigInt(swap!.minAmountOut);
      expect(BigInt(only(plan, "sendToVault")[0]!.amount)).to.equal(guaranteed);
      expect(guaranteed < value && guaranteed > (value * 98n) / 100n).to.equal(true);
    });

    it("partly above target: removes that share of the liquidity and keeps the position (no burn)", function () {
      const plan = runPlan(
        lpSettings,
        lpInputs(),
        weights({ aave: 0, morpho: 0, hold: 0, lp: 5_000, idle: 5_000 }),
        quoter().quote,
      );
      expect(kinds(plan).slice(0, 3)).to.deep.equal(["uniswapDecrease", "uniswapCollect", "swap"]);
      const removed = BigInt(only(plan, "uniswapDecrease")[0]!.liquidity);
      expect(removed > (liquidity * 45n) / 100n && removed < (liquidity * 55n) / 100n).to.equal(true);
    });
  });

  it("defers what does not fit the gas budget; deposits after a deferred leg wait too", function () {
    const budget = GATE_OVERHEAD_GAS + ACTIONS.aaveWithdraw.gas + ACTIONS.sendToVault.gas;
    const plan = runPlan(
      { ...baseSettings, gasBudgetPerBatch: budget },
      inputs([holding("aave", U(700_000)), holding("morpho", U(100_000)), holding("hold", 0n)], {
        nav: U(1_000_000),
      }),
      weights({ aave: 3_000, morpho: 3_000, hold: 0, idle: 4_000 }),
      noQuotes,
    );
    expect(BigInt(plan!.gas) <= budget).to.equal(true);
    expect(plan!.deferred.length > 0).to.equal(true);
    expect(kinds(plan)).to.deep.equal(["aaveWithdraw", "sendToVault"]);
  });

  describe("with the strategy's turnover limit and hysteresis (keeper/strategy/allocation.ts)", function () {
    const parsed = parsePolicy(EXAMPLE_POLICY);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const policy = parsed.policy;
    const NOW = Date.parse("2026-03-01T12:00:00Z");
    const depeg = (price: number): MarketSnapshot => ({
      venue: "polymarket",
      marketId: "0x00000000000000000000000000000000000000000000000000000000000000aa",
      tokenId: "111",
      eventId: "usdc-depeg",
      exclusiveGroup: null,
      question: "USDC below $0.99 this quarter?",
      outcome: "Yes",
      price,
      bestBid: price - 0.005,
      bestAsk: price + 0.005,
      depth: { bidUsd: 20_000, askUsd: 18_000, bandAbs: 0.02 },
      liquidityUsd: 250_000,
      volumeUsd: 1_200_000,
      endDate: NOW + 60 * 86_400_000,
      status: "open",
      resolvedValue: null,
      settlement: { source: "Circle attestation", rules: "Resolves YES if USDC trades below $0.99." },
      fee: null,
      category: "crypto",
      fetchedAt: NOW,
    });
    const settings: PlanSettings = {
      ...baseSettings,
      connectors: {
        "aave-usdc": { address: AAVE, kind: "aave" },
        "morpho-usdc": { address: MORPHO, kind: "erc4626", target: MORPHO_TARGET },
        "uniswap-usdc-weth": { address: HOLD, kind: "hold" },
      },
    };
    const NAV = U(1_000_000);
    /** Holdings exactly at `w` (the uniswap connector's value loose, so a 'hold' connector can give it up). */
    const at = (w: Record<string, number>) =>
      ({
        ...inputs([
          holding("aave-usdc", (NAV * BigInt(w["aave-usdc"]!)) / 10_000n),
          holding("morpho-usdc", (NAV * BigInt(w["morpho-usdc"]!)) / 10_000n),
          holding("uniswap-usdc-weth", (NAV * BigInt(w["uniswap-usdc-weth"]!)) / 10_000n, {
            loose: (NAV * BigInt(w["uniswap-usdc-weth"]!)) / 10_000n,
          }),
        ]),
        nav: NAV,
        erc4626: { "morpho-usdc": { assets: NAV, depositShares: NAV, withdrawShares: NAV } },
      }) satisfies PlanInputs;
    const outOfConnectors = (plan: RebalancePlan | undefined) =>
      [...only(plan, "sendToVault"), ...only(plan, "sendToConnector")].reduce(
        (s, a) => s + BigInt(a.amount),
        0n,
      );

    it("moves no more than maxTurnoverBps of NAV when the market signal asks for more", function () {
      const quiet = computeAllocation([depeg(0.02)], policy, { pegPrices: { USDC: 1 } }, NOW);
      const alarm = computeAllocation([depeg(0.2)], policy, { previous: quiet, pegPrices: { USDC: 1 } }, NOW);
      expect(alarm.reasons.join()).to.match(/limited to 2000 bps/);
      const plan = runPlan(settings, at(quiet.weightsBps), alarm, noQuotes);
      const moved = outOfConnectors(plan);
      expect(moved > 0n).to.equal(true);
      expect(turnoverBps(quiet.weightsBps, alarm.weightsBps) <= policy.maxTurnoverBps).to.equal(true);
      expect(moved <= (NAV * BigInt(policy.maxTurnoverBps)) / 10_000n).to.equal(true);
      // the move is the whole (limited) step: what the targets ask of the connectors above them
      expect(moved).to.equal((NAV * BigInt(alarm.weightsBps.idle! - quiet.weightsBps.idle!)) / 10_000n);
    });

    it("hysteresis: a metric between a level's exit and enter keeps moving toward that level with the previous state, none without", function () {
      const quiet = computeAllocation([depeg(0.02)], policy, { pegPrices: { USDC: 1 } }, NOW);
      const alarm = computeAllocation([depeg(0.2)], policy, { previous: quiet, pegPrices: { USDC: 1 } }, NOW);
      const holds = computeAllocation(
        [depeg(0.12)],
        policy,
        { previous: alarm, pegPrices: { USDC: 1 } },
        NOW,
      );
      const withState = runPlan(settings, at(alarm.weightsBps), holds, noQuotes);
      expect(kinds(withState)).to.include("sendToVault");
      expect(BigInt(withState!.targets.idle!) > (NAV * BigInt(alarm.weightsBps.idle!)) / 10_000n).to.equal(
        true,
      );
      const fresh = computeAllocation([depeg(0.12)], policy, { pegPrices: { USDC: 1 } }, NOW);
      expect(runPlan(settings, at(quiet.weightsBps), fresh, noQuotes)).to.equal(undefined);
    });
  });
});

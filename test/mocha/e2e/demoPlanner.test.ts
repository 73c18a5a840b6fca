import { expect } from "chai";
import { parseUnits } from "viem";
import { planRebalance } from "../../../scripts/demo/planner.js";

const USDC = (amount: string) => parseUnits(amount, 6);
const weights = { "aave-usdc": 4000, "morpho-usdc": 3500, "uniswap-usdc-weth": 1000, idle: 1500 };

describe("demo keeper planner (pure)", function () {
  it("funds connectors from settled deposits after settle, keeping the idle target", function () {
    const plan = planRebalance(
      weights,
      {
        idle: 0n,
        connectorValues: { "aave-usdc": 0n, "morpho-usdc": 0n, "uniswap-usdc-weth": 0n },
        pendingDepositAssets: USDC("100000"),
        pendingRedeemAssets: 0n,
      },
      USDC("1000"),
    );
    expect(plan.beforeSettle).to.deep.equal([]);
    expect(plan.afterSettle).to.deep.equal([
      { from: "vault", to: "aave-usdc", amount: USDC("40000") },
      { from: "vault", to: "morpho-usdc", amount: USDC("35000") },
      { from: "vault", to: "uniswap-usdc-weth", amount: USDC("10000") },
    ]);
  });

  it("moves a surplus straight to the connector short of its target, before settle", function () {
    const plan = planRebalance(
      weights,
      {
        idle: USDC("15000"),
        connectorValues: {
          "aave-usdc": USDC("50000"),
          "morpho-usdc": USDC("35000"),
          "uniswap-usdc-weth": 0n,
        },
        pendingDepositAssets: 0n,
        pendingRedeemAssets: 0n,
      },
      USDC("1000"),
    );
    expect(plan.beforeSettle).to.deep.equal([
      { from: "aave-usdc", to: "uniswap-usdc-weth", amount: USDC("10000") },
    ]);
    expect(plan.afterSettle).to.deep.equal([]);
  });

  it("pulls redemption liquidity from the largest lender and never unwinds the LP", function () {
    const plan = planRebalance(
      weights,
      {
        idle: 0n,
        connectorValues: {
          "aave-usdc": USDC("40000"),
          "morpho-usdc": USDC("35000"),
          "uniswap-usdc-weth": USDC("25000"),
        },
        pendingDepositAssets: 0n,
        pendingRedeemAssets: USDC("50000"),
      },
      USDC("1000"),
    );
    const toVault = plan.beforeSettle.filter((t) => t.to === "vault").reduce((a, t) => a + t.amount, 0n);
    expect(toVault >= USDC("50250")).to.equal(true); // redemptions + 0.5 % margin
    expect(plan.beforeSettle.some((t) => t.from === "uniswap-usdc-weth")).to.equal(false);
    expect(plan.notes.join(" ")).to.match(/LP left as is/);
    expect(plan.navAfterSettle).to.equal(USDC("50000"));
  });

  it("skips moves below the minimum", function () {
    const plan = planRebalance(
      weights,
      {
        idle: USDC("15000"),
        connectorValues: {
          "aave-usdc": USDC("40500"),
          "morpho-usdc": USDC("34500"),
          "uniswap-usdc-weth": USDC("10000"),
        },
        pendingDepositAssets: 0n,
        pendingRedeemAssets: 0n,
      },
      USDC("1000"),
    );
    expect(plan.beforeSettle).to.deep.equal([]);
    expect(plan.afterSettle).to.deep.equal([]);
  });
});

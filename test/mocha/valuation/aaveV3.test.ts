import { expect } from "chai";
import { type Address, getAddress, maxUint256, parseEther, parseUnits } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { updateFeed } from "../../../deploy/protocols/chainlink.js";
import { aaveArtifacts, deployAaveV3 } from "../../../deploy/protocols/aaveV3.js";
import { connectorValue, deployAaveV3Connector } from "../../../deploy/product/connectors.js";
import { localChain } from "../helpers/chain.js";
import { expectLessThan, expectWithin } from "../helpers/bigintAssert.js";
import { expectRevert } from "../helpers/revert.js";
import {
  abis,
  actors,
  addConnector,
  allowConnectorToken,
  balanceOf,
  mint,
  tokenWithFeed,
  vaultIdle,
  usdcAndWeth,
  usdcVaultPricingWeth,
  expectKeeperGateOnly,
} from "./setup.js";

// Attack classes covered: AC2 donations, AC7 TVL liveness, AC9 debt subtracted, AC21 roles,
// AC22 health factor, AC23 third-party repay, AC24 exits from a frozen reserve.
const chain = await localChain();
const { networkHelpers } = chain;
const who = actors(chain.clientsFor);
const connectorAbi = () => projectArtifact("AaveV3Connector").abi;
const MIN_HF = parseEther("1.2");

async function aaveFixture() {
  const g = who.governance;
  const { usdc, weth } = await usdcAndWeth(g);
  const aave = await deployAaveV3(g, [
    { asset: usdc.token, decimals: 6, priceUsd8: 100_000_000n, borrowingEnabled: true },
    {
      asset: weth.token,
      decimals: 18,
      priceUsd8: 3_000n * 10n ** 8n,
      ltvBps: 8_000n,
      liquidationThresholdBps: 8_250n,
      borrowingEnabled: true,
    },
  ]);
  const { registry, oracle, vault } = await usdcVaultPricingWeth(who, usdc, weth);
  const connector = getAddress(
    await deployAaveV3Connector(g, { registry, vault, pool: aave.pool, minHealthFactor: MIN_HF }),
  );
  await addConnector(g, registry, vault, connector, maxUint256);
  await allowConnectorToken(g, registry, connector, weth.token);
  // USDC liquidity to borrow from, supplied by an outside lender
  await mint(g, usdc.token, who.stranger.wallet.account.address, parseUnits("1000000", 6));
  await send(who.stranger, {
    address: usdc.token,
    abi: abis.erc20(),
    functionName: "approve",
    args: [aave.pool, maxUint256],
  });
  await send(who.stranger, {
    address: aave.pool,
    abi: aaveArtifacts.poolAbi(),
    functionName: "supply",
    args: [usdc.token, parseUnits("500000", 6), who.stranger.wallet.account.address, 0],
  });
  await mint(g, weth.token, connector, parseEther("10"));
  await keeper("trackToken", [weth.token], connector);
  return { usdc, weth, aave, registry, oracle, vault, connector };
}

type Fixture = Awaited<ReturnType<typeof aaveFixture>>;

function keeper(functionName: string, args: readonly unknown[], connector: Address) {
  return send(who.keeper, { address: connector, abi: connectorAbi(), functionName, args });
}

const value = (f: Fixture) => connectorValue(who.governance, f.connector);

async function setWethPrice(f: Fixture, usd: bigint, alsoAave = true) {
  await updateFeed(who.governance, f.weth.feed, usd * 10n ** 8n);
  if (alsoAave) {
    await send(who.governance, {
      address: f.aave.priceOracle,
      abi: aaveArtifacts.priceOracle().abi,
      functionName: "setAssetPrice",
      args: [f.weth.token, usd * 10n ** 8n],
    });
  }
}

describe("AaveV3Connector", function () {
  it("values collateral with the ValueOracle, not with Aave's oracle", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    expect(await value(f)).to.deep.equal({ value: parseUnits("30000", 6), healthy: true });
    await setWethPrice(f, 2_500n, false); // Chainlink moves, Aave's oracle does not
    expect((await value(f)).value).to.equal(parseUnits("25000", 6));
    const allowance = await read<bigint>(who.governance, {
      address: f.weth.token,
      abi: abis.erc20(),
      functionName: "allowance",
      args: [f.connector, f.aave.pool],
    });
    expect(allowance).to.equal(0n);
  });

  it("[AC9 debt subtracted] borrow then repay is value-neutral apart from interest (random amounts)", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    let seed = 12345n;
    for (let i = 0; i < 6; i++) {
      seed = (seed * 1103515245n + 12345n) % 2n ** 31n;
      const amount = parseUnits("100", 6) + (seed % parseUnits("15000", 6));
      const start = (await value(f)).value;
      await keeper("borrow", [f.usdc.token, amount], f.connector);
      const borrowed = (await value(f)).value;
      expectWithin(borrowed - start, -1n, 1n); // +amount in the wallet, +amount of debt
      await networkHelpers.time.increase(30 * 86_400);
      await updateFeed(who.governance, f.weth.feed, 3_000n * 10n ** 8n);
      await updateFeed(who.governance, f.usdc.feed, 100_000_000n);
      const accrued = (await value(f)).value;
      expectLessThan(accrued, borrowed); // interest owed grows the debt
      await mint(who.governance, f.usdc.token, f.connector, parseUnits("1000", 6)); // to cover the interest
      const beforeRepay = (await value(f)).value;
      await keeper("repay", [f.usdc.token, maxUint256], f.connector);
      expectWithin((await value(f)).value - beforeRepay, -1n, 1n);
      const debt = await balanceOf(
        who.governance,
        f.aave.variableDebtTokens[f.usdc.token] as Address,
        f.connector,
      );
      expect(debt).to.equal(0n);
    }
  });

  it("[AC22 health factor] borrowing or withdrawing below the minimum health factor is refused", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    // 30,000 collateral x 82.5% / 1.2 = 20,625 max debt
    const args = await expectRevert(
      keeper("borrow", [f.usdc.token, parseUnits("21000", 6)], f.connector),
      "HealthFactorTooLow",
    );
    expect(args[2]).to.equal(MIN_HF);
    await keeper("borrow", [f.usdc.token, parseUnits("20000", 6)], f.connector);
    await expectRevert(
      keeper("withdraw", [f.weth.token, parseEther("1")], f.connector),
      "HealthFactorTooLow",
    );
  });

  it("[AC22 health factor] uses ValueOracle prices too: Aave's stale-high price does not allow a borrow", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    await setWethPrice(f, 2_000n, false); // Aave still says 3000
    const args = await expectRevert(
      keeper("borrow", [f.usdc.token, parseUnits("15000", 6)], f.connector),
      "HealthFactorTooLow",
    );
    expect((args[0] as bigint) > MIN_HF).to.equal(true); // Aave's own factor would have allowed it
    expect((args[1] as bigint) < MIN_HF).to.equal(true);
  });

  it("[AC22 health factor] repay and add-collateral are never blocked, even below the minimum", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("8")], f.connector);
    await keeper("borrow", [f.usdc.token, parseUnits("15000", 6)], f.connector);
    await setWethPrice(f, 2_400n); // HF = 19,200 x 0.825 / 15,000 = 1.056 < 1.2
    await keeper("supply", [f.weth.token, parseEther("0.2")], f.connector);
    await keeper("repay", [f.usdc.token, parseUnits("500", 6)], f.connector);
    const [hf] = await read<readonly [bigint, boolean]>(who.governance, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "oracleHealthFactor",
    });
    expect(hf < MIN_HF).to.equal(true);
  });

  it("[AC7 TVL liveness] under water reports 0 and unhealthy; an unpriceable collateral reports unhealthy; nothing reverts", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    await keeper("borrow", [f.usdc.token, parseUnits("20000", 6)], f.connector);
    await keeper("sendToVault", [parseUnits("20000", 6)], f.connector);
    expect(await vaultIdle(who.governance, f.vault)).to.equal(parseUnits("20000", 6));
    await setWethPrice(f, 1_500n, false); // collateral 15,000 < debt 20,000 by our prices
    expect(await value(f)).to.deep.equal({ value: 0n, healthy: false });
    await setWethPrice(f, 3_000n, false);
    await networkHelpers.time.increase(3_601); // ETH/USD stale; USDC/USD (24 h) still fresh
    expect(await value(f)).to.deep.equal({ value: 0n, healthy: false });
  });

  it("[AC23 third-party front-run] a stranger repaying on the connector's behalf only raises its value; repay(max) still works", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    await keeper("borrow", [f.usdc.token, parseUnits("10000", 6)], f.connector);
    const before = (await value(f)).value;
    await send(who.stranger, {
      address: f.aave.pool,
      abi: aaveArtifacts.poolAbi(),
      functionName: "repay",
      args: [f.usdc.token, parseUnits("4000", 6), 2n, f.connector],
    });
    expectWithin((await value(f)).value - before, parseUnits("4000", 6) - 1n, parseUnits("4000", 6) + 1n);
    await keeper("repay", [f.usdc.token, maxUint256], f.connector);
    expect(
      await balanceOf(who.governance, f.aave.variableDebtTokens[f.usdc.token] as Address, f.connector),
    ).to.equal(0n);
  });

  it("[AC24 emergency exits] a frozen reserve still lets the connector repay and withdraw", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    await keeper("borrow", [f.usdc.token, parseUnits("5000", 6)], f.connector);
    for (const asset of [f.weth.token, f.usdc.token]) {
      await send(who.governance, {
        address: f.aave.configurator,
        abi: aaveArtifacts.configuratorAbi(),
        functionName: "setReserveFreeze",
        args: [asset, true],
      });
    }
    expect((await value(f)).healthy).to.equal(true);
    await keeper("repay", [f.usdc.token, maxUint256], f.connector);
    await keeper("withdraw", [f.weth.token, maxUint256], f.connector);
    expect(await balanceOf(who.governance, f.weth.token, f.connector)).to.equal(parseEther("10"));
  });

  it("[AC24 emergency exits] an asset the position pays out cannot be untracked, so a withdraw is always counted", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    expect(await balanceOf(who.governance, f.weth.token, f.connector)).to.equal(0n);
    await expectRevert(keeper("untrackToken", [f.weth.token], f.connector), "TokenStillHeld");
    const before = await value(f);
    await keeper("withdraw", [f.weth.token, parseEther("4")], f.connector);
    expect(await value(f)).to.deep.equal(before);
  });

  it("[AC2 donation] donations are counted truthfully, position tokens cannot be 'recovered', stray tokens go to the vault", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await keeper("supply", [f.weth.token, parseEther("10")], f.connector);
    const before = (await value(f)).value;
    await mint(who.governance, f.usdc.token, f.connector, parseUnits("5", 6));
    expect((await value(f)).value - before).to.equal(parseUnits("5", 6));
    const aWeth = f.aave.aTokens[f.weth.token] as Address;
    await expectRevert(keeper("recoverToken", [aWeth], f.connector), "TokenNotStray");
    await expectRevert(keeper("recoverToken", [f.weth.token], f.connector), "TokenNotStray");
    const stray = (await tokenWithFeed(who.governance, "STRAY", 18, 8, 1n)).token;
    await mint(who.governance, stray, f.connector, 77n);
    await keeper("recoverToken", [stray], f.connector);
    expect(await balanceOf(who.governance, stray, f.vault)).to.equal(77n);
  });

  it("[AC8 bookkeeping drift] after a random action sequence the value equals an independent mark-to-market", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    await mint(who.governance, f.usdc.token, f.connector, parseUnits("20000", 6));
    const aWeth = f.aave.aTokens[f.weth.token] as Address;
    const aUsdc = f.aave.aTokens[f.usdc.token] as Address;
    const debtUsdc = f.aave.variableDebtTokens[f.usdc.token] as Address;
    const debtWeth = f.aave.variableDebtTokens[f.weth.token] as Address;
    const markToMarket = async () => {
      const bal = (token: Address) => balanceOf(who.governance, token, f.connector);
      const wethUnits = (await bal(f.weth.token)) + (await bal(aWeth)) - (await bal(debtWeth));
      const usdcUnits = (await bal(f.usdc.token)) + (await bal(aUsdc)) - (await bal(debtUsdc));
      const ethUsd = await read<bigint>(who.governance, {
        address: f.weth.feed,
        abi: abis.feed(),
        functionName: "latestAnswer",
      });
      return usdcUnits + (wethUnits * ethUsd) / 10n ** 20n; // WETH 18 dec x 8-dec price -> 6 dec
    };
    let seed = 777n;
    const next = (mod: bigint) => {
      seed = (seed * 6364136223846793005n + 1n) % 2n ** 64n;
      return (seed >> 16n) % mod;
    };
    const actions = [
      () => keeper("supply", [f.weth.token, 1n + next(parseEther("2"))], f.connector),
      () => keeper("supply", [f.usdc.token, 1n + next(parseUnits("2000", 6))], f.connector),
      () => keeper("borrow", [f.usdc.token, 1n + next(parseUnits("1500", 6))], f.connector),
      () => keeper("borrow", [f.weth.token, 1n + next(parseEther("0.2"))], f.connector),
      () => keeper("repay", [f.usdc.token, 1n + next(parseUnits("1500", 6))], f.connector),
      () => keeper("withdraw", [f.weth.token, 1n + next(parseEther("0.5"))], f.connector),
    ];
    await keeper("supply", [f.weth.token, parseEther("5")], f.connector);
    let executed = 0;
    for (let step = 0; step < 16; step++) {
      const action = actions[Number(next(BigInt(actions.length)))];
      if (!action) throw new Error("no action");
      // an action refused by Aave or by the health check must leave the books as they were
      if (
        await action().then(
          () => true,
          () => false,
        )
      )
        executed++;
      const report = await value(f);
      expect(report.healthy).to.equal(true);
      expectWithin(report.value - (await markToMarket()), -2n, 2n);
    }
    expect(executed).to.be.greaterThan(8);
    const [assets] = await read<readonly [readonly Address[], unknown]>(who.governance, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "reserves",
    });
    expect(assets.length).to.be.greaterThan(0);
  });

  it("[AC21 role logic] actions are keeper-gate only and the health-factor floor is governance-only", async function () {
    const f = await networkHelpers.loadFixture(aaveFixture);
    const calls: [string, readonly unknown[]][] = [
      ["supply", [f.weth.token, 1n]],
      ["withdraw", [f.weth.token, 1n]],
      ["borrow", [f.usdc.token, 1n]],
      ["repay", [f.usdc.token, 1n]],
    ];
    await expectKeeperGateOnly(who, { address: f.connector, abi: connectorAbi() }, calls);
    for (const caller of [who.keeper, who.guardian, who.stranger]) {
      await expectRevert(
        send(caller, {
          address: f.connector,
          abi: connectorAbi(),
          functionName: "setMinHealthFactor",
          args: [MIN_HF],
        }),
        "NotGovernance",
      );
    }
    await expectRevert(
      send(who.governance, {
        address: f.connector,
        abi: connectorAbi(),
        functionName: "setMinHealthFactor",
        args: [parseEther("1.01")],
      }),
      "InvalidHealthFactor",
    );
    await send(who.governance, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "setMinHealthFactor",
      args: [parseEther("1.5")],
    });
    expect(
      await read<bigint>(who.governance, {
        address: f.connector,
        abi: connectorAbi(),
        functionName: "minHealthFactor",
      }),
    ).to.equal(parseEther("1.5"));
  });
});

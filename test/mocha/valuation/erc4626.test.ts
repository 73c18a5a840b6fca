import { expect } from "chai";
import { type Address, getAddress, maxUint256, parseEther, parseUnits } from "viem";
import { deploy, projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { updateFeed } from "../../../deploy/protocols/chainlink.js";
import {
  createMorphoMarket,
  deployMorphoBlue,
  morphoMarketId,
} from "../../../deploy/protocols/morphoBlue.js";
import {
  connectorValue,
  deployErc4626Connector,
  deployMorphoBlueSupplyVault,
} from "../../../deploy/product/connectors.js";
import { localChain } from "../helpers/chain.js";
import { expectAtLeast, expectGreaterThan, expectWithin } from "../helpers/bigintAssert.js";
import { expectRevert, expectRevertReason } from "../helpers/revert.js";
import {
  abis,
  actors,
  addConnector,
  allowConnectorToken,
  balanceOf,
  mint,
  usdcAndWeth,
  usdcVaultPricingWeth,
  expectKeeperGateOnly,
} from "./setup.js";

// Attack classes covered: AC1 share inflation against the connector as a depositor, AC7 TVL liveness,
// AC9 shares converted at their own rate, AC10 accrued yield in NAV, AC19 slippage bounds,
// AC21 roles, AC24 exit from a fully utilised market.
const chain = await localChain();
const { networkHelpers } = chain;
const who = actors(chain.clientsFor);
const connectorAbi = () => projectArtifact("ERC4626Connector").abi;
const morphoAbi = () => projectArtifact("Morpho").abi;

async function erc4626Fixture() {
  const g = who.governance;
  const { usdc, weth } = await usdcAndWeth(g);
  const { registry, oracle, vault } = await usdcVaultPricingWeth(who, usdc, weth);

  // (a) real lending: Morpho Blue USDC market behind our OZ ERC-4626
  const blue = await deployMorphoBlue(g);
  const market = await createMorphoMarket(g, blue, {
    loanToken: usdc.token,
    collateralToken: weth.token,
    price: 3_000n * 10n ** 6n * 10n ** 18n,
    lltv: parseEther("0.86"),
  });
  const morphoVault = getAddress(
    await deployMorphoBlueSupplyVault(g, {
      morpho: blue.morpho,
      market,
      name: "Morpho USDC",
      symbol: "mUSDC",
    }),
  );
  const morphoConnector = getAddress(
    await deployErc4626Connector(g, { registry, vault, target: morphoVault, maxLossBps: 10 }),
  );
  // (b) a plain OZ ERC-4626 over WETH, a non-base asset
  const plainVault = getAddress(await deploy(g, projectArtifact("PlainERC4626"), [weth.token]));
  const plainConnector = getAddress(
    await deployErc4626Connector(g, { registry, vault, target: plainVault, maxLossBps: 10 }),
  );
  for (const c of [morphoConnector, plainConnector]) await addConnector(g, registry, vault, c, maxUint256);
  await allowConnectorToken(g, registry, plainConnector, weth.token);
  await mint(g, usdc.token, morphoConnector, parseUnits("100000", 6));
  await mint(g, weth.token, plainConnector, parseEther("10"));
  await send(who.keeper, {
    address: plainConnector,
    abi: connectorAbi(),
    functionName: "trackToken",
    args: [weth.token],
  });
  return {
    usdc,
    weth,
    registry,
    oracle,
    blue,
    market,
    morphoVault,
    morphoConnector,
    plainVault,
    plainConnector,
  };
}

type Fixture = Awaited<ReturnType<typeof erc4626Fixture>>;

const keeper = (connector: Address, functionName: string, args: readonly unknown[]) =>
  send(who.keeper, { address: connector, abi: connectorAbi(), functionName, args });

/** A borrower takes `amount` USDC from the Morpho market against WETH collateral. */
async function borrowFromMorpho(f: Fixture, amount: bigint) {
  const borrower = who.stranger;
  const me = borrower.wallet.account.address;
  await mint(who.governance, f.weth.token, me, parseEther("100"));
  await send(borrower, {
    address: f.weth.token,
    abi: abis.erc20(),
    functionName: "approve",
    args: [f.blue.morpho, maxUint256],
  });
  await send(borrower, {
    address: f.blue.morpho,
    abi: morphoAbi(),
    functionName: "supplyCollateral",
    args: [f.market, parseEther("100"), me, "0x"],
  });
  await send(borrower, {
    address: f.blue.morpho,
    abi: morphoAbi(),
    functionName: "borrow",
    args: [f.market, amount, 0n, me, me],
  });
}

describe("ERC4626Connector on a real Morpho Blue market", function () {
  it("[AC10 accrued yield] deposits lend into Morpho and the value grows with the market's real interest", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    await keeper(f.morphoConnector, "deposit", [
      f.usdc.token,
      parseUnits("100000", 6),
      parseUnits("100000", 6),
    ]);
    expect(await connectorValue(who.governance, f.morphoConnector)).to.deep.equal({
      value: parseUnits("100000", 6),
      healthy: true,
    });
    const [supplyShares] = await read<readonly [bigint, bigint, bigint]>(who.governance, {
      address: f.blue.morpho,
      abi: morphoAbi(),
      functionName: "position",
      args: [morphoMarketId(f.market), f.morphoVault],
    });
    expectGreaterThan(supplyShares, 0n);
    await borrowFromMorpho(f, parseUnits("50000", 6));
    await networkHelpers.time.increase(30 * 86_400);
    await networkHelpers.mine();
    const { value, healthy } = await connectorValue(who.governance, f.morphoConnector);
    expect(healthy).to.equal(true);
    // IrmMock charges utilisation per year: 50% for 30 days on 50,000 borrowed ~ 2,055 USDC
    expectWithin(value, parseUnits("102000", 6), parseUnits("102100", 6));
  });

  it("[AC24 emergency exits] a fully utilised market blocks the exit but never the value; the exit works once liquidity returns", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    await keeper(f.morphoConnector, "deposit", [f.usdc.token, parseUnits("100000", 6), 0n]);
    await borrowFromMorpho(f, parseUnits("100000", 6));
    await expectRevertReason(
      keeper(f.morphoConnector, "withdraw", [f.usdc.token, parseUnits("1000", 6), maxUint256]),
      "insufficient liquidity",
    );
    expectAtLeast(
      (await connectorValue(who.governance, f.morphoConnector)).value,
      parseUnits("100000", 6) - 1n,
    );
    const me = who.stranger.wallet.account.address;
    await mint(who.governance, f.usdc.token, me, parseUnits("1000", 6));
    await send(who.stranger, {
      address: f.usdc.token,
      abi: abis.erc20(),
      functionName: "approve",
      args: [f.blue.morpho, maxUint256],
    });
    await send(who.stranger, {
      address: f.blue.morpho,
      abi: morphoAbi(),
      functionName: "repay",
      args: [f.market, parseUnits("60000", 6), 0n, me, "0x"],
    });
    await keeper(f.morphoConnector, "withdraw", [f.usdc.token, parseUnits("50000", 6), maxUint256]);
    expect(await balanceOf(who.governance, f.usdc.token, f.morphoConnector)).to.equal(parseUnits("50000", 6));
  });

  it("[AC19 slippage] withdraw and redeem enforce the keeper's bounds (maxShares / minAssets)", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    const shares = (
      await who.keeper.public.simulateContract({
        address: f.morphoConnector,
        abi: connectorAbi(),
        functionName: "deposit",
        args: [f.usdc.token, parseUnits("1000", 6), 0n],
        account: who.keeper.wallet.account,
      })
    ).result as bigint;
    await keeper(f.morphoConnector, "deposit", [f.usdc.token, parseUnits("1000", 6), 0n]);
    await expectRevert(
      keeper(f.morphoConnector, "withdraw", [f.usdc.token, parseUnits("500", 6), shares / 4n]),
      "SlippageExceeded",
    );
    await expectRevert(
      keeper(f.morphoConnector, "redeem", [f.morphoVault, shares, parseUnits("1001", 6)]),
      "SlippageExceeded",
    );
    await expectRevert(keeper(f.morphoConnector, "redeem", [f.usdc.token, shares, 0n]), "WrongToken");
    await keeper(f.morphoConnector, "redeem", [f.morphoVault, shares, parseUnits("999", 6)]);
    expectAtLeast(
      await balanceOf(who.governance, f.usdc.token, f.morphoConnector),
      parseUnits("100000", 6) - 1n,
    );
  });
});

describe("ERC4626Connector on a plain OpenZeppelin ERC-4626 over a non-base asset", function () {
  it("[AC9 shares at their own rate] values shares with convertToAssets, priced through the oracle", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    await keeper(f.plainConnector, "deposit", [f.weth.token, parseEther("4"), 0n]);
    expect(await connectorValue(who.governance, f.plainConnector)).to.deep.equal({
      value: parseUnits("30000", 6),
      healthy: true,
    });
    // a donation to the 4626 raises its share price: the connector owns all shares, so all of it
    await mint(who.governance, f.weth.token, f.plainVault, parseEther("1"));
    expectWithin(
      (await connectorValue(who.governance, f.plainConnector)).value,
      parseUnits("33000", 6) - 3_000n,
      parseUnits("33000", 6),
    );
    await updateFeed(who.governance, f.weth.feed, 2_000n * 10n ** 8n);
    expectWithin(
      (await connectorValue(who.governance, f.plainConnector)).value,
      parseUnits("22000", 6) - 2_000n,
      parseUnits("22000", 6),
    );
  });

  it("[AC1 share inflation] a donation front-run on an empty 4626 trips the connector's max-loss check", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    const attacker = who.stranger;
    const me = attacker.wallet.account.address;
    await mint(who.governance, f.weth.token, me, parseEther("20"));
    await send(attacker, {
      address: f.weth.token,
      abi: abis.erc20(),
      functionName: "approve",
      args: [f.plainVault, maxUint256],
    });
    await send(attacker, {
      address: f.plainVault,
      abi: projectArtifact("PlainERC4626").abi,
      functionName: "deposit",
      args: [1n, me],
    });
    await send(attacker, {
      address: f.weth.token,
      abi: abis.erc20(),
      functionName: "transfer",
      args: [f.plainVault, parseEther("15")],
    });
    const args = await expectRevert(
      keeper(f.plainConnector, "deposit", [f.weth.token, parseEther("10"), 0n]),
      "MaxLossExceeded",
    );
    expect(args[0]).to.equal(parseEther("10"));
    expect((args[1] as bigint) < parseEther("9.99")).to.equal(true);
  });

  it("[AC15 rounding] the exit-side max-loss check sees the target rounding against the connector", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    await keeper(f.plainConnector, "deposit", [f.weth.token, parseEther("3"), 0n]);
    // another holder and an odd share price: a withdraw burns shares rounded up, worth 1 wei more than it pays
    const other = who.stranger.wallet.account.address;
    await mint(who.governance, f.weth.token, other, 766_397_101_403_831_158n);
    await send(who.stranger, {
      address: f.weth.token,
      abi: abis.erc20(),
      functionName: "approve",
      args: [f.plainVault, maxUint256],
    });
    await send(who.stranger, {
      address: f.plainVault,
      abi: projectArtifact("PlainERC4626").abi,
      functionName: "deposit",
      args: [766_397_101_403_831_158n, other],
    });
    await mint(who.governance, f.weth.token, f.plainVault, 400_175_019_673n);
    await send(who.governance, {
      address: f.plainConnector,
      abi: connectorAbi(),
      functionName: "setMaxLoss",
      args: [0],
    });
    const args = await expectRevert(
      keeper(f.plainConnector, "withdraw", [f.weth.token, 993_867_379_301_711n, maxUint256]),
      "MaxLossExceeded",
    );
    expect((args[0] as bigint) - (args[1] as bigint)).to.equal(1n);
    await send(who.governance, {
      address: f.plainConnector,
      abi: connectorAbi(),
      functionName: "setMaxLoss",
      args: [1],
    });
    await keeper(f.plainConnector, "withdraw", [f.weth.token, 993_867_379_301_711n, maxUint256]);
  });

  it("[AC7 TVL liveness] a stale price for the underlying reports unhealthy instead of reverting", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    await keeper(f.plainConnector, "deposit", [f.weth.token, parseEther("4"), 0n]);
    await networkHelpers.time.increase(3_601);
    expect(await connectorValue(who.governance, f.plainConnector)).to.deep.equal({
      value: 0n,
      healthy: false,
    });
  });

  it("[AC21 role logic] deposit/withdraw/redeem are keeper-gate only; max loss is governance-only and capped", async function () {
    const f = await networkHelpers.loadFixture(erc4626Fixture);
    const calls: [string, readonly unknown[]][] = [
      ["deposit", [f.weth.token, 1n, 0n]],
      ["withdraw", [f.weth.token, 1n, maxUint256]],
      ["redeem", [f.plainVault, 1n, 0n]],
    ];
    await expectKeeperGateOnly(who, { address: f.plainConnector, abi: connectorAbi() }, calls);
    for (const caller of [who.keeper, who.guardian, who.stranger]) {
      await expectRevert(
        send(caller, {
          address: f.plainConnector,
          abi: connectorAbi(),
          functionName: "setMaxLoss",
          args: [5],
        }),
        "NotGovernance",
      );
    }
    await expectRevert(
      send(who.governance, {
        address: f.plainConnector,
        abi: connectorAbi(),
        functionName: "setMaxLoss",
        args: [501],
      }),
      "InvalidMaxLoss",
    );
    await send(who.governance, {
      address: f.plainConnector,
      abi: connectorAbi(),
      functionName: "setMaxLoss",
      args: [50],
    });
    expect(
      await read<number>(who.governance, {
        address: f.plainConnector,
        abi: connectorAbi(),
        functionName: "maxLossBps",
      }),
    ).to.equal(50);
  });
});

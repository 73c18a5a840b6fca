import { expect } from "chai";
import { getAddress } from "viem";
import { MIN_REQUEST, Mode, USDC, vaultChain, expectBetween } from "./fixture.js";

const { viem, networkHelpers, accounts, deployFixture } = await vaultChain();
const { alice, bob, carol, keeper, gov, stranger, feeReceiver } = accounts;
const fixture = () => deployFixture();
const blocklistFixture = () => deployFixture({}, "MockBlocklistERC20");
const feeOnTransferFixture = () => deployFixture({}, "MockFeeOnTransferERC20");

describe("AccountingManager: attack classes", function () {
  it("[AC1 first-depositor donation inflation] a 1-unit first deposit plus a large donation cannot zero the victim", async function () {
    const { vault, asset } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([MIN_REQUEST, stranger, stranger], { account: stranger });
    await vault.write.settle({ account: keeper });
    await vault.write.deposit([MIN_REQUEST, stranger, stranger], { account: stranger });
    await asset.write.transfer([vault.address, USDC("100000")], { account: stranger }); // donation
    await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    await vault.write.deposit([USDC("1000"), alice, alice], { account: alice });
    const aliceValue = await vault.read.convertToAssets([await vault.read.balanceOf([alice])]);
    expectBetween(aliceValue, USDC("999.99"), USDC("1000"));
    const attackerValue = await vault.read.convertToAssets([await vault.read.balanceOf([stranger])]);
    expect(attackerValue <= MIN_REQUEST).to.equal(true);
  });

  it("[AC2 raw balanceOf in accounting] donations do not move NAV, the deposit cap or settlement prices", async function () {
    const { vault, asset } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("100"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    await asset.write.transfer([vault.address, USDC("5000")], { account: stranger });
    expect(await vault.read.totalAssets()).to.equal(USDC("100"));
    expect(await vault.read.lastTotalAssets()).to.equal(USDC("100"));
    await vault.write.requestDeposit([USDC("100"), bob, bob], { account: bob });
    await vault.write.settle({ account: keeper });
    expect(await vault.read.maxMint([bob])).to.equal(await vault.read.maxMint([alice]));
    await vault.write.recoverSurplus([asset.address, stranger], { account: gov });
    expect(await asset.read.balanceOf([vault.address])).to.equal(USDC("200"));
  });

  it("[AC8 registry bookkeeping drift] a disabled connector still counts in NAV and can still return assets", async function () {
    const { vault, registry, connectorA } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("100"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    await vault.write.transferToConnector([connectorA.address, USDC("60")], { account: keeper });
    await registry.write.disableConnector([connectorA.address], { account: gov });
    expect(await vault.read.totalAssets()).to.equal(USDC("100"));
    await connectorA.write.sendToVault([USDC("60")]);
    expect((await vault.read.assetBook()).idle).to.equal(USDC("100"));
  });

  it("[AC11 queue griefing] a claim to a blocked receiver reverts alone, with a named error; others are not blocked", async function () {
    const { vault, asset } = await networkHelpers.loadFixture(blocklistFixture);
    const token = await viem.getContractAt("MockBlocklistERC20", asset.address);
    for (const user of [alice, bob]) {
      await vault.write.requestDeposit([USDC("100"), user, user], { account: user });
    }
    await vault.write.settle({ account: keeper });
    for (const user of [alice, bob]) {
      await vault.write.deposit([USDC("100"), user, user], { account: user });
      await vault.write.requestRedeem([await vault.read.balanceOf([user]), user, user], { account: user });
    }
    await vault.write.settle({ account: keeper });
    await token.write.setBlocked([alice, true]);
    const claimable = await vault.read.maxWithdraw([alice]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      vault.write.withdraw([claimable, alice, alice], { account: alice }),
      vault,
      "AssetTransferFailed",
      [getAddress(alice), claimable],
    );
    expect(await vault.read.maxWithdraw([alice])).to.equal(claimable);
    // bob is unaffected, and alice can claim to another receiver
    await vault.write.redeem([await vault.read.maxRedeem([bob]), bob, bob], { account: bob });
    await vault.write.withdraw([claimable, carol, alice], { account: alice });
    expect(await vault.read.maxWithdraw([alice])).to.equal(0n);
    // settlement never pays anyone, so a blocked depositor cannot stop it either
    await token.write.setBlocked([carol, true]);
    await vault.write.requestDeposit([USDC("10"), stranger, stranger], { account: stranger });
    await viem.assertions.emit(vault.write.settle({ account: keeper }), vault, "DepositsSettled");
  });

  it("[AC12 queue state machine] cancel, re-request, deferral and settlement keep the epoch totals exact", async function () {
    const { vault, lens } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("100"), alice, alice], { account: alice });
    await vault.write.requestDeposit([USDC("50"), bob, bob], { account: bob });
    await vault.write.cancelDepositRequest([0n, alice], { account: alice });
    await vault.write.requestDeposit([USDC("30"), alice, alice], { account: alice });
    expect((await vault.read.pendingTotals()).depositAssets).to.equal(USDC("80"));
    await vault.write.settle({ account: keeper });
    const settlement = await lens.read.depositSettlement([vault.address, 1n]);
    expect(settlement.amountIn).to.equal(USDC("80"));
    expect((await vault.read.maxMint([alice])) + (await vault.read.maxMint([bob]))).to.equal(
      settlement.amountOut,
    );
    expect(await vault.read.claimableCancelDepositRequest([0n, alice])).to.equal(USDC("100"));
    const book = await vault.read.assetBook();
    expect([book.idle, book.cancelledDeposits]).to.deep.equal([USDC("80"), USDC("100")]);
  });

  it("[AC13 fee-accrual errors and griefing] a new fee receiver cannot collect fees accrued before the change", async function () {
    const { vault } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    await networkHelpers.time.increase(180n * 24n * 3600n);
    await vault.write.setFeeConfig([stranger, 500, 3_000], { account: gov });
    await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
    await vault.write.settle({ account: keeper });
    expect(await vault.read.balanceOf([stranger])).to.equal(0n);
    expect((await vault.read.balanceOf([feeReceiver])) > 0n).to.equal(true);
  });

  it("[AC14 rebasing / fee-on-transfer tokens] a token that delivers less than requested is refused", async function () {
    const { vault } = await networkHelpers.loadFixture(feeOnTransferFixture);
    await viem.assertions.revertWithCustomErrorWithArgs(
      vault.write.requestDeposit([USDC("100"), alice, alice], { account: alice }),
      vault,
      "UnsupportedTransferAmount",
      [USDC("100"), USDC("99")],
    );
  });

  it("[AC15 rounding] a deposit-redeem round trip never returns more than was put in", async function () {
    const { vault, asset, connectorA } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("333.333333"), bob, bob], { account: bob });
    await vault.write.settle({ account: keeper });
    await vault.write.deposit([USDC("333.333333"), bob, bob], { account: bob });
    await vault.write.transferToConnector([connectorA.address, USDC("100")], { account: keeper });
    await asset.write.mint([connectorA.address, 7n]); // odd yield
    await vault.write.requestDeposit([USDC("77.777777"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    await vault.write.deposit([USDC("77.777777"), alice, alice], { account: alice });
    await vault.write.requestRedeem([await vault.read.balanceOf([alice]), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    expect((await vault.read.maxWithdraw([alice])) <= USDC("77.777777")).to.equal(true);
  });

  it("[AC16 ERC-4626 conformance] metadata, previews and interfaces as ERC-4626/7540/7575 require", async function () {
    const { vault, asset } = await networkHelpers.loadFixture(fixture);
    expect(await vault.read.asset()).to.equal(getAddress(asset.address));
    expect(await vault.read.share()).to.equal(getAddress(vault.address));
    expect(await vault.read.decimals()).to.equal(12);
    for (const id of [
      "0xe3bc4e65",
      "0xce3bbe50",
      "0x620ee8e4",
      "0x2f0a18c5",
      "0x8bf840e3",
      "0xe76cffc7",
      "0x01ffc9a7",
    ] as const) {
      expect(await vault.read.supportsInterface([id])).to.equal(true);
    }
    await viem.assertions.revertWithCustomError(vault.read.previewDeposit([1n]), vault, "AsyncFlow");
    await viem.assertions.revertWithCustomError(vault.read.previewRedeem([1n]), vault, "AsyncFlow");
    expect(await vault.read.convertToShares([USDC("1")])).to.equal(USDC("1") * 10n ** 6n);
  });

  it("[AC23 third-party front-run] donations to the vault or a connector before keeper actions do not break them", async function () {
    const { vault, asset, connectorA } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    await asset.write.transfer([vault.address, USDC("1")], { account: stranger });
    await vault.write.transferToConnector([connectorA.address, USDC("1000")], { account: keeper });
    await asset.write.transfer([connectorA.address, USDC("2")], { account: stranger }); // +0.2%: inside the band
    await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
    expect((await vault.simulate.settle({ account: keeper })).result).to.equal(true);
    await connectorA.write.setMode([Mode.Balance, 0n, false]);
    await connectorA.write.sendToVault([USDC("1002")]);
    expect((await vault.read.assetBook()).idle).to.equal(USDC("1002"));
  });
});

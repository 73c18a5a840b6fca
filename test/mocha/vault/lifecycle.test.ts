import { expect } from "chai";
import { getAddress, zeroAddress } from "viem";
import { USDC, vaultChain, expectBetween } from "./fixture.js";

const { viem, networkHelpers, accounts, deployFixture } = await vaultChain();
const { alice, bob, keeper, feeReceiver } = accounts;
const fixture = () => deployFixture();

describe("AccountingManager: request, settle, claim lifecycle", function () {
  it("deposit request -> keeper settlement -> claim mints shares at the settled price", async function () {
    const { vault, asset } = await networkHelpers.loadFixture(fixture);
    await viem.assertions.emitWithArgs(
      vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice }),
      vault,
      "DepositRequest",
      [getAddress(alice), getAddress(alice), 0n, getAddress(alice), USDC("1000")],
    );
    expect(await vault.read.pendingDepositRequest([0n, alice])).to.equal(USDC("1000"));
    expect(await vault.read.claimableDepositRequest([0n, alice])).to.equal(0n);
    expect(await vault.read.totalAssets()).to.equal(0n);

    await viem.assertions.emit(vault.write.settle({ account: keeper }), vault, "DepositsSettled");
    expect(await vault.read.pendingDepositRequest([0n, alice])).to.equal(0n);
    expect(await vault.read.claimableDepositRequest([0n, alice])).to.equal(USDC("1000"));
    const shares = await vault.read.maxMint([alice]);
    expect(shares).to.equal(USDC("1000") * 10n ** 6n);
    expect(await vault.read.totalAssets()).to.equal(USDC("1000"));
    expect(await vault.read.lastTotalAssets()).to.equal(USDC("1000"));

    await viem.assertions.emitWithArgs(
      vault.write.deposit([USDC("1000"), alice], { account: alice }),
      vault,
      "Deposit",
      [getAddress(alice), getAddress(alice), USDC("1000"), shares],
    );
    expect(await vault.read.balanceOf([alice])).to.equal(shares);
    expect(await vault.read.maxDeposit([alice])).to.equal(0n);
    expect(await asset.read.balanceOf([vault.address])).to.equal(USDC("1000"));
  });

  it("redeem request escrows shares; settlement reserves assets; claim pays them", async function () {
    const { vault, asset } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    const shares = await vault.read.maxMint([alice]);
    await vault.write.mint([shares, alice], { account: alice });

    await viem.assertions.emitWithArgs(
      vault.write.requestRedeem([shares / 2n, bob, alice], { account: alice }),
      vault,
      "RedeemRequest",
      [getAddress(bob), getAddress(alice), 0n, getAddress(alice), shares / 2n],
    );
    expect(await vault.read.balanceOf([alice])).to.equal(shares / 2n);
    expect(await vault.read.pendingRedeemRequest([0n, bob])).to.equal(shares / 2n);
    await vault.write.settle({ account: keeper });
    expect(await vault.read.claimableRedeemRequest([0n, bob])).to.equal(shares / 2n);
    const assets = await vault.read.maxWithdraw([bob]);
    expectBetween(assets, USDC("499.99"), USDC("500"));
    const before = await asset.read.balanceOf([bob]);
    await viem.assertions.emitWithArgs(
      vault.write.redeem([shares / 2n, bob, bob], { account: bob }),
      vault,
      "Withdraw",
      [getAddress(bob), getAddress(bob), getAddress(bob), assets, shares / 2n],
    );
    expect((await asset.read.balanceOf([bob])) - before).to.equal(assets);
    expect(await vault.read.maxRedeem([bob])).to.equal(0n);
    expect(await vault.read.totalSupply()).to.equal(
      shares / 2n + (await vault.read.balanceOf([feeReceiver])),
    );
  });

  it("withdraw claims an exact asset amount and burns shares rounded up", async function () {
    const { vault } = await networkHelpers.loadFixture(fixture);
    await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    await vault.write.deposit([USDC("1000"), alice, alice], { account: alice });
    const balance = await vault.read.balanceOf([alice]);
    await vault.write.requestRedeem([balance, alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    const claimable = await vault.read.maxWithdraw([alice]);
    const sharesClaimable = await vault.read.maxRedeem([alice]);
    await vault.write.withdraw([claimable / 3n, alice, alice], { account: alice });
    const leftShares = await vault.read.maxRedeem([alice]);
    const burned = sharesClaimable - leftShares;
    // burned * claimable >= (claimable / 3) * sharesClaimable: shares consumed round up
    expect(burned * claimable >= (claimable / 3n) * sharesClaimable).to.equal(true);
    await vault.write.withdraw([await vault.read.maxWithdraw([alice]), alice, alice], { account: alice });
    expect(await vault.read.maxRedeem([alice])).to.equal(0n);
    expect(await vault.read.maxWithdraw([alice])).to.equal(0n);
  });

  it("operators request and claim for a controller; revoking stops them", async function () {
    const { vault } = await networkHelpers.loadFixture(fixture);
    await viem.assertions.emitWithArgs(
      vault.write.setOperator([bob, true], { account: alice }),
      vault,
      "OperatorSet",
      [getAddress(alice), getAddress(bob), true],
    );
    expect(await vault.read.isOperator([alice, bob])).to.equal(true);
    await vault.write.requestDeposit([USDC("10"), alice, alice], { account: bob });
    await vault.write.settle({ account: keeper });
    await vault.write.deposit([USDC("10"), bob, alice], { account: bob });
    expect((await vault.read.balanceOf([bob])) > 0n).to.equal(true);
    await vault.write.setOperator([bob, false], { account: alice });
    await viem.assertions.revertWithCustomErrorWithArgs(
      vault.write.requestDeposit([USDC("10"), alice, alice], { account: bob }),
      vault,
      "NotOwnerOrOperator",
      [getAddress(bob), getAddress(alice)],
    );
    await viem.assertions.revertWithCustomError(
      vault.write.setOperator([zeroAddress, true], { account: alice }),
      vault,
      "ZeroAddress",
    );
  });
});

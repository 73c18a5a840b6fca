import { expect } from "chai";
import { getAddress, parseEventLogs } from "viem";
import { DAY, Mode, USDC, type VaultFixture, expectBetween, vaultChain } from "./fixture.js";

const { viem, networkHelpers, accounts, deployFixture, publicClient } = await vaultChain();
const { alice, bob, carol, keeper, gov, guardian, feeReceiver, stranger } = accounts;

const fixture = () => deployFixture();

/** Alice holds 1,000 USDC of shares; 600 of the vault's assets sit in connector A. */
async function investedVault() {
  const fx = await deployFixture();
  const { vault } = fx;
  await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
  await vault.write.settle({ account: keeper });
  await vault.write.deposit([USDC("1000"), alice, alice], { account: alice });
  await vault.write.transferToConnector([fx.connectorA.address, USDC("600")], { account: keeper });
  return fx;
}

async function vaultLogs(hash: `0x${string}`, vault: VaultFixture["vault"]) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  return parseEventLogs({ abi: vault.abi, logs: receipt.logs });
}

describe("AccountingManager: NAV, settlement, guardrails, fees, connectors", function () {
  it("NAV = idle + every connector's value; transfers to and from connectors keep it", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, asset, connectorA } = fx;
    expect(await vault.read.totalAssets()).to.equal(USDC("1000"));
    expect((await vault.read.assetBook()).idle).to.equal(USDC("400"));
    expect(await asset.read.balanceOf([connectorA.address])).to.equal(USDC("600"));
    await viem.assertions.emitWithArgs(
      connectorA.write.sendToVault([USDC("100")]),
      vault,
      "AssetsReceivedFromConnector",
      [getAddress(connectorA.address), USDC("100")],
    );
    expect((await vault.read.assetBook()).idle).to.equal(USDC("500"));
    expect(await vault.read.totalAssets()).to.equal(USDC("1000"));
    expect(await asset.read.allowance([connectorA.address, vault.address])).to.equal(0n);
  });

  it("transferToConnector emits and respects the cap against the connector's reported value", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, registry, connectorA } = fx;
    await registry.write.setConnectorCap([connectorA.address, USDC("700")], { account: guardian });
    await viem.assertions.emitWithArgs(
      vault.write.transferToConnector([connectorA.address, USDC("100")], { account: keeper }),
      vault,
      "AssetsSentToConnector",
      [getAddress(connectorA.address), USDC("100")],
    );
    await viem.assertions.revertWithCustomError(
      vault.write.transferToConnector([connectorA.address, 1n], { account: keeper }),
      vault,
      "ConnectorCapExceeded",
    );
  });

  it("[AC7 TVL liveness] a reverting, gas-burning or malformed connector never reverts NAV; settlement waits and says which", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, connectorA, connectorB } = fx;
    for (const mode of [Mode.Revert, Mode.BurnGas, Mode.Malformed]) {
      const snapshot = await networkHelpers.takeSnapshot();
      await connectorB.write.setMode([mode, 0n, false]);
      expect(await vault.read.totalAssets()).to.equal(USDC("1000"));
      await connectorA.write.setMode([mode, 0n, false]);
      expect(await vault.read.totalAssets()).to.equal(USDC("400"));
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      expect((await vault.simulate.settle({ account: keeper })).result).to.equal(false);
      const hash = await vault.write.settle({ account: keeper });
      const events = await vaultLogs(hash, vault);
      const waiting = events.filter((e) => e.eventName === "SettlementAwaitingValuation").map((e) => e.args);
      expect(waiting).to.deep.equal([
        { connector: getAddress(connectorA.address), issue: 1, provenValue: 0n },
      ]);
      expect(events.some((e) => e.eventName === "GuardrailBreached" || e.eventName === "Settled")).to.equal(
        false,
      );
      expect(await vault.read.pendingDepositRequest([0n, bob])).to.equal(USDC("10"));
      await snapshot.restore();
    }
  });

  it("an unhealthy connector holds settlement with its reported lower bound in the event", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, connectorA } = fx;
    await connectorA.write.setMode([Mode.Balance, 0n, true]);
    await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
    await viem.assertions.emitWithArgs(
      vault.write.settle({ account: keeper }),
      vault,
      "SettlementAwaitingValuation",
      [getAddress(connectorA.address), 2, USDC("600")],
    );
    expect(await vault.read.lastTotalAssets()).to.equal(USDC("1000"));
    expect(await vault.read.pendingDepositRequest([0n, bob])).to.equal(USDC("10"));
  });

  it("a price move beyond the band returns false, pauses both sides, leaves the epoch unsettled", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, connectorA } = fx;
    await connectorA.write.setMode([Mode.Fixed, USDC("500"), false]); // -10% in no time
    await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
    const { result } = await vault.simulate.settle({ account: keeper });
    expect(result).to.equal(false);
    const lastNavAt = (await fx.lens.read.epochState([vault.address])).lastNavAt;
    const hash = await vault.write.settle({ account: keeper });
    const block = await publicClient.getBlock({
      blockHash: (await publicClient.getTransactionReceipt({ hash })).blockHash,
    });
    await viem.assertions.emitWithArgs(Promise.resolve(hash), vault, "GuardrailBreached", [
      USDC("1000"),
      USDC("900"),
      block.timestamp - lastNavAt,
    ]);
    await viem.assertions.emitWithArgs(Promise.resolve(hash), vault, "DepositsPauseSet", [
      true,
      getAddress(vault.address),
    ]);
    await viem.assertions.emitWithArgs(Promise.resolve(hash), vault, "RedeemsPauseSet", [
      true,
      getAddress(vault.address),
    ]);
    expect(await vault.read.pendingDepositRequest([0n, bob])).to.equal(USDC("10"));
    expect(await vault.read.lastTotalAssets()).to.equal(USDC("1000"));
    const limits = await fx.lens.read.limits([vault.address]);
    expect([limits.depositsPaused, limits.redeemsPaused]).to.deep.equal([true, true]);
    // depositors can still leave their pending request while paused
    await vault.write.cancelDepositRequest([0n, bob], { account: bob });
    expect(await vault.read.claimableCancelDepositRequest([0n, bob])).to.equal(USDC("10"));
  });

  it("the band widens with time: a +5% move refused at once is accepted after a month", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, connectorA } = fx;
    await connectorA.write.setMode([Mode.Fixed, USDC("650"), false]);
    await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
    expect((await vault.simulate.settle({ account: keeper })).result).to.equal(false);
    await networkHelpers.time.increase(30n * DAY);
    expect((await vault.simulate.settle({ account: keeper })).result).to.equal(true);
  });

  it("governance accepts a reviewed loss with forceSettle after unpausing", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, connectorA } = fx;
    await connectorA.write.setMode([Mode.Fixed, USDC("300"), false]);
    await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
    await vault.write.settle({ account: keeper });
    await vault.write.unpauseDeposits({ account: gov });
    await vault.write.unpauseRedeems({ account: gov });
    await viem.assertions.emit(vault.write.forceSettle({ account: gov }), vault, "DepositsSettled");
    expect(await vault.read.lastTotalAssets()).to.equal(USDC("710"));
    // bob bought at the post-loss price: 10 USDC now buys more shares than alice's 1,000/1,000
    const bobShares = await vault.read.maxMint([bob]);
    expect(bobShares * 100n > (await vault.read.balanceOf([alice]))).to.equal(true);
  });

  it("after the deadline anyone settles at the live NAV inside the band, fees first", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, connectorA } = fx;
    await vault.write.requestDeposit([USDC("100"), bob, bob], { account: bob });
    const dueAt = await vault.read.settlementDueAt();
    await viem.assertions.revertWithCustomErrorWithArgs(
      vault.write.settle({ account: stranger }),
      vault,
      "SettlementNotDue",
      [dueAt],
    );
    await networkHelpers.time.increaseTo(dueAt);
    await connectorA.write.setMode([Mode.Fixed, USDC("610"), false]); // +1%: inside the band
    const hash = await vault.write.settle({ account: stranger });
    await viem.assertions.emitWithArgs(Promise.resolve(hash), vault, "Settled", [
      2,
      USDC("1010"),
      USDC("1110"),
      await vault.read.totalSupply(),
    ]);
    expect((await vaultLogs(hash, vault)).some((e) => e.eventName === "FeesAccrued")).to.equal(true);
    expect(await vault.read.lastTotalAssets()).to.equal(USDC("1110"));
  });

  it("redemptions wait when idle assets are short, until the keeper gate pulls from a connector", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, connectorA } = fx;
    const shares = await vault.read.balanceOf([alice]);
    await vault.write.requestRedeem([(shares * 3n) / 4n, alice, alice], { account: alice });
    const hash = await vault.write.settle({ account: keeper });
    await viem.assertions.emit(Promise.resolve(hash), vault, "RedeemSettlementDeferred");
    expect(await vault.read.pendingRedeemRequest([0n, alice])).to.equal((shares * 3n) / 4n);
    expect(await vault.read.settlementDueAt()).to.not.equal(0n);
    await connectorA.write.sendToVault([USDC("400")]);
    await viem.assertions.emit(vault.write.settle({ account: keeper }), vault, "RedeemsSettled");
    const claimable = await vault.read.maxWithdraw([alice]);
    expect(claimable > USDC("749.9") && claimable <= USDC("750")).to.equal(true);
    expect((await vault.read.assetBook()).claimableRedeem).to.equal(claimable);
  });

  it("deposits and redemptions of one epoch net at one price; deposits fund redemptions", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault } = fx;
    await vault.write.requestRedeem([(await vault.read.balanceOf([alice])) / 2n, alice, alice], {
      account: alice,
    });
    await vault.write.requestDeposit([USDC("200"), bob, bob], { account: bob });
    await vault.write.requestDeposit([USDC("300"), carol, carol], { account: carol });
    const hash = await vault.write.settle({ account: keeper });
    await viem.assertions.emit(Promise.resolve(hash), vault, "DepositsSettled");
    await viem.assertions.emit(Promise.resolve(hash), vault, "RedeemsSettled");
    expect(await vault.read.lastTotalAssets()).to.equal(
      USDC("1000") + USDC("500") - (await vault.read.maxWithdraw([alice])),
    );
    // bob and carol bought at the same price
    const carolShares = await vault.read.maxMint([carol]);
    expectBetween((await vault.read.maxMint([bob])) * 3n, carolShares * 2n - 3n, carolShares * 2n);
  });

  it("a claim made several epochs later still gets its own epoch's price", async function () {
    const fx = await networkHelpers.loadFixture(investedVault);
    const { vault, asset, connectorA } = fx;
    await vault.write.requestDeposit([USDC("100"), bob, bob], { account: bob });
    await vault.write.settle({ account: keeper });
    const settledShares = await vault.read.maxMint([bob]);
    for (let i = 0; i < 3; i++) {
      await asset.write.mint([connectorA.address, USDC("5")]); // yield
      await networkHelpers.time.increase(7n * DAY);
      await vault.write.requestDeposit([USDC("50"), carol, carol], { account: carol });
      await vault.write.settle({ account: keeper });
    }
    expect(await vault.read.maxMint([bob])).to.equal(settledShares);
    await vault.write.requestDeposit([USDC("100"), bob, bob], { account: bob }); // folds the old claim
    expect(await vault.read.maxMint([bob])).to.equal(settledShares);
    expect(await vault.read.pendingDepositRequest([0n, bob])).to.equal(USDC("100"));
  });

  describe("fees", function () {
    it("management fee accrues with time and is minted to the receiver at settlement", async function () {
      const fx = await networkHelpers.loadFixture(investedVault);
      const { vault } = fx;
      await vault.write.setFeeConfig([feeReceiver, 200, 0], { account: gov });
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      await vault.write.settle({ account: keeper }); // applies the new config
      await networkHelpers.time.increase(365n * DAY);
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      const hash = await vault.write.settle({ account: keeper });
      await viem.assertions.emit(Promise.resolve(hash), vault, "FeesAccrued");
      const feeValue = await vault.read.convertToAssets([await vault.read.balanceOf([feeReceiver])]);
      // 2% of 1,010 for one year
      expectBetween(feeValue, USDC("20.1"), USDC("20.21"));
    });

    it("performance fee only above the high-water mark", async function () {
      const fx = await networkHelpers.loadFixture(investedVault);
      const { vault, asset, connectorA } = fx;
      await vault.write.setFeeConfig([feeReceiver, 0, 2_000], { account: gov });
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      await vault.write.settle({ account: keeper });
      const hwm = await vault.read.highWaterMark();
      await asset.write.mint([connectorA.address, USDC("10.1")]); // +1% gain
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      await vault.write.settle({ account: keeper });
      const fee = await vault.read.convertToAssets([await vault.read.balanceOf([feeReceiver])]);
      expectBetween(fee, USDC("2.0"), USDC("2.03")); // 20% of 10.1
      expect((await vault.read.highWaterMark()) > hwm).to.equal(true);
      // a loss, then a recovery to the old mark: no new performance fee
      await asset.write.burn([connectorA.address, USDC("5")]);
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      await vault.write.settle({ account: keeper });
      await asset.write.mint([connectorA.address, USDC("4.9")]);
      const before = await vault.read.balanceOf([feeReceiver]);
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      await vault.write.settle({ account: keeper });
      expect(await vault.read.balanceOf([feeReceiver])).to.equal(before);
    });

    it("[AC13 fee-accrual errors and griefing] no performance fee on capital when the first settlement was a deadline one", async function () {
      const fx = await networkHelpers.loadFixture(fixture);
      const { vault } = fx;
      await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
      await networkHelpers.time.increaseTo(await vault.read.settlementDueAt());
      await vault.write.settle({ account: stranger }); // deadline mode with no holders yet: nothing to charge
      await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
      await vault.write.settle({ account: keeper });
      const fee = await vault.read.convertToAssets([await vault.read.balanceOf([feeReceiver])]);
      // only the management fee for the ~3 days since deployment (2%/yr of 1,000 USDC ~ 0.17 USDC)
      expect(fee < USDC("0.2")).to.equal(true);
    });

    it("a fee change is queued (event), applied after accrual at the old rates (event)", async function () {
      const fx = await networkHelpers.loadFixture(investedVault);
      const { vault } = fx;
      await viem.assertions.emitWithArgs(
        vault.write.setFeeConfig([bob, 500, 3_000], { account: gov }),
        vault,
        "FeeConfigQueued",
        [getAddress(bob), 500n, 3_000n],
      );
      await networkHelpers.time.increase(100n * DAY);
      await vault.write.requestDeposit([USDC("10"), carol, carol], { account: carol });
      const hash = await vault.write.settle({ account: keeper });
      await viem.assertions.emitWithArgs(Promise.resolve(hash), vault, "FeeConfigApplied", [
        getAddress(bob),
        500n,
        3_000n,
      ]);
      expect(await vault.read.balanceOf([bob])).to.equal(0n);
      expect((await vault.read.balanceOf([feeReceiver])) > 0n).to.equal(true);
    });
  });

  describe("configuration events", function () {
    it("pause, unpause, cap, minimum, guardrails and surplus recovery each emit an event", async function () {
      const fx = await networkHelpers.loadFixture(investedVault);
      const { vault, asset } = fx;
      await viem.assertions.emitWithArgs(
        vault.write.pauseDeposits({ account: guardian }),
        vault,
        "DepositsPauseSet",
        [true, getAddress(guardian)],
      );
      await viem.assertions.emitWithArgs(
        vault.write.pauseRedeems({ account: guardian }),
        vault,
        "RedeemsPauseSet",
        [true, getAddress(guardian)],
      );
      await viem.assertions.emitWithArgs(
        vault.write.unpauseDeposits({ account: gov }),
        vault,
        "DepositsPauseSet",
        [false, getAddress(gov)],
      );
      await viem.assertions.emitWithArgs(
        vault.write.unpauseRedeems({ account: gov }),
        vault,
        "RedeemsPauseSet",
        [false, getAddress(gov)],
      );
      await viem.assertions.emitWithArgs(
        vault.write.setDepositCap([USDC("5000")], { account: gov }),
        vault,
        "DepositCapSet",
        [USDC("5000")],
      );
      await viem.assertions.emitWithArgs(
        vault.write.setMinRequestAssets([USDC("2")], { account: gov }),
        vault,
        "MinRequestAssetsSet",
        [USDC("2")],
      );
      const rules = {
        toleranceBps: 50,
        maxIncreaseBpsPerYear: 5_000,
        maxDecreaseBpsPerYear: 1_000,
        settlementDeadline: DAY,
      };
      await viem.assertions.emitWithArgs(
        vault.write.setGuardrails([rules], { account: gov }),
        vault,
        "GuardrailsSet",
        [rules],
      );
      expect(await fx.lens.read.guardrails([vault.address])).to.deep.equal(rules);
      await asset.write.mint([vault.address, USDC("7")]);
      await viem.assertions.emitWithArgs(
        vault.write.recoverSurplus([asset.address, stranger], { account: gov }),
        vault,
        "SurplusRecovered",
        [getAddress(asset.address), getAddress(stranger), USDC("7")],
      );
      const limits = await fx.lens.read.limits([vault.address]);
      expect([limits.depositCap, limits.minRequestAssets]).to.deep.equal([USDC("5000"), USDC("2")]);
    });
  });

  describe("ERC-7887 cancellation", function () {
    it("cancel a pending deposit and a pending redeem, then claim them; events carry the controller", async function () {
      const fx = await networkHelpers.loadFixture(investedVault);
      const { vault, asset } = fx;
      await vault.write.setOperator([carol, true], { account: bob });
      await vault.write.requestDeposit([USDC("25"), bob, bob], { account: bob });
      await viem.assertions.emitWithArgs(
        vault.write.cancelDepositRequest([0n, bob], { account: carol }),
        vault,
        "CancelDepositRequest",
        [getAddress(bob), 0n, getAddress(carol)],
      );
      expect(await vault.read.pendingCancelDepositRequest([0n, bob])).to.equal(false);
      expect(await vault.read.pendingDepositRequest([0n, bob])).to.equal(0n);
      const before = await asset.read.balanceOf([carol]);
      await viem.assertions.emitWithArgs(
        vault.write.claimCancelDepositRequest([0n, carol, bob], { account: carol }),
        vault,
        "CancelDepositClaim",
        [getAddress(bob), getAddress(carol), 0n, getAddress(carol), USDC("25")],
      );
      expect((await asset.read.balanceOf([carol])) - before).to.equal(USDC("25"));
      expect(await vault.read.settlementDueAt()).to.equal(0n);

      const shares = await vault.read.balanceOf([alice]);
      await vault.write.requestRedeem([shares, alice, alice], { account: alice });
      await viem.assertions.emitWithArgs(
        vault.write.cancelRedeemRequest([0n, alice], { account: alice }),
        vault,
        "CancelRedeemRequest",
        [getAddress(alice), 0n, getAddress(alice)],
      );
      expect(await vault.read.claimableCancelRedeemRequest([0n, alice])).to.equal(shares);
      await viem.assertions.emitWithArgs(
        vault.write.claimCancelRedeemRequest([0n, alice, alice], { account: alice }),
        vault,
        "CancelRedeemClaim",
        [getAddress(alice), getAddress(alice), 0n, getAddress(alice), shares],
      );
      expect(await vault.read.balanceOf([alice])).to.equal(shares);
      await viem.assertions.revertWithCustomError(
        vault.write.settle({ account: keeper }),
        vault,
        "NothingToSettle",
      );
    });
  });
});

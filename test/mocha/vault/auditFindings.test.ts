import { expect } from "chai";
import { getAddress } from "viem";
import { DAY, Mode, USDC, vaultChain } from "./fixture.js";

const { viem, networkHelpers, accounts, deployFixture } = await vaultChain();
const { alice, bob, carol, keeper, gov, guardian, stranger } = accounts;

/** Alice and Bob hold 1,000 USDC of shares each; 1,000 of the vault's 2,000 sit in connector A. */
async function twoHolders() {
  const fx = await deployFixture();
  const { vault, connectorA } = fx;
  for (const user of [alice, bob]) {
    await vault.write.requestDeposit([USDC("1000"), user, user], { account: user });
  }
  await vault.write.settle({ account: keeper });
  for (const user of [alice, bob]) {
    await vault.write.deposit([USDC("1000"), user, user], { account: user });
  }
  await vault.write.transferToConnector([connectorA.address, USDC("1000")], { account: keeper });
  return fx;
}

describe("AccountingManager: independent audit findings F1-F4", function () {
  it("[F1 deadline live NAV] a redeemer who settles after the deadline cannot leave at the pre-loss price", async function () {
    const { vault, asset, connectorA } = await networkHelpers.loadFixture(twoHolders);
    await connectorA.write.setMode([Mode.Fixed, USDC("500"), false]); // the connector loses 500
    const bobShares = await vault.read.balanceOf([bob]);
    await vault.write.requestRedeem([bobShares, bob, bob], { account: bob });
    // the keeper refuses to settle; three days later Bob settles himself
    await networkHelpers.time.increaseTo(await vault.read.settlementDueAt());
    expect((await vault.simulate.settle({ account: bob })).result).to.equal(false);
    await viem.assertions.emit(vault.write.settle({ account: bob }), vault, "GuardrailBreached");
    expect(await vault.read.pendingRedeemRequest([0n, bob])).to.equal(bobShares); // nothing priced
    // the guardian resumes settlement at once: Bob gets the lower of the two prices, not 1,000
    await vault.write.settleConservatively({ account: guardian });
    const before = await asset.read.balanceOf([bob]);
    await vault.write.redeem([bobShares, bob, bob], { account: bob });
    const paid = (await asset.read.balanceOf([bob])) - before;
    expect(paid <= USDC("750")).to.equal(true);
    expect(paid > USDC("749.5")).to.equal(true); // less only the management fee of the three days
    // Alice kept her share of what is really left (less her half of the fee)
    const aliceValue = await vault.read.convertToAssets([await vault.read.balanceOf([alice])]);
    expect(aliceValue >= USDC("749.5") && aliceValue >= paid).to.equal(true);
  });

  it("[F1 deadline live NAV] a depositor settling after the deadline pays the live price after a gain", async function () {
    const { vault, connectorA } = await networkHelpers.loadFixture(twoHolders);
    await vault.write.requestDeposit([USDC("1000"), carol, carol], { account: carol });
    await networkHelpers.time.increaseTo(await vault.read.settlementDueAt());
    await connectorA.write.setMode([Mode.Fixed, USDC("1010"), false]); // +0.5% of NAV, inside the band
    const live = await vault.read.totalAssets();
    await vault.write.settle({ account: carol });
    const supplyAfterFees = (await vault.read.totalSupply()) - (await vault.read.maxMint([carol]));
    const carolShares = await vault.read.maxMint([carol]);
    // shares = assets * (supply + 1e6) / (live + 1): the yield earned before Carol joined stays with Alice and Bob
    expect(carolShares).to.equal((USDC("1000") * (supplyAfterFees + 10n ** 6n)) / (live + 1n));
  });

  it("[F1 deadline live NAV] a gain beyond the band refuses a deadline settlement, and conservative pricing charges the depositor the higher price", async function () {
    const { vault, connectorA } = await networkHelpers.loadFixture(twoHolders);
    await vault.write.requestDeposit([USDC("1000"), carol, carol], { account: carol });
    await networkHelpers.time.increaseTo(await vault.read.settlementDueAt());
    await connectorA.write.setMode([Mode.Fixed, USDC("2000"), false]); // +50%
    await vault.write.settle({ account: carol });
    expect(await vault.read.pendingDepositRequest([0n, carol])).to.equal(USDC("1000"));
    await vault.write.settleConservatively({ account: guardian });
    // Carol bought at the live (higher) price: her shares are worth at most what she paid
    await vault.write.deposit([USDC("1000"), carol, carol], { account: carol });
    expect(
      (await vault.read.convertToAssets([await vault.read.balanceOf([carol])])) <= USDC("1000"),
    ).to.equal(true);
  });

  it("[F2 fee clock] a whale entering through the deadline path after 361 idle days pays no fee for them", async function () {
    const { vault } = await networkHelpers.loadFixture(twoHolders);
    await networkHelpers.time.increase(361n * DAY);
    await vault.write.requestDeposit([USDC("100000"), carol, carol], { account: carol });
    await networkHelpers.time.increaseTo(await vault.read.settlementDueAt());
    await viem.assertions.emit(vault.write.settle({ account: stranger }), vault, "FeesAccrued");
    await vault.write.deposit([USDC("100000"), carol, carol], { account: carol });
    const atEntry = await vault.read.convertToAssets([await vault.read.balanceOf([carol])]);
    await networkHelpers.time.increase(3n * DAY);
    await vault.write.requestDeposit([USDC("10"), alice, alice], { account: alice });
    await vault.write.settle({ account: keeper });
    const after = await vault.read.convertToAssets([await vault.read.balanceOf([carol])]);
    // 2%/yr for ~3 days on 100k is ~16.4 USDC; the review's ~2,000 USDC for the idle year is gone
    expect(atEntry - after < USDC("17")).to.equal(true);
  });

  it("[F3 claims never paused] a guardrail breach leaves settled redemptions and deposits claimable", async function () {
    const { vault, asset, connectorA } = await networkHelpers.loadFixture(twoHolders);
    const aliceShares = await vault.read.balanceOf([alice]);
    await vault.write.requestRedeem([aliceShares / 2n, alice, alice], { account: alice });
    await vault.write.requestDeposit([USDC("100"), carol, carol], { account: carol });
    await vault.write.settle({ account: keeper });
    // a third party donates beyond the band into the connector; the next keeper settlement breaches
    await asset.write.transfer([connectorA.address, USDC("500")], { account: stranger });
    await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
    await viem.assertions.emit(vault.write.settle({ account: keeper }), vault, "GuardrailBreached");
    const claimable = await vault.read.maxWithdraw([alice]);
    expect(claimable > 0n).to.equal(true);
    const before = await asset.read.balanceOf([alice]);
    await vault.write.withdraw([claimable, alice, alice], { account: alice });
    expect((await asset.read.balanceOf([alice])) - before).to.equal(claimable);
    const carolShares = await vault.read.maxMint([carol]);
    await vault.write.mint([carolShares, carol, carol], { account: carol });
    expect(await vault.read.balanceOf([carol])).to.equal(carolShares);
  });

  it("[F3 guardian resumes] a third party's breach halts settlement only until the guardian acts", async function () {
    const { vault, asset, connectorA } = await networkHelpers.loadFixture(twoHolders);
    await asset.write.transfer([connectorA.address, USDC("500")], { account: stranger });
    await vault.write.requestDeposit([USDC("100"), carol, carol], { account: carol });
    await vault.write.settle({ account: keeper });
    await viem.assertions.revertWithCustomError(
      vault.write.settle({ account: keeper }),
      vault,
      "DepositsPaused",
    );
    // the keeper gate and strangers cannot resume; the guardian can, without the timelock
    for (const account of [keeper, stranger]) {
      await viem.assertions.revertWithCustomError(
        vault.write.settleConservatively({ account }),
        vault,
        "NotGuardianOrGovernance",
      );
    }
    await viem.assertions.emit(
      vault.write.settleConservatively({ account: guardian }),
      vault,
      "DepositsSettled",
    );
    expect(await vault.read.pendingDepositRequest([0n, carol])).to.equal(0n);
    expect(await vault.read.maxDeposit([carol])).to.equal(USDC("100"));
    // the band's reference is not moved to the donated NAV: governance still reviews it
    expect((await vault.read.lastTotalAssets()) < USDC("2500")).to.equal(true);
    await viem.assertions.revertWithCustomError(
      vault.write.settleConservatively({ account: gov }),
      vault,
      "NothingToSettle",
    );
  });

  it("[F4 unknown connector] a connector that cannot be valued holds pricing; the keeper is told which and why", async function () {
    const { vault, lens, connectorA, connectorB } = await networkHelpers.loadFixture(twoHolders);
    await connectorB.write.setMode([Mode.Revert, 0n, false]);
    await vault.write.requestDeposit([USDC("10000"), carol, carol], { account: carol });
    await viem.assertions.emitWithArgs(
      vault.write.settle({ account: keeper }),
      vault,
      "SettlementAwaitingValuation",
      [getAddress(connectorB.address), 1, 0n],
    );
    expect(await vault.read.pendingDepositRequest([0n, carol])).to.equal(USDC("10000"));
    const [complete, statuses] = await lens.read.valuationStatus([vault.address]);
    expect(complete).to.equal(false);
    expect(statuses.map((s) => [s.connector, s.issue, s.waived])).to.deep.equal([
      [getAddress(connectorA.address), 0, false],
      [getAddress(connectorB.address), 1, false],
    ]);
    // an unhealthy connector (a stale feed: only a lower bound is known) holds pricing too
    await connectorB.write.setMode([Mode.Fixed, 0n, true]);
    await viem.assertions.emitWithArgs(
      vault.write.settle({ account: keeper }),
      vault,
      "SettlementAwaitingValuation",
      [getAddress(connectorB.address), 2, 0n],
    );
    // governance (or a privileged settlement) gets a named error
    await viem.assertions.revertWithCustomErrorWithArgs(
      vault.write.forceSettle({ account: gov }),
      vault,
      "ValuationIncomplete",
      [getAddress(connectorB.address), 2],
    );
    // the deadline path waits as well
    await networkHelpers.time.increaseTo(await vault.read.settlementDueAt());
    expect((await vault.simulate.settle({ account: stranger })).result).to.equal(false);
  });

  it("[F4 explicit write-down] governance writes a worthless connector down, or the guardian disables it; then pricing resumes", async function () {
    const { vault, registry, connectorB } = await networkHelpers.loadFixture(twoHolders);
    await connectorB.write.setMode([Mode.Revert, 0n, false]);
    await vault.write.requestDeposit([USDC("100"), carol, carol], { account: carol });
    const snapshot = await networkHelpers.takeSnapshot();
    for (const account of [keeper, guardian, stranger]) {
      await viem.assertions.revertWithCustomError(
        vault.write.setConnectorWrittenDown([connectorB.address, true], { account }),
        vault,
        "NotGovernance",
      );
    }
    await viem.assertions.emitWithArgs(
      vault.write.setConnectorWrittenDown([connectorB.address, true], { account: gov }),
      vault,
      "ConnectorWrittenDown",
      [getAddress(connectorB.address), true],
    );
    expect(await vault.read.isValuationWaived([connectorB.address])).to.equal(true);
    expect((await vault.simulate.settle({ account: keeper })).result).to.equal(true);
    await snapshot.restore();
    await registry.write.disableConnector([connectorB.address], { account: guardian });
    expect(await vault.read.isValuationWaived([connectorB.address])).to.equal(true);
    await viem.assertions.emit(vault.write.settle({ account: keeper }), vault, "DepositsSettled");
    await viem.assertions.revertWithCustomError(
      vault.write.setConnectorWrittenDown([stranger, true], { account: gov }),
      vault,
      "NotVaultConnector",
    );
  });
});

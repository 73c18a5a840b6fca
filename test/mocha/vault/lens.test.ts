import { expect } from "chai";
import { getAddress } from "viem";
import { DAY, Mode, TEST_LIMITS, USDC, expectBetween, vaultChain } from "./fixture.js";

const { networkHelpers, accounts, deployFixture, publicClient } = await vaultChain();
const { alice, bob, keeper, gov, feeReceiver, guardian } = accounts;

/** One settled deposit epoch, one settled redeem epoch, a queued fee change and a paused side. */
async function settledVault() {
  const fx = await deployFixture();
  const { vault } = fx;
  await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
  await vault.write.requestDeposit([USDC("500"), bob, bob], { account: bob });
  await vault.write.settle({ account: keeper });
  await vault.write.deposit([USDC("1000"), alice, alice], { account: alice });
  await networkHelpers.time.increase(DAY);
  await vault.write.requestRedeem([(await vault.read.balanceOf([alice])) / 4n, alice, alice], {
    account: alice,
  });
  await vault.write.settle({ account: keeper });
  await vault.write.setFeeConfig([bob, 100, 1_000], { account: gov });
  await vault.write.pauseRedeems({ account: guardian });
  await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
  return fx;
}

describe("VaultLens: the vault's storage decoded, valuation status, prices", function () {
  it("decodes limits, guardrails and fees exactly as configured and changed", async function () {
    const { vault, lens, config } = await networkHelpers.loadFixture(settledVault);
    expect(await lens.read.limits([vault.address])).to.deep.equal({ ...TEST_LIMITS, redeemsPaused: true });
    expect(await lens.read.guardrails([vault.address])).to.deep.equal(config.guardrails);
    const [active, queued, lastAccrual] = await lens.read.feeState([vault.address]);
    expect(active).to.deep.equal({ ...config.fees, receiver: getAddress(feeReceiver) });
    expect(queued).to.deep.equal({
      receiver: getAddress(bob),
      managementFeeBps: 100,
      performanceFeeBps: 1_000,
    });
    const settledAt = (await publicClient.getBlock()).timestamp;
    expect(lastAccrual > 0n && lastAccrual <= settledAt).to.equal(true);
  });

  it("decodes the epoch state and each settled epoch's aggregate as the settlement events reported", async function () {
    const { vault, lens } = await networkHelpers.loadFixture(settledVault);
    const epochs = await lens.read.epochState([vault.address]);
    expect([epochs.depositEpoch, epochs.redeemEpoch]).to.deep.equal([2n, 2n]);
    expect(epochs.pendingSince > 0n && epochs.lastNavAt >= epochs.pendingSince - DAY).to.equal(true);
    const deposits = await lens.read.depositSettlement([vault.address, 1n]);
    expect(deposits.amountIn).to.equal(USDC("1500"));
    // alice's shares (kept + redeemed) and bob's claimable share of the epoch, rounded down each
    const redeemed = (await lens.read.redeemSettlement([vault.address, 1n])).amountIn;
    const owned = (await vault.read.balanceOf([alice])) + redeemed + (await vault.read.maxMint([bob]));
    expectBetween(owned, deposits.amountOut - 2n, deposits.amountOut);
    const redeems = await lens.read.redeemSettlement([vault.address, 1n]);
    expect(redeems.amountOut).to.equal((await vault.read.assetBook()).claimableRedeem);
    expect(await lens.read.depositSettlement([vault.address, 2n])).to.deep.equal({
      amountIn: 0n,
      amountOut: 0n,
    });
  });

  it("reports each connector's valuation, and prices per share at the accepted and live NAV", async function () {
    const { vault, lens, connectorA, connectorB } = await networkHelpers.loadFixture(settledVault);
    await vault.write.transferToConnector([connectorA.address, USDC("600")], { account: keeper });
    let [complete, statuses] = await lens.read.valuationStatus([vault.address]);
    expect(complete).to.equal(true);
    expect(statuses.map((s) => [s.value, s.issue])).to.deep.equal([
      [USDC("600"), 0],
      [0n, 0],
    ]);
    await connectorB.write.setMode([Mode.Malformed, 0n, false]);
    [complete, statuses] = await lens.read.valuationStatus([vault.address]);
    expect(complete).to.equal(false);
    expect(statuses[1]).to.deep.equal({
      connector: getAddress(connectorB.address),
      value: 0n,
      issue: 1,
      waived: false,
    });
    const [accepted, live] = await lens.read.pricePerShare([vault.address]);
    expect(accepted).to.equal(await vault.read.convertToAssets([10n ** 12n]));
    expect(live).to.equal(accepted);
  });
});

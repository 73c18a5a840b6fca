import { expect } from "chai";
import { getAddress, zeroAddress } from "viem";
import {
  MAX_UINT128,
  MIN_REQUEST,
  Mode,
  TEST_LIMITS,
  USDC,
  type VaultFixture,
  vaultChain,
} from "./fixture.js";
import { vaultState } from "./state.js";

const { viem, networkHelpers, accounts, deployFixture } = await vaultChain();
const { alice, bob, carol, keeper, stranger, gov } = accounts;
const users = [alice, bob, carol, stranger];

/** A vault with one settled holder (alice), claimable deposit (bob) and claimable redemption (alice). */
async function activeVault() {
  const fx = await deployFixture();
  const { vault } = fx;
  await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
  await vault.write.settle({ account: keeper });
  await vault.write.deposit([USDC("1000"), alice, alice], { account: alice });
  await vault.write.requestDeposit([USDC("50"), bob, bob], { account: bob });
  await vault.write.requestRedeem([(await vault.read.balanceOf([alice])) / 4n, alice, alice], {
    account: alice,
  });
  await vault.write.settle({ account: keeper });
  await vault.write.requestDeposit([USDC("7"), carol, carol], { account: carol });
  return fx;
}

/** Asserts `call` reverts with `error` (and args when given) and leaves the vault state unchanged. */
async function refuses(
  fx: VaultFixture,
  call: () => Promise<unknown>,
  error: string,
  args?: readonly unknown[],
  errorContract: { abi: VaultFixture["vault"]["abi"] } | VaultFixture["asset"] = fx.vault,
) {
  const before = await vaultState(fx, users);
  const promise = call() as Promise<`0x${string}`>;
  if (args) {
    await viem.assertions.revertWithCustomErrorWithArgs(
      promise,
      errorContract as never,
      error as never,
      args as never,
    );
  } else {
    await viem.assertions.revertWithCustomError(promise, errorContract as never, error as never);
  }
  expect(await vaultState(fx, users)).to.deep.equal(before);
}

describe("AccountingManager: bad input reverts with a named error and changes nothing", function () {
  describe("requestDeposit", function () {
    it("zero amount", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await refuses(fx, () => fx.vault.write.requestDeposit([0n, bob, bob], { account: bob }), "ZeroAmount");
    });
    it("[AC11 queue griefing] dust below the minimum", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await refuses(
        fx,
        () => fx.vault.write.requestDeposit([MIN_REQUEST - 1n, bob, bob], { account: bob }),
        "BelowMinimumRequest",
        [MIN_REQUEST - 1n, MIN_REQUEST],
      );
    });
    it("zero controller", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await refuses(
        fx,
        () => fx.vault.write.requestDeposit([USDC("5"), zeroAddress, bob], { account: bob }),
        "ZeroAddress",
      );
    });
    it("someone else's assets without operator approval", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await refuses(
        fx,
        () => fx.vault.write.requestDeposit([USDC("5"), stranger, bob], { account: stranger }),
        "NotOwnerOrOperator",
        [getAddress(stranger), getAddress(bob)],
      );
    });
    it("over the deposit cap (last NAV + pending + request)", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const nav = await fx.vault.read.lastTotalAssets();
      const pending = (await fx.vault.read.pendingTotals()).depositAssets;
      const room = TEST_LIMITS.depositCap - nav - pending;
      await refuses(
        fx,
        () => fx.vault.write.requestDeposit([room + 1n, bob, bob], { account: bob }),
        "DepositCapExceeded",
        [TEST_LIMITS.depositCap + 1n, TEST_LIMITS.depositCap],
      );
      await fx.asset.write.mint([bob, room]);
      await fx.vault.write.requestDeposit([room, bob, bob], { account: bob });
      expect(await fx.vault.read.pendingDepositRequest([0n, bob])).to.equal(room);
    });
    it("while deposits are paused", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await fx.vault.write.pauseDeposits({ account: gov });
      await refuses(
        fx,
        () => fx.vault.write.requestDeposit([USDC("5"), bob, bob], { account: bob }),
        "DepositsPaused",
      );
    });
    it("without allowance (the token's named error)", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await fx.asset.write.approve([fx.vault.address, 0n], { account: bob });
      await refuses(
        fx,
        () => fx.vault.write.requestDeposit([USDC("5"), bob, bob], { account: bob }),
        "ERC20InsufficientAllowance",
        undefined,
        fx.asset,
      );
    });
  });

  describe("requestRedeem", function () {
    it("zero shares, zero controller, paused", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      await refuses(
        fx,
        () => vault.write.requestRedeem([0n, alice, alice], { account: alice }),
        "ZeroAmount",
      );
      await refuses(
        fx,
        () => vault.write.requestRedeem([1n, zeroAddress, alice], { account: alice }),
        "ZeroAddress",
      );
      await vault.write.pauseRedeems({ account: gov });
      await refuses(
        fx,
        () => vault.write.requestRedeem([10n ** 12n, alice, alice], { account: alice }),
        "RedeemsPaused",
      );
    });
    it("[AC11 queue griefing] a partial redeem worth less than the minimum; a full exit is allowed", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await refuses(
        fx,
        () => fx.vault.write.requestRedeem([1000n, alice, alice], { account: alice }),
        "BelowMinimumRequest",
      );
      // a holder of dust can always leave with its whole balance
      await fx.vault.write.transfer([stranger, 1000n], { account: alice });
      await fx.vault.write.requestRedeem([1000n, stranger, stranger], { account: stranger });
      expect(await fx.vault.read.pendingRedeemRequest([0n, stranger])).to.equal(1000n);
    });
    it("more shares than owned, and another owner's shares without allowance", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const balance = await fx.vault.read.balanceOf([alice]);
      await refuses(
        fx,
        () => fx.vault.write.requestRedeem([balance + 1n, alice, alice], { account: alice }),
        "ERC20InsufficientBalance",
      );
      await refuses(
        fx,
        () => fx.vault.write.requestRedeem([balance, stranger, alice], { account: stranger }),
        "ERC20InsufficientAllowance",
      );
    });
  });

  describe("claims", function () {
    it("zero amounts and zero receivers", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      await refuses(fx, () => vault.write.deposit([0n, bob, bob], { account: bob }), "ZeroAmount");
      await refuses(fx, () => vault.write.mint([0n, bob, bob], { account: bob }), "ZeroAmount");
      await refuses(fx, () => vault.write.redeem([0n, alice, alice], { account: alice }), "ZeroAmount");
      await refuses(fx, () => vault.write.withdraw([0n, alice, alice], { account: alice }), "ZeroAmount");
      await refuses(fx, () => vault.write.deposit([1n, zeroAddress, bob], { account: bob }), "ZeroAddress");
      await refuses(
        fx,
        () => vault.write.redeem([1n, zeroAddress, alice], { account: alice }),
        "ZeroAddress",
      );
    });
    it("unknown controllers: claiming for someone without being their operator", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      const args = [getAddress(stranger), getAddress(bob)];
      await refuses(
        fx,
        () => vault.write.deposit([USDC("50"), stranger, bob], { account: stranger }),
        "NotControllerOrOperator",
        args,
      );
      await refuses(
        fx,
        () => vault.write.mint([1n, stranger, bob], { account: stranger }),
        "NotControllerOrOperator",
        args,
      );
      const args2 = [getAddress(stranger), getAddress(alice)];
      await refuses(
        fx,
        () => vault.write.redeem([1n, stranger, alice], { account: stranger }),
        "NotControllerOrOperator",
        args2,
      );
      await refuses(
        fx,
        () => vault.write.withdraw([1n, stranger, alice], { account: stranger }),
        "NotControllerOrOperator",
        args2,
      );
    });
    it("claiming more than claimable (including a controller with nothing)", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      await refuses(
        fx,
        () => vault.write.deposit([USDC("50") + 1n, bob, bob], { account: bob }),
        "ExceedsClaimable",
        [USDC("50") + 1n, USDC("50")],
      );
      const maxMint = await vault.read.maxMint([bob]);
      await refuses(
        fx,
        () => vault.write.mint([maxMint + 1n, bob, bob], { account: bob }),
        "ExceedsClaimable",
        [maxMint + 1n, maxMint],
      );
      const maxRedeem = await vault.read.maxRedeem([alice]);
      await refuses(
        fx,
        () => vault.write.redeem([maxRedeem + 1n, alice, alice], { account: alice }),
        "ExceedsClaimable",
        [maxRedeem + 1n, maxRedeem],
      );
      const maxWithdraw = await vault.read.maxWithdraw([alice]);
      await refuses(
        fx,
        () => vault.write.withdraw([maxWithdraw + 1n, alice, alice], { account: alice }),
        "ExceedsClaimable",
        [maxWithdraw + 1n, maxWithdraw],
      );
      await refuses(
        fx,
        () => vault.write.deposit([1n, stranger, stranger], { account: stranger }),
        "ExceedsClaimable",
        [1n, 0n],
      );
      await refuses(
        fx,
        () => vault.write.redeem([1n, stranger, stranger], { account: stranger }),
        "ExceedsClaimable",
        [1n, 0n],
      );
      // a pending (unsettled) request is not claimable
      await refuses(
        fx,
        () => vault.write.deposit([1n, carol, carol], { account: carol }),
        "ExceedsClaimable",
        [1n, 0n],
      );
    });
    it("a partial claim too small to be worth one share or one asset unit", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      await refuses(fx, () => vault.write.redeem([1n, alice, alice], { account: alice }), "ZeroAssets");
    });
  });

  describe("cancellation (ERC-7887)", function () {
    it("wrong request id, nothing pending, a settled request, someone else's request", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      await refuses(
        fx,
        () => vault.write.cancelDepositRequest([1n, carol], { account: carol }),
        "InvalidRequestId",
        [1n],
      );
      await refuses(
        fx,
        () => vault.write.cancelRedeemRequest([1n, alice], { account: alice }),
        "InvalidRequestId",
        [1n],
      );
      await refuses(
        fx,
        () => vault.write.cancelDepositRequest([0n, stranger], { account: stranger }),
        "NoPendingRequest",
        [getAddress(stranger)],
      );
      // bob's request is settled: claimable, no longer cancellable
      await refuses(
        fx,
        () => vault.write.cancelDepositRequest([0n, bob], { account: bob }),
        "NoPendingRequest",
        [getAddress(bob)],
      );
      await refuses(
        fx,
        () => vault.write.cancelRedeemRequest([0n, alice], { account: alice }),
        "NoPendingRequest",
        [getAddress(alice)],
      );
      await refuses(
        fx,
        () => vault.write.cancelDepositRequest([0n, carol], { account: stranger }),
        "NotControllerOrOperator",
        [getAddress(stranger), getAddress(carol)],
      );
    });
    it("claiming a cancellation that does not exist, to a zero receiver, or for someone else", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      await refuses(
        fx,
        () => vault.write.claimCancelDepositRequest([0n, carol, carol], { account: carol }),
        "NothingToClaim",
        [getAddress(carol)],
      );
      await refuses(
        fx,
        () => vault.write.claimCancelRedeemRequest([0n, alice, alice], { account: alice }),
        "NothingToClaim",
        [getAddress(alice)],
      );
      await vault.write.cancelDepositRequest([0n, carol], { account: carol });
      await refuses(
        fx,
        () => vault.write.claimCancelDepositRequest([0n, zeroAddress, carol], { account: carol }),
        "ZeroAddress",
      );
      await refuses(
        fx,
        () => vault.write.claimCancelDepositRequest([0n, stranger, carol], { account: stranger }),
        "NotControllerOrOperator",
      );
      await refuses(
        fx,
        () => vault.write.claimCancelDepositRequest([2n, carol, carol], { account: carol }),
        "InvalidRequestId",
      );
    });
  });

  describe("settlement", function () {
    it("settling twice: the second call has nothing to settle", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await fx.vault.write.settle({ account: keeper });
      await refuses(fx, () => fx.vault.write.settle({ account: keeper }), "NothingToSettle");
    });
    it("anyone but the keeper before the deadline", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const dueAt = await fx.vault.read.settlementDueAt();
      await refuses(fx, () => fx.vault.write.settle({ account: stranger }), "SettlementNotDue", [dueAt]);
    });
    it("every pending side paused", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      await fx.vault.write.pauseDeposits({ account: gov });
      await refuses(fx, () => fx.vault.write.settle({ account: keeper }), "DepositsPaused");
    });
  });

  describe("connector transfers", function () {
    it("zero, unknown connector, disabled, unhealthy, over cap, more than idle", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault, registry, connectorA, connectorB } = fx;
      const idle = (await vault.read.assetBook()).idle;
      await refuses(
        fx,
        () => vault.write.transferToConnector([connectorA.address, 0n], { account: keeper }),
        "ZeroAmount",
      );
      await refuses(
        fx,
        () => vault.write.transferToConnector([stranger, 1n], { account: keeper }),
        "NotVaultConnector",
        [getAddress(stranger)],
      );
      await refuses(
        fx,
        () => vault.write.transferToConnector([connectorA.address, idle + 1n], { account: keeper }),
        "InsufficientIdle",
        [idle + 1n, idle],
      );
      await registry.write.setConnectorCap([connectorA.address, USDC("10")], { account: gov });
      await refuses(
        fx,
        () => vault.write.transferToConnector([connectorA.address, USDC("11")], { account: keeper }),
        "ConnectorCapExceeded",
        [getAddress(connectorA.address), USDC("11"), USDC("10")],
      );
      await registry.write.disableConnector([connectorA.address], { account: gov });
      await refuses(
        fx,
        () => vault.write.transferToConnector([connectorA.address, 1n], { account: keeper }),
        "ConnectorDisabled",
      );
      await connectorB.write.setMode([Mode.Balance, 0n, true]);
      await refuses(
        fx,
        () => vault.write.transferToConnector([connectorB.address, 1n], { account: keeper }),
        "ConnectorNotHealthy",
      );
      await connectorB.write.setMode([Mode.Revert, 0n, false]);
      await refuses(
        fx,
        () => vault.write.transferToConnector([connectorB.address, 1n], { account: keeper }),
        "ConnectorNotHealthy",
      );
    });
    it("receiveFromConnector from a non-connector, or of zero", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault, connectorA } = fx;
      await refuses(
        fx,
        () => vault.write.receiveFromConnector([1n], { account: stranger }),
        "NotVaultConnector",
        [getAddress(stranger)],
      );
      await refuses(fx, () => connectorA.write.sendToVault([0n]), "ZeroAmount");
    });
  });

  describe("governance settings", function () {
    it("fees above the maxima or a zero receiver; invalid guardrails; unrecoverable tokens", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const { vault } = fx;
      await refuses(fx, () => vault.write.setFeeConfig([gov, 501, 0], { account: gov }), "FeeTooHigh", [
        501n,
        0n,
      ]);
      await refuses(fx, () => vault.write.setFeeConfig([gov, 0, 3001], { account: gov }), "FeeTooHigh", [
        0n,
        3001n,
      ]);
      await refuses(
        fx,
        () => vault.write.setFeeConfig([zeroAddress, 0, 0], { account: gov }),
        "InvalidFeeReceiver",
        [zeroAddress],
      );
      await refuses(
        fx,
        () => vault.write.setFeeConfig([vault.address, 0, 0], { account: gov }),
        "InvalidFeeReceiver",
      );
      const good = await fx.lens.read.guardrails([vault.address]);
      await refuses(
        fx,
        () => vault.write.setGuardrails([{ ...good, settlementDeadline: 59n * 60n }], { account: gov }),
        "InvalidGuardrails",
      );
      await refuses(
        fx,
        () => vault.write.setGuardrails([{ ...good, settlementDeadline: 31n * 86400n }], { account: gov }),
        "InvalidGuardrails",
      );
      await refuses(
        fx,
        () => vault.write.setGuardrails([{ ...good, toleranceBps: 10_001 }], { account: gov }),
        "InvalidGuardrails",
      );
      await refuses(
        fx,
        () => vault.write.recoverSurplus([vault.address, gov], { account: gov }),
        "NotRecoverable",
      );
      await refuses(
        fx,
        () => vault.write.recoverSurplus([fx.asset.address, gov], { account: gov }),
        "ZeroAmount",
      );
      await refuses(
        fx,
        () => vault.write.recoverSurplus([fx.asset.address, zeroAddress], { account: gov }),
        "ZeroAddress",
      );
    });
  });

  describe("constructor", function () {
    it("refuses a zero asset, fees above the maxima and invalid guardrails", async function () {
      const fx = await networkHelpers.loadFixture(activeVault);
      const base = fx.config;
      const deployWith = (asset: `0x${string}`, config: typeof base) =>
        viem.deployContract("AccountingManager", [fx.registry.address, asset, "v", "v", config]);
      await viem.assertions.revertWithCustomError(
        deployWith(zeroAddress, base) as never,
        fx.vault,
        "ZeroAddress",
      );
      await viem.assertions.revertWithCustomError(
        deployWith(fx.asset.address, { ...base, fees: { ...base.fees, managementFeeBps: 600 } }) as never,
        fx.vault,
        "FeeTooHigh",
      );
      await viem.assertions.revertWithCustomError(
        deployWith(fx.asset.address, {
          ...base,
          guardrails: { ...base.guardrails, settlementDeadline: 0n },
        }) as never,
        fx.vault,
        "InvalidGuardrails",
      );
      await viem.assertions.revertWithCustomError(
        viem.deployContract("AccountingManager", [zeroAddress, fx.asset.address, "v", "v", base]) as never,
        fx.vault,
        "ZeroRegistry",
      );
      expect(MAX_UINT128 > 0n).to.equal(true);
    });
  });
});

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountingManager} from "../../contracts/vault/AccountingManager.sol";
import {GuardrailMath} from "../../contracts/vault/lib/GuardrailMath.sol";
import {MockConnector} from "../../contracts/mocks/MockConnector.sol";
import {VaultLens} from "../../contracts/lens/VaultLens.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {Test} from "forge-std/Test.sol";
import {VaultTestBase} from "./VaultTestBase.sol";

/// @notice Drives a vault with random users, a keeper, a donor and a moving connector value. Ghost
///         variables record what the vault owes; every property the handler can only check at the
///         moment of an action is recorded as a violation flag that the invariants assert false.
contract VaultHandler is Test {
    AccountingManager internal immutable vault;
    VaultLens internal immutable lens;
    MockERC20 internal immutable asset;
    MockConnector internal immutable connector;
    address internal immutable keeper;
    address internal immutable governance;
    address internal immutable feeReceiver;
    address internal immutable guardian;

    address[] internal actors;
    uint256 internal constant MIN_REQUEST = 1e6;

    // Ghosts (assets).
    uint256 public ghostDonated;
    uint256 public ghostConnectorPnl;
    bool public ghostConnectorLoss;
    // Ghosts (shares).
    uint256 public ghostDepositSharesMinted;
    uint256 public ghostFeeShares;
    uint256 public ghostSharesBurned;

    // Violations found during actions.
    bool public claimableChangedWithoutClaim;
    bool public priceMovedOutsideBand;
    bool public dustRequestAccepted;
    bool public cancelReturnedWrongAmount;
    bool public claimExceededClaimable;
    bool public deadlineFavouredRequesters;
    bool public claimRefusedWhilePaused;

    uint256 public settlements;
    uint256 public breaches;

    constructor(
        AccountingManager vault_,
        VaultLens lens_,
        MockERC20 asset_,
        MockConnector connector_,
        address keeper_,
        address governance_,
        address feeReceiver_,
        address guardian_
    ) {
        vault = vault_;
        lens = lens_;
        asset = asset_;
        connector = connector_;
        keeper = keeper_;
        governance = governance_;
        feeReceiver = feeReceiver_;
        guardian = guardian_;
        for (uint256 i = 0; i < 4; ++i) {
            address actor = address(uint160(0xA000 + i));
            actors.push(actor);
            vm.prank(actor);
            asset.approve(address(vault), type(uint256).max);
        }
    }

    function actorsList() external view returns (address[] memory) {
        return actors;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    // ------------------------------------------------------------------ snapshots of claims

    struct Claims {
        uint256 depositShares;
        uint256 depositAssets;
        uint256 redeemShares;
        uint256 redeemAssets;
    }

    function _claims(address actor) internal view returns (Claims memory c) {
        c.depositShares = vault.maxMint(actor);
        c.depositAssets = vault.claimableDepositRequest(0, actor);
        c.redeemShares = vault.claimableRedeemRequest(0, actor);
        c.redeemAssets = vault.maxWithdraw(actor);
    }

    function _snapshot() internal view returns (Claims[] memory all) {
        all = new Claims[](actors.length);
        for (uint256 i = 0; i < actors.length; ++i) all[i] = _claims(actors[i]);
    }

    /// @dev Outside settlement and the actor's own claim, nobody's claimable amounts may change.
    function _checkUnchanged(Claims[] memory before, address exempt) internal {
        for (uint256 i = 0; i < actors.length; ++i) {
            if (actors[i] == exempt) continue;
            Claims memory now_ = _claims(actors[i]);
            if (
                now_.depositShares != before[i].depositShares ||
                now_.depositAssets != before[i].depositAssets ||
                now_.redeemShares != before[i].redeemShares ||
                now_.redeemAssets != before[i].redeemAssets
            ) claimableChangedWithoutClaim = true;
        }
    }

    /// @dev Settlement may only add to claimable amounts, never reprice what is already claimable.
    function _checkOnlyGrew(Claims[] memory before) internal {
        for (uint256 i = 0; i < actors.length; ++i) {
            Claims memory now_ = _claims(actors[i]);
            if (now_.depositShares < before[i].depositShares || now_.redeemAssets < before[i].redeemAssets) {
                claimableChangedWithoutClaim = true;
            }
        }
    }

    // ------------------------------------------------------------------------------ actions

    function requestDeposit(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = bound(amount, MIN_REQUEST, 1e12);
        asset.mint(actor, amount);
        Claims[] memory before = _snapshot();
        vm.prank(actor);
        vault.requestDeposit(amount, actor, actor);
        _checkUnchanged(before, actor);
    }

    function requestRedeem(uint256 actorSeed, uint256 fraction) external {
        address actor = _actor(actorSeed);
        uint256 balance = vault.balanceOf(actor);
        if (balance == 0) return;
        uint256 shares = (balance * bound(fraction, 1, 100)) / 100;
        Claims[] memory before = _snapshot();
        vm.prank(actor);
        try vault.requestRedeem(shares, actor, actor) {} catch {}
        _checkUnchanged(before, actor);
    }

    function dustRequest(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = bound(amount, 1, MIN_REQUEST - 1);
        asset.mint(actor, amount);
        vm.prank(actor);
        try vault.requestDeposit(amount, actor, actor) {
            dustRequestAccepted = true;
        } catch {}
    }

    function settle(uint256 warpSeconds) external {
        vm.warp(block.timestamp + bound(warpSeconds, 0, 10 days));
        AccountingManager.PendingTotals memory totals = vault.pendingTotals();
        if (totals.depositAssets == 0 && totals.redeemShares == 0) return;
        AccountingManager.Limits memory limits = lens.limits(vault);
        if (limits.depositsPaused || limits.redeemsPaused) return;
        Claims[] memory before = _snapshot();
        uint256 supplyBefore = vault.totalSupply();
        uint256 lastNav = vault.lastTotalAssets();
        uint256 elapsed = block.timestamp - lens.epochState(vault).lastNavAt;
        uint256 nav = vault.totalAssets();
        uint256 feeBefore = vault.balanceOf(feeReceiver);
        bool inBand = supplyBefore == 0 || GuardrailMath.withinBand(lastNav, nav, elapsed, lens.guardrails(vault));

        vm.prank(keeper);
        bool settled = vault.settle();

        if (settled != inBand) priceMovedOutsideBand = true;
        if (!settled) {
            ++breaches;
            if (warpSeconds % 2 == 0) {
                // Governance reviews the reported move and accepts it (the "reported loss" path).
                vm.startPrank(governance);
                vault.unpauseDeposits();
                vault.unpauseRedeems();
                vault.forceSettle();
                vm.stopPrank();
            } else {
                // The guardian resumes settlement at once, each side at the price worse for it.
                vm.prank(guardian);
                vault.settleConservatively();
                vm.startPrank(governance);
                vault.unpauseDeposits();
                vault.unpauseRedeems();
                vm.stopPrank();
            }
        }
        ++settlements;
        ghostFeeShares += vault.balanceOf(feeReceiver) - feeBefore;
        _checkOnlyGrew(before);
        _syncSupplyGhosts();
    }

    /// @dev Anyone settles once the deadline passed, at the live NAV inside the band, fees first. The
    ///      flows must be priced no better than the truth: the price per share after the settlement is at
    ///      least the price after the fees and before the flows (rounding in the vault's favour).
    function settleAfterDeadline(uint256 lateSeconds) external {
        uint256 dueAt = vault.settlementDueAt();
        if (dueAt == 0) return;
        AccountingManager.Limits memory limits = lens.limits(vault);
        if (limits.depositsPaused || limits.redeemsPaused) return;
        vm.warp(dueAt + bound(lateSeconds, 0, 5 days));
        Claims[] memory before = _snapshot();
        uint256 feeBefore = vault.balanceOf(feeReceiver);
        uint256 navBefore = vault.totalAssets();
        uint256 supplyBefore = vault.totalSupply();
        vm.prank(address(0xBEEF));
        bool settled = vault.settle();
        ++settlements;
        uint256 feeShares = vault.balanceOf(feeReceiver) - feeBefore;
        ghostFeeShares += feeShares;
        if (settled) {
            uint256 supplyAfter = vault.totalSupply();
            // (navAfter + 1) / (supplyAfter + V) >= (navBefore + 1) / (supplyBefore + fees + V)
            if (
                (vault.totalAssets() + 1) * (supplyBefore + feeShares + 1e6) <
                (navBefore + 1) * (supplyAfter + 1e6)
            ) deadlineFavouredRequesters = true;
        } else {
            ++breaches;
            vm.startPrank(governance);
            vault.unpauseDeposits();
            vault.unpauseRedeems();
            vm.stopPrank();
        }
        _checkOnlyGrew(before);
        _syncSupplyGhosts();
    }

    /// @dev The guardian pauses a side; governance later unpauses it. Claims must go through meanwhile.
    function togglePause(bool deposits, uint256 actorSeed) external {
        AccountingManager.Limits memory limits = lens.limits(vault);
        bool paused = deposits ? limits.depositsPaused : limits.redeemsPaused;
        if (paused) {
            address actor = _actor(actorSeed);
            uint256 claimable = deposits ? vault.claimableDepositRequest(0, actor) : vault.maxWithdraw(actor);
            if (claimable != 0) {
                vm.prank(actor);
                if (deposits) {
                    try vault.deposit(claimable, actor, actor) {} catch {
                        claimRefusedWhilePaused = true;
                    }
                } else {
                    try vault.withdraw(claimable, actor, actor) {} catch {
                        claimRefusedWhilePaused = true;
                    }
                }
            }
            vm.prank(governance);
            if (deposits) vault.unpauseDeposits();
            else vault.unpauseRedeems();
        } else {
            vm.prank(guardian);
            if (deposits) vault.pauseDeposits();
            else vault.pauseRedeems();
        }
    }

    function _syncSupplyGhosts() internal {
        AccountingManager.EpochState memory epochs = lens.epochState(vault);
        uint256 minted;
        for (uint256 e = 1; e < epochs.depositEpoch; ++e) minted += lens.depositSettlement(vault, e).amountOut;
        uint256 burned;
        for (uint256 e = 1; e < epochs.redeemEpoch; ++e) burned += lens.redeemSettlement(vault, e).amountIn;
        ghostDepositSharesMinted = minted;
        ghostSharesBurned = burned;
    }

    function claimDeposit(uint256 actorSeed, uint256 fraction) external {
        address actor = _actor(actorSeed);
        uint256 claimable = vault.maxDeposit(actor);
        if (claimable == 0) return;
        uint256 assets = (claimable * bound(fraction, 1, 100)) / 100;
        if (assets == 0) return;
        uint256 maxShares = vault.maxMint(actor);
        Claims[] memory before = _snapshot();
        vm.prank(actor);
        try vault.deposit(assets, actor, actor) returns (uint256 shares) {
            if (shares > maxShares) claimExceededClaimable = true;
        } catch {}
        _checkUnchanged(before, actor);
    }

    function claimRedeem(uint256 actorSeed, uint256 fraction) external {
        address actor = _actor(actorSeed);
        uint256 claimable = vault.maxRedeem(actor);
        if (claimable == 0) return;
        uint256 shares = (claimable * bound(fraction, 1, 100)) / 100;
        if (shares == 0) return;
        uint256 maxAssets = vault.maxWithdraw(actor);
        Claims[] memory before = _snapshot();
        vm.prank(actor);
        try vault.redeem(shares, actor, actor) returns (uint256 assets) {
            if (assets > maxAssets) claimExceededClaimable = true;
        } catch {}
        _checkUnchanged(before, actor);
    }

    function cancelDeposit(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        uint256 pending = vault.pendingDepositRequest(0, actor);
        if (pending == 0) return;
        uint256 balanceBefore = asset.balanceOf(actor);
        Claims[] memory before = _snapshot();
        vm.startPrank(actor);
        vault.cancelDepositRequest(0, actor);
        uint256 returned = vault.claimCancelDepositRequest(0, actor, actor);
        vm.stopPrank();
        if (returned != pending || asset.balanceOf(actor) - balanceBefore != pending) cancelReturnedWrongAmount = true;
        _checkUnchanged(before, actor);
    }

    function cancelRedeem(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        uint256 pending = vault.pendingRedeemRequest(0, actor);
        if (pending == 0) return;
        uint256 balanceBefore = vault.balanceOf(actor);
        Claims[] memory before = _snapshot();
        vm.startPrank(actor);
        vault.cancelRedeemRequest(0, actor);
        uint256 returned = vault.claimCancelRedeemRequest(0, actor, actor);
        vm.stopPrank();
        if (returned != pending || vault.balanceOf(actor) - balanceBefore != pending) cancelReturnedWrongAmount = true;
        _checkUnchanged(before, actor);
    }

    function donate(uint256 amount) external {
        amount = bound(amount, 1, 1e12);
        asset.mint(address(vault), amount);
        ghostDonated += amount;
    }

    function moveToConnector(uint256 amount) external {
        uint256 idle = vault.assetBook().idle;
        if (idle == 0) return;
        amount = bound(amount, 1, idle);
        vm.prank(keeper);
        vault.transferToConnector(address(connector), amount);
    }

    function returnFromConnector(uint256 amount) external {
        uint256 held = asset.balanceOf(address(connector));
        if (held == 0) return;
        amount = bound(amount, 1, held);
        connector.sendToVault(amount);
    }

    /// @dev The connector's positions gain or lose value (small or large moves).
    function connectorPnl(uint256 amount, bool gain) external {
        uint256 held = asset.balanceOf(address(connector));
        if (gain) {
            amount = bound(amount, 0, held / 5 + 1e6);
            asset.mint(address(connector), amount);
        } else {
            amount = bound(amount, 0, held / 3);
            asset.burn(address(connector), amount);
        }
    }
}

/// @notice Handler-based invariants of the vault: conservation of assets and shares, claims that stay
///         claimable at their settled price, no share without assets, price moves only inside the
///         guardrail band (or through governance's reviewed settlement), dust spam refused,
///         cancellations exact. Attack classes: [AC1] [AC2] [AC7] [AC11] [AC12] [AC15].
contract VaultInvariantsTest is VaultTestBase {
    VaultHandler internal handler;

    function setUp() public {
        _deployVault(1, 200, 2_000);
        handler = new VaultHandler(vault, lens, asset, connectors[0], keeper, address(this), feeReceiver, guardian);
        targetContract(address(handler));
    }

    function _book() internal view returns (AccountingManager.AssetBook memory) {
        return vault.assetBook();
    }

    /// Conservation: assets held = idle + reserved for claims + reserved for cancellations + pending
    /// deposits + donations (which are never priced).
    function invariant_assetsHeldMatchTheBooks() public view {
        AccountingManager.AssetBook memory book = _book();
        uint256 tracked = uint256(book.idle) +
            book.claimableRedeem +
            book.cancelledDeposits +
            vault.pendingTotals().depositAssets;
        assertEq(asset.balanceOf(address(vault)), tracked + handler.ghostDonated(), "asset conservation");
    }

    /// NAV is idle plus connector value; donations to the vault never enter it.
    function invariant_navIsIdlePlusConnectors() public view {
        assertEq(vault.totalAssets(), _book().idle + asset.balanceOf(address(connectors[0])), "nav");
    }

    /// Share conservation: supply = shares minted for settled deposits + fee shares - redeemed shares.
    function invariant_noShareWithoutAssets() public view {
        assertEq(
            vault.totalSupply(),
            handler.ghostDepositSharesMinted() + handler.ghostFeeShares() - handler.ghostSharesBurned(),
            "share conservation"
        );
        AccountingManager.EpochState memory epochs = lens.epochState(vault);
        for (uint256 e = 1; e < epochs.depositEpoch; ++e) {
            AccountingManager.Settlement memory s = lens.depositSettlement(vault, e);
            assertGt(s.amountIn, 0, "shares minted without assets");
        }
    }

    /// The vault's escrow holds every share owed to controllers; reserved assets cover every claim.
    function invariant_claimsAreCovered() public view {
        address[] memory actors = handler.actorsList();
        uint256 sharesOwed = vault.pendingTotals().redeemShares;
        uint256 assetsOwed;
        for (uint256 i = 0; i < actors.length; ++i) {
            sharesOwed += vault.maxMint(actors[i]) + vault.claimableCancelRedeemRequest(0, actors[i]);
            assetsOwed += vault.maxWithdraw(actors[i]);
        }
        assertGe(vault.balanceOf(address(vault)), sharesOwed, "escrow short of claimable shares");
        assertGe(_book().claimableRedeem, assetsOwed, "reserve short of claimable assets");
    }

    function invariant_claimableStaysClaimableAtSettledPrice() public view {
        assertFalse(handler.claimableChangedWithoutClaim(), "a claim changed outside settlement or its own claim");
        assertFalse(handler.claimExceededClaimable(), "a claim paid more than claimable");
    }

    function invariant_priceMovesOnlyInsideGuardrails() public view {
        assertFalse(handler.priceMovedOutsideBand(), "settled outside the band, or refused inside it");
    }

    function invariant_pauseAndDeadlineRules() public view {
        assertFalse(handler.claimRefusedWhilePaused(), "a pause blocked a claim of reserved assets or shares");
        assertFalse(handler.deadlineFavouredRequesters(), "a deadline settlement priced flows better than the truth");
    }

    function invariant_dustSpamRefused() public view {
        assertFalse(handler.dustRequestAccepted(), "a request below the minimum was accepted");
    }

    function invariant_cancellationReturnsExactlyThePendingAmount() public view {
        assertFalse(handler.cancelReturnedWrongAmount(), "cancellation returned a different amount");
    }
}

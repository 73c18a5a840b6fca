// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountingManager} from "../../contracts/vault/AccountingManager.sol";
import {VaultLens} from "../../contracts/lens/VaultLens.sol";
import {MockConnector} from "../../contracts/mocks/MockConnector.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {Test} from "forge-std/Test.sol";
import {VaultTestBase} from "./VaultTestBase.sol";

/// @notice Only unprivileged accounts act: holders request, claim and cancel, anyone donates or settles
///         after the deadline, and the world moves the connector's true value (gains, losses) or breaks its
///         valuation (reverting, or unhealthy with a lower bound). The keeper never settles. The handler
///         records, at every deadline settlement, whether value moved between holders.
contract DeadlineHandler is Test {
    AccountingManager internal immutable vault;
    VaultLens internal immutable lens;
    MockERC20 internal immutable asset;
    MockConnector internal immutable connector;
    address[] internal actors;
    uint256 internal constant MIN_REQUEST = 1e6;

    /// @dev Price per share of the holders who did not act, before and after a deadline settlement.
    bool public holdersDiluted;
    /// @dev A settlement priced requests while the connector's value was unknown.
    bool public pricedWhileUnknown;
    uint256 public deadlineSettlements;
    uint256 public waitedForValuation;

    constructor(AccountingManager vault_, VaultLens lens_, MockERC20 asset_, MockConnector connector_) {
        vault = vault_;
        lens = lens_;
        asset = asset_;
        connector = connector_;
        for (uint256 i = 0; i < 4; ++i) {
            address actor = address(uint160(0xB000 + i));
            actors.push(actor);
            vm.prank(actor);
            asset.approve(address(vault), type(uint256).max);
        }
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    /// @dev The truth: idle assets plus what the connector really holds, whatever it reports.
    function _trueNav() internal view returns (uint256) {
        return vault.assetBook().idle + asset.balanceOf(address(connector));
    }

    function requestDeposit(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = bound(amount, MIN_REQUEST, 1e12);
        asset.mint(actor, amount);
        vm.prank(actor);
        try vault.requestDeposit(amount, actor, actor) {} catch {}
    }

    function requestRedeem(uint256 actorSeed, uint256 fraction) external {
        address actor = _actor(actorSeed);
        uint256 balance = vault.balanceOf(actor);
        if (balance == 0) return;
        vm.prank(actor);
        try vault.requestRedeem((balance * bound(fraction, 1, 100)) / 100, actor, actor) {} catch {}
    }

    function claim(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        uint256 shares = vault.maxMint(actor);
        vm.startPrank(actor);
        if (shares != 0) vault.mint(shares, actor, actor);
        uint256 redeemable = vault.maxRedeem(actor);
        if (redeemable != 0) try vault.redeem(redeemable, actor, actor) {} catch {}
        vm.stopPrank();
    }

    function cancel(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        vm.startPrank(actor);
        if (vault.pendingDepositRequest(0, actor) != 0) {
            vault.cancelDepositRequest(0, actor);
            vault.claimCancelDepositRequest(0, actor, actor);
        }
        if (vault.pendingRedeemRequest(0, actor) != 0) {
            vault.cancelRedeemRequest(0, actor);
            vault.claimCancelRedeemRequest(0, actor, actor);
        }
        vm.stopPrank();
    }

    function donateToVault(uint256 amount) external {
        asset.mint(address(vault), bound(amount, 1, 1e12));
    }

    /// @dev The connector's positions gain or lose value; small moves stay inside the band.
    function worldMovesValue(uint256 amount, bool gain) external {
        uint256 held = asset.balanceOf(address(connector));
        if (gain) asset.mint(address(connector), bound(amount, 0, held / 50 + 1e6));
        else asset.burn(address(connector), bound(amount, 0, held / 50));
    }

    /// @dev The connector's valuation breaks (reverts, or reports a lower bound as unhealthy) or recovers.
    function worldBreaksValuation(uint8 how) external {
        how = uint8(bound(how, 0, 2));
        if (how == 0) connector.setMode(MockConnector.Mode.Balance, 0, false);
        else if (how == 1) connector.setMode(MockConnector.Mode.Revert, 0, false);
        else connector.setMode(MockConnector.Mode.Fixed, asset.balanceOf(address(connector)) / 2, true);
    }

    function settleAfterDeadline(uint256 lateSeconds) external {
        uint256 dueAt = vault.settlementDueAt();
        if (dueAt == 0) return;
        AccountingManager.Limits memory limits = lens.limits(vault);
        if (limits.depositsPaused || limits.redeemsPaused) return;
        vm.warp(dueAt + bound(lateSeconds, 0, 400 days));
        (bool complete, ) = lens.valuationStatus(vault);
        uint256 navBefore = _trueNav();
        uint256 supplyBefore = vault.totalSupply();
        AccountingManager.PendingTotals memory pendingBefore = vault.pendingTotals();
        (AccountingManager.FeeConfig memory fees, , ) = lens.feeState(vault);
        address feeReceiver = fees.receiver;
        uint256 feesBefore = vault.balanceOf(feeReceiver);

        vm.prank(address(0xBEEF));
        bool settled = vault.settle();
        ++deadlineSettlements;
        if (!complete) {
            ++waitedForValuation;
            AccountingManager.PendingTotals memory pendingAfter = vault.pendingTotals();
            if (
                settled ||
                pendingAfter.depositAssets != pendingBefore.depositAssets ||
                pendingAfter.redeemShares != pendingBefore.redeemShares
            ) pricedWhileUnknown = true;
            return;
        }
        if (!settled) return; // band refusal: nothing priced, the vault paused
        uint256 feeShares = vault.balanceOf(feeReceiver) - feesBefore;
        // Holders who did not act keep at least the price per share after fees (true NAV, virtual offset).
        uint256 navAfter = _trueNav();
        uint256 supplyAfter = vault.totalSupply();
        if ((navAfter + 1) * (supplyBefore + feeShares + 1e6) < (navBefore + 1) * (supplyAfter + 1e6)) {
            holdersDiluted = true;
        }
    }
}

/// @notice [F1 deadline invariant] No sequence of calls by unprivileged accounts moves value between
///         holders through the deadline path: each deadline settlement prices at the live NAV (never
///         below the holders' price after fees), prices nothing while a connector's value is unknown
///         [F4]. Fees are minted before the flows, so the check compares with the price after fees [F2].
contract DeadlineInvariantsTest is VaultTestBase {
    DeadlineHandler internal handler;

    function setUp() public {
        _deployVault(1, 200, 2_000);
        _enter(makeAddr("seed"), 1_000 * ONE);
        vm.prank(keeper);
        vault.transferToConnector(address(connectors[0]), 600 * ONE);
        handler = new DeadlineHandler(vault, lens, asset, connectors[0]);
        targetContract(address(handler));
    }

    function invariant_deadlineNeverDilutesHolders() public view {
        assertFalse(handler.holdersDiluted(), "a deadline settlement priced requests better than the truth");
    }

    function invariant_nothingPricedWhileValueUnknown() public view {
        assertFalse(handler.pricedWhileUnknown(), "a deadline settlement priced while a connector was unknown");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockConnector} from "../../contracts/mocks/MockConnector.sol";
import {IAccountingManager} from "../../contracts/interfaces/IAccountingManager.sol";
import {AccountingManager} from "../../contracts/vault/AccountingManager.sol";
import {SharesMath} from "../../contracts/vault/lib/SharesMath.sol";
import {GuardrailMath} from "../../contracts/vault/lib/GuardrailMath.sol";
import {VaultTestBase} from "./VaultTestBase.sol";

/// @notice Fuzz tests of the vault's security properties, named after the attack classes they cover.
contract VaultFuzzTest is VaultTestBase {
    address internal attacker = makeAddr("attacker");
    address internal victim = makeAddr("victim");

    function setUp() public {
        _deployVault(1, 200, 2_000);
    }

    function _valueOf(address user) internal view returns (uint256) {
        return vault.convertToAssets(vault.balanceOf(user));
    }

    /// [AC1 donation inflation] The first depositor donates to the vault and to a connector before a
    /// victim's deposit settles: the victim never gets 0 shares, direct donations do not move the
    /// price at all, and the attacker never ends with more than it put in.
    function testFuzz_AC1_donationInflationCannotStealFromTheNextDepositor(
        uint256 seedDeposit,
        uint256 vaultDonation,
        uint256 connectorDonation,
        uint256 victimDeposit
    ) public {
        seedDeposit = bound(seedDeposit, MIN_REQUEST, 1e9);
        vaultDonation = bound(vaultDonation, 0, 1e15);
        connectorDonation = bound(connectorDonation, 0, 1e15);
        victimDeposit = bound(victimDeposit, MIN_REQUEST, 1e15);
        _enter(attacker, seedDeposit);
        uint256 navBefore = vault.totalAssets();
        asset.mint(address(vault), vaultDonation);
        assertEq(vault.totalAssets(), navBefore, "a direct donation entered NAV");
        asset.mint(address(connectors[0]), connectorDonation);
        _requestDeposit(victim, victimDeposit);
        bool settled = _settle();
        if (!settled) {
            // The donation moved the price beyond the band: nothing settled, nobody was priced.
            assertEq(vault.pendingDepositRequest(0, victim), victimDeposit);
            assertTrue(lens.limits(vault).depositsPaused);
            return;
        }
        vm.prank(victim);
        uint256 shares = vault.deposit(victimDeposit, victim, victim);
        assertGt(shares, 0, "victim got no shares");
        assertLe(_valueOf(attacker), seedDeposit + connectorDonation, "attacker profited");
        // Whatever the victim lost to rounding is bounded by one unit per virtual share ratio.
        assertGe(_valueOf(victim) + 2, (victimDeposit * (10_000 - 100)) / 10_000, "victim lost beyond tolerance");
    }

    /// [AC2 raw balanceOf in accounting] Donations never change NAV, settlement prices or what can be
    /// claimed; governance can recover them.
    function testFuzz_AC2_donationsAreNotPricedAndAreRecoverable(uint256 deposit, uint256 donation) public {
        deposit = bound(deposit, MIN_REQUEST, 1e15);
        donation = bound(donation, 1, 1e15);
        _enter(victim, deposit);
        _requestDeposit(attacker, deposit);
        uint256 nav = vault.totalAssets();
        asset.mint(address(vault), donation);
        assertEq(vault.totalAssets(), nav);
        assertTrue(_settle());
        vm.prank(attacker);
        uint256 shares = vault.deposit(deposit, attacker, attacker);
        assertEq(shares, vault.balanceOf(victim), "same deposit, same price, same shares");
        vault.recoverSurplus(address(asset), address(this));
        assertEq(asset.balanceOf(address(this)), donation);
    }

    /// [AC11 queue griefing] Dust requests below the minimum are refused; settlement cost and the
    /// honest user's claim are unaffected by how many others requested.
    function testFuzz_AC11_dustSpamIsRefusedAndCannotBlockSettlement(uint256 dust, uint8 spammers) public {
        dust = bound(dust, 1, MIN_REQUEST - 1);
        for (uint256 i = 0; i < bound(spammers, 1, 30); ++i) {
            address spammer = address(uint160(0xD000 + i));
            _fund(spammer, dust);
            vm.prank(spammer);
            vm.expectRevert(abi.encodeWithSelector(IAccountingManager.BelowMinimumRequest.selector, dust, MIN_REQUEST));
            vault.requestDeposit(dust, spammer, spammer);
        }
        _requestDeposit(victim, 5 * ONE);
        assertTrue(_settle());
        assertEq(vault.claimableDepositRequest(0, victim), 5 * ONE);
    }

    /// [AC13 fee accrual] Fees never exceed their maxima: management <= 5%/yr of NAV, performance
    /// <= 30% of the gain above the high-water mark, and nothing is charged below it.
    function testFuzz_AC13_feesStayWithinTheirMaxima(uint256 deposit, uint256 gainBps, uint256 elapsed) public {
        deposit = bound(deposit, 1_000 * ONE, 1e15);
        gainBps = bound(gainBps, 0, 100);
        elapsed = bound(elapsed, 1 hours, 365 days);
        vault.setFeeConfig(feeReceiver, 500, 3_000);
        _enter(victim, deposit);
        _requestDeposit(attacker, MIN_REQUEST);
        _settle(); // applies the maximal fees
        uint256 nav = vault.totalAssets();
        uint256 gain = (nav * gainBps) / 10_000;
        asset.mint(address(connectors[0]), gain);
        vm.warp(block.timestamp + elapsed);
        _requestDeposit(attacker, MIN_REQUEST);
        uint256 feeSharesBefore = vault.balanceOf(feeReceiver);
        assertTrue(_settle());
        uint256 feeValue = vault.convertToAssets(vault.balanceOf(feeReceiver) - feeSharesBefore);
        uint256 maxManagement = ((nav + gain) * 500 * elapsed) / (10_000 * 365 days);
        uint256 maxPerformance = (gain * 3_000) / 10_000;
        assertLe(feeValue, maxManagement + maxPerformance + 1, "fees above their maxima");
    }

    /// [AC13 fee accrual] A fee change applies only after fees for the elapsed period were charged
    /// at the old rates.
    function test_AC13_feeChangeSettlesAccruedFeesAtOldRatesFirst() public {
        vault.setFeeConfig(feeReceiver, 0, 0);
        _enter(victim, 1_000_000 * ONE);
        vm.warp(block.timestamp + 365 days);
        vault.setFeeConfig(feeReceiver, 500, 3_000); // queued
        _requestDeposit(attacker, MIN_REQUEST);
        _settle();
        assertEq(vault.balanceOf(feeReceiver), 0, "the new rate was applied to the past year");
        (AccountingManager.FeeConfig memory active, AccountingManager.FeeConfig memory queued, ) = lens.feeState(vault);
        assertEq(active.managementFeeBps, 500);
        assertEq(queued.receiver, address(0));
        vm.warp(block.timestamp + 365 days);
        _requestDeposit(attacker, MIN_REQUEST);
        _settle();
        uint256 feeValue = _valueOf(feeReceiver);
        assertApproxEqRel(feeValue, (1_000_000 * ONE * 500) / 10_000, 0.01e18);
    }

    /// [AC7 TVL liveness] Price moves outside the band are refused and pause the vault; the epoch stays
    /// unsettled and the last accepted NAV unchanged. Inside the band they settle.
    function testFuzz_AC7_guardrailRefusesMovesOutsideTheBand(uint256 newValue, uint256 elapsed) public {
        _enter(victim, 1_000 * ONE);
        vm.prank(keeper);
        vault.transferToConnector(address(connectors[0]), 1_000 * ONE);
        newValue = bound(newValue, 0, 3_000 * ONE);
        elapsed = bound(elapsed, 0, 365 days);
        connectors[0].setMode(MockConnector.Mode.Fixed, newValue, false);
        vm.warp(block.timestamp + elapsed);
        _requestDeposit(attacker, 10 * ONE);
        uint256 lastNav = vault.lastTotalAssets();
        bool inBand = GuardrailMath.withinBand(lastNav, newValue, elapsed, lens.guardrails(vault));
        bool settled = _settle();
        assertEq(settled, inBand);
        if (!settled) {
            assertEq(vault.lastTotalAssets(), lastNav);
            assertEq(vault.pendingDepositRequest(0, attacker), 10 * ONE);
            assertTrue(lens.limits(vault).depositsPaused && lens.limits(vault).redeemsPaused);
        } else {
            assertEq(vault.lastTotalAssets(), newValue + 10 * ONE);
        }
    }

    /// [AC7 TVL liveness] [F4 unknown connector holds pricing] A connector that reverts, burns gas or
    /// returns malformed data never makes settlement revert, and nothing is priced while its value is
    /// unknown; once the guardian disables it (or governance writes it down) it counts at what it proves.
    function testFuzz_F4_unknownConnectorHoldsPricingUntilWaived(uint8 modeSeed, bool byGuardian) public {
        MockConnector bad = _addConnector();
        _enter(victim, 1_000 * ONE);
        bad.setMode(MockConnector.Mode(bound(modeSeed, 2, 4)), 0, false);
        _requestDeposit(attacker, 10 * ONE);
        assertFalse(_settle(), "priced while a connector was unknown");
        assertEq(vault.pendingDepositRequest(0, attacker), 10 * ONE);
        assertFalse(lens.limits(vault).depositsPaused, "an unknown value is not a breach");
        if (byGuardian) {
            vm.prank(guardian);
            registry.disableConnector(address(bad));
        } else {
            vault.setConnectorWrittenDown(address(bad), true);
        }
        assertTrue(_settle());
        assertEq(vault.totalAssets(), 1_010 * ONE);
    }

    /// [F1 deadline live NAV] Once the deadline passed anyone settles, at the live NAV inside the band
    /// (never the last accepted one); outside the band nothing is priced and the vault pauses.
    function testFuzz_F1_deadlineSettlementUsesTheLiveNav(uint256 reported, uint256 late) public {
        _enter(victim, 1_000 * ONE);
        vm.prank(keeper);
        vault.transferToConnector(address(connectors[0]), 500 * ONE);
        reported = bound(reported, 0, 1e12);
        connectors[0].setMode(MockConnector.Mode.Fixed, reported, false);
        _requestDeposit(attacker, 100 * ONE);
        uint256 dueAt = vault.settlementDueAt();
        vm.warp(dueAt - 1);
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IAccountingManager.SettlementNotDue.selector, dueAt));
        vault.settle();
        vm.warp(dueAt + bound(late, 0, 30 days));
        uint256 live = vault.totalAssets();
        uint256 supply = vault.totalSupply();
        vm.prank(attacker);
        bool settled = vault.settle();
        if (!settled) {
            assertTrue(lens.limits(vault).depositsPaused && lens.limits(vault).redeemsPaused);
            assertEq(vault.pendingDepositRequest(0, attacker), 100 * ONE, "priced outside the band");
            return;
        }
        uint256 feeShares = vault.balanceOf(feeReceiver);
        vm.prank(attacker);
        uint256 shares = vault.deposit(100 * ONE, attacker, attacker);
        // priced at the live NAV over the supply after fees, rounded down
        assertEq(shares, SharesMath.toSharesDown(100 * ONE, live, supply + feeShares), "not the live NAV");
    }

    /// [F2 fee clock] After a long time without a keeper settlement, a whale entering through the deadline
    /// path pays no management fee for the time before it held shares: the elapsed period is charged to
    /// the holders of that period, before the whale's shares are minted.
    function testFuzz_F2_noFeesForTimeBeforeHolding(uint256 idleDays, uint256 whale) public {
        idleDays = bound(idleDays, 1, 361);
        whale = bound(whale, 10_000 * ONE, 1e12);
        _enter(victim, 1_000 * ONE);
        vm.warp(block.timestamp + idleDays * 1 days);
        _requestDeposit(attacker, whale);
        vm.warp(vault.settlementDueAt());
        vm.prank(attacker);
        assertTrue(vault.settle());
        vm.prank(attacker);
        vault.deposit(whale, attacker, attacker);
        uint256 valueAtEntry = _valueOf(attacker);
        vm.warp(block.timestamp + 3 days);
        _requestDeposit(makeAddr("other"), MIN_REQUEST);
        assertTrue(_settle());
        // 2%/yr for 3 days on the whale's stake at most (plus rounding); nothing for the idle days
        uint256 maxFee = (whale * 200 * 3 days) / (10_000 * 365 days) + 2;
        assertGe(_valueOf(attacker) + maxFee, valueAtEntry, "charged for time before holding");
    }

    /// Cancellation returns exactly the pending amount and removes it from the epoch.
    function testFuzz_cancellationIsExact(uint256 deposit, uint256 other) public {
        deposit = bound(deposit, MIN_REQUEST, 1e15);
        other = bound(other, MIN_REQUEST, 1e15);
        uint256 shares = _enter(victim, deposit);
        _requestDeposit(attacker, deposit);
        _requestDeposit(makeAddr("other"), other);
        vm.prank(victim);
        vault.requestRedeem(shares, victim, victim);
        uint256 before = asset.balanceOf(attacker);
        vm.startPrank(attacker);
        vault.cancelDepositRequest(0, attacker);
        assertEq(vault.pendingDepositRequest(0, attacker), 0);
        assertEq(vault.claimableCancelDepositRequest(0, attacker), deposit);
        assertEq(vault.claimCancelDepositRequest(0, attacker, attacker), deposit);
        vm.stopPrank();
        assertEq(asset.balanceOf(attacker) - before, deposit);
        assertEq(vault.pendingTotals().depositAssets, other);
        vm.startPrank(victim);
        vault.cancelRedeemRequest(0, victim);
        assertEq(vault.claimCancelRedeemRequest(0, victim, victim), shares);
        vm.stopPrank();
        assertEq(vault.balanceOf(victim), shares);
        assertEq(vault.pendingTotals().redeemShares, 0);
        assertTrue(_settle());
        assertEq(vault.claimableDepositRequest(0, attacker), 0);
        assertEq(vault.claimableDepositRequest(0, makeAddr("other")), other);
    }

    /// [AC15 rounding] Fee shares never give the receiver more than the fee: s/(S+s) <= fee/nav.
    function testFuzz_AC15_feeSharesRoundDown(uint256 fee, uint256 nav, uint256 supply) public pure {
        nav = bound(nav, 2, 1e30);
        fee = bound(fee, 0, nav / 2);
        supply = bound(supply, 1e6, 1e36);
        uint256 shares = SharesMath.toFeeSharesDown(fee, nav, supply);
        assertLe(shares * (nav + 1), fee * (supply + 1e6 + shares));
    }
}

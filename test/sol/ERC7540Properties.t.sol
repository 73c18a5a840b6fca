// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {MockConnector} from "../../contracts/mocks/MockConnector.sol";
import {IERC7540Deposit, IERC7540Operator, IERC7540Redeem} from "../../contracts/interfaces/IERC7540.sol";
import {IERC7887Deposit, IERC7887Redeem} from "../../contracts/interfaces/IERC7887.sol";
import {IAccountingManager} from "../../contracts/interfaces/IAccountingManager.sol";
import {AccountingManager} from "../../contracts/vault/AccountingManager.sol";
import {VaultTestBase} from "./VaultTestBase.sol";

/// @notice ERC-4626 / ERC-7540 property suite in the spirit of a16z's erc4626-tests, adapted to an
///         asynchronous vault: claims (deposit/mint/redeem/withdraw) agree with max* and with what the
///         request views said, previews revert as ERC-7540 requires, pauses never block claims, views
///         never revert (even with broken connectors), conversions do not depend on the caller, and a
///         round trip never returns more than was put in. [AC15 rounding] [AC16 ERC-4626 conformance]
contract ERC7540PropertiesTest is VaultTestBase {
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        _deployVault(2, 200, 2_000);
        _enter(makeAddr("seed"), 1_000 * ONE);
        asset.mint(address(connectors[0]), 37 * ONE); // some yield so the price is not 1:1
        vm.warp(block.timestamp + 30 days);
    }

    function _settledDeposit(address user, uint256 assets) internal {
        _requestDeposit(user, assets);
        _settle();
    }

    function testFuzz_maxDepositEqualsClaimableAndDepositOfMaxMintsMaxMint(uint256 assets) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        _settledDeposit(alice, assets);
        assertEq(vault.maxDeposit(alice), vault.claimableDepositRequest(0, alice));
        assertEq(vault.maxDeposit(alice), assets);
        uint256 maxMint = vault.maxMint(alice);
        vm.prank(alice);
        uint256 shares = vault.deposit(assets, alice, alice);
        assertEq(shares, maxMint);
        assertEq(vault.balanceOf(alice), shares);
        assertEq(vault.maxDeposit(alice), 0);
        assertEq(vault.maxMint(alice), 0);
    }

    function testFuzz_mintOfMaxMintConsumesMaxDeposit(uint256 assets) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        _settledDeposit(alice, assets);
        uint256 maxMint = vault.maxMint(alice);
        vm.prank(alice);
        uint256 used = vault.mint(maxMint, alice, alice);
        assertEq(used, assets);
        assertEq(vault.maxDeposit(alice), 0);
    }

    function testFuzz_partialDepositClaimsNeverBeatTheSettledPrice(uint256 assets, uint256 part) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        part = bound(part, 1, assets);
        _settledDeposit(alice, assets);
        uint256 maxMint = vault.maxMint(alice);
        vm.prank(alice);
        try vault.deposit(part, alice, alice) returns (uint256 shares) {
            // deposit rounds shares down: never more than the pro-rata share
            assertLe(shares * assets, part * maxMint);
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), IAccountingManager.ZeroShares.selector);
        }
        uint256 rest = vault.maxMint(alice);
        vm.prank(alice);
        if (rest != 0) vault.mint(rest, alice, alice);
        assertEq(vault.balanceOf(alice), maxMint, "all claims together give exactly the settled shares");
    }

    function testFuzz_redeemOfMaxRedeemPaysMaxWithdraw(uint256 assets) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        uint256 shares = _enter(alice, assets);
        vm.prank(alice);
        vault.requestRedeem(shares, alice, alice);
        _settle();
        assertEq(vault.maxRedeem(alice), shares);
        uint256 maxWithdraw = vault.maxWithdraw(alice);
        uint256 before = asset.balanceOf(alice);
        vm.prank(alice);
        uint256 paid = vault.redeem(shares, alice, alice);
        assertEq(paid, maxWithdraw);
        assertEq(asset.balanceOf(alice) - before, paid);
        assertLe(paid, assets, "round trip returned more than deposited");
    }

    function testFuzz_withdrawOfMaxWithdrawBurnsMaxRedeem(uint256 assets) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        uint256 shares = _enter(alice, assets);
        vm.prank(alice);
        vault.requestRedeem(shares, alice, alice);
        _settle();
        uint256 maxWithdraw = vault.maxWithdraw(alice);
        vm.prank(alice);
        uint256 burned = vault.withdraw(maxWithdraw, alice, alice);
        assertEq(burned, shares);
        assertEq(vault.maxRedeem(alice), 0);
    }

    function testFuzz_partialWithdrawNeverConsumesFewerSharesThanProRata(uint256 assets, uint256 part) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        uint256 shares = _enter(alice, assets);
        vm.prank(alice);
        vault.requestRedeem(shares, alice, alice);
        _settle();
        uint256 maxWithdraw = vault.maxWithdraw(alice);
        part = bound(part, 1, maxWithdraw);
        vm.prank(alice);
        uint256 burned = vault.withdraw(part, alice, alice);
        assertGe(burned * maxWithdraw, part * shares, "withdraw rounded shares in the claimant's favour");
    }

    /// [F3 claims never paused] A pause stops new requests, never a claim of what a settlement reserved:
    /// max* keep reporting the claimable amounts and the claims pay them in full.
    function testFuzz_F3_claimsStayOpenWhilePaused(uint256 assets) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        uint256 shares = _enter(bob, assets);
        _requestDeposit(alice, assets);
        vm.prank(bob);
        vault.requestRedeem(shares, bob, bob);
        _settle();
        uint256 aliceShares = vault.maxMint(alice);
        uint256 bobAssets = vault.maxWithdraw(bob);
        vm.startPrank(guardian);
        vault.pauseDeposits();
        vault.pauseRedeems();
        vm.stopPrank();
        assertEq(vault.maxDeposit(alice), assets);
        assertEq(vault.maxMint(alice), aliceShares);
        assertEq(vault.maxRedeem(bob), shares);
        vm.prank(alice);
        assertEq(vault.deposit(assets, alice, alice), aliceShares);
        uint256 before = asset.balanceOf(bob);
        vm.prank(bob);
        assertEq(vault.redeem(shares, bob, bob), bobAssets);
        assertEq(asset.balanceOf(bob) - before, bobAssets);
        // new requests stay refused while paused
        _fund(alice, assets);
        vm.prank(alice);
        vm.expectRevert(IAccountingManager.DepositsPaused.selector);
        vault.requestDeposit(assets, alice, alice);
    }

    function testFuzz_previewsRevertForAsyncFlows(uint256 amount) public {
        vm.expectRevert(IAccountingManager.AsyncFlow.selector);
        vault.previewDeposit(amount);
        vm.expectRevert(IAccountingManager.AsyncFlow.selector);
        vault.previewMint(amount);
        vm.expectRevert(IAccountingManager.AsyncFlow.selector);
        vault.previewWithdraw(amount);
        vm.expectRevert(IAccountingManager.AsyncFlow.selector);
        vault.previewRedeem(amount);
    }

    function testFuzz_conversionsDoNotDependOnCaller(uint256 amount, address caller) public {
        amount = bound(amount, 0, 1e30);
        uint256 shares = vault.convertToShares(amount);
        uint256 assets = vault.convertToAssets(amount);
        vm.prank(caller);
        assertEq(vault.convertToShares(amount), shares);
        vm.prank(caller);
        assertEq(vault.convertToAssets(amount), assets);
        // converting back never gains: assets -> shares -> assets rounds down
        assertLe(vault.convertToAssets(shares), amount);
    }

    function testFuzz_viewsNeverRevertWithBrokenConnectors(uint8 modeSeed, uint256 value, address who) public {
        MockConnector.Mode mode = MockConnector.Mode(bound(modeSeed, 0, 4));
        // ERC-4626 allows overflow reverts only for unreasonably large inputs.
        value = bound(value, 0, type(uint128).max);
        connectors[1].setMode(mode, value, value % 2 == 0);
        vault.totalAssets();
        vault.convertToShares(value);
        vault.convertToAssets(value);
        vault.maxDeposit(who);
        vault.maxMint(who);
        vault.maxRedeem(who);
        vault.maxWithdraw(who);
        vault.pendingDepositRequest(value, who);
        vault.claimableDepositRequest(value, who);
        vault.pendingRedeemRequest(value, who);
        vault.claimableRedeemRequest(value, who);
        vault.claimableCancelDepositRequest(value, who);
        vault.claimableCancelRedeemRequest(value, who);
        vault.pendingCancelDepositRequest(value, who);
        vault.pendingCancelRedeemRequest(value, who);
        vault.settlementDueAt();
        vault.asset();
        assertGe(vault.totalAssets(), vault.assetBook().idle);
    }

    function test_supportsTheErc7540AndErc165InterfaceIds() public view {
        assertEq(type(IERC7540Operator).interfaceId, bytes4(0xe3bc4e65));
        assertEq(type(IERC7540Deposit).interfaceId, bytes4(0xce3bbe50));
        assertEq(type(IERC7540Redeem).interfaceId, bytes4(0x620ee8e4));
        assertTrue(vault.supportsInterface(0xe3bc4e65));
        assertTrue(vault.supportsInterface(0xce3bbe50));
        assertTrue(vault.supportsInterface(0x620ee8e4));
        assertTrue(vault.supportsInterface(0x2f0a18c5)); // ERC-7575
        assertEq(type(IERC7887Deposit).interfaceId, bytes4(0x8bf840e3));
        assertEq(type(IERC7887Redeem).interfaceId, bytes4(0xe76cffc7));
        assertTrue(vault.supportsInterface(0x8bf840e3));
        assertTrue(vault.supportsInterface(0xe76cffc7));
        assertTrue(vault.supportsInterface(type(IERC165).interfaceId));
        assertFalse(vault.supportsInterface(0xffffffff));
        assertEq(vault.share(), address(vault));
    }

    function testFuzz_pendingThenClaimableNeverSkipsAState(uint256 assets) public {
        assets = bound(assets, MIN_REQUEST, 1e15);
        _requestDeposit(alice, assets);
        assertEq(vault.pendingDepositRequest(0, alice), assets);
        assertEq(vault.claimableDepositRequest(0, alice), 0);
        assertEq(vault.maxDeposit(alice), 0);
        _settle();
        assertEq(vault.pendingDepositRequest(0, alice), 0);
        assertEq(vault.claimableDepositRequest(0, alice), assets);
    }
}

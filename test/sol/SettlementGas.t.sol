// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VaultTestBase} from "./VaultTestBase.sol";

/// @notice Settlement gas does not depend on the number of pending requests (O(1) epochs), and each
///         extra connector adds a bounded amount. Measured with gasleft() deltas around settle().
contract SettlementGasTest is VaultTestBase {
    function setUp() public {
        _deployVault(1, 200, 2_000);
        // A previous epoch so that settlement writes non-zero slots, as on a live vault, and idle
        // assets so the pending redemptions can be paid.
        _enter(makeAddr("seed"), 1_000 * ONE);
        vm.warp(block.timestamp + 1 days);
    }

    /// @dev `count` deposit requests and `count` redeem requests, each for its own controller.
    function _pendingRequests(uint256 count) internal {
        address seed = makeAddr("seed");
        uint256 redeemShares = vault.balanceOf(seed) / 1_000;
        for (uint256 i = 0; i < count; ++i) {
            address user = address(uint160(0x10000 + i));
            _requestDeposit(user, 10 * ONE);
            vm.prank(seed);
            vault.requestRedeem(redeemShares, user, seed);
        }
    }

    function _measureSettle() internal returns (uint256 used) {
        vm.prank(keeper);
        uint256 before = gasleft();
        vault.settle();
        used = before - gasleft();
    }

    function test_settlementGasIsFlatFrom1To200PendingRequests() public {
        uint256 snapshot = vm.snapshotState();
        _pendingRequests(1);
        uint256 gasOne = _measureSettle();
        vm.revertToState(snapshot);
        _pendingRequests(200);
        uint256 gasMany = _measureSettle();
        emit log_named_uint("settle gas, 1 pending request", gasOne);
        emit log_named_uint("settle gas, 200 pending requests", gasMany);
        uint256 diff = gasMany > gasOne ? gasMany - gasOne : gasOne - gasMany;
        assertLe(diff * 100, gasOne * 5, "settlement gas grew with the number of requests");
    }

    function test_settlementGasPerExtraConnectorIsBounded() public {
        uint256 snapshot = vm.snapshotState();
        _pendingRequests(1);
        uint256 gasOneConnector = _measureSettle();
        vm.revertToState(snapshot);
        for (uint256 i = 0; i < 4; ++i) _addConnector();
        _pendingRequests(1);
        uint256 gasFiveConnectors = _measureSettle();
        emit log_named_uint("settle gas, 1 connector", gasOneConnector);
        emit log_named_uint("settle gas, 5 connectors", gasFiveConnectors);
        assertLe(gasFiveConnectors - gasOneConnector, 4 * 30_000, "an extra connector costs more than 30k");
    }
}

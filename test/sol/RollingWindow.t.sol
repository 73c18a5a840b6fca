// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {RollingWindow} from "../../contracts/gate/RollingWindow.sol";

/// @title RollingWindow property suite
/// @notice The mandate period limit (attack class AC19: keeper-driven conversions stay bounded) relies on
///         the window sum being exact: after any sequence of records and waits it equals a brute-force sum
///         of the amounts recorded within the trailing window, and a full window refuses more.
contract RollingWindowTest is Test {
    using RollingWindow for RollingWindow.Window;

    RollingWindow.Window private window;

    function recordNow(uint256 period, uint256 amount) external {
        (uint256 sum, uint64 head) = window.live(period);
        window.record(head, sum, amount);
    }

    function testFuzz_liveSumEqualsBruteForce(uint16[40] calldata gaps, uint64[40] calldata amounts, uint24 period) public {
        period = uint24(bound(period, 1, 1 days));
        uint256[] memory times = new uint256[](40);
        uint256[] memory recorded = new uint256[](40);
        uint256 count;
        for (uint256 i = 0; i < 40; ++i) {
            vm.warp(block.timestamp + gaps[i]);
            uint256 expected;
            uint256 live;
            for (uint256 k = 0; k < count; ++k) {
                if (times[k] + period > block.timestamp) {
                    expected += recorded[k];
                    ++live;
                }
            }
            (uint256 sum, ) = window.live(period);
            assertEq(sum, expected, "live sum");
            if (live == RollingWindow.CAPACITY) {
                vm.expectRevert(abi.encodeWithSelector(RollingWindow.WindowFull.selector, RollingWindow.CAPACITY));
                this.recordNow(period, amounts[i]);
                continue;
            }
            this.recordNow(period, amounts[i]);
            times[count] = block.timestamp;
            recorded[count] = amounts[i];
            ++count;
        }
    }
}

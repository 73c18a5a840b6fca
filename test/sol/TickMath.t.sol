// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {TickMath} from "../../contracts/oracle/lib/TickMath.sol";
import {UniswapTwap} from "../../contracts/oracle/lib/UniswapTwap.sol";

/// @notice Attack class AC6 (TWAP robustness): the 0.8 port of TickMath and the TWAP helpers against
///         Uniswap's reference values and their defining properties.
contract TickMathTest is Test {
    int24 private constant MIN_TICK = -887272;
    int24 private constant MAX_TICK = 887272;

    function getSqrtRatioAtTick(int24 tick) external pure returns (uint160) {
        return TickMath.getSqrtRatioAtTick(tick);
    }

    function test_AC6_referenceValues() public pure {
        assertEq(TickMath.getSqrtRatioAtTick(MIN_TICK), 4295128739);
        assertEq(TickMath.getSqrtRatioAtTick(MIN_TICK + 1), 4295343490);
        assertEq(TickMath.getSqrtRatioAtTick(0), 79228162514264337593543950336);
        assertEq(TickMath.getSqrtRatioAtTick(MAX_TICK - 1), 1461373636630004318706518188784493106690254656249);
        assertEq(TickMath.getSqrtRatioAtTick(MAX_TICK), 1461446703485210103287273052203988822378723970342);
        assertEq(TickMath.getTickAtSqrtRatio(TickMath.MIN_SQRT_RATIO), MIN_TICK);
        assertEq(TickMath.getTickAtSqrtRatio(TickMath.MAX_SQRT_RATIO - 1), MAX_TICK - 1);
    }

    function test_AC6_outOfRangeInputsRevert() public {
        vm.expectRevert(abi.encodeWithSelector(TickMath.TickOutOfRange.selector, MAX_TICK + 1));
        this.getSqrtRatioAtTick(MAX_TICK + 1);
    }

    function testFuzz_AC6_tickRoundTrip(int24 tick) public pure {
        tick = int24(bound(tick, MIN_TICK, MAX_TICK - 1));
        assertEq(TickMath.getTickAtSqrtRatio(TickMath.getSqrtRatioAtTick(tick)), tick);
    }

    function testFuzz_AC6_tickBracketsPrice(uint160 sqrtPriceX96) public pure {
        sqrtPriceX96 = uint160(bound(sqrtPriceX96, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO - 1));
        int24 tick = TickMath.getTickAtSqrtRatio(sqrtPriceX96);
        assertLe(TickMath.getSqrtRatioAtTick(tick), sqrtPriceX96);
        assertGt(TickMath.getSqrtRatioAtTick(tick + 1), sqrtPriceX96);
    }

    function testFuzz_AC6_sqrtRatioIsStrictlyIncreasing(int24 a, int24 b) public pure {
        a = int24(bound(a, MIN_TICK, MAX_TICK));
        b = int24(bound(b, MIN_TICK, MAX_TICK));
        vm.assume(a < b);
        assertLt(TickMath.getSqrtRatioAtTick(a), TickMath.getSqrtRatioAtTick(b));
    }

    function testFuzz_AC6_meanTickRoundsTowardNegativeInfinity(int56 start, int256 delta, uint32 window) public pure {
        window = uint32(bound(window, 1, 7 days));
        // a cumulative grows by at most |MAX_TICK| per second
        delta = bound(delta, int256(MIN_TICK) * int256(uint256(window)), int256(MAX_TICK) * int256(uint256(window)));
        start = int56(bound(start, type(int56).min / 2, type(int56).max / 2));
        int56 end = start + int56(delta);
        int24 tick = UniswapTwap.meanTick(start, end, window);
        int256 diff = int256(end) - int256(start);
        // tick * window <= diff < (tick + 1) * window
        assertLe(int256(tick) * int256(uint256(window)), diff);
        assertGt((int256(tick) + 1) * int256(uint256(window)), diff);
    }

    /// @dev NOYA M-60: amounts were truncated to uint128; ours are full uint256.
    function testFuzz_AC6_quoteDoesNotTruncateLargeAmounts(uint256 amount) public pure {
        amount = bound(amount, uint256(type(uint128).max) + 1, type(uint200).max);
        assertEq(UniswapTwap.quoteAtTick(0, amount, true), amount);
        assertEq(UniswapTwap.quoteAtTick(0, amount, false), amount);
    }

    function testFuzz_AC6_quoteInverseIsConsistent(int24 tick, uint128 amount) public pure {
        tick = int24(bound(tick, -200_000, 200_000));
        amount = uint128(bound(amount, 1e6, type(uint128).max));
        uint256 there = UniswapTwap.quoteAtTick(tick, amount, true);
        vm.assume(there > 1e6);
        uint256 back = UniswapTwap.quoteAtTick(tick, there, false);
        // The proven bound (UniswapTwap.quoteAtTick): amount - ceil(1 / r) <= back <= amount, where
        // floor(1 / r) = quoteAtTick(tick, 1, false), so ceil(1 / r) <= that + 1.
        assertLe(back, amount);
        assertLe(amount - back, UniswapTwap.quoteAtTick(tick, 1, false) + 1);
        // which is a relative error below 1 / amount + 1 / there (both under 1e-6 here): 2e-6 overall
        assertApproxEqRel(back, amount, 2e12);
    }

    /// @notice The deep campaign's counterexample: two units lost at tick -2687, inside the proven bound
    ///         of ceil(1 / r) = 2 units, though above the 1e-6 relative tolerance the test used to assume.
    function test_regression_quoteInverse_tickMinus2687() public pure {
        uint256 there = UniswapTwap.quoteAtTick(-2687, 1_397_012, true);
        uint256 back = UniswapTwap.quoteAtTick(-2687, there, false);
        assertEq(back, 1_397_010);
        assertEq(UniswapTwap.quoteAtTick(-2687, 1, false) + 1, 2);
        testFuzz_AC6_quoteInverseIsConsistent(-2687, 1_397_012);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TickMath} from "../oracle/lib/TickMath.sol";
import {UniswapTwap} from "../oracle/lib/UniswapTwap.sol";

/// @title TwapMathHarness
/// @notice Test double exposing our TickMath port and TWAP helpers so tests can compare them with
///         recorded mainnet pool data and with the live pool.
contract TwapMathHarness {
    function getSqrtRatioAtTick(int24 tick) external pure returns (uint160) {
        return TickMath.getSqrtRatioAtTick(tick);
    }

    function getTickAtSqrtRatio(uint160 sqrtPriceX96) external pure returns (int24) {
        return TickMath.getTickAtSqrtRatio(sqrtPriceX96);
    }

    function meanTick(int56 start, int56 end, uint32 window) external pure returns (int24) {
        return UniswapTwap.meanTick(start, end, window);
    }

    function quoteAtTick(int24 tick, uint256 baseAmount, bool baseIsToken0) external pure returns (uint256) {
        return UniswapTwap.quoteAtTick(tick, baseAmount, baseIsToken0);
    }
}

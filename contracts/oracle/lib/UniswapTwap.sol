// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {TickMath} from "./TickMath.sol";

/// @notice The two Uniswap v3 pool views the TWAP needs.
interface IUniswapV3PoolOracle {
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);

    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );

    function token0() external view returns (address);

    function token1() external view returns (address);
}

/// @title UniswapTwap
/// @notice Time-weighted average tick of a Uniswap v3 pool and exact price quotes at a tick.
/// @dev Same rounding as v3-periphery's OracleLibrary.consult / getQuoteAtTick, but the amount is a
///      full uint256 (OracleLibrary takes a uint128 and callers truncated into it, NOYA M-60) and the
///      512-bit products go through OpenZeppelin's Math.mulDiv.
library UniswapTwap {
    uint256 private constant Q192 = 1 << 192;
    uint256 private constant Q128 = 1 << 128;

    /// @notice Arithmetic mean tick over the last `window` seconds, rounded toward negative infinity.
    /// @param tickCumulativeStart tickCumulative `window` seconds ago (observe()[0])
    /// @param tickCumulativeEnd tickCumulative now (observe()[1])
    function meanTick(int56 tickCumulativeStart, int56 tickCumulativeEnd, uint32 window)
        internal
        pure
        returns (int24 tick)
    {
        int56 delta = tickCumulativeEnd - tickCumulativeStart;
        int56 span = int56(uint56(window));
        tick = int24(delta / span);
        if (delta < 0 && (delta % span != 0)) tick--;
    }

    /// @notice `baseAmount` of `baseToken` expressed in the pool's other token at `tick`, rounded down.
    /// @dev Both directions use the same rational price r (ratioX192 / 2^192, or ratioX128 / 2^128 above
    ///      2^128), so a round trip a -> q = floor(a * r) -> b = floor(q / r) is bounded exactly:
    ///      q > a * r - 1, hence b > q / r - 1 > a - 1 / r - 1, and q <= a * r gives b <= a. So
    ///      `a - ceil(1 / r) <= b <= a`: the loss is at most ceil(1 / r) units of the base token, a relative
    ///      error below 1 / a + 1 / q. It is not bounded by a fixed relative tolerance: at tick -2687
    ///      (r ~ 0.764, ceil(1 / r) = 2) the amount 1 397 012 comes back as 1 397 010 (1.43e-6).
    /// @param baseIsToken0 whether the amount is of token0 (then the result is in token1), or of token1
    function quoteAtTick(int24 tick, uint256 baseAmount, bool baseIsToken0) internal pure returns (uint256 quote) {
        uint160 sqrtRatioX96 = TickMath.getSqrtRatioAtTick(tick);
        if (sqrtRatioX96 <= type(uint128).max) {
            uint256 ratioX192 = uint256(sqrtRatioX96) * sqrtRatioX96;
            quote = baseIsToken0 ? Math.mulDiv(ratioX192, baseAmount, Q192) : Math.mulDiv(Q192, baseAmount, ratioX192);
        } else {
            uint256 ratioX128 = Math.mulDiv(sqrtRatioX96, sqrtRatioX96, 1 << 64);
            quote = baseIsToken0 ? Math.mulDiv(ratioX128, baseAmount, Q128) : Math.mulDiv(Q128, baseAmount, ratioX128);
        }
    }
}

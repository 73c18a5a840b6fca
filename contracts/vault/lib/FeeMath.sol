// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SharesMath} from "./SharesMath.sol";

/// @title FeeMath
/// @notice Pure fee arithmetic: management fee on NAV over time and performance fee on price gains above
///         a high-water mark. Every result rounds against the fee receiver (down), so fees never take more
///         than their rate. Prices and fee shares come from SharesMath (virtual offset included).
library FeeMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;
    /// @notice Hard ceiling on the management fee: 5% a year.
    uint256 internal constant MAX_MANAGEMENT_FEE_BPS = 500;
    /// @notice Hard ceiling on the performance fee: 30% of gains above the high-water mark.
    uint256 internal constant MAX_PERFORMANCE_FEE_BPS = 3_000;

    /// @notice Management fee in assets for `elapsed` seconds on `nav`.
    function managementFee(uint256 nav, uint256 feeBps, uint256 elapsed) internal pure returns (uint256) {
        return Math.mulDiv(nav, feeBps * elapsed, BPS * YEAR);
    }

    /// @notice Performance fee in assets: `feeBps` of the gain of the price above `highWaterMark`, at NAV
    ///         `nav` and supply `supply`.
    function performanceFee(
        uint256 nav,
        uint256 supply,
        uint256 highWaterMark,
        uint256 feeBps
    ) internal pure returns (uint256) {
        uint256 current = SharesMath.price(nav, supply);
        if (current <= highWaterMark) return 0;
        uint256 gain = Math.mulDiv(current - highWaterMark, supply + SharesMath.VIRTUAL_SHARES, SharesMath.PRICE_SCALE);
        return Math.mulDiv(gain, feeBps, BPS);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FeeMath
/// @notice Pure fee arithmetic: management fee on NAV over time, performance fee on price gains above
///         a high-water mark, and the shares that carry a fee. Every result rounds against the fee
///         receiver (down), so fees never take more than their rate.
library FeeMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;
    /// @notice Hard ceiling on the management fee: 5% a year.
    uint256 internal constant MAX_MANAGEMENT_FEE_BPS = 500;
    /// @notice Hard ceiling on the performance fee: 30% of gains above the high-water mark.
    uint256 internal constant MAX_PERFORMANCE_FEE_BPS = 3_000;
    /// @notice Fixed-point scale of prices per share (assets per share unit).
    uint256 internal constant PRICE_SCALE = 1e27;

    /// @notice Price of one share unit, scaled by PRICE_SCALE, from virtual-adjusted NAV and supply.
    function price(uint256 navVirtual, uint256 supplyVirtual) internal pure returns (uint256) {
        return Math.mulDiv(navVirtual, PRICE_SCALE, supplyVirtual);
    }

    /// @notice Management fee in assets for `elapsed` seconds on `nav`.
    function managementFee(uint256 nav, uint256 feeBps, uint256 elapsed) internal pure returns (uint256) {
        return Math.mulDiv(nav, feeBps * elapsed, BPS * YEAR);
    }

    /// @notice Performance fee in assets: `feeBps` of the gain of the price above `highWaterMark`.
    function performanceFee(
        uint256 navVirtual,
        uint256 supplyVirtual,
        uint256 highWaterMark,
        uint256 feeBps
    ) internal pure returns (uint256) {
        uint256 current = price(navVirtual, supplyVirtual);
        if (current <= highWaterMark) return 0;
        uint256 gain = Math.mulDiv(current - highWaterMark, supplyVirtual, PRICE_SCALE);
        return Math.mulDiv(gain, feeBps, BPS);
    }

    /// @notice Shares to mint so that their holder owns `feeAssets` of the NAV after minting.
    /// @dev Solves s / (supply + s) = fee / nav for s, rounded down. `feeAssets` must be below `navVirtual`.
    function feeShares(uint256 feeAssets, uint256 navVirtual, uint256 supplyVirtual) internal pure returns (uint256) {
        return Math.mulDiv(feeAssets, supplyVirtual, navVirtual - feeAssets);
    }
}

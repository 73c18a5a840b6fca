// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title EpochMath
/// @notice Conversions between assets and shares at a settlement's price, and the pro-rata split a
///         user's request gets of its epoch's aggregate. All results round in the vault's favour: what
///         the vault pays out rounds down, what it takes in rounds up.
library EpochMath {
    /// @notice Shares minted for `assets` deposited at NAV `navVirtual` and supply `supplyVirtual`.
    function sharesForDeposit(
        uint256 assets,
        uint256 navVirtual,
        uint256 supplyVirtual
    ) internal pure returns (uint256) {
        return Math.mulDiv(assets, supplyVirtual, navVirtual);
    }

    /// @notice Assets paid for `shares` redeemed at NAV `navVirtual` and supply `supplyVirtual`.
    function assetsForRedeem(
        uint256 shares,
        uint256 navVirtual,
        uint256 supplyVirtual
    ) internal pure returns (uint256) {
        return Math.mulDiv(shares, navVirtual, supplyVirtual);
    }

    /// @notice A request's share of its epoch's output: `part` of `totalIn` turned into `totalOut`,
    ///         rounded down so the sum over all requests never exceeds `totalOut`.
    function proRata(uint256 part, uint256 totalOut, uint256 totalIn) internal pure returns (uint256) {
        return Math.mulDiv(part, totalOut, totalIn);
    }

    /// @notice Same as `proRata` rounded up: what a claimant must give up for an exact output.
    function proRataUp(uint256 part, uint256 totalOut, uint256 totalIn) internal pure returns (uint256) {
        return Math.mulDiv(part, totalOut, totalIn, Math.Rounding.Ceil);
    }
}

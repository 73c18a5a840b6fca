// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title EpochMath
/// @notice The pro-rata split a controller's request gets of its epoch's aggregate. Conversions between
///         assets and shares live in SharesMath; this library only divides a settled aggregate.
library EpochMath {
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

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SharesMath} from "./SharesMath.sol";

/// @title GuardrailMath
/// @notice The price band a settlement must stay inside. Between settlements the share supply does
///         not change, so comparing NAVs compares prices per share. The band is a fixed tolerance plus
///         an annualised rate times the time since the last accepted NAV, separately up and down.
library GuardrailMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;

    struct Guardrails {
        /// @dev Move always allowed, whatever the elapsed time (rounding, small fees).
        uint32 toleranceBps;
        /// @dev Allowed annualised rise of the price per share.
        uint32 maxIncreaseBpsPerYear;
        /// @dev Allowed annualised fall of the price per share.
        uint32 maxDecreaseBpsPerYear;
        /// @dev Seconds after the first pending request from which anyone may settle (at the live NAV,
        ///      inside the band), so a dead keeper cannot strand requests.
        uint64 settlementDeadline;
    }

    /// @notice Whether moving from `lastNav` to `nav` over `elapsed` seconds stays inside the band.
    function withinBand(uint256 lastNav, uint256 nav, uint256 elapsed, Guardrails memory band) internal pure returns (bool) {
        uint256 lastVirtual = lastNav + SharesMath.VIRTUAL_ASSETS;
        uint256 navVirtual = nav + SharesMath.VIRTUAL_ASSETS;
        if (navVirtual >= lastVirtual) {
            uint256 upBps = band.toleranceBps + Math.mulDiv(band.maxIncreaseBpsPerYear, elapsed, YEAR);
            return navVirtual * BPS <= lastVirtual * (BPS + upBps);
        }
        uint256 downBps = band.toleranceBps + Math.mulDiv(band.maxDecreaseBpsPerYear, elapsed, YEAR);
        if (downBps >= BPS) return true;
        return navVirtual * BPS >= lastVirtual * (BPS - downBps);
    }
}

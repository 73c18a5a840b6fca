// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title OutcomeMath
/// @notice Valuation and exposure of one vault's holdings in one Conditional Tokens condition, in units of
///         the condition's collateral. `balances[i]` is the holding of outcome i (index set `1 << i`).
/// @dev With `s = min(balances)` full sets and `e = max(balances) - s` unpaired tokens on the largest leg:
///      - every resolution pays between `s` and `s + e` (payouts sum to one unit per full set);
///      - `markedValue` with marks summing to at most one unit lies in the same range;
///      so the value can move by at most `e` when the condition resolves (`exposure`).
library OutcomeMath {
    /// @notice One unit of collateral per token, the scale of marks.
    uint256 internal constant WAD = 1e18;

    /// @notice Full sets held: the smallest leg, redeemable at par at any time by merging.
    function fullSets(uint256[] memory balances) internal pure returns (uint256 sets) {
        uint256 length = balances.length;
        if (length == 0) return 0;
        sets = balances[0];
        for (uint256 i = 1; i < length; ++i) {
            if (balances[i] < sets) sets = balances[i];
        }
    }

    /// @notice Largest amount the value can move at resolution: max(balances) - min(balances).
    function exposure(uint256[] memory balances) internal pure returns (uint256) {
        uint256 length = balances.length;
        if (length == 0) return 0;
        uint256 low = balances[0];
        uint256 high = low;
        for (uint256 i = 1; i < length; ++i) {
            uint256 b = balances[i];
            if (b < low) low = b;
            if (b > high) high = b;
        }
        return high - low;
    }

    /// @notice What `redeemPositions` pays for `balances`, rounded exactly as the Conditional Tokens round
    ///         (down, per outcome).
    function resolvedValue(uint256[] memory balances, uint256[] memory numerators, uint256 denominator)
        internal
        pure
        returns (uint256 value)
    {
        uint256 length = balances.length;
        for (uint256 i; i < length; ++i) {
            if (balances[i] != 0 && numerators[i] != 0) value += (balances[i] * numerators[i]) / denominator;
        }
    }

    /// @notice Unresolved value: `sets` full sets at par plus each leg's unpaired tokens at its mark (WAD =
    ///         one unit), rounded down. Marks are uint64 (1e18 fits), packed four to a storage
    ///         slot by the connector.
    /// @param sets `fullSets(balances)`
    /// @param marks per-outcome marks; callers guarantee sum(marks) <= WAD, which keeps the result within
    ///        [sets, sets + exposure]
    function markedValue(uint256[] memory balances, uint256 sets, uint64[] memory marks)
        internal
        pure
        returns (uint256 value)
    {
        value = sets;
        uint256 length = balances.length;
        for (uint256 i; i < length; ++i) {
            uint256 unpaired = balances[i] - sets;
            if (unpaired != 0) value += (unpaired * marks[i]) / WAD;
        }
    }

    /// @notice Whether `amount` is at most `capBps` of `nav` (basis points).
    function withinCap(uint256 amount, uint256 nav, uint256 capBps) internal pure returns (bool) {
        return amount * 10_000 <= nav * capBps;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IValueOracle
/// @notice Prices registered tokens in one base asset (e.g. USDC), from Chainlink feeds and Uniswap v3
///         TWAPs, with per-source sanity checks and a primary/secondary deviation bound.
interface IValueOracle {
    /// @notice The asset every value is expressed in.
    function baseAsset() external view returns (address);

    /// @notice Value of `amount` of `token` in base-asset units. Reverts with a named error when no
    ///         trustworthy price exists (stale, out of bounds, sources disagree, unknown token).
    function valueOf(address token, uint256 amount) external view returns (uint256 value);

    /// @notice Like `valueOf`, and whether the token's secondary route confirmed the price. False when the
    ///         secondary could not be read and the primary alone priced it (a healthy primary is never lost
    ///         to an unavailable secondary); callers tighten their limits on it.
    function valueOfChecked(address token, uint256 amount) external view returns (uint256 value, bool crossChecked);

    /// @notice Like `valueOf` but never reverts: `ok = false` and the error selector explain why.
    function tryValueOf(address token, uint256 amount) external view returns (bool ok, uint256 value, bytes4 reason);
}

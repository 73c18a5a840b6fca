// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ITwapOracle
/// @notice The Uniswap v3 TWAP a value oracle exposes for pools governance configured, so that liquidity
///         positions are valued at the same manipulation-resistant price the oracle itself uses.
interface ITwapOracle {
    /// @notice The pool's arithmetic-mean tick over its configured window, after the cardinality check.
    ///         Reverts with a named error when the pool is not configured or the window is not observable.
    function twapTick(address pool) external view returns (int24 tick);
}

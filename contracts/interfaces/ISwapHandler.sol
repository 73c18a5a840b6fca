// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ISwapHandler
/// @notice Executes validated same-chain LiFi Diamond swaps for the connectors of one registry.
interface ISwapHandler {
    /// @notice Swaps for the calling connector: decodes and checks `lifiCalldata` (selector, receiver =
    ///         caller, tokens allowed for the caller, amount, oracle-bounded minimum out), pulls exactly
    ///         the input amount from the caller, executes, and checks the caller's balance delta.
    /// @return amountOut The amount of the receiving asset the caller actually received.
    function swap(bytes calldata lifiCalldata) external returns (uint256 amountOut);
}

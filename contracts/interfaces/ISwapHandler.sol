// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ISwapHandler
/// @notice Validates same-chain LI.FI Diamond swaps for the connectors of one registry. The handler moves
///         nothing: a connector asks it to check the calldata, then calls the Diamond itself with exactly those
///         bytes under an exact approval and checks the result (`SwapExecution.run`, used by BaseConnector).
interface ISwapHandler {
    /// @notice What a validated swap may do: the Diamond to call, the output token and its checked minimum.
    struct SwapPlan {
        address diamond;
        address receivingAsset;
        uint256 minAmountOut;
        /// @dev The oracle slippage bound the minimum was checked against, in bps.
        uint256 slippageBps;
        /// @dev False when an oracle price of the swap was not confirmed by its secondary route; the
        ///      bound was then tightened.
        bool crossChecked;
    }

    /// @notice The swap ran under a tightened oracle slippage bound (`slippageBps`) because one of its prices
    ///         was not cross-checked by a secondary route. Emitted by the connector.
    event SwapLimitTightened(address indexed connector, uint256 slippageBps);

    /// @notice Checks `lifiCalldata` for the calling connector spending exactly `amountIn` of `tokenIn`:
    ///         selector, canonical encoding, receiver = caller, tokens allowed for the caller, the input
    ///         equal to (`tokenIn`, `amountIn`), DEX calls on the allowlist, and a minimum out worth at least
    ///         the oracle value of the input less the slippage bound. Reverts with a named error otherwise.
    /// @return plan What the connector may then execute, and must verify afterwards.
    function checkSwap(
        address tokenIn,
        uint256 amountIn,
        bytes calldata lifiCalldata
    ) external view returns (SwapPlan memory plan);
}

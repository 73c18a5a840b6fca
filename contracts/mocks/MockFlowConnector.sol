// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @title MockFlowConnector
/// @notice Test double of a connector action that moves several tokens at once, with the `(token, amount,
///         ...)` parameter convention: `flow` burns or mints any amount of each of its tokens, whatever its
///         head says, so gate tests can check that a mandate sees every token an action moves. It reports
///         the tokens it tracks like BaseConnector's `trackedTokens` (all of them, plus what `track` adds).
contract MockFlowConnector {
    /// @notice The vault this connector reports (read by Registry.addConnector).
    address public immutable vault;
    MockERC20[] private _tokens;
    address[] private _tracked;

    constructor(address vault_, MockERC20[] memory tokens_) {
        vault = vault_;
        _tokens = tokens_;
        for (uint256 i; i < tokens_.length; ++i) _tracked.push(address(tokens_[i]));
    }

    /// @notice Tokens counted in this connector's value.
    function trackedTokens() external view returns (address[] memory) {
        return _tracked;
    }

    /// @notice One action headed `(token, amount)` that changes the balance of token i by `deltas[i]`.
    function flow(address, uint256, int256[] calldata deltas) external {
        for (uint256 i; i < deltas.length; ++i) {
            if (deltas[i] < 0) _tokens[i].burn(address(this), uint256(-deltas[i]));
            else if (deltas[i] > 0) _tokens[i].mint(address(this), uint256(deltas[i]));
        }
    }

    /// @notice One action headed `(token, amount)` that starts tracking `newToken` (a token whose balance
    ///         before the action the gate could not have read).
    function track(address, uint256, address newToken) external {
        _tracked.push(newToken);
    }
}

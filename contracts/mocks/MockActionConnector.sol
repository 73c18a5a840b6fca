// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockPricedVault} from "./MockPricedVault.sol";

/// @title MockActionConnector
/// @notice Test double of a connector action with the `(token, amount, ...)` parameter convention: each
///         call records itself and lowers the vault's total assets by `assetsLost`, so mandate tests can
///         make an action lose exactly what they need.
contract MockActionConnector {
    /// @notice The vault this connector reports (read by Registry.addConnector).
    address public immutable vault;
    uint256 public actions;

    event Acted(address indexed caller, address token, uint256 amount, uint256 assetsLost);

    constructor(address vault_) {
        vault = vault_;
    }

    /// @notice One action moving `amount` of `token` that costs the vault `assetsLost`.
    function act(address token, uint256 amount, uint256 assetsLost) external {
        actions += 1;
        MockPricedVault priced = MockPricedVault(vault);
        priced.setTotalAssets(priced.totalAssets() - assetsLost);
        emit Acted(msg.sender, token, amount, assetsLost);
    }
}

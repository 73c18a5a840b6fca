// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MockPricedVault
/// @notice Test double of the AccountingManager's read side the keeper gate uses (`decimals`, `totalAssets`,
///         `convertToAssets`), with total assets that tests (and MockActionConnector) can move by hand.
contract MockPricedVault {
    uint8 public immutable decimals;
    uint256 public totalAssets;
    uint256 public totalSupply;

    constructor(uint8 decimals_, uint256 totalAssets_, uint256 totalSupply_) {
        decimals = decimals_;
        totalAssets = totalAssets_;
        totalSupply = totalSupply_;
    }

    /// @notice Assets `shares` are worth at the current total assets.
    function convertToAssets(uint256 shares) external view returns (uint256) {
        return (shares * totalAssets) / totalSupply;
    }

    /// @notice Sets total assets (a gain or a loss outside any keeper action).
    function setTotalAssets(uint256 totalAssets_) external {
        totalAssets = totalAssets_;
    }
}

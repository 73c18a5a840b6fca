// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IConnector
/// @notice A connector holds one vault's positions in one external protocol and reports their value
///         in the vault's base asset. Only the vault's keeper gate may move its funds, and only to the
///         vault, another connector of the same vault, or the vault's swap handler.
interface IConnector {
    /// @notice The AccountingManager (vault) this connector belongs to; fixed at construction.
    function vault() external view returns (address);

    /// @notice Value of everything the connector holds, net of debt, in base-asset units.
    /// @dev MUST NOT revert. A position that cannot be valued or is under water reports
    ///      `healthy = false` and contributes what it can prove (at least 0), never a revert.
    function totalValue() external view returns (uint256 value, bool healthy);

    /// @notice Sends `amount` of the base asset back to the vault (to fund redemptions or rebalance).
    function sendToVault(uint256 amount) external;

    /// @notice Sends `amount` of `token` to another enabled connector of the same vault.
    function sendToConnector(address to, address token, uint256 amount) external;
}

/// @title IConnectorTokens
/// @notice The wallet tokens a connector counts in its value (BaseConnector); the keeper gate reads them
///         around a mandate action to see every token the action moved.
interface IConnectorTokens {
    /// @notice Tokens whose wallet balance counts in `totalValue`, the base asset first.
    function trackedTokens() external view returns (address[] memory);
}

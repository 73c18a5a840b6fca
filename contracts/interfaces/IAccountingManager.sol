// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAccountingManager
/// @notice The vault functions other product contracts (keeper gate, connectors) call.
interface IAccountingManager {
    /// @notice Keeper gate only: sends `amount` of idle base asset to an enabled connector of this vault.
    function transferToConnector(address connector, uint256 amount) external;

    /// @notice Called by a connector of this vault (from its `sendToVault`) to return `amount` of the
    ///         base asset: the vault pulls exactly `amount` (the connector approves exactly that first)
    ///         and books it as idle. Plain transfers are not booked (they would be donations).
    function receiveFromConnector(uint256 amount) external;

    /// @notice Settles the open epoch: keeper gate at the live guarded NAV, or anyone once the
    ///         settlement deadline passed, at the last accepted NAV.
    /// @return settled False when the guardrail refused the NAV (the vault is then paused).
    function settle() external returns (bool settled);

    /// @notice Last NAV accepted by a settlement, in base-asset units.
    function lastTotalAssets() external view returns (uint256);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRegistry
/// @notice The single source of truth for every vault: its base asset, oracle, swap handler, keeper gate,
///         guardian, connectors (enabled flag and cap), the tokens each connector may hold, and the
///         (target, selector) pairs its keeper gate may call. Owned by governance (a TimelockController).
interface IRegistry {
    struct VaultConfig {
        address asset;
        address valueOracle;
        address swapHandler;
        address keeperGate;
        address guardian;
        bool registered;
    }

    struct ConnectorConfig {
        address vault;
        bool enabled;
        /// @dev Maximum value the connector may hold, in base-asset units.
        uint256 cap;
    }

    /// @notice Governance: the timelock that owns the registry and every risk-increasing setting.
    function governance() external view returns (address);

    function vaultConfig(address vault) external view returns (VaultConfig memory);

    function connectorConfig(address connector) external view returns (ConnectorConfig memory);

    /// @notice Every connector ever added to `vault`, enabled or not (disabled ones still count in NAV).
    function connectorsOf(address vault) external view returns (address[] memory);

    function isConnectorToken(address connector, address token) external view returns (bool);

    function isAllowedCall(address vault, address target, bytes4 selector) external view returns (bool);

    function keeperGateOf(address vault) external view returns (address);

    function guardianOf(address vault) external view returns (address);

    function valueOracleOf(address vault) external view returns (address);

    function swapHandlerOf(address vault) external view returns (address);
}

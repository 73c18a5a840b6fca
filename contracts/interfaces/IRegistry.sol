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

    /// @notice What a swap handler needs to know about a calling connector, read in one call.
    struct SwapContext {
        /// @dev Zero when the connector is unknown.
        address vault;
        address swapHandler;
        address valueOracle;
        bool sendingAllowed;
        bool receivingAllowed;
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

    /// @notice The connector's vault, that vault's swap handler and value oracle, and whether the connector
    ///         may hold `sending` and `receiving` (`isConnectorToken`), in one call for the swap handler.
    function swapContext(
        address connector,
        address sending,
        address receiving
    ) external view returns (SwapContext memory context);
}

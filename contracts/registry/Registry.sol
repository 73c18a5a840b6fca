// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IConnector} from "../interfaces/IConnector.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";

/// @title Registry
/// @notice Per-vault configuration. Risk-increasing changes (new vault, new connector, higher cap, new
///         token, new allowed call, new oracle/handler/gate/guardian) are governance-only; governance is the
///         owner, a TimelockController. Risk-reducing changes (disable a connector, lower a cap, forbid a
///         token or a call) can also be made at once by the vault's guardian.
/// @dev Vaults are isolated: every lookup is keyed by the vault, and a connector belongs to exactly one
///      vault, the one it reports through `IConnector.vault()`.
contract Registry is IRegistry, Ownable2Step {
    /// @notice Upper bound on connectors per vault, so NAV computation has a bounded gas cost.
    uint256 public constant MAX_CONNECTORS_PER_VAULT = 16;

    mapping(address vault => VaultConfig) private _vaults;
    mapping(address connector => ConnectorConfig) private _connectors;
    mapping(address vault => address[]) private _connectorList;
    mapping(address connector => mapping(address token => bool)) private _connectorTokens;
    mapping(address vault => mapping(address target => mapping(bytes4 selector => bool))) private _allowedCalls;

    error ZeroAddress();
    error VaultAlreadyRegistered(address vault);
    error UnknownVault(address vault);
    error UnknownConnector(address connector);
    error ConnectorAlreadyAdded(address connector);
    error ConnectorVaultMismatch(address connector, address expectedVault, address reportedVault);
    error TooManyConnectors(address vault);
    error NotGuardianOrGovernance(address caller);
    error CapIncreaseNeedsGovernance(uint256 currentCap, uint256 requestedCap);

    event VaultRegistered(address indexed vault, VaultConfig config);
    event ValueOracleSet(address indexed vault, address valueOracle);
    event SwapHandlerSet(address indexed vault, address swapHandler);
    event KeeperGateSet(address indexed vault, address keeperGate);
    event GuardianSet(address indexed vault, address guardian);
    event ConnectorAdded(address indexed vault, address indexed connector, uint256 cap);
    event ConnectorEnabled(address indexed vault, address indexed connector, bool enabled);
    event ConnectorCapSet(address indexed vault, address indexed connector, uint256 cap);
    event ConnectorTokenSet(address indexed vault, address indexed connector, address indexed token, bool allowed);
    event AllowedCallSet(address indexed vault, address indexed target, bytes4 indexed selector, bool allowed);

    /// @param governance_ The TimelockController that owns the registry.
    constructor(address governance_) Ownable(governance_) {}

    modifier knownVault(address vault) {
        if (!_vaults[vault].registered) revert UnknownVault(vault);
        _;
    }

    // ---------------------------------------------------------------- governance (risk-increasing)

    /// @notice Registers a vault with its initial configuration.
    function registerVault(address vault, VaultConfig calldata config) external onlyOwner {
        if (vault == address(0) || config.asset == address(0)) revert ZeroAddress();
        if (_vaults[vault].registered) revert VaultAlreadyRegistered(vault);
        VaultConfig memory stored = config;
        stored.registered = true;
        _vaults[vault] = stored;
        emit VaultRegistered(vault, stored);
    }

    /// @notice Sets the oracle that values the vault's tokens.
    function setValueOracle(address vault, address valueOracle) external onlyOwner knownVault(vault) {
        _vaults[vault].valueOracle = valueOracle;
        emit ValueOracleSet(vault, valueOracle);
    }

    /// @notice Sets the swap handler the vault's connectors may swap through.
    function setSwapHandler(address vault, address swapHandler) external onlyOwner knownVault(vault) {
        _vaults[vault].swapHandler = swapHandler;
        emit SwapHandlerSet(vault, swapHandler);
    }

    /// @notice Sets the k-of-n keeper gate, the only account that may move the vault's funds.
    function setKeeperGate(address vault, address keeperGate) external onlyOwner knownVault(vault) {
        _vaults[vault].keeperGate = keeperGate;
        emit KeeperGateSet(vault, keeperGate);
    }

    /// @notice Sets the guardian, who may only de-risk the vault.
    function setGuardian(address vault, address guardian) external onlyOwner knownVault(vault) {
        _vaults[vault].guardian = guardian;
        emit GuardianSet(vault, guardian);
    }

    /// @notice Adds an enabled connector with a value cap. The connector must report `vault` as its vault.
    function addConnector(address vault, address connector, uint256 cap) external onlyOwner knownVault(vault) {
        if (connector == address(0)) revert ZeroAddress();
        if (_connectors[connector].vault != address(0)) revert ConnectorAlreadyAdded(connector);
        address reported = IConnector(connector).vault();
        if (reported != vault) revert ConnectorVaultMismatch(connector, vault, reported);
        if (_connectorList[vault].length >= MAX_CONNECTORS_PER_VAULT) revert TooManyConnectors(vault);
        _connectors[connector] = ConnectorConfig({vault: vault, enabled: true, cap: cap});
        _connectorList[vault].push(connector);
        emit ConnectorAdded(vault, connector, cap);
    }

    /// @notice Re-enables a disabled connector.
    function enableConnector(address connector) external onlyOwner {
        address vault = _vaultOfConnector(connector);
        _connectors[connector].enabled = true;
        emit ConnectorEnabled(vault, connector, true);
    }

    // ------------------------------------------------- guardian or governance (risk-reducing)

    /// @notice Disables a connector: no new funds may enter it; its value still counts in NAV and
    ///         the keeper gate can still unwind it.
    function disableConnector(address connector) external {
        address vault = _vaultOfConnector(connector);
        _checkGuardianOrGovernance(vault);
        _connectors[connector].enabled = false;
        emit ConnectorEnabled(vault, connector, false);
    }

    /// @notice Sets a connector's cap. Raising it is governance-only; lowering it is also open to the guardian.
    function setConnectorCap(address connector, uint256 cap) external {
        address vault = _vaultOfConnector(connector);
        uint256 current = _connectors[connector].cap;
        if (msg.sender != owner()) {
            if (msg.sender != _vaults[vault].guardian) revert NotGuardianOrGovernance(msg.sender);
            if (cap > current) revert CapIncreaseNeedsGovernance(current, cap);
        }
        _connectors[connector].cap = cap;
        emit ConnectorCapSet(vault, connector, cap);
    }

    /// @notice Allows (governance) or forbids (guardian or governance) `token` in `connector`.
    function setConnectorToken(address connector, address token, bool allowed) external {
        address vault = _vaultOfConnector(connector);
        if (allowed) _checkOwner();
        else _checkGuardianOrGovernance(vault);
        _connectorTokens[connector][token] = allowed;
        emit ConnectorTokenSet(vault, connector, token, allowed);
    }

    /// @notice Allows (governance) or forbids (guardian or governance) the keeper gate of `vault` to call
    ///         `selector` on `target`.
    function setAllowedCall(address vault, address target, bytes4 selector, bool allowed) external knownVault(vault) {
        if (allowed) _checkOwner();
        else _checkGuardianOrGovernance(vault);
        _allowedCalls[vault][target][selector] = allowed;
        emit AllowedCallSet(vault, target, selector, allowed);
    }

    // ----------------------------------------------------------------------------- views

    /// @inheritdoc IRegistry
    function governance() external view returns (address) {
        return owner();
    }

    /// @inheritdoc IRegistry
    function vaultConfig(address vault) external view returns (VaultConfig memory) {
        return _vaults[vault];
    }

    /// @inheritdoc IRegistry
    function connectorConfig(address connector) external view returns (ConnectorConfig memory) {
        return _connectors[connector];
    }

    /// @inheritdoc IRegistry
    function connectorsOf(address vault) external view returns (address[] memory) {
        return _connectorList[vault];
    }

    /// @inheritdoc IRegistry
    function isConnectorToken(address connector, address token) external view returns (bool) {
        return _connectorTokens[connector][token];
    }

    /// @inheritdoc IRegistry
    function isAllowedCall(address vault, address target, bytes4 selector) external view returns (bool) {
        return _allowedCalls[vault][target][selector];
    }

    /// @inheritdoc IRegistry
    function keeperGateOf(address vault) external view returns (address) {
        return _vaults[vault].keeperGate;
    }

    /// @inheritdoc IRegistry
    function guardianOf(address vault) external view returns (address) {
        return _vaults[vault].guardian;
    }

    /// @inheritdoc IRegistry
    function valueOracleOf(address vault) external view returns (address) {
        return _vaults[vault].valueOracle;
    }

    /// @inheritdoc IRegistry
    function swapHandlerOf(address vault) external view returns (address) {
        return _vaults[vault].swapHandler;
    }

    /// @inheritdoc IRegistry
    function swapContext(
        address connector,
        address sending,
        address receiving
    ) external view returns (SwapContext memory context) {
        address vault = _connectors[connector].vault;
        if (vault == address(0)) return context;
        VaultConfig storage config = _vaults[vault];
        mapping(address token => bool) storage tokens = _connectorTokens[connector];
        context = SwapContext({
            vault: vault,
            swapHandler: config.swapHandler,
            valueOracle: config.valueOracle,
            sendingAllowed: tokens[sending],
            receivingAllowed: tokens[receiving]
        });
    }

    // -------------------------------------------------------------------------- internals

    function _vaultOfConnector(address connector) private view returns (address vault) {
        vault = _connectors[connector].vault;
        if (vault == address(0)) revert UnknownConnector(connector);
    }

    function _checkGuardianOrGovernance(address vault) private view {
        if (msg.sender != owner() && msg.sender != _vaults[vault].guardian) revert NotGuardianOrGovernance(msg.sender);
    }
}

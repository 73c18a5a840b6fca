// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRegistry} from "../interfaces/IRegistry.sol";

/// @title RegistryAccess
/// @notice Role checks every product contract shares, all resolved through the Registry so a role is
///         defined in exactly one place: governance (the registry's timelock owner), a vault's keeper gate
///         and a vault's guardian.
abstract contract RegistryAccess {
    /// @notice The registry holding every role.
    IRegistry public immutable registry;

    error NotGovernance(address caller);
    error NotKeeperGate(address caller);
    error NotGuardianOrGovernance(address caller);
    error ZeroRegistry();

    constructor(IRegistry registry_) {
        if (address(registry_) == address(0)) revert ZeroRegistry();
        registry = registry_;
    }

    function _checkGovernance() internal view {
        if (msg.sender != registry.governance()) revert NotGovernance(msg.sender);
    }

    function _checkKeeperGate(address vault) internal view {
        if (msg.sender != registry.keeperGateOf(vault)) revert NotKeeperGate(msg.sender);
    }

    function _checkGuardianOrGovernance(address vault) internal view {
        if (msg.sender != registry.governance() && msg.sender != registry.guardianOf(vault)) {
            revert NotGuardianOrGovernance(msg.sender);
        }
    }
}

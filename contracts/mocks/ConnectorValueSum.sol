// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IConnector} from "../interfaces/IConnector.sol";

/// @title ConnectorValueSum
/// @notice Test double of our own NAV loop: sums `IConnector.totalValue` over connectors the way the
///         AccountingManager's totalAssets does, so a full NAV read can be measured in one call.
contract ConnectorValueSum {
    /// @notice Sum of the connectors' values and whether all of them were healthy.
    function sum(IConnector[] calldata connectors) external view returns (uint256 total, bool healthy) {
        healthy = true;
        for (uint256 i; i < connectors.length; ++i) {
            (uint256 value, bool ok) = connectors[i].totalValue();
            total += value;
            healthy = healthy && ok;
        }
    }
}

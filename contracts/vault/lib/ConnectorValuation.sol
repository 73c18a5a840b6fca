// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IConnector} from "../../interfaces/IConnector.sol";

/// @title ConnectorValuation
/// @notice Reads `IConnector.totalValue()` with a gas ceiling and a fixed-size return buffer, so a
///         connector that reverts, loops, returns garbage or a huge payload cannot make NAV revert:
///         it is reported as failed and counted as zero.
library ConnectorValuation {
    /// @notice Gas forwarded to one connector's `totalValue()`.
    /// @dev Measured on the local stack: a UniswapV3Connector with one live position, WETH priced by
    ///      Chainlink with a TWAP secondary, reads in ~236k gas cold (Aave ~49k, ERC-4626 ~46k); each more
    ///      position adds ~35k plus a pool TWAP. 150k silently counted such a connector as zero.
    uint256 internal constant VALUATION_GAS = 500_000;
    /// @dev Gas kept back for the caller after a call so the 63/64 rule never starves the connector.
    uint256 internal constant GAS_RESERVE = 10_000;
    /// @notice Largest value one connector can contribute to NAV.
    uint256 internal constant MAX_REPORTED_VALUE = type(uint128).max;

    error InsufficientGasForValuation(uint256 available, uint256 needed);

    /// @notice Value reported by `connector`; `ok` is false when the call failed or returned malformed data.
    function read(address connector) internal view returns (bool ok, uint256 value, bool healthy) {
        // A caller that forwards too little gas must not be able to make a healthy connector look failed.
        uint256 needed = (VALUATION_GAS * 64) / 63 + GAS_RESERVE;
        if (gasleft() < needed) revert InsufficientGasForValuation(gasleft(), needed);
        bytes4 selector = IConnector.totalValue.selector;
        uint256 healthWord;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            let success := staticcall(VALUATION_GAS, connector, ptr, 4, ptr, 64)
            if and(success, gt(returndatasize(), 63)) {
                ok := 1
                value := mload(ptr)
                healthWord := mload(add(ptr, 32))
            }
        }
        healthy = ok && healthWord == 1;
        if (healthWord > 1) ok = false;
        if (!ok) value = 0;
        // Clamped so that summing every connector can never overflow; the guardrail rejects such a NAV.
        if (value > MAX_REPORTED_VALUE) value = MAX_REPORTED_VALUE;
    }
}

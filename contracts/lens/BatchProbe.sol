// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title BatchProbe
/// @notice Simulation aid, never deployed: an `eth_call` puts its code at a free address with a state
///         override, then asks it to read a list of values, make one call (a keeper gate `execute`)
///         and read the values again. Operators see a proposal's effect on balances and NAV before
///         anyone signs it. It holds no funds and no state.
contract BatchProbe {
    /// @notice One value to watch: `target.staticcall(data)`, whose first return word is kept.
    struct Read {
        address target;
        bytes data;
    }

    /// @notice Reads `reads`, calls `target` with `data`, reads `reads` again.
    /// @param target the contract to call (the keeper gate)
    /// @param data the calldata (`execute(...)`)
    /// @param reads the values to read before and after
    /// @return before the first return word of each read before the call (0 if the read failed)
    /// @return afterwards the same after the call
    /// @return ok whether the call succeeded
    /// @return result the call's return data, or its revert data
    function measure(
        address target,
        bytes calldata data,
        Read[] calldata reads
    ) external returns (uint256[] memory before, uint256[] memory afterwards, bool ok, bytes memory result) {
        before = _readAll(reads);
        (ok, result) = target.call(data);
        afterwards = _readAll(reads);
    }

    function _readAll(Read[] calldata reads) private view returns (uint256[] memory values) {
        values = new uint256[](reads.length);
        for (uint256 i = 0; i < reads.length; ++i) {
            (bool ok, bytes memory out) = reads[i].target.staticcall(reads[i].data);
            if (ok && out.length >= 32) values[i] = abi.decode(out, (uint256));
        }
    }
}

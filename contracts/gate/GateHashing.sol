// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IKeeperGate} from "../interfaces/IKeeperGate.sol";

/// @title GateHashing
/// @notice EIP-712 struct hashes of the keeper gate's typed data. The type strings are part of the
///         off-chain contract with every signer (wallets, the keeper, Safes): never change them.
library GateHashing {
    bytes32 internal constant CALL_TYPEHASH = keccak256("Call(address target,bytes data)");

    bytes32 internal constant EXECUTE_TYPEHASH =
        keccak256(
            "Execute(address vault,Call[] calls,uint256 nonce,uint256 deadline,bytes32 provenance)"
            "Call(address target,bytes data)"
        );

    bytes32 internal constant MANDATE_TYPEHASH =
        keccak256(
            "Mandate(address vault,address keeper,address[] connectors,address[] tokens,bytes4[] selectors,"
            "uint256 maxNotionalPerAction,uint256 maxNotionalPerPeriod,uint256 period,uint256 maxSlippageBps,"
            "uint256 maxLossBps,uint256 lossWindow,uint256 expiry,uint256 nonce)"
        );

    /// @notice EIP-712 `encodeData` of a `Call[]`: the hash of the concatenated struct hashes.
    /// @dev Hashes straight from calldata in scratch memory past the free pointer (nothing is allocated). It
    ///      follows the same offsets as Solidity's `calls[i].target` / `calls[i].data`, so a batch whose
    ///      encoding Solidity would reject when the calls run reverts there, and an accepted batch runs
    ///      exactly the bytes hashed here.
    function hashCalls(IKeeperGate.Call[] calldata calls) internal pure returns (bytes32 result) {
        bytes32 callTypehash = CALL_TYPEHASH;
        assembly ("memory-safe") {
            let hashes := mload(0x40)
            let count := calls.length
            let buffer := add(hashes, shl(5, count))
            for {
                let i := 0
            } lt(i, count) {
                i := add(i, 1)
            } {
                let entry := add(calls.offset, calldataload(add(calls.offset, shl(5, i))))
                let data := add(entry, calldataload(add(entry, 0x20)))
                let length := calldataload(data)
                calldatacopy(buffer, add(data, 0x20), length)
                let dataHash := keccak256(buffer, length)
                mstore(buffer, callTypehash)
                mstore(add(buffer, 0x20), calldataload(entry))
                mstore(add(buffer, 0x40), dataHash)
                mstore(add(hashes, shl(5, i)), keccak256(buffer, 0x60))
            }
            result := keccak256(hashes, shl(5, count))
        }
    }

    /// @notice Struct hash of `Execute` for `vault` at `nonce`.
    function hashExecute(
        address vault,
        bytes32 callsHash,
        uint256 nonce,
        uint256 deadline,
        bytes32 provenance
    ) internal pure returns (bytes32 result) {
        bytes32 executeTypehash = EXECUTE_TYPEHASH;
        assembly ("memory-safe") {
            let buffer := mload(0x40)
            mstore(buffer, executeTypehash)
            mstore(add(buffer, 0x20), vault)
            mstore(add(buffer, 0x40), callsHash)
            mstore(add(buffer, 0x60), nonce)
            mstore(add(buffer, 0x80), deadline)
            mstore(add(buffer, 0xa0), provenance)
            result := keccak256(buffer, 0xc0)
        }
    }

    /// @notice Struct hash of `Mandate` for `vault`. Arrays of atomic types hash their 32-byte-padded
    ///         elements, as `abi.encodePacked` lays out arrays.
    function hashMandate(address vault, IKeeperGate.Mandate calldata m) internal pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    abi.encode(
                        MANDATE_TYPEHASH,
                        vault,
                        m.keeper,
                        keccak256(abi.encodePacked(m.connectors)),
                        keccak256(abi.encodePacked(m.tokens)),
                        keccak256(abi.encodePacked(m.selectors))
                    ),
                    abi.encode(
                        m.maxNotionalPerAction,
                        m.maxNotionalPerPeriod,
                        m.period,
                        m.maxSlippageBps,
                        m.maxLossBps,
                        m.lossWindow,
                        m.expiry,
                        m.nonce
                    )
                )
            );
    }
}

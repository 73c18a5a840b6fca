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
    function hashCalls(IKeeperGate.Call[] calldata calls) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            hashes[i] = keccak256(abi.encode(CALL_TYPEHASH, calls[i].target, keccak256(calls[i].data)));
        }
        return keccak256(abi.encodePacked(hashes));
    }

    /// @notice Struct hash of `Execute` for `vault` at `nonce`.
    function hashExecute(
        address vault,
        bytes32 callsHash,
        uint256 nonce,
        uint256 deadline,
        bytes32 provenance
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(EXECUTE_TYPEHASH, vault, callsHash, nonce, deadline, provenance));
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

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../../interfaces/ICtfExchange.sol";

/// @title OrderHashing
/// @notice EIP-712 struct hash of a CTF Exchange order, with the type string of Polymarket's exchange, so an
///         order built by Polymarket's clob-client (ExchangeOrderBuilder) hashes identically here.
library OrderHashing {
    /// @dev keccak256 of the Order type string (the signature is not part of the hash).
    bytes32 internal constant ORDER_TYPEHASH =
        keccak256(
            "Order(uint256 salt,address maker,address signer,address taker,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint256 expiration,uint256 nonce,uint256 feeRateBps,uint8 side,uint8 signatureType)"
        );

    /// @notice hashStruct(order) as EIP-712 defines it: the type hash followed by the twelve signed fields.
    function structHash(ICtfExchange.Order calldata order) internal pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    abi.encode(
                        ORDER_TYPEHASH,
                        order.salt,
                        order.maker,
                        order.signer,
                        order.taker,
                        order.tokenId,
                        order.makerAmount
                    ),
                    abi.encode(
                        order.takerAmount,
                        order.expiration,
                        order.nonce,
                        order.feeRateBps,
                        order.side,
                        order.signatureType
                    )
                )
            );
    }
}

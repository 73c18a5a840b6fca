// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ICtfExchange} from "../../../interfaces/ICtfExchange.sol";

/// @title OrderSignatures
/// @notice Signature check of a CTF Exchange order. EOA: an ECDSA signature of the order hash by the signer, who
///         must be the maker. POLY_1271: a contract maker (signer == maker) whose ERC-1271 `isValidSignature`
///         accepts the order hash. POLY_PROXY and POLY_GNOSIS_SAFE need Polymarket's proxy and Safe factories,
///         which the local chain does not have: they never validate here.
library OrderSignatures {
    /// @notice Whether `order.signature` authorises `orderHash` for `order.maker`.
    function isValid(bytes32 orderHash, ICtfExchange.Order calldata order) internal view returns (bool) {
        if (order.signer != order.maker) return false;
        if (order.signatureType == ICtfExchange.SignatureType.EOA) {
            (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(orderHash, order.signature);
            return error == ECDSA.RecoverError.NoError && recovered == order.signer;
        }
        if (order.signatureType == ICtfExchange.SignatureType.POLY_1271) {
            return
                order.maker.code.length > 0 &&
                SignatureChecker.isValidERC1271SignatureNowCalldata(order.maker, orderHash, order.signature);
        }
        return false;
    }
}

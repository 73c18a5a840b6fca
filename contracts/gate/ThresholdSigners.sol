// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IKeeperGate} from "../interfaces/IKeeperGate.sol";

/// @title ThresholdSigners
/// @notice A k-of-n signer set and the check of a threshold of signatures over one digest. EOAs sign with
///         65-byte ECDSA (high-s rejected); contracts (e.g. a Safe 1.4.1 through its
///         CompatibilityFallbackHandler) answer ERC-1271 `isValidSignature`.
abstract contract ThresholdSigners {
    /// @notice Upper bound on the signer set, so verification cost stays bounded.
    uint256 public constant MAX_SIGNERS = 20;

    // One slot: the batch nonce, the threshold and the signer-set epoch are read together on every execution.
    uint128 internal _nonce;
    uint64 private _threshold;
    uint64 private _signerEpoch;

    mapping(address signer => bool) private _isSigner;
    address[] private _signers;

    error InvalidThreshold(uint256 threshold, uint256 signerCount);
    error InvalidSigner(address signer);
    error BelowThreshold(uint256 signatures, uint256 threshold);
    error DuplicateSigner(address signer);
    error SignersNotAscending(address previous, address signer);
    error NotSigner(address signer);
    error MalleableSignature(address signer);
    error InvalidSignature(address signer);

    /// @notice The current signer set.
    function signers() external view returns (address[] memory) {
        return _signers;
    }

    /// @notice How many distinct signers must approve a batch or a mandate.
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice Whether `account` is in the current signer set.
    function isSigner(address account) external view returns (bool) {
        return _isSigner[account];
    }

    /// @notice Incremented on every signer-set change; mandates approved under an older epoch stop working.
    function signerEpoch() public view returns (uint256) {
        return _signerEpoch;
    }

    /// @dev Replaces the signer set. Signers must be distinct non-zero addresses, 1 <= threshold <= n <= MAX_SIGNERS.
    function _setSigners(address[] memory newSigners, uint256 newThreshold) internal {
        uint256 count = newSigners.length;
        if (count > MAX_SIGNERS || newThreshold == 0 || newThreshold > count) {
            revert InvalidThreshold(newThreshold, count);
        }
        address[] storage current = _signers;
        for (uint256 i = 0; i < current.length; ++i) {
            _isSigner[current[i]] = false;
        }
        delete _signers;
        for (uint256 i = 0; i < count; ++i) {
            address signer = newSigners[i];
            if (signer == address(0) || _isSigner[signer]) revert InvalidSigner(signer);
            _isSigner[signer] = true;
            _signers.push(signer);
        }
        _threshold = uint64(newThreshold);
        uint64 epoch = _signerEpoch + 1;
        _signerEpoch = epoch;
        emit IKeeperGate.SignersSet(newSigners, newThreshold, epoch);
    }

    /// @dev Reverts unless at least `threshold` signatures, strictly ascending by signer, from current
    ///      signers, are valid for `digest`. Every signature given is checked, none is ignored.
    function _verifySignatures(bytes32 digest, IKeeperGate.SignerSignature[] calldata signatures) internal view {
        uint256 required = _threshold;
        if (signatures.length < required) revert BelowThreshold(signatures.length, required);
        address previous;
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            if (i > 0) {
                if (signer == previous) revert DuplicateSigner(signer);
                if (signer < previous) revert SignersNotAscending(previous, signer);
            }
            if (!_isSigner[signer]) revert NotSigner(signer);
            _checkSignature(signer, digest, signatures[i].signature);
            previous = signer;
        }
    }

    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) private view {
        if (signer.code.length == 0) {
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
            if (err == ECDSA.RecoverError.InvalidSignatureS) revert MalleableSignature(signer);
            if (err != ECDSA.RecoverError.NoError || recovered != signer) revert InvalidSignature(signer);
        } else if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature)) {
            revert InvalidSignature(signer);
        }
    }
}

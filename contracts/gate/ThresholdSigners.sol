// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IKeeperGate} from "../interfaces/IKeeperGate.sol";

/// @title ThresholdSigners
/// @notice A k-of-n signer set and the check of a threshold of signatures over one digest. EOAs sign with
///         65-byte ECDSA (high-s rejected); contracts (e.g. a Safe 1.4.1 through its
///         CompatibilityFallbackHandler) answer ERC-1271 `isValidSignature`.
/// @dev Gas: the batch nonce, threshold, signer count, signer epoch and the address of the signer list share
///      one storage slot, and the sorted signer list lives in the code of a data contract written once per
///      change (SSTORE2 pattern), so a verification costs one cold slot and one EXTCODECOPY for the whole
///      set instead of one cold slot per signer.
abstract contract ThresholdSigners {
    /// @notice Upper bound on the signer set, so verification cost stays bounded.
    uint256 public constant MAX_SIGNERS = 20;

    uint256 private constant ADDRESS_BYTES = 20;
    /// @dev secp256k1n / 2: a larger `s` is the malleable twin of a valid signature (EIP-2).
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    // One slot, read once per execution.
    uint64 internal _nonce;
    uint8 private _threshold;
    uint8 private _signerCount;
    uint16 private _signerEpoch;
    /// @dev Data contract whose code is 0x00 followed by the signers, 20 bytes each, strictly ascending.
    address private _signerList;

    error InvalidThreshold(uint256 threshold, uint256 signerCount);
    error InvalidSigner(address signer);
    error SignerListWriteFailed();
    error BelowThreshold(uint256 signatures, uint256 threshold);
    error DuplicateSigner(address signer);
    error SignersNotAscending(address previous, address signer);
    error NotSigner(address signer);
    error MalleableSignature(address signer);
    error InvalidSignature(address signer);

    /// @notice The current signer set, ascending by address.
    function signers() external view returns (address[] memory) {
        return _loadSigners();
    }

    /// @notice How many distinct signers must approve a batch or a mandate.
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice Whether `account` is in the current signer set.
    function isSigner(address account) external view returns (bool) {
        address[] memory list = _loadSigners();
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == account) return true;
        }
        return false;
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
        address[] memory sorted = _sortedCopy(newSigners);
        bytes memory packed = new bytes(count * ADDRESS_BYTES);
        for (uint256 i = 0; i < count; ++i) {
            address signer = sorted[i];
            if (signer == address(0) || (i > 0 && signer == sorted[i - 1])) revert InvalidSigner(signer);
            assembly ("memory-safe") {
                mstore(add(add(packed, 0x20), mul(i, ADDRESS_BYTES)), shl(96, signer))
            }
        }
        _signerList = _writeSignerList(packed);
        _signerCount = uint8(count);
        _threshold = uint8(newThreshold);
        uint16 epoch = _signerEpoch + 1;
        _signerEpoch = epoch;
        emit IKeeperGate.SignersSet(sorted, newThreshold, epoch);
    }

    /// @dev Reverts unless at least `threshold` signatures, strictly ascending by signer, from current
    ///      signers, are valid for `digest`. Every signature given is checked, none is ignored.
    function _verifySignatures(bytes32 digest, IKeeperGate.SignerSignature[] calldata signatures) internal view {
        uint256 given = signatures.length;
        uint256 required = _threshold;
        if (given < required) revert BelowThreshold(given, required);
        (uint256 packed, uint256 count) = _copySignerList();
        uint256 cursor;
        address previous;
        for (uint256 i; i < given; ) {
            IKeeperGate.SignerSignature calldata entry = signatures[i];
            address signer = entry.signer;
            if (i != 0) {
                if (signer == previous) revert DuplicateSigner(signer);
                if (signer < previous) revert SignersNotAscending(previous, signer);
            }
            cursor = _findSigner(packed, count, cursor, signer);
            if (!_isLowSEcdsaSigner(signer, digest, entry.signature)) _checkSignature(signer, digest, entry.signature);
            previous = signer;
            unchecked {
                ++i;
            }
        }
    }

    /// @dev The common case in a few opcodes: a 65-byte low-s ECDSA signature recovering to `signer`. Anything
    ///      else (contract signers, failures and their named errors) goes through `_checkSignature`, which
    ///      accepts a superset of what this accepts.
    function _isLowSEcdsaSigner(
        address signer,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool valid) {
        if (signature.length != 65) return false;
        assembly ("memory-safe") {
            let s := calldataload(add(signature.offset, 0x20))
            if iszero(gt(s, HALF_CURVE_ORDER)) {
                let free := mload(0x40)
                mstore(free, digest)
                mstore(add(free, 0x20), byte(0, calldataload(add(signature.offset, 0x40))))
                mstore(add(free, 0x40), calldataload(signature.offset))
                mstore(add(free, 0x60), s)
                // Precompile 1 leaves the output empty for an invalid signature, so a stale word cannot match.
                mstore(0x00, 0)
                if staticcall(gas(), 1, free, 0x80, 0x00, 0x20) {
                    valid := eq(mload(0x00), signer)
                }
            }
        }
    }

    /// @dev ECDSA first: an EOA's valid 65-byte signature needs no code lookup. Otherwise an address with
    ///      code is asked through ERC-1271, and an EOA's failure is reported as malleable or invalid.
    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) private view {
        ECDSA.RecoverError err = ECDSA.RecoverError.InvalidSignatureLength;
        if (signature.length == 65) {
            address recovered;
            (recovered, err, ) = ECDSA.tryRecoverCalldata(digest, signature);
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        }
        if (signer.code.length == 0) {
            if (err == ECDSA.RecoverError.InvalidSignatureS) revert MalleableSignature(signer);
            revert InvalidSignature(signer);
        }
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature)) {
            revert InvalidSignature(signer);
        }
    }

    function _loadSigners() private view returns (address[] memory list) {
        (uint256 packed, uint256 count) = _copySignerList();
        list = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            list[i] = _signerAt(packed, i);
        }
    }

    /// @dev Copies the packed signer list (20 bytes per signer) into fresh memory with one EXTCODECOPY.
    /// @return packed Memory address of the first signer.
    /// @return count Number of signers.
    function _copySignerList() private view returns (uint256 packed, uint256 count) {
        count = _signerCount;
        address source = _signerList;
        assembly ("memory-safe") {
            packed := mload(0x40)
            let size := mul(count, ADDRESS_BYTES)
            extcodecopy(source, packed, 1, size)
            // Reserve the copy, rounded up to whole words.
            mstore(0x40, add(packed, and(add(size, 31), not(31))))
        }
    }

    /// @dev Both lists ascend, so one forward pass over the stored list, resumed from `cursor`, checks
    ///      membership of every given signer. Returns the index of `signer` in the list.
    function _findSigner(
        uint256 packed,
        uint256 count,
        uint256 cursor,
        address signer
    ) private pure returns (uint256) {
        while (cursor < count) {
            address listed = _signerAt(packed, cursor);
            if (listed == signer) return cursor;
            if (listed > signer) break;
            unchecked {
                ++cursor;
            }
        }
        revert NotSigner(signer);
    }

    function _signerAt(uint256 packed, uint256 index) private pure returns (address signer) {
        assembly ("memory-safe") {
            signer := shr(96, mload(add(packed, mul(index, ADDRESS_BYTES))))
        }
    }

    /// @dev Deploys a contract whose runtime code is 0x00 ++ `data` (the leading STOP makes it uncallable).
    function _writeSignerList(bytes memory data) private returns (address pointer) {
        bytes memory runtime = abi.encodePacked(hex"00", data);
        // PUSH2 len, DUP1, PUSH1 0x0a, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN: returns the bytes after it.
        bytes memory creation = abi.encodePacked(hex"61", uint16(runtime.length), hex"80600a3d393df3", runtime);
        assembly ("memory-safe") {
            pointer := create(0, add(creation, 0x20), mload(creation))
        }
        if (pointer == address(0)) revert SignerListWriteFailed();
    }

    function _sortedCopy(address[] memory input) private pure returns (address[] memory sorted) {
        sorted = new address[](input.length);
        for (uint256 i = 0; i < input.length; ++i) {
            address value = input[i];
            uint256 j = i;
            while (j > 0 && sorted[j - 1] > value) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = value;
        }
    }
}

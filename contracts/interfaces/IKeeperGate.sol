// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IKeeperGate
/// @notice The only account allowed to move one vault's funds: it executes batches of allowlisted calls
///         approved by k of n signers (EIP-712), or single actions of one keeper within a signed mandate.
interface IKeeperGate {
    /// @notice One plain CALL (no value, no delegatecall). `data` starts with the target's selector.
    struct Call {
        address target;
        bytes data;
    }

    /// @notice A signer and its signature over the EIP-712 digest: 65-byte ECDSA for an EOA, anything its
    ///         `isValidSignature` accepts for an ERC-1271 contract (e.g. a Safe's concatenated owner signatures).
    struct SignerSignature {
        address signer;
        bytes signature;
    }

    /// @notice Bounds under which `keeper` may act alone. Signed as the EIP-712 type `Mandate`, with the
    ///         gate's vault as its first field. Notional and limits are in base-asset units of the vault's
    ///         ValueOracle; basis points are out of 10_000.
    struct Mandate {
        address keeper;
        address[] connectors;
        address[] tokens;
        bytes4[] selectors;
        uint256 maxNotionalPerAction;
        uint256 maxNotionalPerPeriod;
        uint256 period;
        uint256 maxSlippageBps;
        uint256 maxLossBps;
        uint256 lossWindow;
        uint256 expiry;
        uint256 nonce;
    }

    event Executed(uint256 indexed nonce, bytes32 indexed provenance, bytes32 callsHash);
    event SignersSet(address[] signers, uint256 threshold, uint256 signerEpoch);
    event MandateApproved(bytes32 indexed mandateId, address indexed keeper, uint256 expiry, uint256 signerEpoch);
    event MandateRevoked(bytes32 indexed mandateId, address indexed by);
    event MandateExecuted(
        bytes32 indexed mandateId,
        bytes32 indexed provenance,
        address target,
        bytes4 selector,
        address token,
        uint256 amount,
        uint256 notional
    );
    /// @notice A mandate action was not run because the price per share is `drawdownBps` below its value after
    ///         the mandate's last action, more than its `maxLossBps`. Nothing was recorded: the mandate works
    ///         again once the price per share is back within the limit (or the signers approve a new one).
    event MandateSuspended(bytes32 indexed mandateId, uint256 drawdownBps, uint256 maxLossBps);

    /// @notice The vault this gate serves (immutable).
    function vault() external view returns (address);

    /// @notice Nonce the next signed batch must carry.
    function nonce() external view returns (uint256);

    /// @notice Executes `calls` once `signatures` from at least `threshold` distinct signers (strictly
    ///         ascending by address) approve them at the current nonce before `deadline`.
    function execute(
        Call[] calldata calls,
        uint256 deadline,
        bytes32 provenance,
        SignerSignature[] calldata signatures
    ) external;
}

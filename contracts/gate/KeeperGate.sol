// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IConnectorTokens} from "../interfaces/IConnector.sol";
import {IKeeperGate} from "../interfaces/IKeeperGate.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {IValueOracle} from "../interfaces/IValueOracle.sol";
import {RegistryAccess} from "../registry/RegistryAccess.sol";
import {GateHashing} from "./GateHashing.sol";
import {RollingWindow} from "./RollingWindow.sol";
import {ThresholdSigners} from "./ThresholdSigners.sol";

/// @title KeeperGate
/// @notice One vault's keeper gate: the only account the vault's connectors and AccountingManager accept for
///         moving funds. It executes (a) batches of calls approved by k of n signers over EIP-712 typed data
///         `Execute(address vault,Call[] calls,uint256 nonce,uint256 deadline,bytes32 provenance)`, and
///         (b) single actions of one keeper within a mandate the signers approved (typed data `Mandate`),
///         bounded by notional per action and per rolling period, slippage against the oracle, and a rolling
///         limit on the price-per-share loss its own actions realise. An action's notional is the value of
///         everything it moves out of its target (every token, not only the first calldata word), and every
///         token whose balance the action changes, spent or produced, must be in the mandate. Every call's (target, selector) must be allowlisted for the vault
///         in the Registry. Calls are plain CALLs without value; nothing is delegatecalled.
/// @dev Signer set and threshold change only through governance. The guardian (or governance, or the keeper
///      itself) revokes a mandate at once.
contract KeeperGate is IKeeperGate, ThresholdSigners, RegistryAccess, EIP712, ReentrancyGuardTransient {
    /// @notice Denominator of every basis-point value.
    uint256 public constant BPS = 10_000;
    /// @notice Upper bound on each list of a mandate (connectors, tokens, selectors).
    uint256 public constant MAX_MANDATE_LIST = 16;
    /// @dev An action's calldata must hold a selector and the (token, amount) words that value it.
    uint256 private constant ACTION_HEAD_LENGTH = 4 + 32 + 32;

    struct MandateState {
        address keeper;
        bool revoked;
        uint256 signerEpoch;
        uint256 expiry;
        uint256 maxNotionalPerAction;
        uint256 maxNotionalPerPeriod;
        uint256 period;
        uint256 maxSlippageBps;
        uint256 maxLossBps;
        uint256 lossWindow;
        /// @dev Price-per-share loss realised by the mandate's own actions, in bps, as of `lossUpdatedAt`;
        ///      drains linearly over `lossWindow`.
        uint256 lossBps;
        uint256 lossUpdatedAt;
        /// @dev Price per share after the last action (or at approval). A drop below it between actions
        ///      suspends the mandate while it lasts; it is not a realised loss and never ends the mandate.
        uint256 lastPricePerShare;
    }

    /// @dev What an action's target holds before the action: its balance of every token in scope, and the
    ///      vault's total assets.
    struct Holdings {
        address target;
        address[] tokens;
        uint256[] balances;
        uint256 vaultAssets;
    }

    /// @dev The (selector, token, amount) head every mandate action starts with.
    struct ActionHead {
        bytes4 selector;
        address token;
        uint256 amount;
    }

    /// @inheritdoc IKeeperGate
    address public immutable vault;

    mapping(bytes32 mandateId => MandateState) private _mandates;
    /// @dev Notional of the mandate's actions in its trailing `period`, exactly (not a refilling allowance).
    mapping(bytes32 mandateId => RollingWindow.Window) private _notionalWindows;
    mapping(bytes32 mandateId => mapping(address connector => bool)) private _mandateConnectors;
    mapping(bytes32 mandateId => mapping(address token => bool)) private _mandateTokens;
    /// @dev The same tokens as a list: their balances are read around every action.
    mapping(bytes32 mandateId => address[]) private _mandateTokenList;
    mapping(bytes32 mandateId => mapping(bytes4 selector => bool)) private _mandateSelectors;

    error ZeroVault();
    error EmptyBatch();
    error DeadlineExpired(uint256 deadline, uint256 timestamp);
    error MissingSelector(uint256 index);
    error CallNotAllowed(address target, bytes4 selector);
    error CallFailed(uint256 index, address target, bytes reason);

    error InvalidMandate();
    error MandateAlreadyExists(bytes32 mandateId);
    error UnknownMandate(bytes32 mandateId);
    error NotMandateKeeper(address caller);
    error MandateIsRevoked(bytes32 mandateId);
    error MandateExpired(bytes32 mandateId, uint256 expiry);
    error MandateSignerSetChanged(bytes32 mandateId);
    error ConnectorNotInMandate(address target);
    error SelectorNotInMandate(bytes4 selector);
    error TokenNotInMandate(address token);
    error MalformedActionCalldata();
    error NotionalAboveActionLimit(uint256 notional, uint256 limit);
    error NotionalAbovePeriodLimit(uint256 used, uint256 limit);
    error SlippageAboveMandate(uint256 assetsLost, uint256 allowed);
    error LossLimitExceeded(uint256 lossBps, uint256 maxLossBps);

    /// @param registry_ The registry holding roles and the call allowlist.
    /// @param vault_ The vault (AccountingManager) this gate serves; fixed for life.
    /// @param signers_ The initial signer set (distinct, non-zero).
    /// @param threshold_ Signatures required, 1..signers_.length.
    constructor(
        IRegistry registry_,
        address vault_,
        address[] memory signers_,
        uint256 threshold_
    ) RegistryAccess(registry_) EIP712("AgentVault KeeperGate", "1") {
        if (vault_ == address(0)) revert ZeroVault();
        vault = vault_;
        _setSigners(signers_, threshold_);
    }

    // ------------------------------------------------------------------------------ k-of-n batches

    /// @inheritdoc IKeeperGate
    function nonce() external view returns (uint256) {
        return _nonce;
    }

    /// @inheritdoc IKeeperGate
    function execute(
        Call[] calldata calls,
        uint256 deadline,
        bytes32 provenance,
        SignerSignature[] calldata signatures
    ) external nonReentrant {
        if (block.timestamp > deadline) revert DeadlineExpired(deadline, block.timestamp);
        uint256 count = calls.length;
        if (count == 0) revert EmptyBatch();
        uint256 current = _nonce;
        bytes32 callsHash = GateHashing.hashCalls(calls);
        bytes32 digest = _hashTypedDataV4(GateHashing.hashExecute(vault, callsHash, current, deadline, provenance));
        _verifySignatures(digest, signatures);
        // A 64-bit nonce moving by one per batch cannot wrap.
        unchecked {
            _nonce = uint64(current + 1);
        }
        for (uint256 i; i < count; ) {
            _allowlistedCall(i, calls[i]);
            unchecked {
                ++i;
            }
        }
        emit Executed(current, provenance, callsHash);
    }

    /// @notice The EIP-712 digest signers sign for `calls` at `nonce_` (for tooling and tests).
    function executeDigest(
        Call[] calldata calls,
        uint256 nonce_,
        uint256 deadline,
        bytes32 provenance
    ) external view returns (bytes32) {
        return _hashTypedDataV4(GateHashing.hashExecute(vault, GateHashing.hashCalls(calls), nonce_, deadline, provenance));
    }

    // ------------------------------------------------------------------------------ governance

    /// @notice Replaces the signer set and threshold (governance only). Mandates approved under the old set
    ///         stop working.
    function setSigners(address[] calldata newSigners, uint256 newThreshold) external {
        _checkGovernance();
        _setSigners(newSigners, newThreshold);
    }

    // ------------------------------------------------------------------------------ mandates

    /// @notice Records a mandate approved by at least `threshold` signers (anyone may submit the signatures).
    /// @return mandateId The mandate's EIP-712 digest, which identifies it from now on.
    function approveMandate(
        Mandate calldata mandate,
        SignerSignature[] calldata signatures
    ) external returns (bytes32 mandateId) {
        _checkMandateShape(mandate);
        mandateId = _hashTypedDataV4(GateHashing.hashMandate(vault, mandate));
        if (_mandates[mandateId].keeper != address(0)) revert MandateAlreadyExists(mandateId);
        _verifySignatures(mandateId, signatures);

        MandateState storage state = _mandates[mandateId];
        state.keeper = mandate.keeper;
        state.signerEpoch = signerEpoch();
        state.expiry = mandate.expiry;
        state.maxNotionalPerAction = mandate.maxNotionalPerAction;
        state.maxNotionalPerPeriod = mandate.maxNotionalPerPeriod;
        state.period = mandate.period;
        state.maxSlippageBps = mandate.maxSlippageBps;
        state.maxLossBps = mandate.maxLossBps;
        state.lossWindow = mandate.lossWindow;
        state.lossUpdatedAt = block.timestamp;
        state.lastPricePerShare = _pricePerShare();
        for (uint256 i = 0; i < mandate.connectors.length; ++i) {
            _mandateConnectors[mandateId][mandate.connectors[i]] = true;
        }
        for (uint256 i = 0; i < mandate.tokens.length; ++i) {
            address token = mandate.tokens[i];
            if (_mandateTokens[mandateId][token]) continue;
            _mandateTokens[mandateId][token] = true;
            _mandateTokenList[mandateId].push(token);
        }
        for (uint256 i = 0; i < mandate.selectors.length; ++i) {
            _mandateSelectors[mandateId][mandate.selectors[i]] = true;
        }
        emit MandateApproved(mandateId, mandate.keeper, mandate.expiry, state.signerEpoch);
    }

    /// @notice Executes one action of the mandate's keeper alone. Its notional is the larger of the oracle
    ///         value of its first two calldata words (token, amount) and the value of everything the action
    ///         moved out of its target; every token whose balance at the target changed must be listed.
    /// @return executed False when the price per share is more than `maxLossBps` below its value after the
    ///         mandate's last action (a loss outside its actions, or a disrupted valuation): the mandate is
    ///         suspended while that lasts, nothing is called and nothing is recorded.
    function executeMandate(
        bytes32 mandateId,
        Call calldata action,
        bytes32 provenance
    ) external nonReentrant returns (bool executed) {
        MandateState storage state = _mandates[mandateId];
        _checkMandateUsable(mandateId, state);
        ActionHead memory head = _checkAction(mandateId, action);

        uint256 pricePerShare = _pricePerShare();
        {
            uint256 drawdownBps = _lossBps(state.lastPricePerShare, pricePerShare);
            if (drawdownBps > state.maxLossBps) {
                emit MandateSuspended(mandateId, drawdownBps, state.maxLossBps);
                return false;
            }
        }
        (uint256 notional, uint256 pricePerShareAfter) = _runAction(mandateId, state, action, head);

        uint256 lossBps = _drained(state.lossBps, state.lossUpdatedAt, state.maxLossBps, state.lossWindow) +
            _lossBps(pricePerShare, pricePerShareAfter);
        if (lossBps > state.maxLossBps) revert LossLimitExceeded(lossBps, state.maxLossBps);
        state.lossBps = lossBps;
        state.lossUpdatedAt = block.timestamp;
        state.lastPricePerShare = pricePerShareAfter;

        emit MandateExecuted(mandateId, provenance, action.target, head.selector, head.token, head.amount, notional);
        return true;
    }

    /// @notice Revokes a mandate at once. Open to the vault's guardian, governance, and the mandate's own
    ///         keeper (who may give up a key it believes compromised).
    function revokeMandate(bytes32 mandateId) external {
        MandateState storage state = _mandates[mandateId];
        if (state.keeper == address(0)) revert UnknownMandate(mandateId);
        if (msg.sender != state.keeper) _checkGuardianOrGovernance(vault);
        if (state.revoked) revert MandateIsRevoked(mandateId);
        state.revoked = true;
        emit MandateRevoked(mandateId, msg.sender);
    }

    /// @notice The stored state of a mandate (zero keeper when unknown).
    function mandateState(bytes32 mandateId) external view returns (MandateState memory) {
        return _mandates[mandateId];
    }

    /// @notice The id (= EIP-712 digest) signers sign to approve `mandate` on this gate.
    function mandateDigest(Mandate calldata mandate) external view returns (bytes32) {
        return _hashTypedDataV4(GateHashing.hashMandate(vault, mandate));
    }

    /// @notice Notional still available in the mandate's rolling period right now.
    function mandatePeriodHeadroom(bytes32 mandateId) external view returns (uint256) {
        MandateState storage state = _mandates[mandateId];
        (uint256 used, ) = RollingWindow.live(_notionalWindows[mandateId], state.period);
        return state.maxNotionalPerPeriod > used ? state.maxNotionalPerPeriod - used : 0;
    }

    // ------------------------------------------------------------------------------ internals

    function _allowlistedCall(uint256 index, Call calldata call) private {
        if (call.data.length < 4) revert MissingSelector(index);
        bytes4 selector = bytes4(call.data[:4]);
        if (!registry.isAllowedCall(vault, call.target, selector)) revert CallNotAllowed(call.target, selector);
        if (!_plainCall(call.target, call.data)) revert CallFailed(index, call.target, _returnData());
    }

    /// @dev A CALL without value that leaves the return data unread (a batch does not use it), so a target's
    ///      large return costs nothing; the caller copies it only to report a failure.
    function _plainCall(address target, bytes calldata data) private returns (bool ok) {
        assembly ("memory-safe") {
            let buffer := mload(0x40)
            calldatacopy(buffer, data.offset, data.length)
            ok := call(gas(), target, 0, buffer, data.length, 0, 0)
        }
    }

    function _returnData() private pure returns (bytes memory data) {
        assembly ("memory-safe") {
            data := mload(0x40)
            mstore(data, returndatasize())
            returndatacopy(add(data, 0x20), 0, returndatasize())
            mstore(0x40, add(add(data, 0x20), and(add(returndatasize(), 31), not(31))))
        }
    }

    function _checkMandateShape(Mandate calldata mandate) private view {
        if (
            mandate.keeper == address(0) ||
            mandate.expiry <= block.timestamp ||
            mandate.period == 0 ||
            mandate.maxNotionalPerPeriod > type(uint128).max ||
            mandate.lossWindow == 0 ||
            mandate.maxSlippageBps > BPS ||
            mandate.maxLossBps > BPS ||
            mandate.connectors.length == 0 ||
            mandate.connectors.length > MAX_MANDATE_LIST ||
            mandate.tokens.length == 0 ||
            mandate.tokens.length > MAX_MANDATE_LIST ||
            mandate.selectors.length == 0 ||
            mandate.selectors.length > MAX_MANDATE_LIST
        ) revert InvalidMandate();
    }

    function _checkMandateUsable(bytes32 mandateId, MandateState storage state) private view {
        if (state.keeper == address(0)) revert UnknownMandate(mandateId);
        if (msg.sender != state.keeper) revert NotMandateKeeper(msg.sender);
        if (state.revoked) revert MandateIsRevoked(mandateId);
        if (block.timestamp > state.expiry) revert MandateExpired(mandateId, state.expiry);
        if (state.signerEpoch != signerEpoch()) revert MandateSignerSetChanged(mandateId);
    }

    function _checkAction(bytes32 mandateId, Call calldata action) private view returns (ActionHead memory head) {
        if (action.data.length < ACTION_HEAD_LENGTH) revert MalformedActionCalldata();
        head.selector = bytes4(action.data[:4]);
        uint256 tokenWord = uint256(bytes32(action.data[4:36]));
        if (tokenWord >> 160 != 0) revert MalformedActionCalldata();
        head.token = address(uint160(tokenWord));
        head.amount = uint256(bytes32(action.data[36:68]));
        if (!_mandateConnectors[mandateId][action.target]) revert ConnectorNotInMandate(action.target);
        if (!_mandateSelectors[mandateId][head.selector]) revert SelectorNotInMandate(head.selector);
        if (!_mandateTokens[mandateId][head.token]) revert TokenNotInMandate(head.token);
    }

    /// @dev Records `notional` in the trailing-period window after checking both notional limits.
    function _consumeNotional(bytes32 mandateId, MandateState storage state, uint256 notional) private {
        if (notional > state.maxNotionalPerAction) {
            revert NotionalAboveActionLimit(notional, state.maxNotionalPerAction);
        }
        RollingWindow.Window storage window = _notionalWindows[mandateId];
        (uint256 used, uint64 head) = RollingWindow.live(window, state.period);
        if (used + notional > state.maxNotionalPerPeriod) {
            revert NotionalAbovePeriodLimit(used + notional, state.maxNotionalPerPeriod);
        }
        RollingWindow.record(window, head, used, notional);
    }

    /// @dev Runs the action with its token flows and slippage checked: the target's balance of every token it
    ///      may move (the mandate's tokens and, for a connector, the tokens it tracks) is read before and
    ///      after; any change of an unlisted token is refused, what left the target is valued, and the larger
    ///      of that and the oracle value of the (token, amount) head is the action's notional, checked against
    ///      both notional limits. Then the vault's total assets may have dropped by at most maxSlippage x
    ///      notional.
    /// @return notional The action's notional.
    /// @return pricePerShareAfter The vault's price per share after the action.
    function _runAction(
        bytes32 mandateId,
        MandateState storage state,
        Call calldata action,
        ActionHead memory head
    ) private returns (uint256 notional, uint256 pricePerShareAfter) {
        IValueOracle oracle = IValueOracle(registry.valueOracleOf(vault));
        notional = oracle.valueOf(head.token, head.amount);
        Holdings memory before = _holdings(mandateId, action.target);
        _allowlistedCall(0, action);
        uint256 moved = _valueMovedOut(mandateId, before, oracle);
        if (moved > notional) notional = moved;
        _consumeNotional(mandateId, state, notional);
        uint256 assetsAfter = IERC4626(vault).totalAssets();
        if (assetsAfter < before.vaultAssets) {
            uint256 allowed = Math.mulDiv(notional, state.maxSlippageBps, BPS);
            uint256 lost = before.vaultAssets - assetsAfter;
            if (lost > allowed) revert SlippageAboveMandate(lost, allowed);
        }
        pricePerShareAfter = _pricePerShare();
    }

    /// @dev What the target holds of every token in scope, and the vault's total assets, before an action.
    function _holdings(bytes32 mandateId, address target) private view returns (Holdings memory held) {
        held.target = target;
        held.tokens = _tokensInScope(mandateId, target);
        held.balances = new uint256[](held.tokens.length);
        for (uint256 i; i < held.tokens.length; ++i) held.balances[i] = IERC20(held.tokens[i]).balanceOf(target);
        held.vaultAssets = IERC4626(vault).totalAssets();
    }

    /// @dev The mandate's tokens, then the target's tracked tokens that the mandate does not list (a target
    ///      that is not a connector tracks none).
    function _tokensInScope(bytes32 mandateId, address target) private view returns (address[] memory tokens) {
        address[] storage listed = _mandateTokenList[mandateId];
        address[] memory tracked = _trackedTokensOf(target);
        uint256 count = listed.length;
        tokens = new address[](count + tracked.length);
        for (uint256 i; i < count; ++i) tokens[i] = listed[i];
        for (uint256 i; i < tracked.length; ++i) {
            if (!_mandateTokens[mandateId][tracked[i]]) tokens[count++] = tracked[i];
        }
        assembly ("memory-safe") {
            mstore(tokens, count)
        }
    }

    function _trackedTokensOf(address target) private view returns (address[] memory tracked) {
        try IConnectorTokens(target).trackedTokens() returns (address[] memory list) {
            return list;
        } catch {
            return new address[](0);
        }
    }

    /// @dev Oracle value of every decrease of the target's balances since `before`. A changed balance of a
    ///      token the mandate does not list, or a token the target tracks only since the action (so its
    ///      balance before is unknown), is refused: the mandate binds what an action produces as well as
    ///      what it spends.
    function _valueMovedOut(
        bytes32 mandateId,
        Holdings memory before,
        IValueOracle oracle
    ) private view returns (uint256 value) {
        address[] memory tokens = before.tokens;
        for (uint256 i; i < tokens.length; ++i) {
            uint256 balance = IERC20(tokens[i]).balanceOf(before.target);
            uint256 previous = before.balances[i];
            if (balance == previous) continue;
            if (!_mandateTokens[mandateId][tokens[i]]) revert TokenNotInMandate(tokens[i]);
            if (balance < previous) value += oracle.valueOf(tokens[i], previous - balance);
        }
        address[] memory trackedAfter = _trackedTokensOf(before.target);
        for (uint256 i; i < trackedAfter.length; ++i) {
            if (!_contains(tokens, trackedAfter[i])) revert TokenNotInMandate(trackedAfter[i]);
        }
    }

    function _contains(address[] memory list, address item) private pure returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == item) return true;
        }
        return false;
    }

    /// @dev Vault assets per whole share, the quantity the loss limit watches.
    function _pricePerShare() private view returns (uint256) {
        return IERC4626(vault).convertToAssets(10 ** IERC4626(vault).decimals());
    }

    /// @dev Loss from `before` to `after_` in bps, rounded up so small losses still count.
    function _lossBps(uint256 before, uint256 after_) private pure returns (uint256) {
        if (after_ >= before || before == 0) return 0;
        return Math.mulDiv(before - after_, BPS, before, Math.Rounding.Ceil);
    }

    /// @dev A cumulative loss that drains linearly at `capacity / window` per second since `updatedAt`
    ///      (Enzyme's share-price throttle model): the full tolerance is back one window after the last loss.
    function _drained(
        uint256 used,
        uint256 updatedAt,
        uint256 capacity,
        uint256 window
    ) private view returns (uint256) {
        uint256 drained = Math.mulDiv(block.timestamp - updatedAt, capacity, window);
        return used > drained ? used - drained : 0;
    }
}

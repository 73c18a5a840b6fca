// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILiFiDiamond} from "../interfaces/ILiFiDiamond.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ISwapHandler} from "../interfaces/ISwapHandler.sol";
import {IValueOracle} from "../interfaces/IValueOracle.sol";
import {RegistryAccess} from "../registry/RegistryAccess.sol";

/// @title LiFiSwapHandler
/// @notice Validates same-chain LI.FI Diamond swaps for the connectors of one registry, completely: one of
///         three ERC-20 selectors, canonical ABI encoding (no trailing or hidden bytes), receiver = the calling
///         connector, sending, receiving and intermediate assets allowed for it, the input equal to the
///         connector's (token, amount), `minAmountOut` worth at least the oracle value of the input minus the
///         governance slippage, and every swap step's `callTo` (with its inner selector) and `approveTo` on
///         this handler's allowlist (LI.FI's own whitelist model).
/// @dev A view: the handler holds and approves nothing. The connector then calls the immutable Diamond
///      returned in the plan with exactly the checked bytes, under an exact approval, and requires the
///      whole input spent and the minimum received (`SwapExecution.run`). There is no other call path.
contract LiFiSwapHandler is ISwapHandler, RegistryAccess {
    /// @notice Denominator of basis-point values.
    uint256 public constant BPS = 10_000;
    /// @notice Governance can never allow more slippage against the oracle than this.
    uint256 public constant MAX_SLIPPAGE_BPS = 500;
    /// @notice While a swap's price is not cross-checked by its secondary route, its oracle slippage bound
    ///         is divided by this.
    uint256 public constant PRIMARY_ONLY_SLIPPAGE_DIVISOR = 2;
    /// @notice Upper bound on swap steps in one call (LI.FI routes use one DEX step plus optional fee steps).
    uint256 public constant MAX_STEPS = 4;

    /// @dev The arguments start after the selector; the head holds six words (id, two string offsets,
    ///      receiver, minimum out, swap data offset) and a `SwapData` head seven.
    uint256 private constant ARGS = 4;
    uint256 private constant HEAD_WORDS = 6;
    uint256 private constant SWAP_DATA_HEAD_WORDS = 7;

    /// @notice GenericSwapFacetV3 `swapTokensSingleV3ERC20ToERC20`.
    bytes4 public constant SWAP_SINGLE_V3 = ILiFiDiamond.swapTokensSingleV3ERC20ToERC20.selector;
    /// @notice GenericSwapFacetV3 `swapTokensMultipleV3ERC20ToERC20`.
    bytes4 public constant SWAP_MULTIPLE_V3 = ILiFiDiamond.swapTokensMultipleV3ERC20ToERC20.selector;
    /// @notice GenericSwapFacet `swapTokensGeneric` (ERC-20 legs only).
    bytes4 public constant SWAP_GENERIC = ILiFiDiamond.swapTokensGeneric.selector;

    /// @notice The LI.FI Diamond (or the local stand-in) every swap goes to.
    address public immutable diamond;

    /// @notice Slippage allowed between the oracle value of the input and of `minAmountOut`, in bps.
    uint256 public maxSlippageBps;

    /// @notice DEX contract and function pairs a swap step may call (LI.FI's `contractSelectorIsAllowed`).
    mapping(address callTo => mapping(bytes4 selector => bool)) public isDexCallAllowed;
    /// @notice Spenders a swap step may approve when they differ from its `callTo` (LI.FI's approveTo-only list).
    mapping(address approveTo => bool) public isApproveToAllowed;

    /// @notice The decoded arguments of one Diamond call, in LI.FI's parameter order.
    struct DecodedSwap {
        bytes4 selector;
        bytes32 transactionId;
        string integrator;
        string referrer;
        address receiver;
        uint256 minAmountOut;
        ILiFiDiamond.SwapData[] swapData;
    }

    event MaxSlippageSet(uint256 maxSlippageBps);
    event DexCallAllowed(address indexed callTo, bytes4 indexed selector, bool allowed);
    event ApproveToAllowed(address indexed approveTo, bool allowed);

    error ZeroDiamond();
    error SlippageTooHigh(uint256 maxSlippageBps);
    error UnknownConnector(address caller);
    error NotVaultSwapHandler(address vault);
    error UnsupportedSelector(bytes4 selector);
    error MalformedCalldata();
    error NonCanonicalCalldata();
    error BadStepCount(uint256 steps);
    error ReceiverNotCaller(address receiver, address caller);
    error NativeAssetNotSupported();
    error SameAsset(address asset);
    error TokenNotAllowed(address connector, address token);
    error ZeroAmount();
    error UnexpectedDeposit(uint256 step);
    error DexCallNotAllowed(address callTo, bytes4 selector);
    error ApproveToNotAllowed(address approveTo);
    error InputMismatch(address tokenIn, uint256 amountIn, address sendingAsset, uint256 fromAmount);
    error MinAmountOutTooLow(uint256 minOutValue, uint256 requiredValue);


    /// @param registry_ The registry of connectors, tokens, oracles and roles.
    /// @param diamond_ The LI.FI Diamond on this chain.
    /// @param maxSlippageBps_ Initial slippage bound (<= MAX_SLIPPAGE_BPS).
    constructor(IRegistry registry_, address diamond_, uint256 maxSlippageBps_) RegistryAccess(registry_) {
        if (diamond_ == address(0)) revert ZeroDiamond();
        diamond = diamond_;
        _setMaxSlippage(maxSlippageBps_);
    }

    // ------------------------------------------------------------------------------ governance

    /// @notice Sets the slippage bound against the oracle (governance only, <= MAX_SLIPPAGE_BPS).
    function setMaxSlippageBps(uint256 newMaxSlippageBps) external {
        _checkGovernance();
        _setMaxSlippage(newMaxSlippageBps);
    }

    /// @notice Allows or forbids a swap step to call `selector` on `callTo` (governance only).
    function setDexCallAllowed(address callTo, bytes4 selector, bool allowed) external {
        _checkGovernance();
        isDexCallAllowed[callTo][selector] = allowed;
        emit DexCallAllowed(callTo, selector, allowed);
    }

    /// @notice Allows or forbids `approveTo` as a spender distinct from the step's `callTo` (governance only).
    function setApproveToAllowed(address approveTo, bool allowed) external {
        _checkGovernance();
        isApproveToAllowed[approveTo] = allowed;
        emit ApproveToAllowed(approveTo, allowed);
    }

    // ------------------------------------------------------------------------------ swap

    /// @inheritdoc ISwapHandler
    function checkSwap(
        address tokenIn,
        uint256 amountIn,
        bytes calldata lifiCalldata
    ) external view returns (SwapPlan memory plan) {
        DecodedSwap memory decoded = _decodeStrict(lifiCalldata);
        address sendingAsset;
        (sendingAsset, plan.receivingAsset) = _ends(decoded.swapData);
        IRegistry.SwapContext memory context = registry.swapContext(msg.sender, sendingAsset, plan.receivingAsset);
        if (context.vault == address(0)) revert UnknownConnector(msg.sender);
        if (context.swapHandler != address(this)) revert NotVaultSwapHandler(context.vault);
        IValueOracle oracle = IValueOracle(context.valueOracle);
        uint256 fromAmount = _validate(decoded, msg.sender, oracle, context);
        if (tokenIn != sendingAsset || amountIn != fromAmount) {
            revert InputMismatch(tokenIn, amountIn, sendingAsset, fromAmount);
        }
        plan.diamond = diamond;
        plan.minAmountOut = decoded.minAmountOut;
        _checkMinAmountOut(oracle, plan, sendingAsset, fromAmount);
    }

    /// @notice Decodes Diamond calldata strictly: one of the three supported selectors, and the bytes must
    ///         be exactly the canonical ABI encoding of what they decode to.
    function decodeSwap(bytes calldata lifiCalldata) external pure returns (DecodedSwap memory decoded) {
        return _decodeStrict(lifiCalldata);
    }

    // ------------------------------------------------------------------------------ strict decoding

    /// @dev Reads the calldata in one pass and requires the exact canonical layout `abi.encode` produces:
    ///      every offset equal to where its tail must start, tails in parameter order, clean address words,
    ///      booleans 0 or 1, zero padding, and nothing after the last tail. A read past the end is
    ///      `MalformedCalldata`; anything else that differs from the canonical bytes is `NonCanonicalCalldata`.
    ///      Equivalent to decoding, re-encoding and comparing, without the copies.
    function _decodeStrict(bytes calldata data) private pure returns (DecodedSwap memory decoded) {
        if (data.length < 4) revert MalformedCalldata();
        decoded.selector = bytes4(data[:4]);
        bool single = decoded.selector == SWAP_SINGLE_V3;
        if (!single && decoded.selector != SWAP_MULTIPLE_V3 && decoded.selector != SWAP_GENERIC) {
            revert UnsupportedSelector(decoded.selector);
        }
        decoded.transactionId = bytes32(_word(data, ARGS));
        uint256 next = HEAD_WORDS * 32;
        (decoded.integrator, next) = _stringAt(data, _expectOffset(data, ARGS + 32, next));
        (decoded.referrer, next) = _stringAt(data, _expectOffset(data, ARGS + 64, next));
        decoded.receiver = _addressAt(data, ARGS + 96);
        decoded.minAmountOut = _word(data, ARGS + 128);
        uint256 swapStart = ARGS + _expectOffset(data, ARGS + 160, next);
        uint256 end;
        if (single) {
            decoded.swapData = new ILiFiDiamond.SwapData[](1);
            (decoded.swapData[0], end) = _swapDataAt(data, swapStart);
        } else {
            uint256 count = _word(data, swapStart);
            if (count > data.length / 32) revert MalformedCalldata();
            decoded.swapData = new ILiFiDiamond.SwapData[](count);
            uint256 elements = swapStart + 32;
            uint256 offset = count * 32;
            for (uint256 i; i < count; ) {
                if (_word(data, elements + i * 32) != offset) revert NonCanonicalCalldata();
                (decoded.swapData[i], end) = _swapDataAt(data, elements + offset);
                offset = end - elements;
                unchecked {
                    ++i;
                }
            }
            if (count == 0) end = elements;
        }
        if (end != data.length) revert NonCanonicalCalldata();
    }

    /// @dev The word at `position` (bytes from the start of `data`); reading past the end is malformed.
    function _word(bytes calldata data, uint256 position) private pure returns (uint256 value) {
        if (position + 32 > data.length) revert MalformedCalldata();
        assembly ("memory-safe") {
            value := calldataload(add(data.offset, position))
        }
    }

    function _addressAt(bytes calldata data, uint256 position) private pure returns (address) {
        uint256 value = _word(data, position);
        if (value >> 160 != 0) revert NonCanonicalCalldata();
        return address(uint160(value));
    }

    /// @dev Requires the offset word at `position` to equal `expected`, where the canonical tail starts.
    function _expectOffset(bytes calldata data, uint256 position, uint256 expected) private pure returns (uint256) {
        if (_word(data, position) != expected) revert NonCanonicalCalldata();
        return expected;
    }

    /// @dev A `bytes`/`string` tail at `ARGS + relative`; returns it and the relative position after it.
    function _stringAt(bytes calldata data, uint256 relative) private pure returns (string memory text, uint256 next) {
        (bytes memory raw, uint256 end) = _bytesAt(data, ARGS + relative);
        return (string(raw), end - ARGS);
    }

    /// @dev A `bytes` tail at `position`: length, content, zero padding to a whole word.
    /// @return raw The content.
    /// @return end Position right after the padded content.
    function _bytesAt(bytes calldata data, uint256 position) private pure returns (bytes memory raw, uint256 end) {
        uint256 length = _word(data, position);
        uint256 content = position + 32;
        if (length > data.length - content) revert MalformedCalldata();
        end = content + ((length + 31) & ~uint256(31));
        // The content is there but its padding is not: decodable, yet not what abi.encode produces.
        if (end > data.length) revert NonCanonicalCalldata();
        raw = data[content:content + length];
        uint256 tail = length & 31;
        if (tail != 0 && _word(data, end - 32) << (tail * 8) != 0) revert NonCanonicalCalldata();
    }

    /// @dev A `SwapData` tuple at `position`: seven head words, then its `callData` tail.
    function _swapDataAt(
        bytes calldata data,
        uint256 position
    ) private pure returns (ILiFiDiamond.SwapData memory step, uint256 end) {
        step.callTo = _addressAt(data, position);
        step.approveTo = _addressAt(data, position + 32);
        step.sendingAssetId = _addressAt(data, position + 64);
        step.receivingAssetId = _addressAt(data, position + 96);
        step.fromAmount = _word(data, position + 128);
        _expectOffset(data, position + 160, SWAP_DATA_HEAD_WORDS * 32);
        uint256 flag = _word(data, position + 192);
        if (flag > 1) revert NonCanonicalCalldata();
        step.requiresDeposit = flag == 1;
        (step.callData, end) = _bytesAt(data, position + SWAP_DATA_HEAD_WORDS * 32);
    }

    // ------------------------------------------------------------------------------ internals

    /// @dev The decoded swap's shape, tokens and DEX calls, checked for `connector`.
    /// @return fromAmount The input the first step deposits.
    function _validate(
        DecodedSwap memory decoded,
        address connector,
        IValueOracle oracle,
        IRegistry.SwapContext memory context
    ) private view returns (uint256 fromAmount) {
        ILiFiDiamond.SwapData[] memory steps = decoded.swapData;
        if (steps.length == 0 || steps.length > MAX_STEPS) revert BadStepCount(steps.length);
        if (decoded.receiver != connector) revert ReceiverNotCaller(decoded.receiver, connector);
        address sendingAsset = steps[0].sendingAssetId;
        address receivingAsset = steps[steps.length - 1].receivingAssetId;
        if (sendingAsset == address(0) || receivingAsset == address(0)) revert NativeAssetNotSupported();
        if (sendingAsset == receivingAsset) revert SameAsset(sendingAsset);
        if (!context.sendingAllowed) _checkBaseAsset(connector, sendingAsset, oracle);
        if (!context.receivingAllowed) _checkBaseAsset(connector, receivingAsset, oracle);
        fromAmount = steps[0].fromAmount;
        if (fromAmount == 0) revert ZeroAmount();
        // Only the first step may pull from the caller; more deposits would take more than was approved.
        if (decoded.selector != SWAP_SINGLE_V3 && !steps[0].requiresDeposit) revert UnexpectedDeposit(0);
        for (uint256 i; i < steps.length; ) {
            ILiFiDiamond.SwapData memory step = steps[i];
            if (i > 0 && step.requiresDeposit) revert UnexpectedDeposit(i);
            if (step.sendingAssetId == address(0) || step.receivingAssetId == address(0)) {
                revert NativeAssetNotSupported();
            }
            // The Diamond refunds a step's unspent input to the receiver, so every intermediate asset may
            // land in the connector and must be one it is allowed to hold.
            if (step.sendingAssetId != sendingAsset && step.sendingAssetId != receivingAsset) {
                _checkToken(connector, step.sendingAssetId, oracle);
            }
            if (step.receivingAssetId != sendingAsset && step.receivingAssetId != receivingAsset) {
                _checkToken(connector, step.receivingAssetId, oracle);
            }
            bytes4 inner = step.callData.length >= 4 ? bytes4(step.callData) : bytes4(0);
            if (!isDexCallAllowed[step.callTo][inner]) revert DexCallNotAllowed(step.callTo, inner);
            if (step.approveTo != step.callTo && !isApproveToAllowed[step.approveTo]) {
                revert ApproveToNotAllowed(step.approveTo);
            }
            unchecked {
                ++i;
            }
        }
    }

    /// @dev A connector may hold the tokens the Registry lists for it, and always the base asset its vault is
    ///      valued in (connectors send it to the vault), as BaseConnector treats it.
    function _checkToken(address connector, address token, IValueOracle oracle) private view {
        if (!registry.isConnectorToken(connector, token)) _checkBaseAsset(connector, token, oracle);
    }

    /// @dev For a token the Registry does not list for the connector: only the vault's base asset passes.
    function _checkBaseAsset(address connector, address token, IValueOracle oracle) private view {
        if (token != oracle.baseAsset()) revert TokenNotAllowed(connector, token);
    }

    /// @dev The first step's sending and the last step's receiving asset (zero for no steps, refused later).
    function _ends(ILiFiDiamond.SwapData[] memory steps) private pure returns (address sending, address receiving) {
        if (steps.length == 0) return (address(0), address(0));
        return (steps[0].sendingAssetId, steps[steps.length - 1].receivingAssetId);
    }

    /// @dev Requires `plan.minAmountOut` of the output to be worth the oracle value of the input less the
    ///      slippage bound, and records the bound in the plan. When either price went unconfirmed by its
    ///      secondary route (the oracle fell back to the primary alone), the bound is cut to a
    ///      `PRIMARY_ONLY_SLIPPAGE_DIVISOR`th.
    function _checkMinAmountOut(
        IValueOracle oracle,
        SwapPlan memory plan,
        address sendingAsset,
        uint256 fromAmount
    ) private view {
        (uint256 inputValue, bool inputChecked) = oracle.valueOfChecked(sendingAsset, fromAmount);
        (uint256 minOutValue, bool outputChecked) = oracle.valueOfChecked(plan.receivingAsset, plan.minAmountOut);
        plan.crossChecked = inputChecked && outputChecked;
        plan.slippageBps = plan.crossChecked ? maxSlippageBps : maxSlippageBps / PRIMARY_ONLY_SLIPPAGE_DIVISOR;
        uint256 required = (inputValue * (BPS - plan.slippageBps)) / BPS;
        if (minOutValue < required) revert MinAmountOutTooLow(minOutValue, required);
    }

    function _setMaxSlippage(uint256 newMaxSlippageBps) private {
        if (newMaxSlippageBps > MAX_SLIPPAGE_BPS) revert SlippageTooHigh(newMaxSlippageBps);
        maxSlippageBps = newMaxSlippageBps;
        emit MaxSlippageSet(newMaxSlippageBps);
    }
}

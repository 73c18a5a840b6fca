// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ILiFiDiamond} from "../interfaces/ILiFiDiamond.sol";

/// @title LocalLiFiDiamond
/// @notice Local stand-in for the LI.FI Diamond (its contracts are not published on npm): the same-chain
///         ERC-20 swap selectors of GenericSwapFacetV3 and GenericSwapFacet with LI.FI's semantics — pull
///         `fromAmount` from the caller for deposit steps, check each step's (callTo, selector) and approveTo
///         against the allowlist, approve approveTo, call callTo with callData, refund positive slippage of the
///         sending asset, require the final balance >= minAmountOut (`CumulativeSlippageTooHigh`), send it to
///         the receiver, and emit LI.FI's `AssetSwapped` and `LiFiGenericSwapCompleted`.
/// @dev Local chains only. One deliberate difference: LI.FI sets an infinite approval for approveTo on its
///      own balance; this stand-in approves exactly `fromAmount` and resets it to zero after the call.
contract LocalLiFiDiamond is ILiFiDiamond, Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev LI.FI's marker selector for contracts that may only be approved, never called.
    bytes4 public constant APPROVE_TO_ONLY_SELECTOR = 0xffffffff;

    mapping(address target => mapping(bytes4 selector => bool)) public isContractSelectorAllowed;

    event ContractSelectorWhitelistChanged(address indexed contractAddress, bytes4 indexed selector, bool whitelisted);

    error ContractCallNotAllowed();
    error CumulativeSlippageTooHigh(uint256 minAmount, uint256 receivedAmount);
    error InvalidReceiver();
    error NoSwapDataProvided();
    error NativeAssetNotSupported();
    error SwapFailed(bytes reason);

    constructor(address owner_) Ownable(owner_) {}

    /// @notice Allows or forbids calling `selector` on `contractAddress` from a swap step (owner only).
    function setContractSelectorWhitelist(address contractAddress, bytes4 selector, bool whitelisted) external onlyOwner {
        isContractSelectorAllowed[contractAddress][selector] = whitelisted;
        emit ContractSelectorWhitelistChanged(contractAddress, selector, whitelisted);
    }

    /// @inheritdoc ILiFiDiamond
    function swapTokensSingleV3ERC20ToERC20(
        bytes32 _transactionId,
        string calldata _integrator,
        string calldata _referrer,
        address payable _receiver,
        uint256 _minAmountOut,
        SwapData calldata _swapData
    ) external nonReentrant {
        if (_receiver == address(0)) revert InvalidReceiver();
        IERC20(_swapData.sendingAssetId).safeTransferFrom(msg.sender, address(this), _swapData.fromAmount);
        _executeStep(_transactionId, _swapData, _receiver);
        uint256 received = _sendOutput(_swapData.receivingAssetId, _receiver, _minAmountOut);
        emit LiFiGenericSwapCompleted(
            _transactionId,
            _integrator,
            _referrer,
            _receiver,
            _swapData.sendingAssetId,
            _swapData.receivingAssetId,
            _swapData.fromAmount,
            received
        );
    }

    /// @inheritdoc ILiFiDiamond
    function swapTokensMultipleV3ERC20ToERC20(
        bytes32 _transactionId,
        string calldata _integrator,
        string calldata _referrer,
        address payable _receiver,
        uint256 _minAmountOut,
        SwapData[] calldata _swapData
    ) external nonReentrant {
        _swapMultiple(_transactionId, _integrator, _referrer, _receiver, _minAmountOut, _swapData);
    }

    /// @inheritdoc ILiFiDiamond
    function swapTokensGeneric(
        bytes32 _transactionId,
        string calldata _integrator,
        string calldata _referrer,
        address payable _receiver,
        uint256 _minAmount,
        SwapData[] calldata _swapData
    ) external payable nonReentrant {
        if (msg.value != 0) revert NativeAssetNotSupported();
        _swapMultiple(_transactionId, _integrator, _referrer, _receiver, _minAmount, _swapData);
    }

    function _swapMultiple(
        bytes32 transactionId,
        string calldata integrator,
        string calldata referrer,
        address receiver,
        uint256 minAmountOut,
        SwapData[] calldata swapData
    ) private {
        if (receiver == address(0)) revert InvalidReceiver();
        if (swapData.length == 0) revert NoSwapDataProvided();
        for (uint256 i = 0; i < swapData.length; ++i) {
            if (swapData[i].requiresDeposit) {
                IERC20(swapData[i].sendingAssetId).safeTransferFrom(msg.sender, address(this), swapData[i].fromAmount);
            }
        }
        for (uint256 i = 0; i < swapData.length; ++i) {
            _executeStep(transactionId, swapData[i], receiver);
        }
        address receivingAssetId = swapData[swapData.length - 1].receivingAssetId;
        uint256 received = _sendOutput(receivingAssetId, receiver, minAmountOut);
        emit LiFiGenericSwapCompleted(
            transactionId,
            integrator,
            referrer,
            receiver,
            swapData[0].sendingAssetId,
            receivingAssetId,
            swapData[0].fromAmount,
            received
        );
    }

    /// @dev One step: allowlist check, exact approval, call, positive-slippage refund (swaps only, not fee steps).
    function _executeStep(bytes32 transactionId, SwapData calldata step, address receiver) private {
        if (step.sendingAssetId == address(0) || step.receivingAssetId == address(0)) {
            revert NativeAssetNotSupported();
        }
        if (step.callData.length < 4 || !isContractSelectorAllowed[step.callTo][bytes4(step.callData[:4])]) {
            revert ContractCallNotAllowed();
        }
        if (step.approveTo != step.callTo && !isContractSelectorAllowed[step.approveTo][APPROVE_TO_ONLY_SELECTOR]) {
            revert ContractCallNotAllowed();
        }
        IERC20 sending = IERC20(step.sendingAssetId);
        IERC20 receiving = IERC20(step.receivingAssetId);
        uint256 receivingBefore = receiving.balanceOf(address(this));
        sending.forceApprove(step.approveTo, step.fromAmount);
        (bool ok, bytes memory reason) = step.callTo.call(step.callData);
        if (!ok) revert SwapFailed(reason);
        sending.forceApprove(step.approveTo, 0);
        if (step.sendingAssetId != step.receivingAssetId) {
            uint256 leftover = sending.balanceOf(address(this));
            if (leftover != 0) sending.safeTransfer(receiver, leftover);
        }
        uint256 receivingAfter = receiving.balanceOf(address(this));
        emit AssetSwapped(
            transactionId,
            step.callTo,
            step.sendingAssetId,
            step.receivingAssetId,
            step.fromAmount,
            receivingAfter > receivingBefore ? receivingAfter - receivingBefore : 0,
            block.timestamp
        );
    }

    function _sendOutput(address receivingAssetId, address receiver, uint256 minAmountOut) private returns (uint256) {
        uint256 received = IERC20(receivingAssetId).balanceOf(address(this));
        if (received < minAmountOut) revert CumulativeSlippageTooHigh(minAmountOut, received);
        IERC20(receivingAssetId).safeTransfer(receiver, received);
        return received;
    }
}
